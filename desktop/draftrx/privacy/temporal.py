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
    r"Christmas(?:\s(?:Eve|Day))?|X-?mas(?:\s(?:Eve|Day))?|New\sYear'?s?(?:\s(?:Eve|Day))?|Thanksgiving(?:\sDay)?|Easter"
    r"(?:\sSunday)?|Halloween|Hanukk?ah|Chanukah|Diwali|Passover|Kwanzaa|Eid(?:\sal-\w+)?"
    r"|Yom\sKippur|Rosh\sHashanah|Lunar\sNew\sYear|Valentine'?s\sDay|Independence\sDay"
    r"|(?:the\s)?Fourth\sof\sJuly|July\s4th|Memorial\sDay|Labou?r\sDay|Veterans\sDay|Mother'?s"
    r"\sDay|Father'?s\sDay|St\.?\sPatrick'?s\sDay|Presidents'?\sDay|Martin\sLuther\sKing\sDay"
    r"|Good\sFriday|Black\sFriday|Super\sBowl\sSunday|Boxing\sDay|Juneteenth"
)
_WEEKDAY = r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)days?)"
_MONTH_CONTEXT = {
    "in", "on", "of", "since", "during", "last", "next", "early", "late", "mid", "this",
    "until", "by", "before", "after", "from", "through", "till", "throughout", "around",
    "visit", "seen", "dose", "shot",
}  # fmt: skip
_FRACTION_CONTEXT = {"pain", "rated", "scale", "score", "rates", "rating", "gcs", "relief",
                     "ha", "headache", "ate", "eaten", "consumed", "drank", "took", "naming",
                     "recall", "stop-bang", "bang", "epworth", "centor", "rotterdam", "jones",
                     "monofilament", "mmse", "moca", "slums", "audit", "cage", "berg", "phq-9",
                     "gad-7", "ecog", "criteria", "scored"}  # fmt: skip
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
    "lunch",
    "breakfast",
    "dinner",
    "supper",
    "meal",
    "meals",
    "tray",
    "criteria",
    "points",
    "pts",
    "correct",
    "items",
}


_DATE_CONTEXT = {
    "on", "since", "from", "until", "till", "by", "dated", "date", "dos", "dob", "admitted",
    "adm", "admit", "discharged", "dc", "d/c", "seen", "visit", "through", "thru", "before",
    "after", "last", "next", "of", "in", "s/p", "started", "stopped", "born", "due", "appt",
    "start", "starting", "effective", "changed", "placed", "removed", "done", "performed",
}  # fmt: skip


def _numeric_date(text: str, m: regex.Match[str]) -> bool:
    before = words_before(text, m.start(), 2)
    glued = m.start() > 0 and text[m.start() - 1] in "/."
    if before and before[-1] in _DATE_CONTEXT and not glued:
        return True  # "seen 3/10 for pain", "on 4/5": a word that dates it comes first
    if _DAY_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        return True  # "next visit Fri 5/5", "step-down 12/29-1/2": a weekday or a range's end
    if _TIME_AFTER.match(text, m.end()) or _AFTER_PROCEDURE.search(text, max(0, m.start() - 40),
                                                                     m.start()):
        return True  # "cross cover 5/5 0230", "S/P R TKA 10/3": a day, not a score
    if regex.search(r"(?:\d/10\s*(?:to|then)|->|→)\s*$", text[max(0, m.start() - 14) : m.start()]):
        return False  # "pain 6/10 -> 3/10", "hydromorphone x2 -> 3/10"
    if m.group().endswith("/10") and regex.match(r"\s*(?:->|→)", text[m.end() : m.end() + 4]):
        return False  # "improved 6/10 -> 8/10"
    if m.group().endswith("/10") and _TEN_SCALE.search(text, max(0, m.start() - 40), m.end() + 20):
        return False  # "anxiety like 6/10", "7/10 pressure", "latch 8/10"
    if any(w in _FRACTION_CONTEXT for w in before) or word_after(text, m.end()) in _FRACTION_AFTER:
        return False
    if _scores_in_a_row(text, m):
        return False
    # 120/80, 3/4 of the way: a date needs the digit run to stand alone.
    if m.start() > 0 and text[m.start() - 1] in "/.":
        return False
    # "1/2 tab", "strength 5/5", "2/6 SEM", "pain 8/10", "abx day 3/7", "PS 10/5": a score,
    # a fraction or a setting, unless something says it is a date ("on 4/5").
    parts = [int(p) for p in m.group().split("/")]
    if len(parts) == 2 and parts[1] <= 10 and not (before and before[-1] in _DATE_CONTEXT):
        return not _score(*parts, before[-1] if before else "", word_after(text, m.end()))
    return True


