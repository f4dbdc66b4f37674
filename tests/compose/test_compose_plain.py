"""Clinical shorthand is spelled out before the model reads a draft, and nothing else moves."""

from __future__ import annotations

import pytest

from draftrx.compose.plain import spell_out


@pytest.mark.parametrize(
    ("draft", "plain"),
    [
        ("Pts w/ sx of OSA should d/c EtOH.",
         "Patients with symptoms of sleep apnea should stop alcohol."),
        ("OSA is common. HTN too.", "Sleep apnea is common. High blood pressure too."),
        ("Red flags (worsening HA, repeated emesis) -> ED.",
         "Red flags (worsening headache, repeated vomiting) -> emergency department."),
        ("Reapply q2h; abx do nothing for URTIs.",
         "Reapply every 2 hours; antibiotics do nothing for colds."),
        ("NSAIDs and prior MIs", "Anti-inflammatory pain relievers and prior heart attacks"),
        ("Dx via PSG, w/o sedation.", "Diagnosis via a sleep study, without sedation."),
        ("Key msg: feeling fine != normal BP.",
         "Key msg: feeling fine does not mean normal blood pressure."),
    ],
)  # fmt: skip
def test_shorthand_and_jargon_are_spelled_out(draft: str, plain: str) -> None:
    assert spell_out(draft) == plain


@pytest.mark.parametrize(
    "text",
    [
        "Ed said ha, the sob story was loc-ked.",  # capital shorthand in lower case: words
        "Saw Pt. Jones today.",  # a title
        "The pitch was fine; ptolemy and wksp stay.",  # inside longer words
        "Plain words stay exactly as they are, numbers too: 38.0 and 5/10.",
    ],
)
def test_words_that_only_look_like_shorthand_are_left_alone(text: str) -> None:
    assert spell_out(text) == text
