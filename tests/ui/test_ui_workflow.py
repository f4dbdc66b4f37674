"""The window as a physician works in it: what is on screen after New draft, Open and
Forget, and a notice that can be closed. Fake engine, real scanner, compose and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# The last sentence supports what the scripted model writes (`compose.grounding`).
DRAFT = ("Saw Jenna Alvarez (MRN 4471902) in room 412 at St. Mary's on March 3 with a bad "
         "asthma attack. Controllers work even when you feel well. Controller inhalers calm the "
         "airways over weeks, not hours; patients who keep taking them daily, even on good "
         "days, do well even when they feel well.")  # fmt: skip
IDENTIFIERS = ["Jenna", "Alvarez", "4471902", "412", "St. Mary", "March 3"]
REPLY = "Controller inhalers work even when you feel well. Keep taking them daily."


def on_screen(window: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Every text a widget of the window holds: labels, fields, editors, lists, tabs,
    combo boxes, buttons and tooltips, and the status bar's message."""
    found = [window.statusBar().currentMessage()] if hasattr(window, "statusBar") else []
    for w in window.findChildren(QWidget):
        if any(w is s or s.isAncestorOf(w) for s in skip):
            continue
        found.append(w.toolTip())
        if isinstance(w, QLabel | QLineEdit | QAbstractButton):
            found.append(w.text())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            found.append(w.toPlainText())
        elif isinstance(w, QListWidget):
            found += [w.item(i).text() + w.item(i).toolTip() for i in range(w.count())]
        elif isinstance(w, QComboBox):
            found += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QTabWidget):
            found += [w.tabText(i) for i in range(w.count())]
    return found


def left_over(window: QWidget, skip: tuple[QWidget, ...] = ()) -> list[tuple[str, str]]:
    texts = on_screen(window, skip)
    return [(i, t[:80]) for t in texts for i in IDENTIFIERS if i in t]


def rewritten(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.model_ready and window.scanner_ready, timeout=15_000)
    window.set_draft(DRAFT)
    qtbot.waitUntil(lambda: window.findings.count() > 0, timeout=10_000)
    window.findings.item(0).setCheckState(window.findings.item(0).checkState().Unchecked)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    window.tabs.setCurrentWidget(window.diff)
    window.diff.reveal(True)  # the originals, shown on purpose: they must still go
    assert left_over(window), "the test's draft left nothing to clear"


@pytest.mark.parametrize("leave", ["new", "open", "forget"])
def test_leaving_a_draft_leaves_none_of_its_identifiers_on_screen(
    qtbot, make_window, tmp_path: Path, leave: str
) -> None:
    window = make_window([REPLY], platforms=["x", "threads"])
    rewritten(qtbot, window)
    if leave == "new":
        window.new_draft()
    elif leave == "open":
        other = tmp_path / "other.txt"
        other.write_text("Flu shots do not give you the flu.", encoding="utf-8")
        assert window.open_draft(other)
    else:
        window.open_history()
        window.history_dialog.forget_everything()
        window.history_dialog.close()
    assert left_over(window) == []
    assert window.findings.kept == set()  # a name kept in one draft is not kept in the next
    assert all(v.variant is None and not v.copy_button.isEnabled()
               for v in window.views.values())  # fmt: skip
    assert window.speed_label.text() == ""
    if leave == "forget":
        assert window.editor.toPlainText() == ""


def test_a_rewrite_still_running_when_the_draft_is_left_shows_nothing_of_it(
    qtbot, make_window
) -> None:
    window = make_window([" ".join([REPLY] * 20)], delay=0.02, platforms=["x"], candidates=1)
    qtbot.waitUntil(lambda: window.model_ready and window.scanner_ready, timeout=15_000)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.worker.text, timeout=10_000):
        window.rewrite()
    with qtbot.waitSignal(window.idle, timeout=5_000):
        window.new_draft()
    qtbot.wait(200)  # anything still queued from the worker arrives by now
    assert window.views["x"].preview.toPlainText() == ""
    assert window.views["x"].variant is None and not window.busy
    assert left_over(window) == []