_SCORE_BEFORE = {
    "strength", "motor", "grip", "grips", "power", "str", "ue", "le", "rue", "lue", "rle", "lle",
    "bue", "ble", "bilat", "bilateral", "mae", "reflexes", "pulses", "pulse", "murmur", "grade",
    "gr", "gcs", "deltoid", "deltoids", "biceps", "triceps", "quads", "df", "pf", "ps", "peep",
    "bipap", "cpap", "settings", "setting", "vent", "day", "d", "relief", "cp", "epap", "ipap",
    "rated", "score", "tof", "weak", "weakness", "twitches", "alvarado", "heart", "wells",
    "apgar", "nihss", "cpot", "rass", "phq", "gad", "mmse", "moca", "curb", "limited",
    "apgars", "latch", "r", "l", "psv", "rails",
}  # fmt: skip
# Words near an x/10 that make it a scale: pain, anxiety, nausea.
_TEN_SCALE = regex.compile(
    r"(?i)\b(?:pain|cp|anxiety|anxious|nausea|sob|dyspnea|ha|headache|discomfort|pressure|latch"
    r"|rates?|rated|scale|score|severity|intensity|itch|craving|mood|energy|like|level)\b"
)
_SCORE_AFTER = {"sem", "hsm", "murmur", "bilat", "bilaterally", "throughout", "x4", "ns",
                "pulses", "reflexes", "sm", "dm", "holosystolic", "systolic", "diastolic", "cp",
                "ue", "le", "in", "ble", "bue", "rue", "lue", "rle", "lle", "pain", "ha",
                "headache", "twitches", "bottles", "sets", "cultures", "pos", "positive", "up",
                "way", "groups", "rails", "sessions", "doses", "meals"}  # fmt: skip


_DAY_BEFORE = regex.compile(
    r"(?:\b(?i:mon|tues?|wed|thu|thurs?|fri|sat|sun)(?i:day)?\.?,?|\b\d{1,2}/\d{1,2}\s?[-–])\s*$"
)
_TIME_AFTER = regex.compile(r"\s+(?:[01]\d|2[0-3])[0-5]\d(?!\d|\s*(?i:mg|ml|cc|g\b|kg|units?))")
_AFTER_PROCEDURE = regex.compile(r"(?i)\bs/p\s+(?:[\w&-]+\s+){1,3}$")


def _scores_in_a_row(text: str, m: regex.Match[str]) -> bool:
    """ "naming 14/20 (8/20 at eval)", "EPWORTH 16/24, STOP-BANG 6/8": beside a score out of
    the same total that cannot be a date, a fraction is a score too."""
    total = int(m.group().rsplit("/", 1)[-1])
    near = text[max(0, m.start() - 25) : m.start()] + " " + text[m.end() : m.end() + 25]
    return any(
        int(o["a"]) > 12 or total > 31
        for o in regex.finditer(rf"(?<![\d/])(?P<a>\d{{1,2}})/{total}(?![\d/])", near)
    )


def _score(a: int, b: int, before: str, after: str) -> bool:
    return (
        (a == b and a in {2, 5})  # "5/5" strength, "2/2" for "secondary to"
        or (a, b) == (1, 2)
        or before in _SCORE_BEFORE
        or after in _SCORE_AFTER
    )


