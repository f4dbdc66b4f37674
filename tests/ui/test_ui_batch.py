"""The window with variants written together: each tab streams its own text, each can be
stopped alone, and a pause in typing caches the Rewrite's prompts (fake engine; the real
model's side is in test_ui_model.py and tests/engine)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

# The last sentence supports what the scripted model writes (`compose.grounding`).
DRAFT = ("Saw Jenna Alvarez in room 412 on March 3 with a bad asthma attack. Controllers work."
         " Controller inhalers calm the airways over weeks, not hours; patients who keep "
         "taking them daily, even on good days, do well even when they feel well.")  # fmt: skip
X_REPLY = "Controller inhalers work even when you feel well."
BSKY_REPLY = "Keep taking your controller inhaler daily, even on good days."


def ready(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)


def test_variants_stream_together_into_their_own_tabs(qtbot, make_window) -> None:
    window = make_window(
        [X_REPLY, BSKY_REPLY], delay=0.02, platforms=["x", "bluesky"], candidates=1
    )
    ready(qtbot, window)
    window.set_draft(DRAFT)
    order: list[str | None] = []
    window.worker.text.connect(lambda pid, _text: order.append(pid))
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()
    assert len(window.engines[0].calls) == 2  # one batch, both prompts
    first_x, last_x = order.index("x"), len(order) - 1 - order[::-1].index("x")
    assert "bluesky" in order[first_x:last_x], "the variants were not streamed together"
    x, bsky = window.views["x"], window.views["bluesky"]
    assert X_REPLY in x.variant.text and BSKY_REPLY not in x.variant.text
    assert BSKY_REPLY in bsky.variant.text and X_REPLY not in bsky.variant.text
    assert window.statusBar().currentMessage() == "Done: 2 variants."
    assert not x.stop_button.isVisible()


def test_one_variant_can_be_stopped_while_the_other_finishes(qtbot, make_window) -> None:
    long_reply = " ".join(["Controller inhalers calm the airways over weeks."] * 80)
    window = make_window(
        [long_reply, BSKY_REPLY * 3], delay=0.02, platforms=["x", "bluesky"], candidates=1
    )
    ready(qtbot, window)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.worker.text, timeout=10_000):
        window.rewrite()
    x = window.views["x"]
    assert x.stop_button.isVisible()
    with qtbot.waitSignal(window.idle, timeout=10_000):
        qtbot.mouseClick(x.stop_button, Qt.MouseButton.LeftButton)
    assert x.variant is None and "Stopped." in x.block_note.text()
    assert window.tabs.tabText(window.tabs.indexOf(x)) == "X (stopped)"
    partial = x.preview.toPlainText()
    assert partial.startswith("Controller") and len(partial) < len(long_reply) // 2
    bsky = window.views["bluesky"]
    assert bsky.variant is not None and BSKY_REPLY in bsky.variant.text
    assert window.statusBar().currentMessage() == "Done: 1 variant, 1 stopped."
    assert window.engines[0].cancels == 0  # the job itself was never cancelled


def test_a_pause_caches_the_rewrites_prompts_and_typing_stops_it(qtbot, make_window) -> None:
    window = make_window([X_REPLY], platforms=["x", "bluesky"], candidates=1)
    ready(qtbot, window)
    engine = window.engines[0]
    # Before there is a draft, the task's own text is cached: every prompt starts with it.
    qtbot.waitUntil(lambda: len(engine.prefills) == 1, timeout=10_000)
    (warm,) = engine.prefills[0]
    assert warm[0]["role"] == "system" and "<draft>\n(none)\n</draft>" in warm[-1]["content"]
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, DRAFT)
    qtbot.waitUntil(lambda: len(engine.prefills) == 2, timeout=10_000)
    cached = engine.prefills[1]
    assert len(cached) == 2
    assert [p[0] for p in cached] == [warm[0]] * 2  # the same system text, already cached
    for prompt in cached:
        content = prompt[-1]["content"]
        assert "Controllers work" in content
        assert "Jenna" not in content and "Alvarez" not in content and "412" not in content
    qtbot.keyClicks(window.editor, " Daily.")
    assert engine.prefill_stops[1].is_set()  # the keystroke stopped it at once
    qtbot.waitUntil(lambda: len(engine.prefills) == 3, timeout=10_000)
    assert not engine.prefill_stops[2].is_set()
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()
    assert engine.prefill_stops[2].is_set()  # Rewrite does not wait for a prefill
    # The Rewrite sends exactly what was cached: same stand-ins, same order.
    assert engine.calls == engine.prefills[2]


def test_a_paste_is_cached_at_once(qtbot, make_window) -> None:
    """Nobody types right after pasting: the prefill starts without the typing pause."""
    window = make_window([X_REPLY], platforms=["x"], candidates=1)
    ready(qtbot, window)
    engine = window.engines[0]
    qtbot.waitUntil(lambda: len(engine.prefills) == 1, timeout=10_000)  # the task's text
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, "Typed first. ")
    assert window._prefill_timer.isActive()  # typing waits for a pause
    QApplication.clipboard().setText(DRAFT)
    window.editor.paste()
    assert not window._prefill_timer.isActive()  # the paste did not wait for one
    qtbot.waitUntil(lambda: len(engine.prefills) == 2, timeout=10_000)
    (prompt,) = engine.prefills[1]
    assert "Typed first. Saw" in prompt[-1]["content"] and "Jenna" not in prompt[-1]["content"]
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()
    assert engine.calls == engine.prefills[1]