def test_a_notice_about_the_draft_goes_with_it_and_any_notice_can_be_closed(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window()
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    assert not window.open_draft(bad)
    assert window.notice.isVisible() and "not UTF-8" in window.notice.text()
    window.new_draft()
    assert not window.notice.isVisible()
    window.show_notice("The model could not be loaded.")
    window.new_draft()
    assert window.notice.isVisible()  # not about the draft: it stays until closed
    close = next(b for b in window.notice_bar.findChildren(QAbstractButton))
    close.click()
    assert not window.notice.isVisible()


def test_the_changes_tab_names_the_variant_hides_identifiers_and_separates_words(
    qtbot, make_window
) -> None:
    window = make_window(["Last night showed why controllers matter."], platforms=["x"])
    qtbot.waitUntil(lambda: window.model_ready and window.scanner_ready, timeout=15_000)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    window.tabs.setCurrentWidget(window.views["x"])
    diff = window.diff
    assert diff.title.text() == "Changes from your draft to the X text:"
    shown = diff.toPlainText()
    assert "[name]" in shown and "[medical record number]" in shown
    assert not [i for i in IDENTIFIERS if i in shown]
    words = shown.split()
    for word in ["Last", "night", "showed", "why", "controllers", "matter."]:  # none glued
        assert word in words, (word, shown)
    diff.reveal(True)
    assert "Jenna Alvarez" in diff.toPlainText()
    tips = set()
    cursor = diff.browser.textCursor()
    for at in range(len(diff.toPlainText())):
        cursor.setPosition(at + 1)
        tips.add(cursor.charFormat().toolTip())
    assert any(t.startswith("Taken out. Privacy") for t in tips)
    assert "The model's wording." in tips and any("disclaimer" in t for t in tips)
    window.new_draft()
    assert not diff.reveal_box.isChecked() and diff.toPlainText() == ""


def finished(qtbot, window, draft: str = DRAFT) -> None:
    qtbot.waitUntil(lambda: window.model_ready and window.scanner_ready, timeout=15_000)
    window.set_draft(draft)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()


def edit(qtbot, view, text: str) -> None:
    """Type over the post as the physician would, then wait for its checks."""
    view.preview.selectAll()
    qtbot.keyClicks(view.preview, text)
    assert view.pending and not view.copy_button.isEnabled()  # never copied unchecked
    qtbot.waitUntil(lambda: not view.pending, timeout=10_000)


def test_an_edited_post_is_checked_again_and_copied_as_edited(qtbot, make_window) -> None:
    from PySide6.QtGui import QGuiApplication

    window = make_window([REPLY], platforms=["x"])
    finished(qtbot, window)
    view = window.views["x"]
    assert not view.preview.isReadOnly()
    written = view.variant.text
    edit(qtbot, view, "Call Jenna Alvarez at 937-555-0142 about controllers.")
    assert view.blocked and window.tabs.tabText(0) == "X (blocked)"
    assert {c.id: c.severity for c in view.shown.checks}["identifiers"] == "block"
    typed = " ".join(c.new for c in view.shown.diff if c.reason == "edited")
    assert "Call" in typed and "937-555-0142" in typed  # the Changes tab: "edited by you"
    assert not any(c.reason == "edited" for c in view.variant.diff)
    assert not view.copy_button.isEnabled()
    edit(qtbot, view, "Controller inhalers work even when you feel well. Keep taking them.")
    assert not view.blocked and view.copy_button.isEnabled()
    assert window.tabs.tabText(0) == "X"
    view.copy()
    assert QGuiApplication.clipboard().text() == view.text != written
    [summary] = window.history.vault.drafts()
    [record] = window.history.vault.get(summary.id).rewrites
    [kept] = record["variants"]
    assert kept["text"] == written and kept["edited"] == view.text  # both are kept


def test_an_override_is_for_the_words_it_was_given_for(qtbot, make_window) -> None:
    window = make_window(["Thanks for being my patient! Glad we could help."], platforms=["x"])
    window.task.setCurrentIndex(window.task.findData("reply-comment"))
    finished(qtbot, window, "Thank you doctor, the new inhaler works!")
    view = window.views["x"]
    assert view.blocked and view.override("The patient asked me to reply.")
    assert view.copy_button.isEnabled()
    edit(qtbot, view, "Thanks for being my patient! Glad we could help you.")
    assert view.blocked and view.override_reason is None and not view.copy_button.isEnabled()


def test_a_thread_has_a_copy_per_post_and_a_copy_for_all(qtbot, make_window) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QPushButton

    long = " ".join(["Controller inhalers calm the airways over weeks, not hours."] * 9)
    window = make_window([long], platforms=["x"], candidates=1)
    finished(qtbot, window)
    view = window.views["x"]
    posts = view.variant.posts
    assert len(posts) > 1
    buttons = [w for w in view.findChildren(QPushButton) if w.text().startswith("Copy post")]
    x = window.platforms["x"]
    assert [b.text() for b in buttons] == [f"Copy post {i} · {x.length(p):,}/280"
                                           for i, p in enumerate(posts, 1)]  # fmt: skip
    assert view.copy_button.text() == "&Copy all"
    tinted = [s.cursor.selectedText() for s in view.preview.extraSelections()]
    assert tinted == posts[1::2]  # every other post is tinted: a break is not a paragraph
    buttons[1].click()
    assert QGuiApplication.clipboard().text() == posts[1]
    assert "of 280" in buttons[1].toolTip()


@pytest.mark.parametrize("where", ["menu bar after a menu", "tab bar", "checks list",
                                   "key message"])  # fmt: skip
def test_esc_stops_within_half_a_second_wherever_the_focus_is(
    qtbot, make_window, where: str
) -> None:
    import time

    from PySide6.QtCore import Qt

    long = " ".join([REPLY] * 40)
    window = make_window([long], delay=0.02, platforms=["x", "linkedin"], candidates=1)
    qtbot.waitUntil(lambda: window.model_ready, timeout=15_000)
    window.set_draft("Flu shots do not give you the flu.")
    with qtbot.waitSignal(window.worker.text, timeout=10_000):
        window.rewrite()
    if where == "menu bar after a menu":
        bar = window.menuBar()
        menu = bar.actions()[1].menu()
        bar.setActiveAction(bar.actions()[1])  # opened as a click opens it
        qtbot.waitUntil(menu.isVisible, timeout=2_000)
        qtbot.keyClick(menu, Qt.Key.Key_Escape)  # closes the menu, leaves the bar active
        assert window.busy
        target = QApplication.focusWidget() or bar  # where the keyboard went
    elif where == "tab bar":
        target = window.tabs.tabBar()
    elif where == "checks list":
        target = window.views["x"].checks
    else:
        target = window.key_message
    target.setFocus()
    started = time.perf_counter()
    with qtbot.waitSignal(window.idle, timeout=5_000):
        qtbot.keyClick(target, Qt.Key.Key_Escape)
    assert time.perf_counter() - started < 0.5, where
    assert window.statusBar().currentMessage().startswith("Stopped.")



def test_slow_work_says_how_far_it_has_come(qtbot, make_window) -> None:
    window = make_window([" ".join([REPLY] * 6)], delay=0.05, platforms=["x"], candidates=1)
    qtbot.waitUntil(lambda: window.model_ready, timeout=15_000)
    window.speed_label.setText("first token 900 ms · 3.0 tokens/s")  # the last rewrite's
    window.set_draft("Flu shots do not give you the flu.")
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    notes: list[str] = []
    window.worker.writing.connect(lambda *_: notes.append(window.views["x"].block_note.text()))
    window.rewrite()
    assert window.speed_label.text() == ""  # cleared at the start, not left from before
    qtbot.waitSignal(window.idle, timeout=15_000).wait()
    read = said.index("Reading the draft… 100%")
    assert said.index("Reading the draft… 33%") < read and "Writing…" in said[read:], said
    assert any(n.startswith("Writing: ") and "tokens in" in n for n in notes), notes
    assert any("tokens/s" in n for n in notes), notes


def test_a_clue_is_generalised_removed_or_kept_in_one_click_and_undone(
    qtbot, make_window
) -> None:
    from PySide6.QtCore import Qt

    window = make_window()
    qtbot.waitUntil(lambda: window.scanner_ready, timeout=15_000)
    draft = "Last night a man came to our ER with chest pain. Call 911 for chest pain."
    window.set_draft(draft)
    qtbot.waitUntil(lambda: window.findings.count() >= 2, timeout=10_000)

    def select(found: str) -> None:
        rows = [window.findings.item(i) for i in range(window.findings.count())]
        window.findings.setCurrentItem(next(r for r in rows if f"“{found}”" in r.text()))

    def rescanned(expected: str) -> None:
        assert window.editor.toPlainText() == expected
        qtbot.waitUntil(lambda: window._scanned[0] == expected, timeout=10_000)

    select("Last night")
    assert window.clues.buttons["generalise"].isEnabled()
    window.clues.buttons["generalise"].click()
    rescanned("Recently a man came to our ER with chest pain. Call 911 for chest pain.")
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    rescanned(draft)  # undone like typing
    select("our ER")
    window.clues.buttons["remove"].click()
    rescanned("Last night a man came to with chest pain. Call 911 for chest pain.")
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    rescanned(draft)
    select("our ER")
    window.clues.buttons["keep"].click()
    assert window.editor.toPlainText() == draft
    row = next(window.findings.item(i) for i in range(window.findings.count())
               if "“our ER”" in window.findings.item(i).text())  # fmt: skip
    assert "kept as written" in row.text()
    window.findings.setCurrentItem(row)
    assert not window.clues.buttons["generalise"].isEnabled()  # nothing left to do on it


def test_preferences_and_privacy_choices_speak_plainly(qtbot, make_window) -> None:
    from PySide6.QtWidgets import QAbstractSpinBox

    from draftrx.ui import preferences

    window = make_window()
    dialog = preferences.PreferencesDialog(window.prefs, window.base_settings,
                                           {p: v.name for p, v in window.platforms.items()},
                                           window)  # fmt: skip
    words = on_screen(dialog) + [s.specialValueText() for s in
                                 dialog.findChildren(QAbstractSpinBox)]  # fmt: skip
    jargon = [w for w in words for term in ("token", "GPU layers", "-1", "thread", "CPU")
              if term in w]  # fmt: skip
    assert jargon == []
    notes = set()
    for i in range(window.mode.count()):
        window.mode.setCurrentIndex(i)
        notes.add(window.mode_note.text())
        assert window.mode.itemData(i, Qt.ItemDataRole.ToolTipRole) == window.mode_note.text()
    assert len(notes) == 3 and any("[name]" in n for n in notes)
    from draftrx.ui.models import ModelManager

    manager = ModelManager([], "", window)
    qtbot.addWidget(manager)
    for row in range(manager.models.count()):
        manager.models.setCurrentRow(row)
        shown = manager.details.text()
        assert not [t for t in ("token", "eval-rewrite", "bench", "--") if t in shown], shown


def test_a_wrong_passphrase_message_is_shown_whole(
    qtbot, make_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    from draftrx.ui.history import UnlockDialog
    from draftrx.vault.errors import WrongPassphrase

    window = make_window(history=False)
    message = ("Wrong passphrase for the drafts history at /home/someone/.local/share/"
               "draftrx/history.sqlite3. Try again, or continue without the history.")

    def refuse(passphrase: str | None = None) -> None:
        raise WrongPassphrase(message)

    monkeypatch.setattr(window.history, "start", refuse)
    dialog = UnlockDialog(window.history, "Enter the passphrase.", False, window)
    dialog.show()
    dialog.passphrase.setText("not it")
    assert not dialog.try_unlock()
    qtbot.wait(10)
    assert dialog.error.text() == message
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())


def test_after_a_normal_quit_the_draft_task_and_platforms_come_back(
    qtbot, make_window, config_dir: Path
) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.history.vault is not None, timeout=10_000)
    window.set_draft(DRAFT)
    window.task.setCurrentIndex(window.task.findData("lesson"))
    for pid, box in window.platform_boxes.items():
        box.setChecked(pid in {"threads", "mastodon"})
    window.close()
    ini = (config_dir / "app.ini").read_text()
    assert "Jenna" not in ini and "asthma" not in ini  # the draft is in the encrypted history
    again = make_window()
    qtbot.waitUntil(lambda: again.editor.toPlainText() == DRAFT, timeout=10_000)
    assert again.task.currentData() == "lesson"
    assert [p.id for p in again.chosen_platforms()] == ["threads", "mastodon"]
    again.new_draft()
    again.close()
    third = make_window()
    qtbot.wait(200)
    assert third.editor.toPlainText() == ""  # an empty draft at quit comes back empty


