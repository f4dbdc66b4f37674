"""Case invariance: a note typed in lower case or in capitals hides no identifier that the
same note in ordinary case shows, and gains no false one (issue: clinical writing)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from draftrx.privacy.scanner import Scanner

# Identifiers as notes write them, each found from its context rather than its capitals.
IDENTIFIERS = [
    "seen by Dr. {surname}", "d/w dr {surname}", "Mrs. {surname} at bedside",
    "son {given} called", "wife {given} at bedside", "dtr {given} is HCP", "per {surname} RN",
    "call 617-555-{n4}", "cell (413) 555-{n4}", "fax 978/555/{n4}", "pager #{n5}",
    "PMH: MI 7/{yy}", "admitted 3/14", "MRN {n8}", "rm {n3}", "transfer to Mercy Hosp",
    "lives in Westfield", "followed at Brookhaven", "f/u Thurs",
]  # fmt: skip
# Clinical shorthand that is none, in the places notes put it.
SHORTHAND = [
    "levo weaned off", "bolus given", "MAE x4", "Foley draining", "VSS", "UOP 500cc",
    "strength 5/5 bilat", "1/2 tab given", "SR 70 on monitor", "Cr 2.1", "echo done",
    "came from OSH on nitro", "vent 600x12", "shift 11p-7a", "HR 70-80s", "endo aware",
    "temp 99.1", "BUN 40", "pacer in place", "ABG 7.38/42/96", "NPO after midnight",
]  # fmt: skip
SURNAMES = ["Kowalski", "Okafor", "Lindqvist", "Novak", "Haverford", "Abernathy", "Oyelaran"]
GIVEN = ["Mateo", "Lena", "Rosa", "Keisha", "Dmitri", "Grace", "Tobias"]


@st.composite
def notes(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(IDENTIFIERS + SHORTHAND), min_size=2, max_size=7))
    fills = {
        "surname": draw(st.sampled_from(SURNAMES)), "given": draw(st.sampled_from(GIVEN)),
        "n3": str(draw(st.integers(100, 999))), "n4": f"{draw(st.integers(0, 9999)):04d}",
        "n5": str(draw(st.integers(10000, 99999))), "n8": f"{draw(st.integers(0, 10**8 - 1)):08d}",
        "yy": str(draw(st.integers(40, 99))),
    }  # fmt: skip
    return ". ".join(p.format(**fills) for p in parts) + "."


def spans(scanner: Scanner, text: str) -> set[tuple[int, int]]:
    return {(f.start, f.end) for f in scanner.scan(text) if f.blocking}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(note=notes())
def test_lower_case_and_capitals_find_the_same_identifiers(scanner: Scanner, note: str) -> None:
    found = spans(scanner, note)
    assert spans(scanner, note.lower()) == found, note
    assert spans(scanner, note.upper()) == found, note


def test_each_identifier_is_found_in_every_case(scanner: Scanner) -> None:
    """The property above would also hold if nothing were found: every identifier is."""
    fills = {"surname": "Okafor", "given": "Lena", "n3": "412", "n4": "0142", "n5": "12345",
             "n8": "00482913", "yy": "81"}  # fmt: skip
    for template in IDENTIFIERS:
        text = template.format(**fills)
        for variant in (text, text.lower(), text.upper()):
            assert spans(scanner, variant), variant


def test_shorthand_is_no_identifier_in_any_case(scanner: Scanner) -> None:
    text = ". ".join(SHORTHAND) + "."
    for variant in (text, text.lower(), text.upper()):
        hits = [variant[f.start : f.end] for f in scanner.scan(variant) if f.blocking]
        assert hits == [], hits
