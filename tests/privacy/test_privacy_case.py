"""Invariances of the scanner: a note typed in lower case or in capitals, or carrying
invisible and look-alike characters (pasted from a web page or an EHR), hides no identifier
that the plain note shows, and gains no false one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    "perfusion ({surname}) at bedside", "biomed ({given}) swapped pack", "drawn by {given} (pct)",
    "{given} states pain better", "micu {n1} overnight", "plate 3HX {n3}", "s/p tka 10/3",
    "cross cover 5/5 0230", "home in Castle Fen", "seen at Lakewood Surgical Center",
    "faxed to Rosewood", "- kt rn", "pt jk, 34m",
    "interpreter id #{n5} used", "inmate seen in cell {n1}", "paged renal (pgr 8 {n4})",
    "pt {surname}, {given} in ED", "mrs {surname} 94, comfort care", "AGE: 93 per facesheet",
    "transcribed by kt", "labs drawn at LabCorp", "next visit fri 6/9",
]  # fmt: skip
# Clinical shorthand that is none, in the places notes put it.
SHORTHAND = [
    "levo weaned off", "bolus given", "MAE x4", "Foley draining", "VSS", "UOP 500cc",
    "strength 5/5 bilat", "1/2 tab given", "SR 70 on monitor", "Cr 2.1", "echo done",
    "came from OSH on nitro", "vent 600x12", "shift 11p-7a", "HR 70-80s", "endo aware",
    "temp 99.1", "BUN 40", "pacer in place", "ABG 7.38/42/96", "NPO after midnight",
    "pain (will reassess)", "referred to physiatry", "sent to cysto", "icu 2 days",
    "hypok resolved", "MOLST on chart", "serosang drainage", "pt (ok) with plan",
    "pateint recieved meds", "retaped dressing", "family to choose funeral home",
    "ate 3/4 of lunch", "STOP-BANG 6/8", "naming 14/20 (8/20 at eval)", "abx day 12/42",
    "IMPELLA CP in place", "on sema 1mg weekly", "hoyer lift ordered", "Lachman neg",
    "OOB to chair a few times", "post-tavr, stable",
]  # fmt: skip
SURNAMES = ["Kowalski", "Okafor", "Lindqvist", "Novak", "Haverford", "Abernathy", "Oyelaran"]
GIVEN = ["Mateo", "Lena", "Rosa", "Keisha", "Dmitri", "Grace", "Tobias"]


@st.composite
def notes(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(IDENTIFIERS + SHORTHAND), min_size=2, max_size=7))
    fills = {
        "surname": draw(st.sampled_from(SURNAMES)), "given": draw(st.sampled_from(GIVEN)),
        "n1": str(draw(st.integers(1, 20))), "n3": str(draw(st.integers(100, 999))),
        "n4": f"{draw(st.integers(0, 9999)):04d}",
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
    fills = {"surname": "Okafor", "given": "Lena", "n1": "6", "n3": "412", "n4": "0142",
             "n5": "12345", "n8": "00482913", "yy": "81"}  # fmt: skip
    for template in IDENTIFIERS:
        text = template.format(**fills)
        for variant in (text, text.lower(), text.upper()):
            assert spans(scanner, variant), variant


def test_shorthand_is_no_identifier_in_any_case(scanner: Scanner) -> None:
    text = ". ".join(SHORTHAND) + "."
    for variant in (text, text.lower(), text.upper()):
        hits = [variant[f.start : f.end] for f in scanner.scan(variant) if f.blocking]
        assert hits == [], hits


# Format characters (Unicode Cf) that web pages, EHRs and social apps leave in text.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202c\u2066\u2069"
SPACES = "\u00a0\u2009\u202f\u3000"
DIGIT_ZEROS = [0xFF10, 0x0660, 0x0966]  # full-width, Arabic-Indic and Devanagari digits
LOOKALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str, list[int]]:
    """(plain note, disguised note, where each plain character went in the disguised one):
    invisible characters inserted anywhere, spaces swapped for no-break and thin ones,
    digits for full-width or other scripts' ones, and one letter of a word for a Cyrillic
    look-alike."""
    plain = draw(notes())
    out: list[str] = []
    where: list[int] = []
    swapped_in_word = False
    for c in plain:
        if draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
        where.append(len(out))
        if c == " " and draw(st.booleans()):
            c = draw(st.sampled_from(SPACES))
        elif c.isdigit() and draw(st.booleans()):
            c = chr(ord(c) - ord("0") + draw(st.sampled_from(DIGIT_ZEROS)))
        elif c in LOOKALIKES and not swapped_in_word and draw(st.booleans()):
            c, swapped_in_word = LOOKALIKES[c], True
        swapped_in_word = swapped_in_word and c.isalpha()
        out.append(c)
    return plain, "".join(out), where


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=disguised())
def test_invisible_and_look_alike_characters_change_no_finding(
    scanner: Scanner, case: tuple[str, str, list[int]]
) -> None:
    plain, text, where = case
    back = {w: i for i, w in enumerate(where)}
    found = {(f.start, f.end) for f in scanner.scan(text) if f.blocking}
    # A span starts at a plain character and ends after one, or after an invisible one
    # that joins the character before it (ZWJ, ZWNJ): map each end to the plain index.
    ends = {e: max(i + 1 for w, i in back.items() if w < e) for _, e in found}
    assert {(back[s], ends[e]) for s, e in found} == spans(scanner, plain), ascii(text)


def test_the_issue_example_is_redacted_whole(tmp_path: Path) -> None:
    """The phone, record number and name each carry a zero-width space."""
    draft = tmp_path / "zw.txt"
    draft.write_text(
        "Call her husband at 937-555-\u200b0142. MRN 447\u200b1902. Saw Jen\u200bna Alvarez.\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "draftrx", "deid", str(draft), "--privacy", "redact"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert out.stdout.splitlines()[0] == "Call her husband at [PHONE]. MRN [MRN]. Saw [NAME]."
