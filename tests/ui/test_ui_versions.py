"""The key message field and the other versions of each post (fake engine, real scanner and
compose pipeline): the field fills from the Rewrite, an edit reaches the next Rewrite, a new
draft clears it; only the first candidate streams live; the other versions are one click
away with their own checks; Preferences sets how many are written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem

from draftrx.compose.settings import DEFAULT_CANDIDATES
from draftrx.ui import keymessage, preferences

# The last sentence supports what the scripted model writes (`compose.grounding`).
DRAFT = ("Saw Jenna Alvarez in room 412 on March 3 with a bad asthma attack. She had stopped "
         "her controller inhaler because she felt fine. It calms the airways.")  # fmt: skip
LESSON = " The lesson: keep taking your controller inhaler even when you feel fine."
SUGGESTED = "Asthma controller inhalers work even when you feel fine."
MINE = "Never stop a controller inhaler without asking your doctor."
GOOD = "Keep taking your controller inhaler even when you feel fine. It calms the airways."
# The post: the key message opens it (written by code), and the model's echo of it goes.
POSTED = "Keep taking your controller inhaler even when you feel fine.\n\nIt calms the airways."
# Candidate 1 of the version tests: a dose and a drug the draft never gave, and a bed, in a
# sentence otherwise the draft's (one mostly not the draft's would be cut, not blocked).
BAD = ("Keep taking your controller inhaler. After a bad asthma attack in bed 12, 40 mg "
       "prednisone calms the airways.")  # fmt: skip


def ready(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)


def rewrite(qtbot, window) -> None:
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()


def test_a_story_without_a_lesson_shows_the_librarys_marked_to_check(
    qtbot, make_window, config_dir: Path
) -> None:
    """The case is told and no advice given: the shipped library's lesson on its topic
    fills the field, marked as the library's in amber, and the model is not asked for one."""
    (config_dir / "prompts" / "lessons.toml").unlink()
    window = make_window([GOOD], platforms=["x"], candidates=1, message_reply=SUGGESTED)
    ready(qtbot, window)
    window.set_draft(DRAFT)
    rewrite(qtbot, window)
    box = window.key_message
    assert box.source == "library" and "asthma" in box.text and not window.engines[0].slots
    assert box.note.text() == keymessage.NOTES["library"] and box.note.isVisible()
    assert keymessage.NOTE_COLOURS["library"] in box.note.styleSheet()
    assert window.views["x"].variant.text.startswith(box.text)


def test_key_message_fills_is_edited_and_is_cleared(
    qtbot, make_window, tmp_path: Path, capfd
) -> None:
    window = make_window([GOOD], platforms=["x"], candidates=1, message_reply=SUGGESTED)
    ready(qtbot, window)
    box = window.key_message
    assert box.text == "" and box.message() is None
    window.set_draft(DRAFT)
    rewrite(qtbot, window)
    engine = window.engines[0]
    assert len(engine.slots) == 1  # no take-home sentence in the draft: the model's slot
    assert (box.text, box.source) == (SUGGESTED, "model")
    assert box.note.text() == keymessage.NOTES["model"] and box.note.isVisible()
    assert window._request.message is None
    assert box.message() is None  # left as suggested: the next Rewrite finds it again

    # The physician's edit, typed in the field (Enter does not break it into lines).
    box.edit.setFocus()
    box.edit.selectAll()
    qtbot.keyClicks(box.edit, MINE)
    qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert box.edit.toPlainText() == MINE
    assert box.edited and box.note.text() == keymessage.EDITED
    rewrite(qtbot, window)
    assert window._request.message == MINE
    assert len(engine.slots) == 1  # not asked again
    assert MINE in engine.calls[-1][-1]["content"]
    assert (box.text, box.source) == (MINE, "physician")
    assert box.note.text() == keymessage.NOTES["physician"]
    rewrite(qtbot, window)  # still the physician's on the Rewrite after
    assert window._request.message == MINE

    window.new_draft()
    assert box.text == "" and box.message() is None and not box.note.isVisible()
    window.set_draft(DRAFT + LESSON)
    rewrite(qtbot, window)
    assert window._request.message is None
    assert (box.text, box.source) == (LESSON.split(": ", 1)[1].capitalize(), "draft")
    assert box.note.text() == keymessage.NOTES["draft"]

    path = tmp_path / "draft.txt"
    path.write_text("Flu shots do not give you the flu.", encoding="utf-8")
    assert window.open_draft(path)
    assert box.text == "" and box.message() is None
    window.set_draft(DRAFT)
    box.edit.setPlainText(MINE)
    window._open_saved(window.history.draft_id, DRAFT)  # opened from the history
    assert box.text == "" and box.message() is None

    out, err = capfd.readouterr()
    assert not [t for t in (SUGGESTED, MINE) if t in out + err]  # never logged


