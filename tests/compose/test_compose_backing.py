"""Advice the model wrote is held to one sentence of what it was given, the same way round,
and a claim to the links the draft makes between its terms. The unbacked sentences are ones
physician readers flagged in dev posts that every other check passed; the backed ones are
faithful paraphrases that must stay."""

import json
from pathlib import Path

import pytest

from draftrx.compose.backing import Backing, advises, unfounded
from draftrx.compose.grounding import strays, supported
from draftrx.compose.plain import spell_out
from draftrx.compose.wording import content_words
from draftrx.evals.rewrite import gold_sets, load

LABELS = Path(__file__).parents[1] / "fixtures" / "grounding_labels.jsonl"

HEART = ("Women's heart attacks often come without crushing chest pain. Don't wait to see if "
         "it passes, and don't drive yourself: call 911.")  # fmt: skip
HEARING = ("Hearing aids help, even for mild to moderate loss, and they keep people talking "
           "with their families. Protect your ears from loud noise.")  # fmt: skip
POISON = ("People still think the first thing to do when a kid swallows something toxic is to "
          "make them throw up: finger down the throat, salt water, ipecac. Please don't. Salt "
          "water can cause dangerous sodium levels. Call Poison Control instead.")  # fmt: skip
MARATHON = ("He drank a full bottle at every water station plus 2 liters before the start. "
            "Drink to thirst on race day.")  # fmt: skip
HONEY = "Never give honey to babies under 12 months, not even a little on a pacifier."
INHALER = "Don't stop your controller inhaler when you feel well; it keeps the swelling down."


@pytest.mark.parametrize(("source", "sentence"), [
    (HEART, "Remember to take your time when waiting for help."),  # the draft: don't wait
    (HEARING, "Learn how to protect your ears from loud noise and avoid hearing aids."),
    (POISON, "Please use salt water to make kids throw up at home instead of ipecac."),
    (MARATHON, "Drink a full bottle at every water station plus 2 liters before the start."),
    (MARATHON, "If you are a runner, please stop having periods."),
    (INHALER, "Stop your controller inhaler once you feel well."),
    (HONEY, "Give babies a little honey on a pacifier."),
])  # fmt: skip
def test_advice_no_sentence_gives_or_given_the_other_way_round_is_unfounded(
    source: str, sentence: str
) -> None:
    assert advises(sentence)
    assert unfounded(sentence, Backing(source))


@pytest.mark.parametrize(("source", "sentence"), [
    (HEART, "Don't wait for it to pass: call 911."),
    (HEARING, "Protect your ears from loud noise, and consider hearing aids even for mild loss."),
    (POISON, "Don't make a child throw up; call Poison Control."),
    (MARATHON, "On race day, drink when you are thirsty."),
    (HONEY, "Avoid honey for babies under 12 months, even on a pacifier."),
    (INHALER, "Keep using your controller inhaler even when you feel well."),
    (HEART, "Get yours checked."),  # too few words to judge: the other checks' business
])  # fmt: skip
def test_a_faithful_paraphrase_is_backed(source: str, sentence: str) -> None:
    assert not unfounded(sentence, Backing(source))


MELATONIN = ("Myth post: 'melatonin gummies are natural so they're harmless, give as many as "
             "you want to get kids to sleep.' Reality: it's a hormone; actual content varies a "
             "lot vs label. Store like medicine, out of reach.")  # fmt: skip
ASPIRIN = ("Myth I hear constantly in clinic: 'Everyone over 50 should take a baby aspirin a "
           "day to prevent heart attacks.' Not anymore. Bleeding risk offsets the modest "
           "benefit. Don't start, or stop, aspirin without talking to your clinician.")  # fmt: skip


@pytest.mark.parametrize(("source", "sentence"), [
    (MELATONIN, "Melatonin gummies are natural, so they are harmless for kids."),
    (ASPIRIN, "A baby aspirin a day prevents heart attacks for everyone over 50."),
])  # fmt: skip
def test_a_claim_that_tells_the_reported_myth_as_fact_is_unfounded(
    source: str, sentence: str
) -> None:
    assert not advises(sentence)
    assert unfounded(sentence, Backing(source))


@pytest.mark.parametrize(("source", "sentence"), [
    (MELATONIN, "Melatonin gummies are not harmless just because they are natural."),
    (ASPIRIN, "A daily baby aspirin is no longer advised for everyone over 50."),
    (HEARING, "Hearing aids are now sold over the counter in many countries."),  # no myth
])  # fmt: skip
def test_a_claim_that_denies_the_myth_or_names_none_is_left_to_the_other_checks(
    source: str, sentence: str
) -> None:
    assert not advises(sentence)
    assert not unfounded(sentence, Backing(source))


DEV = {case.id: case.draft for case in load(gold_sets()[0])}


