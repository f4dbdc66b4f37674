"""The word diff as the Changes tab and `--diff` show it: a rewritten sentence as one
change, the physician's own words moved labelled as theirs, and their edits as edits."""

from __future__ import annotations

from draftrx.compose.diff import format_diff, inserted, word_diff

DRAFT = ("Last night a man came to our ER at St. Mary's with chest pain that spread to his "
         "jaw. Lesson: call 911 for chest pain that spreads to the jaw or arm.")  # fmt: skip
POST = ("Chest pain can spread to the arm at any age. Lesson: call 911 for chest pain that "
        "spreads to the jaw or arm.")  # fmt: skip


def test_a_rewritten_sentence_is_one_change_not_words_interleaved_with_the_drafts() -> None:
    changes = word_diff(DRAFT, POST)
    assert "".join(c.new for c in changes) == POST
    first = next(c for c in changes if c.op != "equal")
    assert first.old.startswith("Last night a man came to our ER at St. Mary's")
    assert first.new.startswith("Chest pain can spread to the arm at any age")
    assert "[-Last-]" not in format_diff(changes)  # not word by word


def test_the_physicians_own_sentence_moved_is_theirs_and_an_edit_is_an_edit() -> None:
    moved = "Call 911 for chest pain that spreads to the jaw or arm."
    draft = f"Saw a man with chest pain today. {moved}"
    post = f"{moved}\n\nChest pain is not always dramatic."
    reasons = {c.new.strip(): c.reason for c in word_diff(draft, post) if c.op != "equal"}
    assert reasons.get(moved) == "moved" or any(
        r == "moved" and moved.startswith(t) for t, r in reasons.items()), reasons
    edited = post + " Ask your doctor."
    spans = inserted(post, edited)
    assert [edited[a:b].strip() for a, b in spans] == ["Ask your doctor."]
    labelled = word_diff(draft, edited, added={"edited": spans})
    assert [c.new.strip() for c in labelled if c.reason == "edited"] == ["Ask your doctor."]
