"""The window on a fake engine: live highlights, keep/fictionalise, stop, blocked copy,
counters, load failures, settings. Real Presidio scanner and real compose pipeline."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QToolTip

from draftrx.compose.settings import LONG_DISCLAIMER, SHORT_DISCLAIMER
from draftrx.ui import preferences
from draftrx.ui.worker import REPAINT_INTERVAL_S

# The last sentence supports what the scripted model writes (`compose.grounding`).
DRAFT = ("Saw Jenna Alvarez in room 412 on March 3 with a bad asthma attack. Controllers work."
         " Controller inhalers calm the airways over weeks, not hours; patients who keep "
         "taking them daily, even on good days, do well even when they feel well.")  # fmt: skip
LONG_REPLY = " ".join(["Controller inhalers calm the airways over weeks."] * 80)


def ready(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)


def test_highlights_follow_typing(qtbot, make_window) -> None:
    window = make_window()
    qtbot.keyClicks(window.editor, DRAFT)
    qtbot.waitUntil(lambda: window.findings.count() >= 3, timeout=15_000)
    text = window.editor.toPlainText()
    found = {text[f.start : f.end] for f in window._scanned[1]}
    assert {"Jenna Alvarez", "412", "March 3"} <= found
    assert len(window.editor.extraSelections()) == window.findings.count()
    # the cursor inside a highlight explains it
    cursor = window.editor.textCursor()
    cursor.setPosition(text.index("Jenna") + 2)
    window.editor.setTextCursor(cursor)
    assert window.explain.text().startswith("Identifier: name.")
    # hovering shows the same explanation
    point = window.editor.cursorRect(cursor).center()
    help_event = QHelpEvent(QEvent.Type.ToolTip, point, window.editor.viewport().mapToGlobal(point))
    QApplication.sendEvent(window.editor.viewport(), help_event)
    assert QToolTip.text().startswith("Identifier: name.")
    # editing again rescans: the name is gone from the findings
    window.editor.setPlainText(text.replace("Jenna Alvarez", "a patient"))
    qtbot.waitUntil(lambda: "Jenna Alvarez" not in window.findings.item(0).text(), timeout=5000)
    assert all("Jenna" not in window.findings.item(i).text()
               for i in range(window.findings.count()))  # fmt: skip


def test_highlights_land_on_the_text_after_emoji(qtbot, make_window) -> None:
    """Qt counts an emoji as two positions, Python as one: spans must be converted."""
    window = make_window()
    window.set_draft("🚑🚑 Saw Jenna Alvarez in room 412 today.")
    qtbot.waitUntil(lambda: window.findings.count() >= 2, timeout=15_000)
    text = window.editor.document().toPlainText()  # in Qt positions: UTF-16 units
    units = text.encode("utf-16-le")
    marked = {units[2 * s.cursor.selectionStart() : 2 * s.cursor.selectionEnd()]
              .decode("utf-16-le") for s in window.editor.extraSelections()}  # fmt: skip
    assert {"Jenna Alvarez", "412"} <= marked


def test_kept_identifier_reaches_the_model_and_others_do_not(qtbot, make_window) -> None:
    window = make_window(platforms=["x"])
    ready(qtbot, window)
    window.set_draft(DRAFT)
    qtbot.waitUntil(lambda: window.findings.count() >= 3, timeout=15_000)
    row = next(i for i in range(window.findings.count())
               if window.findings.item(i).text().startswith("“March 3”"))  # fmt: skip
    window.findings.setFocus()
    window.findings.setCurrentRow(row)
    qtbot.keyClick(window.findings, Qt.Key.Key_Space)  # keep the date, from the keyboard
    assert window.findings.item(row).text().endswith("keep")
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()
    prompt = window.engines[0].calls[0][-1]["content"]
    assert "March 3" in prompt
    assert "Jenna" not in prompt and "Alvarez" not in prompt and "412" not in prompt


def test_stream_shows_text_and_checks_then_copies(qtbot, make_window) -> None:
    reply = "Controller inhalers work even when you feel well. Keep taking them daily."
    window = make_window([reply], delay=0.01, platforms=["x", "bluesky"])
    ready(qtbot, window)
    window.set_draft(DRAFT)
    pieces: list[str] = []
    window.worker.text.connect(lambda _pid, text: pieces.append(text))
    assert not window.views["x"].copy_button.isEnabled()
    with qtbot.waitSignal(window.idle, timeout=15_000):
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(pieces) > 1, "the text arrived in one piece, not streamed"
    assert window.statusBar().currentMessage() == "Done: 2 variants."
    x = window.views["x"]
    assert x.variant is not None and x.preview.toPlainText() == x.variant.text
    assert reply in x.variant.text and SHORT_DISCLAIMER in x.variant.text
    assert x.copy_button.isEnabled() and not x.override_button.isVisible()
    assert x.checks.count() == len(x.variant.checks)
    window.tabs.setCurrentWidget(x)
    window.copy_current()
    assert QGuiApplication.clipboard().text() == x.variant.text
    assert window.statusBar().currentMessage() == "X text copied."
    assert window.tabs.tabText(window.tabs.indexOf(window.diff)) == "Changes"
    assert "disclaimer added by DraftRx" in window.diff.toPlainText()


def test_counter_uses_the_platform_rule(qtbot, make_window) -> None:
    reply = "Flu shots 💉 are safe 👍 and they work. 💪"
    window = make_window([reply], platforms=["x"])
    ready(qtbot, window)
    window.set_draft("Flu shots do not give you the flu.")
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    view = window.views["x"]
    post = view.variant.posts[0]
    weighted = window.platforms["x"].length(post)
    assert weighted != len(post)  # emoji count 2 on X: the counter must not use len()
    assert view.counter.text() == f"{weighted:,} / 280 {window.platforms['x'].unit}"


def test_stop_during_streaming(qtbot, make_window) -> None:
    window = make_window([LONG_REPLY], delay=0.02, platforms=["x", "linkedin"], candidates=1)
    ready(qtbot, window)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.worker.text, timeout=10_000):
        window.rewrite()
    assert window.stop_button.isEnabled() and not window.rewrite_button.isEnabled()
    started = time.perf_counter()
    with qtbot.waitSignal(window.idle, timeout=5_000):
        qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert time.perf_counter() - started < 2  # 400 words at 20 ms would take 8 s
    assert window.engines[0].cancels >= 1
    assert len(window.engines[0].calls) == 2, "a variant was started after Stop"
    assert all(v.variant is None for v in window.views.values())
    assert window.statusBar().currentMessage().startswith("Stopped.")
    assert window.rewrite_button.isEnabled() and not window.stop_button.isEnabled()
    # the next rewrite runs normally
    window.engines[0].delay = 0
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    assert window.views["x"].variant is not None and window.views["linkedin"].variant is not None


def test_blocking_check_holds_copy_until_overridden(qtbot, make_window, monkeypatch) -> None:
    reply = "Thanks for being my patient! Glad we could help at your recent visit."
    window = make_window([reply], platforms=["x"])
    ready(qtbot, window)
    window.task.setCurrentIndex(window.task.findData("reply-comment"))
    window.set_draft("Dr. Lee fixed my knee last month, best surgeon ever!")
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    view = window.views["x"]
    assert view.blocked
    assert any(c.id == "patient_confirmation" and c.severity == "block"
               for c in view.variant.checks)  # fmt: skip
    assert not view.copy_button.isEnabled() and not view.export_button.isEnabled()
    assert view.override_button.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(view)) == "X (blocked)"
    QGuiApplication.clipboard().setText("before")
    view.copy()
    assert QGuiApplication.clipboard().text() == "before"
    assert not view.override("   "), "an override needs a reason"
    answers = [("  ", True), ("The reviewer posted publicly", True)]
    prompts: list[str] = []

    def ask(parent, title, prompt, *rest, **kw):
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(ask))
    view.override_button.click()
    assert "needs a reason" in prompts[1], "an empty reason is asked again, not ignored"
    assert view.copy_button.isEnabled() and not view.override_button.isVisible()
    assert "The reviewer posted publicly" in view.block_note.text()
    assert window.tabs.tabText(window.tabs.indexOf(view)) == "X (overridden)"
    view.copy_button.click()
    assert QGuiApplication.clipboard().text() == view.variant.text
    view.withdraw_button.click()  # changed their mind: blocked again
    assert not view.copy_button.isEnabled() and view.override_button.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(view)) == "X (blocked)"


def test_model_load_failure_is_a_message(qtbot, make_window, tmp_path: Path) -> None:
    from draftrx.ui.worker import real_engine

    bad = tmp_path / "notes.gguf"
    bad.write_text("these are my notes, not a model")
    window = make_window(engine_factory=real_engine, model_path=str(bad))
    qtbot.waitUntil(window.notice.isVisible, timeout=10_000)
    assert "could not be loaded" in window.notice.text()
    assert "GGUF" in window.notice.text()
    assert not window.model_ready and window.model_label.text() == "No model"
    window.set_draft(DRAFT)
    assert not window.rewrite_button.isEnabled() and not window.rewrite()
    assert window.isVisible()


def test_settings_round_trip(qtbot, make_window, config_dir: Path) -> None:
    window = make_window()
    dialog = preferences.PreferencesDialog(
        window.prefs, window.base_settings, {p: v.name for p, v in window.platforms.items()},
        window,
    )  # fmt: skip
    dialog.threads.setValue(3)
    dialog.gpu_layers.setValue(-1)
    dialog.temperature.setValue(0.3)
    dialog.max_words.setValue(222)  # words: the model gets 296 tokens
    for pid, box in dialog.platform_boxes.items():
        box.setChecked(pid in {"bluesky", "tiktok"})
    dialog.disclaimer.setPlainText("Education only; see your own clinician.")
    dialog.coi.setPlainText("I consult for Acme Pharma.")
    window.apply_preferences(dialog.result_settings())
    assert [p for p, b in window.platform_boxes.items() if b.isChecked()] == ["bluesky", "tiktok"]
    window.close()

    again = make_window()
    p = again.prefs
    assert (p.threads, p.gpu_layers, p.temperature, p.max_tokens) == (3, -1, 0.3, 296)
    assert p.platforms == ["bluesky", "tiktok"]
    assert [p for p, b in again.platform_boxes.items() if b.isChecked()] == ["bluesky", "tiktok"]
    merged = p.compose_settings(again.base_settings)
    assert merged.disclaimer == "Education only; see your own clinician."
    assert merged.short_disclaimer == SHORT_DISCLAIMER  # left empty: the default stays
    assert merged.coi_statement == "I consult for Acme Pharma."
    assert (config_dir / "app.ini").is_file()


def test_unreadable_settings_fall_back_one_by_one(config_dir: Path) -> None:
    (config_dir / "app.ini").write_text(
        "[generation]\ntemperature=warm\nmax_tokens=-5\n[model]\nthreads=many\n"
        "[compose]\ndisclaimer=Mine.\n"
    )
    p = preferences.load(preferences.open_store())
    assert (p.temperature, p.max_tokens, p.threads) == (0.7, 400, None)
    assert p.disclaimer == "Mine." and p.compose_settings(
        preferences.Settings()).disclaimer == "Mine."  # fmt: skip
    assert preferences.AppSettings().compose_settings(preferences.Settings()).disclaimer == (
        LONG_DISCLAIMER
    )


def test_broken_settings_toml_is_shown_not_fatal(qtbot, make_window, config_dir: Path) -> None:
    (config_dir / "settings.toml").write_text("[disclaimer\nlong = 'x'")
    window = make_window()
    assert "not valid TOML" in window.notice.text() and window.notice.isVisible()
    assert window.base_settings.disclaimer == LONG_DISCLAIMER


def test_dropping_a_text_file_opens_it(qtbot, make_window, drop, tmp_path: Path) -> None:
    window = make_window()
    path = tmp_path / "draft.txt"
    path.write_text("Myth: flu shots give you the flu.", encoding="utf-8")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    window.dropEvent(drop([path]))
    window.dropEvent(drop([binary]))
    assert window.editor.toPlainText() == "Myth: flu shots give you the flu."  # kept, not lost
    assert "not UTF-8" in window.notice.text()


def test_text_signals_are_coalesced(qtbot, make_window) -> None:
    """A model faster than the screen must not cost one repaint per token."""
    window = make_window([LONG_REPLY], platforms=["facebook"])
    ready(qtbot, window)
    window.set_draft(DRAFT)
    times: list[float] = []
    window.worker.text.connect(lambda *_: times.append(time.monotonic()))
    started = time.monotonic()
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    elapsed = time.monotonic() - started
    words = len(LONG_REPLY.split())
    assert len(times) < words / 4
    assert len(times) <= elapsed / REPAINT_INTERVAL_S + 3  # + the flushes at stream ends
    assert window.views["facebook"].variant.text.startswith(LONG_REPLY[:200])


def test_window_module_leaves_heavy_imports_to_the_workers() -> None:
    """The window shows before llama.cpp, Presidio or spaCy are imported."""
    code = ("import sys, draftrx.ui.window; "
            "print(sorted(m for m in ('llama_cpp', 'presidio_analyzer', 'spacy') "
            "if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_collection_resumes_after_nested_loads() -> None:
    import gc

    from draftrx.ui.worker import collector_paused

    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the outer load is still running"
    assert gc.isenabled()


def test_an_unexpected_error_ends_the_job_with_a_message(qtbot, make_window, capsys) -> None:
    window = make_window(platforms=["x"])
    ready(qtbot, window)
    window.engines[0].stream = lambda *a: (_ for _ in ()).throw(KeyError("bug"))
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    assert "Something went wrong inside DraftRx (KeyError)" in window.notice.text()
    assert window.rewrite_button.isEnabled() and not window.busy
    assert "Jenna" not in capsys.readouterr().err  # the traceback carries no draft text


def test_status_bar_says_where_the_model_runs(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)
    assert window.model_label.text() == "Fake · CPU · 1 thread"

    gpu = {"backend": "CUDA", "gpu_layers": 24, "n_layers": 24,
           "gpu_device": "NVIDIA H100 80GB HBM3"}  # fmt: skip
    fake = type(window.engines[0])
    cpu = fake.describe
    monkeypatch.setattr(fake, "describe", lambda self: {**cpu(self), **gpu})
    window.load_model()
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)
    assert window.model_label.text() == "Fake · CUDA · 24/24 layers on NVIDIA H100 80GB HBM3"


def test_preferences_say_where_it_writes_and_open_the_servers(qtbot, make_window) -> None:
    from draftrx import servers
    from draftrx.ui.practice import ServersDialog

    servers.keep(servers.Server("clinic", "http://127.0.0.1:9", "practice-model"), None)
    window = make_window()
    window.open_preferences()
    dialog = window.findChild(preferences.PreferencesDialog)
    assert "this computer" in dialog.servers_button.text()
    dialog.servers_button.click()
    listed = window.findChild(ServersDialog)
    qtbot.waitUntil(listed.isVisible)
    assert listed.list.item(0).text() == "clinic: http://127.0.0.1:9 · practice-model"
    listed.reject()
    dialog.reject()
    window.close()


def test_a_server_key_in_a_locked_history_connects_once_it_is_unlocked(
    qtbot, make_window, config_dir: Path
) -> None:
    import json

    window = make_window()
    qtbot.waitUntil(lambda: window.history.vault is not None)
    window.history.vault.put_secret("server-key-clinic", "practice-key")
    (config_dir / "servers.json").write_text(json.dumps({"servers": {"clinic": {
        "name": "clinic", "url": "http://127.0.0.1:9", "model": "m", "key_in": "history"}}}))
    vault, window.history.vault = window.history.vault, None  # as if locked
    window._use_server("clinic")
    assert "unlock the history, and the server connects" in window.notice.text()
    window.history.vault = vault
    window.history.state_changed.emit("History: encrypted")  # unlocked
    # The key came out of the history and the server was tried: nothing listens on port 9.
    qtbot.waitUntil(lambda: "refused the connection" in window.notice.text(), timeout=10_000)
    window.close()


def test_a_rewrite_goes_only_where_the_physician_saw_it_would(qtbot, make_window) -> None:
    """A job made while one engine was shown is refused by another (a practice server
    chosen or left meanwhile): nothing is written, nothing sent."""
    from dataclasses import replace

    window = make_window()
    qtbot.waitUntil(lambda: window.model_ready)
    window.set_draft(DRAFT)
    job = replace(window._job(), server="https://ai.clinic.lan/v1 practice-model")
    with qtbot.waitSignal(window.worker.failed) as failed:
        window.request_compose.emit(job)
    assert "nothing was sent" in failed.args[0]
    assert window.engines[0].calls == []
    window.close()