@pytest.mark.parametrize(("case", "sentence"), [
    # The draft: statins lower the risk of vascular events.
    ("edu-statins-muscle-aches", "This medication reduces LDL cholesterol levels, "
     "contributing to significant vascular events across CTT meta-analyses."),
    # The draft: cold air alone does not cause a cold.
    ("m-myth-wet-hair-catch-cold", "Cold exposure can be a significant health problem, "
     "especially in the winter when indoor crowding and low humidity can contribute to cold "
     "episodes."),
    ("k-myth-antiperspirant-breast-cancer",
     "The treatment involves taking antiperspirants and deodorant to prevent breast cancer."),
])  # fmt: skip
def test_a_claim_that_links_the_drafts_terms_in_a_way_it_never_does_is_unfounded(
    case: str, sentence: str
) -> None:
    """Sentences physician readers flagged in dev posts that every check passed."""
    assert not advises(sentence)
    assert unfounded(sentence, Backing(spell_out(DEV[case])))


@pytest.mark.parametrize(("case", "sentence"), [
    ("edu-statins-muscle-aches", "Statins lower the risk of heart attack and stroke."),
    ("k-myth-antiperspirant-breast-cancer",
     "Antiperspirants and deodorants do not cause breast cancer."),
    ("m-myth-wet-hair-catch-cold", "Colds are caused by viruses, not by wet hair or cold air."),
    ("k-myth-chocolate-causes-acne",  # the draft's "pathogenesis:" list
     "Acne comes from clogged pores, oil, bacteria and inflammation."),
    ("f-edu-kidney-disease-nsaids", "SGLT2 inhibitors slow the decline of kidney function."),
])  # fmt: skip
def test_a_claim_that_links_terms_as_the_draft_does_is_backed(case: str, sentence: str) -> None:
    assert not unfounded(sentence, Backing(spell_out(DEV[case])))


def test_on_sentences_labelled_blind_advice_takes_out_nothing_supported() -> None:
    """The 120 sentences a reader labelled from their drafts alone (`test_compose_grounding`):
    of those the word count keeps, the advice rule takes out none labelled supported (S),
    and at least the runner's "please stop having periods" (W)."""
    drafts = {c.id: c.draft for c in load(gold_sets()[0])}
    rows = [json.loads(line) for line in LABELS.read_text().splitlines()]
    extra = []
    for row in rows:
        source = f"{spell_out(drafts[row['draft_id']])}\n{row['key_message']}"
        if not strays(row["sentence"], content_words(source)) and unfounded(
            row["sentence"], Backing(source)
        ):
            extra.append(row)
    assert not [r for r in extra if r["label"] == "S"]
    assert any("stop having periods" in r["sentence"] for r in extra)


def test_on_posts_a_physician_read_flagged_sentences_go_and_few_cleared_posts_lose_one() -> None:
    """The 202 dev posts a physician reader read (`test_compose_reviewed`), the key message
    that opens each taken off as the pipeline does: the cut (`grounding.supported`) takes
    out the flagged sentence of 16 of the 26 harmful posts, and a sentence from 6 of the
    98 cleared posts that are not replies (two of them the draft's own "Seek care: burns
    larger than the patient's palm", which reads as a story; one "If you notice any changes
    in the shape or appearance of your skin, it may indicate a mole.", where the message says
    to see a doctor about a mole that changes)."""
    reviewed = Path(__file__).parents[1] / "fixtures" / "reviewed_posts.jsonl"
    posts = [json.loads(line) for line in reviewed.read_text("utf-8").splitlines() if line]
    flagged_cut = cleared_cut = 0
    for post in posts:
        if post["task"].startswith("reply"):
            continue  # a reply's text is the code's and is not cut
        body = post["post"].removeprefix(post["message"])
        _, cut = supported(body, f"{spell_out(post['given'])}\n{post['message']}")
        if post["harmful"]:
            flagged_cut += any(post["sentence"][:40] in c or c[:40] in post["sentence"]
                               for c in cut)  # fmt: skip
        else:
            cleared_cut += bool(cut)
    assert flagged_cut >= 16
    assert cleared_cut <= 6


@pytest.mark.parametrize(("sentence", "cut"), [
    # The default model's sign-off on a lesson about a sudden severe headache.
    ("If you want to learn more about this, call 911 or your local emergency number at the "
     "first sign of trouble.", True),
    ("For more information, call 911.", True),
    ("If you have any questions, go to the ER.", True),
    ("Learn more about the signs of a stroke and call 911 fast if you see them.", False),
    ("To learn more, talk to your doctor, and call 911 if you have chest pain.", False),
    ("Call 911 or your local emergency number now, even if the pain starts to ease.", False),
])  # fmt: skip
def test_emergency_services_are_never_where_to_learn_more(sentence: str, cut: bool) -> None:
    """Each sentence is backed word for word by the source; only the sign-offs go."""
    backing = Backing(
        "A sudden, severe headache can be bleeding in the brain. Call 911 or your local "
        "emergency number now, even if the pain starts to ease, at the first sign of trouble. "
        "Learn more about the signs of a stroke, and call 911 fast if you see them. Talk to "
        "your doctor to learn more, and call 911 if you have chest pain. Any questions? Go "
        "to the ER for information."
    )
    assert unfounded(sentence, backing) is cut