def test_a_point_typed_for_a_reply_keeps_the_replys_safety_lines(qtbot, make_window) -> None:
    """The physician replaces the standard reply with their own point: the Rewrite puts the
    crisis line and the standard words back around it, says so, and keeps it after."""
    window = make_window([""], platforms=["x"], candidates=1)
    ready(qtbot, window)
    window.task.setCurrentIndex(window.task.findData("reply-comment"))
    window.set_draft("Some days I want to die. Does therapy even help?")
    rewrite(qtbot, window)
    box = window.key_message
    assert box.source == "task" and "988" in box.text
    point = "Talking therapies help many people."
    box.edit.setPlainText(point)
    rewrite(qtbot, window)
    assert window._request.message == point
    assert box.source == "reply" and box.note.text() == keymessage.NOTES["reply"]
    assert "988" in box.text and point in box.text
    assert "988" in window.views["x"].variant.text
    shown = box.text
    rewrite(qtbot, window)  # the whole reply, as shown, is the physician's now
    assert window._request.message == shown and box.text == shown


def test_a_late_key_message_does_not_land_on_a_new_draft(qtbot, make_window) -> None:
    from draftrx.compose.message import KeyMessage

    window = make_window([GOOD], platforms=["x"], candidates=1)
    ready(qtbot, window)
    window.set_draft(DRAFT)
    rewrite(qtbot, window)
    window.new_draft()
    window._message_found(KeyMessage("From the old draft.", "draft"))
    assert window.key_message.text == ""


def test_only_the_first_candidate_streams_live(qtbot, make_window) -> None:
    window = make_window([GOOD, BAD], delay=0.01, platforms=["x"], candidates=2)
    ready(qtbot, window)
    window.set_draft(DRAFT + LESSON)
    shown: list[str] = []  # the tab's text after each streamed piece
    streamed: list[str] = []
    window.worker.text.connect(lambda _pid, text: streamed.append(text))
    window.worker.text.connect(lambda *_: shown.append(window.views["x"].preview.toPlainText()))
    rewrite(qtbot, window)
    view = window.views["x"]
    assert len(window.engines[0].calls) == 2  # both candidates, written in one batch
    # The key message opens the post as soon as the job starts; the model's text follows.
    assert streamed[0].strip() == "Keep taking your controller inhaler even when you feel fine."
    assert len(streamed) > 2 and "".join(streamed[1:]).strip() == GOOD
    assert shown and not [s for s in shown if "prednisone" in s or "zebra" in s]
    assert POSTED in view.variant.text


def test_other_versions_swap_the_post_and_its_checks(qtbot, make_window) -> None:
    window = make_window([GOOD, BAD], platforms=["x", "linkedin"], candidates=2)
    ready(qtbot, window)
    window.set_draft(DRAFT + LESSON)
    rewrite(qtbot, window)
    assert window._request.candidates == 2
    view = window.views["x"]
    window.tabs.setCurrentWidget(view)
    chosen = view.variant
    assert POSTED in chosen.text and chosen.severity != "block"
    assert len(chosen.others) == 1 and view.versions == [chosen, chosen.others[0]]
    assert view.versions_box.isVisible() and view.versions_box.count() == 2
    assert view.versions_label.text().replace("&", "") == "1 other version:"
    assert view.versions_box.itemText(1) == "Other version 1 (blocked)"
    assert view.copy_button.isEnabled()
    tab = window.tabs.tabText(window.tabs.indexOf(view))
    assert tab in ("X", "X (check)")

    view.versions_box.setCurrentIndex(1)
    other = view.variant
    assert other is chosen.others[0] and view.version == 1
    assert view.preview.toPlainText() == other.text and "prednisone" in other.text
    assert view.checks.count() == len(other.checks)
    assert not view.copy_button.isEnabled() and view.override_button.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(view)) == "X (blocked)"
    assert "prednisone" in window.diff.toPlainText()
    assert view.override("Checked it myself")
    assert view.copy_button.isEnabled()

    view.show_version(0)
    assert view.variant is chosen and view.preview.toPlainText() == chosen.text
    assert view.versions_box.currentIndex() == 0 and view.override_reason is None
    assert view.copy_button.isEnabled() and not view.override_button.isVisible()
    assert window.tabs.tabText(window.tabs.indexOf(view)) == tab
    assert "prednisone" not in window.diff.toPlainText()
    view.show_version(1)  # the override stays with the version it was given for
    assert view.override_reason == "Checked it myself" and view.copy_button.isEnabled()
    assert window.rewrite_record()["variants"][0]["text"] == other.text

    window.engines[0].replies = [GOOD]  # a new Rewrite starts from the chosen versions
    rewrite(qtbot, window)
    view = window.views["x"]  # a Rewrite makes new tabs
    assert view.versions_box.currentIndex() == 0 and view.variant.others