def test_a_missing_x11_library_is_named_with_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from draftrx.ui import app

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(app, "_loadable", lambda lib: lib != "libxcb-cursor.so.0")
    problem = app.missing_libraries()
    assert problem is not None and "(libxcb-cursor.so.0)" in problem
    assert "sudo apt install libxcb-cursor0`" in problem
    assert "sudo dnf install xcb-util-cursor`" in problem
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # no X11 needed: nothing to say
    assert app.missing_libraries() is None


def test_the_window_names_the_libraries_this_machine_lacks_instead_of_aborting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where Qt's X11 libraries are all installed there is nothing to see here."""
    import os
    import subprocess
    import sys

    from draftrx.ui import app

    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":99"
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    if app.missing_libraries() is None:
        pytest.skip("every library Qt's X11 platform needs is installed here")
    done = subprocess.run([sys.executable, "-m", "draftrx"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    assert "system libraries that are missing" in done.stderr and "sudo apt install" in done.stderr


def test_no_reason_overrides_an_identifier_of_the_draft_itself(qtbot, make_window) -> None:
    window = make_window([REPLY], platforms=["x"], candidates=1)
    finished(qtbot, window)
    view = window.views["x"]
    edit(qtbot, view, f"{REPLY} Ask Jenna.")  # one word of "Jenna Alvarez", from the draft
    assert view.blocked and not view.overridable
    assert not view.override_button.isVisible() and not view.override("She agreed to it.")
    assert "No reason can override it" in view.block_note.text()
    edit(qtbot, view, f"{REPLY} Ask Dr. Oz.")  # a public figure: the physician's call
    assert view.blocked and view.overridable and view.override("A TV doctor, public.")
    assert view.copy_button.isEnabled()


def test_a_fixed_edit_clears_the_tabs_mark_and_a_stop_says_why_nothing_can_be_copied(
    qtbot, make_window
) -> None:
    window = make_window([REPLY], platforms=["x"], candidates=1)
    finished(qtbot, window)
    view = window.views["x"]
    written, mark = view.text, window.tabs.tabText(0)
    edit(qtbot, view, f"{REPLY} Ask Jenna.")
    assert window.tabs.tabText(0) == "X (blocked)" != mark
    view.preview.setPlainText(written)  # back to the model's text, exactly: no check needed
    assert not view.pending and window.tabs.tabText(0) == mark
    window.engines[0].replies = [" ".join([REPLY] * 30)]
    window.engines[0].delay = 0.02
    with qtbot.waitSignal(window.worker.text, timeout=10_000):
        window.rewrite()
    with qtbot.waitSignal(window.idle, timeout=5_000):
        window.stop()
    view = window.views["x"]  # the rewrite made the tab afresh
    assert view.block_note.text().startswith("Stopped.") and not view.copy_button.isEnabled()


def test_when_the_checks_choose_another_version_than_the_one_watched_the_tab_says_so(
    qtbot, make_window
) -> None:
    blocked = "Glad we could help at your recent visit. " + REPLY
    window = make_window([blocked, REPLY], platforms=["x"], candidates=2)
    window.task.setCurrentIndex(window.task.findData("reply-comment"))
    finished(qtbot, window, "Thank you doctor, the new inhaler works!")
    view = window.views["x"]
    assert view.variant.candidate == 1 and view.versions[1].candidate == 0
    assert view.versions_box.itemText(1) == "Other version 1 (blocked) · the one written live"
    assert "written live" not in view.versions_box.itemText(0)