_WEEKDAY_CONTEXT = _DATE_CONTEXT | {"til", "this", "every", "each", "mtg", "u", "fu", "visit",
                                    "meeting", "appt", "appointment", "home", "clinic", "or"}  # fmt: skip


_WEEKDAY_AFTER = regex.compile(
    r"\s*(?i:am|pm|a\.m\.|p\.m\.|nite|night|morning|afternoon|evening)\b"
)
_WEEKDAY_BEFORE = {"since", "arriving", "arrive", "arrives", "flying", "fly", "likely", "from",
                   "until", "til", "till", "on", "by", "next", "this", "last", "every", "each",
                   "before", "after", "thru", "through"}  # fmt: skip


def _weekday_short(text: str, m: regex.Match[str]) -> bool:
    """ "f/u mon", "next Thurs 3/25", "since SAT", "sat nite": a weekday abbreviated, not
    "o2 sat 91%" or "sun exposure"."""
    before = words_before(text, m.start(), 1)
    after = text[m.end() : m.end() + 12]
    if _WEEKDAY_AFTER.match(after) or (before and before[0] in _WEEKDAY_BEFORE):
        return before[:1] in (["next"], ["last"], ["this"], ["on"]) or not regex.match(r"\s*\d", after)
    if m.group().lower().rstrip(".") in {"tues", "thur", "thurs", "tue", "thu", "fri"}:
        return True  # no English word
    if m.group().lower().rstrip(".") == "mon" and not regex.match(r"\s*\d", after):
        return True
    opens = (
        not text[: m.start()].rstrip(" \t\"'(")
        or text[: m.start()].rstrip(" \t\"'(")[-1] in ".!?:\n"
    )
    if (
        m.group().istitle()
        and not opens
        and not regex.match(r"\s*(?:\d{2,3}\s*%|of\b|[<>=])", after)
    ):
        return True  # "fall Sat and", "next open chair is Sat 0600"; not "Sun protection tip"
    if regex.match(r"\s*(?:\d{1,2}/\d{1,2}|\d{1,2}(?::\d\d)?\s?(?i:am|pm|a|p)\b)", after):
        return True
    stop = m.group().endswith(".") or regex.match(r"\s*(?:[.,;)—–]|$|(?i:if|am|pm)\b)", after)
    if stop and not regex.search(r"(?i)(?:o2|spo2|%)\s*$", text[max(0, m.start() - 6) : m.start()]):
        return True  # "will visit sat.", "home wed if tolerating", "team conf wed —"
    if m.group().lower().rstrip(".") in {"sat", "sun", "wed"}:
        return bool(before) and before[0] in {"on", "until", "til", "till", "next", "this", "by"}
    return bool(before) and before[0] in _WEEKDAY_CONTEXT


def _month_year(text: str, m: regex.Match[str]) -> bool:
    """History shorthand: "MI 7/81", "fx 4/97", "3/2019" (a two-digit year above 31)."""
    before = words_before(text, m.start(), 2)
    if any(w in _FRACTION_CONTEXT for w in before) or word_after(text, m.end()) in _FRACTION_AFTER:
        return False
    if before and before[-1] in {"day", "d", "cycle", "dose", "week", "wk"}:
        return False  # "abx day 12/42"
    return not (m.start() > 0 and text[m.start() - 1] in "/.")


def _month_alone(text: str, m: regex.Match[str]) -> bool:
    word = m.group()
    before = words_before(text, m.start(), 1)
    if word[0].islower():
        may = {"in", "since", "until", "early", "late", "mid"}  # "this may be" is no month
        return bool(before) and before[0] in (may if word == "may" else _MONTH_CONTEXT)
    if before and before[0] in _MONTH_CONTEXT:
        return True
    return word.lower() not in {"may", "march", "august", "june", "april", "jan", "mar"}