def test_new_checks_are_listed_and_highlighted(qtbot, make_window) -> None:
    """message and record_details (any post), retelling (lessons): one sentence each in the
    list, and selecting one highlights where it applies, like the older checks."""
    story = "She came in with a bad attack. Keep taking your controller inhaler daily."
    window = make_window([BAD, story], platforms=["x", "bluesky"], candidates=1)
    ready(qtbot, window)
    window.task.setCurrentIndex(window.task.findData("lesson"))
    window.set_draft(DRAFT + LESSON)
    rewrite(qtbot, window)
    cases = [("x", "message"), ("x", "record_details"), ("bluesky", "retelling")]
    for pid, check_id in cases:
        view = window.views[pid]
        items = [view.checks.item(i) for i in range(view.checks.count())]
        item: QListWidgetItem = next(
            i for i in items if i.data(Qt.ItemDataRole.UserRole).id == check_id
        )
        check = item.data(Qt.ItemDataRole.UserRole)
        assert check.severity == "block" and check.spans, check
        assert item.text() == f"Blocks · {check.message}" and item.toolTip() == f"Check: {check_id}"
        view.checks.setCurrentItem(item)
        text = view.preview.toPlainText()
        marked = [s.cursor.selectedText() for s in view.preview.extraSelections()]
        assert marked == [text[s:e] for s, e in check.spans], (check_id, marked)
    assert window.tabs.tabText(window.tabs.indexOf(window.views["x"])) == "X (blocked)"


def test_preferences_store_the_versions_and_the_rewrite_uses_them(
    qtbot, make_window, config_dir: Path
) -> None:
    window = make_window([GOOD], platforms=["x"])
    assert window.prefs.candidates == DEFAULT_CANDIDATES
    ready(qtbot, window)
    window.set_draft(DRAFT + LESSON)
    rewrite(qtbot, window)
    assert window._request.candidates == DEFAULT_CANDIDATES
    assert len(window.engines[0].calls) == DEFAULT_CANDIDATES

    dialog = preferences.PreferencesDialog(
        window.prefs, window.base_settings, {p: v.name for p, v in window.platforms.items()},
        window,
    )  # fmt: skip
    assert dialog.candidates.value() == DEFAULT_CANDIDATES
    assert (dialog.candidates.minimum(), dialog.candidates.maximum()) == (1, 4)
    dialog.candidates.setValue(3)
    window.apply_preferences(dialog.result_settings())
    window.close()

    again = make_window([GOOD], platforms=["x"])
    assert again.prefs.candidates == 3
    assert "candidates=3" in (config_dir / "app.ini").read_text()
    ready(qtbot, again)
    again.set_draft(DRAFT + LESSON)
    rewrite(qtbot, again)
    assert again._request.candidates == 3
    assert len(again.engines[0].calls) == 3
    assert again.views["x"].versions_box.count() == 3


def test_unreadable_versions_setting_falls_back(config_dir: Path) -> None:
    for value in ("9", "0", "many"):
        (config_dir / "app.ini").write_text(f"[compose]\ncandidates={value}\n")
        assert preferences.load(preferences.open_store()).candidates == DEFAULT_CANDIDATES


def test_every_source_of_a_key_message_has_its_note_in_the_window_and_the_cli() -> None:
    from typing import get_args

    from draftrx.cli import _SOURCES
    from draftrx.compose.message import Source

    assert set(keymessage.NOTES) == set(get_args(Source)) == set(_SOURCES)
