"""A myth-busting draft's message: the myth it names, turned round. Wrong grammar here
would put the myth itself at the top of a post, so every rule has a case, and a claim the
rules cannot read gives None rather than a guess."""

from __future__ import annotations

import pytest

from draftrx.compose import message, myths


@pytest.mark.parametrize(
    ("claim", "turned"),
    [
        ("vapes are just water vapor.", "Vapes are not just water vapor."),
        ("the MMR causes autism", "The MMR does not cause autism."),
        ("flu shots give you the flu", "Flu shots do not give you the flu."),
        ("I need antibiotics for this cold", "You do not need antibiotics for this cold."),
        ("I don't need sunscreen when it's cloudy", "You need sunscreen when it's cloudy."),
        ("cold air can't hurt your lungs", "Cold air can hurt your lungs."),
        ("tilt your head back for a nosebleed", "Don't tilt your head back for a nosebleed."),
        ("you can catch the flu from wet hair", "You cannot catch the flu from wet hair."),
        (
            "hearing loss is just part of getting old, nothing to do about it",
            "Hearing loss is not just part of getting old.",
        ),
        # The adverb stays with the verb it qualifies, after the denial.
        ("reading in dim light permanently damages your eyesight",
         "Reading in dim light does not permanently damage your eyesight."),
        ("taking aspirin daily prevents strokes", "Taking aspirin daily does not prevent "
         "strokes."),  # a time word, not an adverb of the verb
        # How the myth says it works is not denied with it, nor a second alternative.
        ("antiperspirants cause breast cancer by blocking lymphatic drainage",
         "Antiperspirants do not cause breast cancer."),
        ("eating carrots will improve your vision / let you see in the dark",
         "Eating carrots will not improve your vision."),
        ("a shot of whiskey warms you up when you're cold",
         "A shot of whiskey does not warm you up when you're cold."),
        # "warm" after "in" is no verb: the claim's verb is "is".
        ("honey in warm water is harmless for babies", "Honey in warm water is not harmless "
         "for babies."),
    ],
)  # fmt: skip
def test_a_claim_is_turned_round(claim: str, turned: str) -> None:
    assert myths.turn_round(claim) == turned


@pytest.mark.parametrize(
    "claim",
    [
        "butter/oil/toothpaste/ice on burns",  # no verb to deny ("burns" is a noun here)
        "a pat of butter on burns",
        "vaccines overload a baby's immune system",  # a verb the rules do not know
        "you need 8 glasses of water a day",  # figures: the denial would assert a number
        "sugar",  # too short to be a claim
        # A second clause: turning the first verb leaves the second one saying the myth.
        "melatonin gummies are natural so they're harmless",
        "put a spoon in their mouth during a seizure so they don't swallow their tongue",
        "you can stop your inhaler because you feel fine",
        "if you don't have a fever you aren't contagious",  # denials inside a condition
        "it's not a heart attack if there's no chest pain",
        "you're fine if you don't have chest pain",
        "you should never wake a sleeping baby",  # a denial the rules cannot undo
        # Opens on its condition: turned, it read "If your BP was not high I'd feel it."
        "If my BP was high I'd feel it",
    ],
)
def test_a_claim_the_rules_cannot_read_gives_none(claim: str) -> None:
    assert myths.turn_round(claim) is None


def test_the_myth_named_in_a_draft_opens_its_message() -> None:
    asked = ("Every week someone in clinic asks if the MMR causes autism. It doesn't. Studies "
             "of millions of children found no link. Please vaccinate on schedule.")  # fmt: skip
    assert message.chosen(asked) == "The MMR does not cause autism. Please vaccinate on schedule."
    labelled = ("Myth I hear from teens: 'vapes are just water vapor.' Nope - nicotine, metals, "
                "flavourings. Talk to your teen about quitting help.")  # fmt: skip
    assert message.chosen(labelled).startswith("Vapes are not just water vapor. Talk")


def test_an_unanswered_question_is_no_myth() -> None:
    draft = "A patient asks if the MMR causes autism. Here is what the studies say."
    assert myths.corrected(draft) is None  # the draft never says it does not


@pytest.mark.parametrize(
    ("draft", "turned"),
    [
        ("People think cold weather causes the flu. Nope, a virus does.",
         "Cold weather does not cause the flu."),
        ("Lots of parents tell me that sugar makes kids hyper. It doesn't.",
         "Sugar does not make kids hyper."),
        ('Two myths I hear: (1) "I don\'t need sunscreen when it\'s cloudy" - most UV gets '
         "through.", "You need sunscreen when it's cloudy."),
        # Any believer but the writer; the reason they believe it is no part of the claim.
        ("Grandparents esp. think a little honey in warm water is harmless because it's "
         "'natural'. It isn't.", "A little honey in warm water is not harmless."),
        ("My patients still think statins cause dementia. They don't.",
         "Statins do not cause dementia."),
    ],
)  # fmt: skip
def test_a_belief_the_draft_denies_or_numbers_is_a_myth(draft: str, turned: str) -> None:
    found = myths.corrected(draft)
    assert found is not None and found[1] == turned


def test_a_belief_the_draft_does_not_deny_is_no_myth() -> None:
    assert myths.corrected("Patients tell me they feel fine on statins. That's great.") is None
    assert myths.corrected("I think the rash is eczema. It isn't, it's psoriasis.") is None


@pytest.mark.parametrize(
    ("draft", "picked"),
    [
        ("No, going outside with wet hair won't \"give you\" the flu. A virus does.",
         "No, going outside with wet hair won't \"give you\" the flu."),
        ("PSA since it's that time of year: antibiotics do nothing for colds. Rest helps.",
         "Antibiotics do nothing for colds."),
    ],
)  # fmt: skip
def test_a_correction_is_chosen_however_it_is_said(draft: str, picked: str) -> None:
    assert message.chosen(draft) == picked
