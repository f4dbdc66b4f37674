"""Dates (every element but the year), times and ages."""

from __future__ import annotations

import regex

from draftrx.privacy.rules import Rule, RuleRecognizer, rx, word_after, words_before

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_CI = rf"(?i:{MONTH})"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?:\d{4}|'\d{2}))?"
HOLIDAYS = (
    r"Christmas(?:\s(?:Eve|Day))?|New\sYear'?s?(?:\s(?:Eve|Day))?|Thanksgiving(?:\sDay)?|Easter"
    r"(?:\sSunday)?|Halloween|Hanukk?ah|Chanukah|Diwali|Passover|Kwanzaa|Eid(?:\sal-\w+)?"
    r"|Yom\sKippur|Rosh\sHashanah|Lunar\sNew\sYear|Valentine'?s\sDay|Independence\sDay"
    r"|(?:the\s)?Fourth\sof\sJuly|July\s4th|Memorial\sDay|Labou?r\sDay|Veterans\sDay|Mother'?s"
    r"\sDay|Father'?s\sDay|St\.?\sPatrick'?s\sDay|Presidents'?\sDay|Martin\sLuther\sKing\sDay"
    r"|Good\sFriday|Black\sFriday|Super\sBowl\sSunday|Boxing\sDay|Juneteenth"
)
_WEEKDAY = r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)day)s?"
_MONTH_CONTEXT = {
    "in", "on", "of", "since", "during", "last", "next", "early", "late", "mid", "this",
    "until", "by", "before", "after", "from", "through", "till", "throughout",
}  # fmt: skip
_FRACTION_CONTEXT = {"pain", "rated", "scale", "score", "rates", "rating", "out", "gcs"}
_FRACTION_AFTER = {
    "tab",
    "tabs",
    "tablet",
    "tablets",
    "pill",
    "pills",
    "cup",
    "cups",
    "tsp",
    "dose",
    "doses",
    "strength",
    "of",
    "inch",
    "inches",
    "mile",
    "miles",
    "pain",
}


def _numeric_date(text: str, m: regex.Match[str]) -> bool:
    before = words_before(text, m.start(), 2)
    if any(w in _FRACTION_CONTEXT for w in before) or word_after(text, m.end()) in _FRACTION_AFTER:
        return False
    # 120/80, 3/4 of the way: a date needs the digit run to stand alone.
    return not (m.start() > 0 and text[m.start() - 1] in "/.")


def _month_alone(text: str, m: regex.Match[str]) -> bool:
    word = m.group()
    if word[0].islower():
        return False
    before = words_before(text, m.start(), 1)
    if before and before[0] in _MONTH_CONTEXT:
        return True
    return word.lower() not in {"may", "march", "august", "june", "april", "jan", "mar"}


def _age(text: str, m: regex.Match[str]) -> str | bool:
    value = int(m.group("n"))
    if value > 125 or (m.start() > 0 and text[m.start() - 1] == "$"):
        return False
    return "AGE_90_PLUS" if value >= 90 else True


RULES = [
    Rule("DATE", rx(r"(?<![\w/.:-])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/(?:\d{4}|\d{2}))?(?![\w/]|\.\d)"), 0.85, check=_numeric_date),
    Rule("DATE", rx(r"(?<![\w/.:-])(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])-(?:\d{4}|\d{2})(?![\w-])"), 0.85),
    Rule("DATE", rx(r"(?<![\w.])(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:\d{4}|\d{2})(?!\w|\.\d)"), 0.7),
    Rule("DATE", rx(r"(?<![\w-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w-])"), 0.95),
    Rule("DATE", rx(rf"\b{_MONTH_CI}\.?\s+(?:the\s+)?\d{{1,2}}{_ORD}\b{_YEAR}"), 0.9),
    Rule("DATE", rx(rf"\b(?:the\s+)?\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH_CI}\b\.?{_YEAR}"), 0.9),
    Rule("DATE", rx(rf"\b{_MONTH_CI}\.?,?\s+\d{{4}}\b"), 0.85),
    Rule("DATE", rx(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|JANUARY|FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\b"), 0.7, check=_month_alone),
    Rule("DATE", rx(rf"\b{_WEEKDAY}\b"), 0.9),
    Rule("DATE", rx(rf"\b(?i:{HOLIDAYS})\b"), 0.85),
    Rule("DATE", rx(r"\b(?:on|since|from|until|by)\s+the\s+(\d{1,2}(?:st|nd|rd|th))\b"), 0.8, group=1),
    Rule("TIME_CUE", rx(r"(?<![\w:.])(?:[01]?\d|2[0-3]):[0-5]\d(?:\s?(?i:[ap]\.?m\.?))?(?![\w:])"), 0.8),
    Rule("TIME_CUE", rx(r"\b(?:1[0-2]|0?[1-9])\s?(?i:[ap]\.?m\b\.?)"), 0.8),
    Rule("TIME_CUE", rx(r"\b(?:at|around|@)\s+((?:[01]\d|2[0-3])[0-5]\d)(?:\s?(?i:h|hrs|hours))?\b"), 0.75, group=1),
    Rule("AGE", rx(r"\b(?P<n>\d{1,3})(?:\s|-)?(?:years?|yrs?|y)(?:\s|-)?(?:old|o\b\.?|/o)"), 0.9, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?P<n>\d{1,3})\s?(?i:yo|y\.o\.)(?:[mf]\b)?"), 0.9, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"(?<![\w$.])(?P<n>\d{1,3})\s?[MF]\b"), 0.75, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?i:aged?|age\sof|turned|turning|turns)\s+(?P<n>\d{1,3})\b"), 0.85, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?i:she|he|they|who|patient|pt)\s+(?:is|was|'s)\s+(?P<n>\d{1,3})\b(?!\s*(?:%|percent|kg|lb|cm|mm|weeks|days|months|hours|minutes|times|pounds))"), 0.75, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"(?<=\p{L}\.?,\s)(?P<n>\d{1,3})(?=,|\s(?:came|comes|was|is|presented|with|from|had|who|and))"), 0.7, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE_90_PLUS", rx(r"\b(?i:in\s(?:her|his|their)\s)(?P<n>(?:9\d|1[01]\d)s|nineties)\b"), 0.85, group="n"),
]  # fmt: skip

recognizer = RuleRecognizer("dates_and_ages", RULES)
