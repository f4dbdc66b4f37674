"""Stand-ins: what replaces each identifier, by mode.

Fictionalise keeps the draft readable with invented details (consistent within one draft);
generalise replaces them with vaguer truths ("a woman", "recently", "90 or older");
redact puts a bracketed label. Ages over 89 always become "90 or older", as Safe Harbor
requires, whatever the mode.
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

import regex

from draftrx.privacy import lexicon
from draftrx.privacy.temporal import MONTH

# Invented names and places; entries that exist in the draft or the gazetteer are skipped.
GIVEN = ["Ada", "Bram", "Cleo", "Dorian", "Elspeth", "Fenna", "Gideon", "Hollis", "Ines",
         "Jory", "Kestrel", "Linnea", "Magnus", "Nell", "Orrin", "Petra", "Quill", "Rosalind",
         "Soren", "Tamsin", "Ulric", "Vesna", "Wren", "Xavi", "Yara", "Zeno"]  # fmt: skip
FAMILY = ["Abernethy", "Blackwood", "Carrow", "Dunmore", "Everly", "Fairbairn", "Greaves",
          "Hollister", "Ingram", "Jessop", "Kittredge", "Lockhart", "Merriweather", "Northcott",
          "Oakhurst", "Pennington", "Quarles", "Ravensworth", "Stirling", "Thistlewood",
          "Underhill", "Vantreight", "Westerby", "Yarrow", "Zellweger"]  # fmt: skip
TOWNS = ["Ashbury Vale", "Brindlecombe", "Corran Ridge", "Dunhollow", "Elderwick",
         "Fallowmere", "Glenquarry", "Hollinsby", "Ivystone", "Larchmere Falls", "Morrowdale",
         "Nethercott", "Oxbury Glen", "Pellingford", "Quarrybrook", "Rookhaven"]  # fmt: skip
STREETS = ["Linden", "Hawthorn", "Bramble", "Juniper", "Alder", "Rowan", "Sorrel", "Thistle"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

GENERAL = {
    "LOCATION": "a nearby town", "ADDRESS": "a local street", "FACILITY": "a local hospital",
    "TIME_CUE": "recently", "CARE_SETTING": "the hospital", "EVENT": "an unusual event",
    "OCCUPATION": "a local worker", "RARE_CONDITION": "a rare condition",
}  # fmt: skip
_FACILITY_KINDS = [
    ("clinic", "a local clinic"), ("urgent care", "an urgent care centre"),
    ("nursing", "a nursing home"), ("hospice", "a hospice"), ("school", "a local school"),
    ("church", "a local church"), ("pharmacy", "a pharmacy"), ("university", "a university"),
    ("elementary", "a local school"), ("academy", "a local school"),
    ("kindergarten", "a local school"), ("college", "a college"),
]  # fmt: skip
TITLE_GENERAL = {"mr": "a man", "mrs": "a woman", "ms": "a woman", "miss": "a woman",
                 "dr": "a colleague", "doctor": "a colleague", "nurse": "a nurse"}  # fmt: skip

_NUMERIC_DATE = regex.compile(r"^(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$")
_ISO = regex.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_FIRST = regex.compile(
    rf"^(?i:({MONTH}))(\.?\s+(?:the\s+)?)(\d{{1,2}})(st|nd|rd|th)?(,?\s*\d{{4}})?$"
)
_DAY_FIRST = regex.compile(
    rf"^((?:the\s+)?)(\d{{1,2}})(st|nd|rd|th)?(\s+(?:of\s+)?)(?i:({MONTH}))(\.?,?\s*\d{{4}})?$"
)
_FULL_MONTHS = {m.lower() for m in MONTHS}
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def month_index(word: str) -> int:
    low = word.lower().rstrip(".")
    return next(i for i, m in enumerate(MONTHS) if m.lower().startswith(low[:3]))


def ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def shift_date(text: str, days: int) -> str | None:
    """The same date moved by `days`, written the same way; None if not understood."""
    if m := _NUMERIC_DATE.match(text):
        a, sep, b, y = m.groups()
        d = _shifted(int(y) if y else None, int(a), int(b), days)
        if d is None:
            return None
        out = f"{d.month:0{len(a)}d}{sep}{d.day:0{len(b)}d}"
        return out + (f"{sep}{str(d.year)[-len(y) :]}" if y else "")
    if m := _ISO.match(text):
        d = _shifted(int(m[1]), int(m[2]), int(m[3]), days)
        return d.isoformat() if d else None
    if m := _MONTH_FIRST.match(text):
        return _written(m[3], m[1], m[4], m[5], days, "{month}" + m[2] + "{day}")
    if m := _DAY_FIRST.match(text):
        return _written(m[2], m[5], m[3], m[6], days, m[1] + "{day}" + m[4] + "{month}")
    low = text.lower().rstrip("s")
    for i, day in enumerate(WEEKDAYS):
        if low == day.lower() or (len(low) >= 3 and day.lower().startswith(low)):
            return _cased(text, WEEKDAYS[(i + (days % 7 or 1)) % 7])
    for i, month in enumerate(MONTHS):
        if low == month.lower():
            return _cased(text, MONTHS[(i + (round(days / 30) or 1)) % 12])
    return None


def _written(
    day: str, month: str, suffix: str | None, year: str | None, days: int, layout: str
) -> str | None:
    """A date written with a month name ("March 3rd, 2024", "8 June"), shifted, same layout."""
    d = _shifted(_year_of(year), month_index(month) + 1, int(day), days)
    if d is None:
        return None
    out = layout.format(
        month=_month_like(month, d.month), day=f"{d.day}{ordinal(d.day) if suffix else ''}"
    )
    return out + (year.replace(str(_year_of(year)), str(d.year)) if year else "")


def _year_of(text: str | None) -> int | None:
    m = _YEAR.search(text or "")
    return int(m[1]) if m else None


def _shifted(year: int | None, month: int, day: int, days: int) -> date | None:
    try:
        return date(year or 2001, month, day) + timedelta(days=days)
    except ValueError:
        return None


def _month_like(original: str, month: int) -> str:
    name = MONTHS[month - 1]
    if original.rstrip(".").lower() not in _FULL_MONTHS:
        name = name[:3]  # the draft abbreviated it ("Dec", "Sept.")
    return _cased(original, name) + ("." if original.endswith(".") and len(name) == 3 else "")


def _cased(original: str, new: str) -> str:
    return new.upper() if original.isupper() and len(original) > 1 else new


def year_only(text: str) -> str | None:
    m = _YEAR.search(text)
    return m[1] if m else None


def scramble(text: str, rng: random.Random) -> str:
    """Same shape (digits, letters, case, separators), different characters."""
    for _ in range(20):
        out = "".join(
            rng.choice(string.digits) if c.isdigit()
            else (rng.choice(string.ascii_uppercase) if c.isupper()
                  else rng.choice(string.ascii_lowercase)) if c.isalpha()
            else c
            for c in text
        )  # fmt: skip
        if out != text:
            return out
    return "0" * len(text)


def fictional_phone(text: str, rng: random.Random) -> str:
    """A 555-01xx number (reserved for fiction) in the original's layout.

    Only the last two digits vary: an area code or extension of random digits could spell
    another number from the draft ("room 176" -> "(176) 555-0118").
    """
    digits = [c for c in text if c.isdigit()]
    core = len(digits)
    if "ext" in text.lower() or "x" in text.lower():
        core = len([c for c in regex.split(r"(?i)ext|x", text)[0] if c.isdigit()])
    if core < 7:
        new = [rng.choice(string.digits) for _ in digits]
    else:
        country = ["1"] if core == 11 and digits[0] == "1" else []
        area = ["5"] * (core - 7 - len(country))
        extension = [str((i % 9) + 1) for i in range(len(digits) - core)]
        new = [*country, *area, *"55501", *rng.choices(string.digits, k=2), *extension]
    it = iter(new)
    return "".join(next(it) if c.isdigit() else c for c in text)


def unused(options: list[str], taken: set[str], rng: random.Random) -> str:
    """An option not already used in the draft (compared lower-cased), if one is left."""
    pool = [o for o in options if o.lower() not in taken]
    return rng.choice(pool or options)


def fictional_town(taken: set[str], rng: random.Random) -> str:
    places = lexicon.place_names()
    return unused([t for t in TOWNS if t.lower() not in places], taken, rng)


def general_facility(text: str) -> str:
    low = text.lower()
    return next((g for key, g in _FACILITY_KINDS if key in low), GENERAL["FACILITY"])
