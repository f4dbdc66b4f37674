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


@pytest.mark.parametrize(
    ("comment", "named"),
    [
        ("My daughter (4) fell off the top bunk and hit the back of her head. Now she's thrown "
         "up 3 times and keeps wanting to sleep. Can I let her sleep?", "head"),
        ("my son is 14 and woke up with really bad pain in his left testicle, hes thrown up "
         "twice. can we just give him ibuprofen and wait??", "testicle"),
        ("coach just called, my son is at 2-a-day football practice in the heat, he's confused "
         "and throwing up. can he sleep it off at home?", "heat"),
        ("my daughter is 4 months, runny nose since sunday and now shes breathing super fast "
         "and you can see her ribs sucking in every breath. lips look kinda grayish. steam ok??",
         "breathing"),
        ("Grandpa's chest is pulling in with every breath and he's grunting, should we wait?",
         "breathing"),
    ],
)
def test_an_emergency_told_by_its_signs_gets_named_and_911(comment: str, named: str) -> None:
    lines = reply_lines.before(comment)
    assert reply_lines.NAMED[named] in lines and reply_lines.EMERGENCY in lines
    assert reply_lines.CRISIS not in lines  # "sleep it off" here is no crisis


@pytest.mark.parametrize(
    "comment",
    [
        "He bumped his head on the table yesterday and he's totally fine, playing now.",
        "I'm so confused by the new screening guidelines, can you explain?",
        "Testicular cancer awareness month: how should my son check himself?",
        "Had too many beers at the game, I'll just sleep it off.",
        "Is it ok to run outside in the heat if I drink enough water?",
        "I was breathing hard after my run and my lips felt dry, normal?",
    ],
)
def test_ordinary_comments_get_no_emergency_line(comment: str) -> None:
    assert reply_lines.before(comment) == ""


def test_medicine_someone_has_and_the_writer_asks_to_take_is_borrowed() -> None:
    asked = ("My husband Rick has gabapentin 300mg from his neuropathy, half a bottle left. "
             "Can I just take 2 at night for my back?")  # fmt: skip
    assert reply_lines.BORROWED in reply_lines.after(asked, direct=True)
    told = "My husband has gabapentin for his neuropathy and it helps him a lot."
    assert reply_lines.BORROWED not in reply_lines.after(told, direct=True)
    other = "My wife has diabetes. Can I take a walk with her after dinner?"
    assert reply_lines.BORROWED not in reply_lines.after(other, direct=True)


@pytest.mark.parametrize(
    "comment",
    [
        "my son is 9 months old and teething, can i give him half an adult advil crushed?",
        "Can I rub whiskey on my baby's gums like my mom did?",
    ],
)
def test_adult_medicine_or_alcohol_for_a_baby_gets_its_own_line(comment: str) -> None:
    lines = reply_lines.after(comment, direct=True)
    assert reply_lines.FOR_ADULTS in lines and reply_lines.DOSE not in lines


def test_a_glass_of_wine_while_breastfeeding_is_not_alcohol_for_the_baby() -> None:
    lines = reply_lines.after("I had a glass of wine, can I still breastfeed my baby?", direct=True)
    assert reply_lines.FOR_ADULTS not in lines


def test_a_doctor_far_off_gets_the_sooner_line_unless_it_is_an_emergency() -> None:
    far = "Found a lump and can't get in to my doctor until next month. Can I wait?"
    assert reply_lines.sooner(far) == reply_lines.SOONER
    assert reply_lines.sooner("Our pediatrician is closed till Monday, he fainted twice.") == ""
    assert reply_lines.sooner("My doctor is great and I see her every year.") == ""


@pytest.mark.parametrize(
    ("review", "praised"),
    [
        ("Five stars for Dr. Reyes and the team. Forever grateful!!!", True),
        ("Highly recommend, the nurses were so kind to my mom.", True),
        ("I was so nervous but Dr. Patel was wonderful and explained everything.", True),
        ("Dr. Lee is amazing but the front desk was rude and I waited an hour.", False),
        ("Worst clinic ever. Thanks for nothing.", False),
        ("Called three times about my bill.", False),
    ],
)
def test_only_a_review_that_praises_and_complains_of_nothing_is_thanked(
    review: str, praised: bool
) -> None:
    assert reply_lines.praised(review) is praised


def test_family_refused_health_details_hear_why_in_the_review_reply() -> None:
    refused = ("The front desk refused to tell me anything about my mom's biopsy even though "
               "I'm her daughter!!")  # fmt: skip
    assert reply_lines.for_review(refused) == reply_lines.WITHHELD
    meds = "The doctor refused to give my son his ADHD meds on the first visit."
    assert reply_lines.for_review(meds) == ""


def test_a_review_reply_is_thanks_or_apology_as_the_review_calls_for() -> None:
    toml = message.read_toml("reply-review")
    praise = message.for_reply("reply-review", "Five stars, the whole team was wonderful.")
    assert praise.text == toml["praised"]
    family = message.for_reply("reply-review", "They wouldn't share my husband's results with me.")
    assert family.text == f"{toml['message']} {reply_lines.WITHHELD}"