def _month_short(text: str, m: regex.Match[str]) -> bool:
    """ "since Aug", "in jan": an abbreviated month after a word that dates it."""
    before = words_before(text, m.start(), 1)
    dated = bool(before) and before[0] in {"last", "since", "until", "next", "early", "late", "mid"}
    if m.group().rstrip(".").isupper() and not regex.match(r"\s*\d", text[m.end() :]) and not dated:
        return False  # "removed from MAR.", but "FROM LAST NOV"
    return bool(before) and before[0] in _MONTH_CONTEXT - {"of", "on"}


def _age(text: str, m: regex.Match[str]) -> str | bool:
    value = int(m.group("n"))
    if value > 125 or (m.start() > 0 and text[m.start() - 1] == "$"):
        return False
    return "AGE_90_PLUS" if value >= 90 else True


RULES = [
    Rule("DATE", rx(r"(?:(?<![\w/.:-])|(?<=\d/\d{1,2}-))(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/(?:\d{4}|\d{2}))?(?![\w/]|\.\d)"), 0.85, check=_numeric_date),
    Rule("DATE", rx(r"(?<![\w/.:-])(?:0?[1-9]|1[0-2])/(?:3[2-9]|[4-9]\d|0\d|(?:19|20)\d\d)(?![\w/%]|\.\d)"), 0.8, check=_month_year),
    Rule("DATE", rx(r"(?<![\w/.:-])(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])-(?:\d{4}|\d{2})(?![\w-])"), 0.85),
    Rule("DATE", rx(r"(?<![\w.])(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:\d{4}|\d{2})(?!\w|\.\d)"), 0.7),
    Rule("DATE", rx(r"(?<![\w-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w-])"), 0.95),
    Rule("DATE", rx(rf"\b{_MONTH_CI}\.?\s+(?:(?i:the)\s+)?\d{{1,2}}(?i:{_ORD})\b{_YEAR}"), 0.9),
    Rule("DATE", rx(rf"\b(?:the\s+)?\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MONTH_CI}\b\.?{_YEAR}"), 0.9),
    Rule("DATE", rx(rf"\b{_MONTH_CI}\.?,?\s+(?:\d{{4}}\b|['’]\d{{2}}\b)"), 0.85),
    Rule("DATE", rx(rf"\b\d{{1,2}}-{_MONTH_CI}\b(?:-(?:\d{{4}}|\d{{2}})\b)?"), 0.85),
    # An age over 89 in brackets after a name, or with its unit: "wife Eulalia (95)", "(93 Y)".
    Rule("AGE_90_PLUS", rx(r"(?:(?<=\p{L}\.?\s)\((?P<n>9\d|1[01]\d)(?:\)|!|,\s)|\((?P<n>9\d|1[01]\d)\s?(?i:y|yo|yrs?|y/o)\))"), 0.75, group="n"),
    Rule("DATE", rx(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|JANUARY|FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\b"), 0.7, check=_month_alone),
    Rule("DATE", rx(r"\b(?i:january|february|march|april|may|june|july|august|september|october|november|december)\b"), 0.7, check=_month_alone),
    Rule("DATE", rx(r"\b(?i:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?"), 0.7, check=_month_short),
    Rule("DATE", rx(rf"\b{_WEEKDAY}\b"), 0.9),
    Rule("DATE", rx(r"\b(?i:mon|tues?|wed|thu|thur|thurs|fri|sat|sun)\b\.?"), 0.75, check=_weekday_short),
    Rule("DATE", rx(rf"\b(?i:{HOLIDAYS})\b"), 0.85),
    Rule("DATE", rx(r"\b(?i:on|since|from|until|till|by|after|before)\s+(?i:the)\s+((?:[12]?\d|3[01])(?i:st|nd|rd|th))\b(?!\s+(?i:floor|percentile|grade|time|day|week|month|year|cycle|dose|line|degree|rib|toe|finger|ics|intercostal|trimester|birthday|attempt|round|generation|century))"), 0.8, group=1),
    Rule("TIME_CUE", rx(r"(?<![\w:.])(?:[01]?\d|2[0-3]):[0-5]\d(?:\s?(?i:[ap]\.?m\.?))?(?![\w:])"), 0.8),
    Rule("TIME_CUE", rx(r"\b(?:1[0-2]|0?[1-9])\s?(?i:[ap]\.?m\b\.?)"), 0.8),
    Rule("TIME_CUE", rx(r"\b(?:at|around|@)\s+((?:[01]\d|2[0-3])[0-5]\d)(?:\s?(?i:h|hrs|hours))?\b"), 0.75, group=1),
    Rule("AGE", rx(r"\b(?P<n>\d{1,3})(?:\s|-)?(?i:years?|yrs?|y)(?:\s|-)?(?i:old|o\b\.?|/o)"), 0.9, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?P<n>\d{1,3})\s?(?i:yo|y\.o\.)(?:[mf]\b)?"), 0.9, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"(?<![\w$.])(?P<n>\d{1,3})\s?(?i:[mf])\b"), 0.75, check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?i:aged?|age\sof|turned|turning|turns)(?:\s*:\s*|\s+)(?P<n>\d{1,3})\b"), 0.85, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"\b(?:(?i:she|he|they|who|patient|pt)(?:\s+(?i:is|was)|['’](?i:s))|(?i:i\s+am|i['’]m)(?:\s+(?i:now))?)\s+(?P<n>\d{1,3})\b(?!\s*(?:%|percent|kg|lb|cm|mm|weeks|days|months|hours|minutes|times|pounds))"), 0.75, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE", rx(r"(?<=\p{L}\.?,\s)(?P<n>\d{1,3})(?=[,)]|\s(?:came|comes|was|is|presented|with|from|had|who|and|[-–—]\s))"), 0.7, group="n", check=_age, retypes=("AGE_90_PLUS",)),
    Rule("AGE_90_PLUS", rx(r"\b(?i:in\s(?:her|his|their)\s)(?P<n>(?:9\d|1[01]\d)s|nineties)\b"), 0.85, group="n"),
    # "Harold Jennings was 97, a retired machinist", "grandma was 93 and dying".
    Rule("AGE_90_PLUS", rx(r"(?:\b\p{Lu}\p{Ll}+,?\s+(?i:was|is|turned|turns)|\b(?i:grandma|grandpa|granny|grandad|nana|nan|gran|baba|mama|papa|mom|mum|dad|mother|father|wife|husband|aunt|uncle|she|he|who|shes|hes)(?:\s+(?i:was|is|turned|turns))?)\s+(?P<n>9\d|1[01]\d)(?=\s*(?:[,.!;)]|(?i:and|when|but|yrs?|years)\b))"), 0.8, group="n"),
    Rule("AGE_90_PLUS", rx(r"\b(?P<n>9\d|1[01]\d)\s+(?i:years?|yrs?)\s+(?i:young|old)\b"), 0.85, group="n"),
    # "GUILLERMO REYES, 91 YRS.": years alone that cannot be a span of time lived through.
    Rule("AGE_90_PLUS", rx(r"(?<!(?i:for|x|smoked|smoking|over|past|last|than|about|nearly|almost|~)\s)\b(?P<n>9\d|1[01]\d)\s?(?i:yrs?|years?)\b(?!\s+(?i:ago|of|since|later|before|after|prior|earlier|history|hx|duration|in|with|w/|on|smoking|now))"), 0.8, group="n"),
    Rule("AGE_90_PLUS", rx(r"(?<=\)\s?,\s)(?P<n>9\d|1[01]\d)(?=,)"), 0.75, group="n"),
    # After a titled name, as sign-outs list patients: "mrs gallo 95, comfort care".
    Rule("AGE_90_PLUS", rx(r"\b(?i:mr|mrs|ms|miss|mx)\.?\s+\p{L}[\p{L}'’-]+,?\s+(?P<n>9\d|1[01]\d)(?=\s*[,;)]|\s?(?i:[mf]|yo|y/o)\b)"), 0.8, group="n"),
]  # fmt: skip

recognizer = RuleRecognizer("dates_and_ages", RULES)
