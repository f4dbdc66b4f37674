"""The `expansion` check: a spelling-out the model made up blocks; real ones, plain
glosses and the draft's own words pass."""

from __future__ import annotations

import pytest

from draftrx.compose import expansions

DRAFT = "Pts stop SSRIs/SNRIs at 10 days. Refer to the DPP. ORS for kids. Knee OA: exercise."


@pytest.mark.parametrize(
    "post",
    [
        "SSRIs (Serum Substituted for Infection) are crucial.",  # the default model's
        "SNRIs (Serum Substituted for Renal Disease) reduce infection risk.",
        "Chronic kidney disease (COPD) is common.",
    ],
)
def test_a_made_up_spelling_out_blocks(post: str) -> None:
    check = expansions.check(post, DRAFT)
    assert check.severity == "block"
    assert post[slice(*check.spans[0])].endswith(")")


@pytest.mark.parametrize(
    "post",
    [
        "SSRIs (selective serotonin reuptake inhibitors) take weeks to work.",
        "Oral rehydration solution (ORS) beats juice.",
        "GERD (gastroesophageal reflux disease) is heartburn that keeps coming back.",
        "An ECG (electrocardiogram) is quick.",
        "NSAIDs (non-steroidal anti-inflammatory drugs) can upset the stomach.",
        "A PE (a clot in the lung) is an emergency.",  # a plain gloss, not a spelling-out
        "Take your medicine (ASAP).",
        "Knee OA (osteoarthritis) gets better with exercise.",
        "Go to the ED (the emergency room) for chest pain.",  # shares DraftRx's own words
    ],
)
def test_real_spellings_out_and_glosses_pass(post: str) -> None:
    assert expansions.check(post, DRAFT).severity == "ok"


def test_the_drafts_own_spelling_out_passes_whatever_its_letters() -> None:
    draft = "Sx of DVT: see a dr. The DPP (the local diabetes class) helps."
    post = "The DPP (the local diabetes class) helps."
    assert expansions.check(post, draft).severity == "ok"
    assert expansions.check(post, DRAFT).severity == "block"
