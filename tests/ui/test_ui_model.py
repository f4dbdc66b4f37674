"""The window with the real default model: typing to highlights to a streamed, checked,
copyable post; the model manager on a real GGUF; the offscreen screenshot command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

from draftrx.compose.settings import SHORT_DISCLAIMER
from draftrx.engine import hardware
from draftrx.ui.worker import real_engine

pytestmark = pytest.mark.model

DRAFT = ("Jenna Alvarez, 41, came in on March 3, 2025 and was in room 412 with a bad asthma "
         "attack. She had stopped her controller inhaler because she felt fine.")  # fmt: skip
IDENTIFIERS = ["Jenna", "Alvarez", "March 3", "412"]
LESSON = "Keep taking your controller inhaler even when you feel well."
TEACHING = f"{DRAFT} {LESSON}"  # its closing advice: the message DraftRx chooses to keep


def test_type_highlight_rewrite_copy_with_the_real_model(qtbot, make_window) -> None:
    window = make_window(engine_factory=real_engine, platforms=["x"], temperature=0.0,
                         max_tokens=120)  # fmt: skip
    window.task.setCurrentIndex(window.task.findData("lesson"))  # a case, taught, not retold
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, TEACHING)
    qtbot.waitUntil(lambda: window.findings.count() >= 4, timeout=30_000)
    text = window.editor.toPlainText()
    highlighted = {text[s.cursor.selectionStart() : s.cursor.selectionEnd()]
                   for s in window.editor.extraSelections()}  # fmt: skip
    assert {"Jenna Alvarez", "March 3, 2025", "412"} <= highlighted
    qtbot.waitUntil(lambda: window.model_ready, timeout=120_000)
    label = window.model_label.text()
    assert "Qwen2.5" in label and f" · {hardware.backend_name()} · " in label
    assert ("layers on" in label) == (hardware.gpu_device() is not None)  # all layers, by default

    pieces: list[str] = []
    window.worker.text.connect(lambda _pid, text: pieces.append(text))
    with qtbot.waitSignal(window.idle, timeout=300_000):
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(pieces) >= 3, "the model's text did not stream"
    view = window.views["x"]
    assert view.variant is not None, window.notice.text()
    final = view.variant.text
    assert view.preview.toPlainText() == final
    assert not [w for w in IDENTIFIERS if w in final], final
    assert SHORT_DISCLAIMER in final
    assert "tokens/s" in window.speed_label.text()
    checks = {c.id: c.severity for c in view.variant.checks}
    assert checks["identifiers"] == "ok" and checks["length"] == "ok"
    blocking = [c.message for c in view.variant.checks if c.severity == "block"]
    assert view.copy_button.isEnabled(), blocking
    view.copy_button.click()
    assert QGuiApplication.clipboard().text() == final


def test_model_manager_assesses_and_refuses(qtbot, drop, default_model_path: Path,
                                            tmp_path: Path, config_dir: Path) -> None:  # fmt: skip
    from draftrx.engine.models import catalogue
    from draftrx.ui.models import ModelManager, assess

    fits = assess(default_model_path)
    assert fits.ok and "Qwen2.5" in fits.summary and "needs about" in fits.summary
    too_big = assess(default_model_path, available=200 * 2**20)
    assert not too_big.ok and "Will not fit" in too_big.summary
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\0" * 10)
    assert not assess(junk).ok

    dialog = ModelManager([], "")
    qtbot.addWidget(dialog)
    chosen: list[str] = []
    dialog.chosen.connect(chosen.append)
    link = tmp_path / "my-model.gguf"
    link.symlink_to(default_model_path)
    dialog.dropEvent(drop([link, tmp_path / "a.txt"]))
    built_ins = len(catalogue())
    assert dialog.models.count() == built_ins + 1
    assert dialog.models.currentItem().text() == "my-model.gguf"
    assert dialog.use_button.isEnabled() and "needs about" in dialog.details.text()
    assert not dialog.add(junk)  # refused with the reason shown, and Use disabled
    assert not dialog.use_button.isEnabled() and dialog.details.text()
    dialog.models.setCurrentRow(built_ins)
    dialog.use_button.click()
    assert chosen == [str(link)]


def test_switch_model_without_restarting(qtbot, make_window, default_model_path: Path) -> None:
    window = make_window(engine_factory=real_engine, model_path="/nowhere/missing.gguf")
    qtbot.waitUntil(window.notice.isVisible, timeout=30_000)
    assert not window.model_ready
    window._model_chosen(str(default_model_path))
    qtbot.waitUntil(lambda: window.model_ready, timeout=60_000)
    assert window.prefs.model_path == str(default_model_path)


def test_a_built_in_model_chosen_by_id_loads_and_stays_chosen(qtbot, make_window) -> None:
    from draftrx.engine.models import catalogue

    optional = next(m for m in catalogue() if not m.default)
    window = make_window(engine_factory=real_engine)
    qtbot.waitUntil(lambda: window.model_ready, timeout=120_000)
    window._model_chosen(optional.id)  # what Manage models ▸ Use sends for that row
    qtbot.waitUntil(lambda: window.model_ready, timeout=300_000)
    assert "1.5B" in window.model_label.text() and window.prefs.model_path == optional.id
    assert window.model_label.toolTip() == str(optional.path)


def test_screenshot_command_renders_a_rewrite(tmp_path: Path, default_model_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "app.ini").write_text(
        "[compose]\nplatforms=x\n[generation]\ntemperature=0\nmax_tokens=60\n"
    )
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "shot.png"
    env = {**os.environ, "DRAFTRX_CONFIG_DIR": str(config), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "draftrx", "--screenshot", str(out), "--draft", str(draft),
         "--rewrite"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert image.width() >= 800 and image.height() >= 500
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7)
                for y in range(0, image.height(), 7)}) > 20  # fmt: skip


def test_a_prefill_in_progress_never_holds_up_rewrite(qtbot, make_window) -> None:
    """Rewrite pressed while the engine is prefilling a long draft in the background: the
    prefill stops at once (it reports unfinished), keeps its work, and both variants are
    written together on the real model."""
    window = make_window(engine_factory=real_engine, platforms=["x", "bluesky"],
                         temperature=0.0, max_tokens=24)  # fmt: skip
    qtbot.waitUntil(lambda: window.model_ready and window.scanner_ready, timeout=120_000)
    window.set_draft("\n\n".join([DRAFT] * 30))  # about 1,300 tokens: seconds to prefill
    window._prefill_timer.stop()
    ended: list[bool] = []
    window.worker.prefilled.connect(ended.append)
    stats: list = []
    window.worker.stats.connect(stats.append)
    assert window.prefill_now()
    qtbot.wait(1500)  # protected and well into the prompt, far from through it
    with qtbot.waitSignal(window.idle, timeout=300_000):
        assert window.rewrite()
    assert ended == [False]
    assert len(stats) == 2 and all(s.reused_tokens > 0 for s in stats), stats
    assert all(window.views[p].variant is not None for p in ("x", "bluesky"))


def test_two_platforms_show_the_key_message_and_one_other_version_each(qtbot, make_window) -> None:
    """The default two versions per platform, written in one batch on the real model: the
    key message is shown above the tabs, and each tab offers the version not chosen."""
    # Both candidates run to max_tokens, too few for a post, so neither ends early and
    # neither is stopped as a straggler.
    window = make_window(engine_factory=real_engine, platforms=["x", "bluesky"],
                         temperature=0.0, max_tokens=10)  # fmt: skip
    qtbot.waitUntil(lambda: window.model_ready, timeout=120_000)
    window.set_draft(TEACHING)
    with qtbot.waitSignal(window.idle, timeout=600_000):
        assert window.rewrite()
    assert window._request.candidates == 2
    box = window.key_message
    assert (box.text, box.source) == (LESSON, "chosen") and box.note.text()
    for pid in ("x", "bluesky"):
        view = window.views[pid]
        assert view.variant is not None, window.notice.text()
        assert any(c.id == "message" for c in view.variant.checks)
        assert len(view.variant.others) == 1 and view.versions_box.count() == 2
        assert not view.versions_box.isHidden()  # shown in its tab
        view.versions_box.setCurrentIndex(1)
        assert view.variant is view.versions[1]
        assert view.preview.toPlainText() == view.versions[1].text
