"""Sentences the model added that its draft does not support (`compose.grounding`), on
sentences the default model wrote in `eval-rewrite` runs and on faithful paraphrases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from draftrx.compose.grounding import check, strays, supported
from draftrx.compose.plain import spell_out
from draftrx.compose.wording import content_words
from draftrx.evals.rewrite import gold_sets, load

LABELS = Path(__file__).parents[1] / "fixtures" / "grounding_labels.jsonl"

FEVER = ("Any fever of 100.4F or higher in a baby under 3 months needs a doctor the same day, "
         "even if the baby seems well. Take the temperature rectally.")  # fmt: skip
SEPSIS = ("Sepsis can start as confusion in an older adult with an infection. If someone is "
          "newly confused, with fever or chills, go to the ER now.")  # fmt: skip


@pytest.mark.parametrize("source, sentence", [
    (FEVER, "Antibiotics: Apply antibiotics as soon as you notice any signs of illness, which "
            "can significantly reduce fever."),
    (FEVER, "Hydration: Drink plenty of fluids to support your baby's immune system."),
    (SEPSIS, "Sepsis is a serious condition that can cause severe bleeding and death if left "
             "untreated."),
    (SEPSIS, "It's also important to stay hydrated and avoid smoking or excessive alcohol."),
    (SEPSIS, "Join our community of health enthusiasts and support each other's efforts."),
])  # fmt: skip
def test_a_sentence_the_draft_does_not_support_strays(source: str, sentence: str) -> None:
    assert strays(sentence, content_words(source))


@pytest.mark.parametrize("source, sentence", [
    (FEVER, "A baby under 3 months with a fever needs to see a doctor today."),
    (FEVER, "Even a baby who seems well should be checked the same day."),
    (SEPSIS, "New confusion with a fever can be sepsis: go to the emergency room right away."),
    (SEPSIS, "Get help fast."),  # nothing but words every health post uses
])  # fmt: skip
def test_a_paraphrase_of_the_draft_does_not_stray(source: str, sentence: str) -> None:
    assert not strays(sentence, content_words(source))


def test_only_the_stray_sentences_go_and_a_label_left_empty_goes_with_them() -> None:
    body = ("A baby under 3 months with a fever needs a doctor the same day.\n\n"
            "Tips for parents:\n- Drink plenty of fluids to support the immune system.\n\n"
            "Take the temperature rectally. Join our community of health enthusiasts today!"
            "\n\n#fever #babies")  # fmt: skip
    text, cut = supported(body, FEVER)
    assert text == ("A baby under 3 months with a fever needs a doctor the same day.\n\n"
                    "Take the temperature rectally.\n\n#fever #babies")  # fmt: skip
    assert cut == ["Drink plenty of fluids to support the immune system.",
                   "Join our community of health enthusiasts today!"]  # fmt: skip


def test_a_list_item_or_heading_left_empty_goes_and_a_short_last_sentence_stays() -> None:
    """Seen in eval-rewrite: "Why It's Important" over numbers "1." to "4." with nothing
    after them, once their items had gone."""
    body = ("Why It's Important\n\nHow to Reduce Fever\n1. Use Antihistamines: they block "
            "harmful substances.\n2. Stay Hydrated: drinking plenty of water is crucial.\n\n"
            "Take the temperature rectally.\n- Fever under 3 months: see a doctor the same "
            "day. Join our community today!\n\nSee a doctor the same day")  # fmt: skip
    text, cut = supported(body, FEVER)
    assert text == ("How to Reduce Fever\n\nTake the temperature rectally.\n- Fever under 3 "
                    "months: see a doctor the same day.\n\nSee a doctor the same day")  # fmt: skip
    assert len(cut) == 3


def test_a_numbered_list_is_counted_again_where_items_went() -> None:
    body = ("1. Fever under 3 months needs a doctor the same day.\n2. Stay Hydrated: drinking "
            "plenty of water is crucial.\n3. Take the temperature rectally.\n\n5. Even a "
            "baby who seems well needs a doctor.")  # fmt: skip
    assert supported(body, FEVER)[0] == (
        "1. Fever under 3 months needs a doctor the same day.\n2. Take the temperature "
        "rectally.\n\n5. Even a baby who seems well needs a doctor.")  # fmt: skip


def test_a_supported_body_comes_back_as_it_was() -> None:
    body = "Fever in a baby under 3 months:\n\nsee a doctor the same day, even if well."
    assert supported(body, FEVER) == (body, [])


def test_the_check_quotes_what_went_and_blocks_only_when_nothing_is_left() -> None:
    cut = ["Hydration: Drink plenty of fluids to support your baby's immune system, and "
           "keep the house warm and quiet all day."]  # fmt: skip
    said = check(cut, everything=False)
    assert said.severity == "ok" and "Took out 1 sentence " in said.message
    assert "“Hydration: Drink plenty" in said.message and "…”" in said.message
    assert check([], everything=False).severity == "ok"
    assert check(cut, everything=True).severity == "block"


def test_on_sentences_labelled_blind_what_goes_is_rarely_supported() -> None:
    """120 sentences the default model wrote in dev posts, half of them cut by an earlier
    run of this rule and half kept, shuffled and labelled by a reader who saw only each
    draft: S supported, G generic filler, U a claim the draft lacks, W wrong or not post
    text (`tests/fixtures/grounding_labels.jsonl`). What the rule takes out must be nearly
    all unsupported, and it must take out a fair share of the wrong."""
    drafts = {c.id: c.draft for c in load(gold_sets()[0])}
    rows = [json.loads(line) for line in LABELS.read_text().splitlines()]
    goes = [r for r in rows if strays_here(r, drafts)]
    assert len(goes) >= 50
    assert sum(r["label"] == "S" for r in goes) <= 0.1 * len(goes)  # 5 of 60 when labelled
    wrong = [r for r in rows if r["label"] == "W"]
    assert sum(r in goes for r in wrong) >= 0.5 * len(wrong)  # 23 of 36 when labelled


def strays_here(row: dict[str, str], drafts: dict[str, str]) -> bool:
    """Whether `supported` takes the labelled sentence out of a post from its draft."""
    source = f"{spell_out(drafts[row['draft_id']])}\n{row['key_message']}"
    return bool(supported(row["sentence"], source)[1])
