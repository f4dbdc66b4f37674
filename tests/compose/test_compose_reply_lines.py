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


@pytest.mark.parametrize(
    "comment",
    [
        "My 3 year old got into the dishwasher pods under the sink, she seems ok?",
        "Found my toddler with grandpa's pill box open on the floor, 2 are missing.",
        "I mixed bleach with another cleaner and now I'm coughing from the fumes.",
        "He swallowed a few of my iron tablets about an hour ago.",
        "She got into the diffuser oils and drank some, now she's coughing.",
    ],
)
def test_something_swallowed_or_breathed_in_gets_poison_control_first(comment: str) -> None:
    assert reply_lines.before(comment).startswith(reply_lines.POISON)


@pytest.mark.parametrize(
    "comment",
    [
        "I took 2 Tums after lunch and the heartburn went away.",
        "I always took 2 Advil for headaches before I got pregnant.",
        "She ate a banana and her tummy is fine.",
    ],
)
def test_a_routine_dose_or_a_meal_is_no_poisoning(comment: str) -> None:
    assert reply_lines.POISON not in reply_lines.before(comment)


def test_a_baby_moving_less_in_pregnancy_is_checked_the_same_day() -> None:
    text = "I'm 36 weeks along and she's barely moved today. My OB is closed, can I wait?"
    assert reply_lines.before(text) == reply_lines.KICKS
    assert reply_lines.before("My toddler barely moved off the couch all day, so lazy") == ""


def test_many_pills_after_a_loss_get_the_crisis_line_and_poison_control() -> None:
    text = "my girlfriend dumped me so I took like 12 of my dad's sleeping pills, will I be ok"
    first = reply_lines.before(text)
    assert first.startswith(reply_lines.CRISIS) and reply_lines.POISON in first


def test_self_harm_seen_by_a_parent_gets_the_crisis_line() -> None:
    assert reply_lines.before("I saw fresh cuts on his wrists last night.").startswith(
        reply_lines.CRISIS
    )


def test_an_emergency_told_as_long_past_is_not_happening_now() -> None:
    assert reply_lines.before("Two years ago my uncle had a seizure after his booster.") == ""
    assert reply_lines.EMERGENCY in reply_lines.before("My uncle is having a seizure right now")


@pytest.mark.parametrize(
    ("comment", "line"),
    [
        ("I'm 20 weeks pregnant, can I take Sudafed for my cold?", reply_lines.PREGNANCY),
        ("Type 2 here, on glipizide, and I keep getting lows at night around 55.",
         reply_lines.LOW_SUGAR),
        ("My brother keeps taking my mom's Vicodin and now pills go missing every week.",
         reply_lines.OPIOIDS),
        ("Had my knee surgery Friday and the incision is more swollen and oozing today.",
         reply_lines.SURGERY),
        ("Can you just call in a prescription for Ozempic for me?", reply_lines.PRESCRIBE),
        ("The chickenpox vaccine is poison and gave my nephew seizures, never again.",
         reply_lines.VACCINES),
        ("Formula costs too much, can my 6 month old just have whole milk?",
         reply_lines.INFANT_MILK),
        ("Since the divorce I feel empty and have no energy for anything.", reply_lines.MOOD),
        ("I'm on sertraline and feel great. Can I just stop?", reply_lines.CHANGE),
    ],
)
def test_each_situation_gets_its_own_line(comment: str, line: str) -> None:
    assert line in reply_lines.after(comment, direct=True)


@pytest.mark.parametrize(
    "comment",
    [
        "My surgery went great, thank you for the kind care!",  # surgery, nothing worse
        "Got my flu shot today, easy and quick.",  # a vaccine, no doubt
        "My pregnancy was easy, thanks for the post on nausea.",  # pregnant, no medicine
        "Sugar is my weakness, love your recipes.",  # no diabetes, no low
    ],
)
def test_a_situation_mentioned_in_passing_gets_no_line(comment: str) -> None:
    assert reply_lines.after(comment, direct=True) == ""


def test_a_vaccine_doubted_gets_what_that_vaccine_prevents() -> None:
    line = reply_lines.after("The MMR is too much for a baby, we'll skip the rest.", direct=False)
    assert line.startswith(reply_lines.VACCINES) and "measles" in line


def test_a_missed_dose_doubled_up_gets_the_change_line_with_the_medicine_named_elsewhere() -> None:
    text = "I'm on warfarin. I forgot last night's dose. Should I double it this morning?"
    assert reply_lines.CHANGE in reply_lines.after(text, direct=True)


def test_an_eye_emergency_is_named_before_911() -> None:
    text = "Since this morning there's a dark curtain coming over my left eye."
    assert reply_lines.before(text) == f"{reply_lines.NAMED['eye']} {reply_lines.EMERGENCY}"


def test_a_reply_with_no_line_shares_the_librarys_advice_on_a_clear_topic() -> None:
    """A comment that names its topic plainly gets the library's general advice; one the
    library only brushes ("sleeping pills" is no insomnia question) gets none."""
    uti = "It burns when I pee and I have to go every 10 minutes, is it a UTI? Can't see my GP."
    text = message.for_reply("reply-comment", uti).text
    assert "bladder infection" in text
    vague = message.for_reply("reply-comment", "Can't sleep, any tips? Love the channel.")
    assert vague.text == str(message.read_toml("reply-comment").get("message"))
