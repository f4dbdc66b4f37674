"""The safety lines a reply carries by code: each must appear for the comments that call
for it, and must stay out of ordinary ones (a line that fires on everything would teach the
reader to skip it)."""

from __future__ import annotations

import pytest

from draftrx.compose import message, reply_lines

DM_BASE = str(message.read_toml("reply-dm").get("message"))


@pytest.mark.parametrize(
    "comment",
    [
        "He says he's going to stop his Eliquis and take a baby aspirin instead.",
        "Should I skip the glipizide the day before my colonoscopy?",
        "I forgot this morning, can I just double my blood pressure pill tonight?",
        "My mom wants to come off her meds because she feels fine now.",
        "Can I swap my inhaler for the one my sister uses?",
    ],
)
def test_a_medicine_about_to_be_changed_gets_the_prescriber_line(comment: str) -> None:
    assert reply_lines.CHANGE in reply_lines.after(comment, direct=False)


@pytest.mark.parametrize(
    "comment",
    [
        "Is it ok if I use my leftover amoxicillin from my sinus infection?",
        "I have some leftover antibiotics, how much should I give him?",
        "Can I borrow my husband's inhaler until Monday?",
        "Could I just give her some of my Zoloft?",
    ],
)
def test_medicine_meant_for_someone_else_gets_the_borrowed_line(comment: str) -> None:
    assert reply_lines.BORROWED in reply_lines.after(comment, direct=True)


@pytest.mark.parametrize(
    "comment",
    [
        "Great post! I stopped by the pharmacy and they were so kind.",  # stop, no medicine
        "After my son's 12 month shots he had a fever and a rash.",  # his own shots
        "My old doctor retired and I miss her.",  # old, no medicine
        "Thank you for explaining statins so clearly.",  # a medicine, nothing changed
        "Switched jobs last year and finally have time to walk.",  # a switch, no medicine
    ],
)
def test_ordinary_comments_get_no_medicine_line(comment: str) -> None:
    assert reply_lines.after(comment, direct=True) == ""


def test_a_dose_asked_for_points_to_a_pharmacist() -> None:
    assert reply_lines.DOSE in reply_lines.after("How many mL of the kids' Motrin?", direct=True)
    assert reply_lines.DOSE in reply_lines.after("how much should I give him?", direct=True)
    assert reply_lines.DOSE not in reply_lines.after("How much does a visit cost?", direct=True)


def test_a_photo_cannot_be_judged_in_a_direct_message() -> None:
    text = "Sending you a pic of this mole, it's gotten darker. Is it cancer?"
    assert reply_lines.PHOTO in reply_lines.after(text, direct=True)
    assert reply_lines.PHOTO not in reply_lines.after(text, direct=False)  # public: no "I"


@pytest.mark.parametrize(
    ("comment", "named"),
    [
        ("My dad's face is drooping and he can't lift his arm", "stroke"),
        ("this pressure in the middle of my chest spreads to my left arm", "heart"),
        ("ate a cookie and now her lips are swelling and her throat is closing", "allergy"),
        ("he passed out in the kitchen and won't wake up properly", None),
    ],
)
def test_an_emergency_gets_911_first_named_where_its_signs_are_plain(
    comment: str, named: str | None
) -> None:
    text = message.for_reply("reply-dm", comment).text
    first = reply_lines.NAMED[named] if named else reply_lines.EMERGENCY
    assert text.startswith(first) and reply_lines.EMERGENCY in text and DM_BASE in text


def test_lines_go_around_the_task_message_in_order_and_reviews_get_none() -> None:
    comment = ("My chest is tight and I can't breathe. Should I stop my metoprolol? "
               "Attaching a photo of my ankle too.")  # fmt: skip
    text = message.for_reply("reply-dm", comment).text
    order = [text.index(line) for line in
             (reply_lines.EMERGENCY, DM_BASE, reply_lines.CHANGE, reply_lines.PHOTO)]  # fmt: skip
    assert order == sorted(order)
    review = message.for_reply("reply-review", comment).text
    assert review == str(message.read_toml("reply-review").get("message"))
