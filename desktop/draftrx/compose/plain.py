"""Clinical shorthand spelled out, before the model reads a draft.

A small model copies what it is shown: given "Pts w/ sx of OSA should d/c EtOH", it writes
"Pts w/ sx" back into a public post. So the draft's shorthand and jargon are spelled out in
plain words first (`jargon.py`'s table plus the shorthand below); the model then has plain
words to copy, and a key message taken from the draft's own sentences reads plainly too.

Only the physician's own text is spelled out: a comment, a review or a message being
replied to is someone else's words and is quoted as written. Capitalised abbreviations
("HA", "SOB", "ED") are matched in capitals only, because in lower case they are English
words; lower-case shorthand ("sx", "abx", "w/") in any case. The physician's draft itself,
and the diff against it, never change.
"""

from __future__ import annotations

from functools import cache

import regex

from draftrx.compose import jargon

# Matched in any case, as whole words: shorthand that is no English word.
SHORTHAND: dict[str, str] = {
    "w/o": "without",
    "w/": "with",
    "b/c": "because",
    "d/c": "stop",
    "r/o": "rule out",
    "c/o": "complaining of",
    "pts": "patients",
    "pt": "patient",
    "sx": "symptoms",
    "abx": "antibiotics",
    "meds": "medicines",
    "wks": "weeks",
    "wk": "week",
    "hrs": "hours",
    "yrs": "years",
    "etoh": "alcohol",
    "rtp": "return to play",
    "rtl": "return to learning",
    "urtis": "colds",
    "urti": "cold",
    "aes": "side effects",
    "mvcs": "car crashes",
    "ldl-c": "LDL cholesterol",
    "ascvd": "heart disease and stroke",
    "t1dm": "type 1 diabetes",
}
# Matched in capitals only: in lower case these are words ("ha", "sob", "ed", "loc").
CAPITALS: dict[str, str] = {
    "HA": "headache",
    "SOB": "shortness of breath",
    "CP": "chest pain",
    "BP": "blood pressure",
    "HR": "heart rate",
    "ED": "emergency department",
    "EMS": "an ambulance",
    "LOC": "loss of consciousness",
    "MI": "heart attack",
    "AF": "atrial fibrillation",
    "CKD": "kidney disease",
    "OA": "osteoarthritis",
    "OSA": "sleep apnea",
    "EDS": "daytime sleepiness",
    "SI": "thoughts of suicide",
    "AMR": "antibiotic resistance",
    "UOP": "peeing",
    "LP": "spinal tap",
    "RTI": "chest infection",
    "GI": "stomach",
    "PSG": "a sleep study",
    "HSAT": "a home sleep test",
    "TBI": "brain injury",
    "mTBI": "concussion",
    "NTD": "neural tube defect",
    "NTDs": "neural tube defects",
}
_EVERY = regex.compile(r"(?i)\bq(\d+)(h|hr|hrs|d|min)\b")
_STARTS = regex.compile(r"(?:[.!?:]\s+|\n\s*)$")
_UNIT = {"h": "hours", "hr": "hours", "hrs": "hours", "d": "days", "min": "minutes"}


@cache
def _table() -> tuple[regex.Pattern[str], dict[str, str]]:
    """One pattern for every entry, longest first; keys folded to lower case, except the
    capitals, which keep their case (and so only match as written)."""
    plain: dict[str, str] = {}
    for key, value in jargon.TERMS.items():
        if value is not None:
            plain.update({spelling.lower(): value for spelling in key.split("|")})
    for key, value in jargon.ABBREVIATIONS.items():
        if value is not None and not key.isupper():
            plain[key.lower()] = value
    plain.update(SHORTHAND)
    capitals = {k: v for k, v in jargon.ABBREVIATIONS.items() if v is not None and k.isupper()}
    capitals.update(CAPITALS)
    any_case = "|".join(regex.escape(k) for k in sorted(plain, key=len, reverse=True))
    exact = "|".join(regex.escape(k) for k in sorted(capitals, key=len, reverse=True))
    pattern = regex.compile(
        rf"(?<![\w/-])(?:(?i:(?P<any>{any_case}))|(?P<exact>{exact}))(?P<plural>(?<!/)e?s)?"
        rf"(?:(?<=/)|(?![\w/-]|\.\w))"
    )
    return pattern, {**plain, **capitals}


# "feeling fine != normal BP": a "!" that ends no sentence.
_NOT_EQUAL = regex.compile(r"\s*(?:!=|=/=|≠)\s*")


def spell_out(text: str) -> str:
    """`text` with clinical shorthand and jargon in plain words, every other character kept."""
    pattern, table = _table()

    def plain(m: regex.Match[str]) -> str:
        if m["any"] and m["any"].lower() == "pt" and text.startswith(".", m.end()):
            return m.group()  # "Pt. Smith": a title, not shorthand
        value = table[m["any"].lower()] if m["any"] else table[m["exact"]]
        if m["plural"] and not value.endswith("s") and " or " not in value:
            value += "s"
        if m.start() == 0 or _STARTS.search(text, max(0, m.start() - 8), m.start()):
            value = value[:1].upper() + value[1:]  # a sentence's first word
        return value

    text = _EVERY.sub(lambda m: f"every {m[1]} {_UNIT[m[2].lower()]}", text)
    text = _NOT_EQUAL.sub(" does not mean ", text)
    return pattern.sub(plain, text)
