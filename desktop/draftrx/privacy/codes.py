"""Contact details, numbers and codes: phone, e-mail, URL, IP, SSN, record and plan numbers,
licences, plates, serials, rooms and any other code that looks unique."""

from __future__ import annotations

import ipaddress

import regex

from draftrx.privacy.rules import Rule, RuleRecognizer, rx, words_before

# A code after a cue word: at least three digits, letters and dashes allowed.
_CODE = r"(?P<code>(?=[\w-]*\d[\w-]*\d[\w-]*\d)[A-Za-z0-9]+(?:[-./][A-Za-z0-9]+)*)"
_LEAD = (
    r"(?:\s*(?i:last\s+(?:4|four)(?:\s+digits)?|ending(?:\s+in)?))?"
    r"(?:\s*(?i:number|num|no\.?|nbr|id|\#|code))?(?:\s*(?:is|was|:|\#|-))?\s*\#?\s*"
)

_CUES = {
    "VEHICLE": r"license\splate|licence\splate|plate(?:\snumber)?|tag\snumber|vin|vehicle|rego|reg",
    "DEVICE": r"serial(?:\snumber)?|s/n|sn|device(?:\sid)?|imei|udi|lot|model\snumber",
    "LICENSE": r"driver'?s\slicen[cs]e|licen[cs]e|lic|dl|dea|npi|certificate|cert|permit|badge",
    "HEALTH_PLAN": r"medicare|medicaid|member|policy|subscriber|group|plan|insurance|beneficiary|mbi|hicn?",
    "ACCOUNT": r"account|acct|a/c|invoice|billing|claim|card|routing|iban",
    "MRN": r"mrn|mr\#|medical\srecord|record|chart|patient\sid|pt\sid|hospital\snumber|case\snumber|encounter|visit\sid|fin|accession",
    "SSN": r"ssn|social\ssecurity|social",
}  # fmt: skip

_UNIT_SUFFIX = regex.compile(
    r"(?i)\d(?:mg|mcg|µg|g|kg|ml|cc|l|mmol|meq|iu|u|units|mmhg|bpm|cm|mm|km|lbs?|hrs?|min|k)$"
)
# Shorthand that looks like a code: ranges ("20-30", "70-80s", "1900-0700"), vent settings
# ("600x12"), shift times ("11p-7a"), decades ("80s").
_MEASURE = regex.compile(
    r"(?i)^(?:\d{1,4}(?:\.\d+)?s?(?:-\d{1,4}(?:\.\d+)?s?)?|\d{2,4}x\d{1,3}"
    r"|\d{1,2}(?::?\d\d)?[ap]m?-\d{1,2}(?::?\d\d)?[ap]m?|\d+(?:\.\d+)?(?:x\d+(?:\.\d+)?){1,2}(?:cm|mm|in)?"
    r"|\d+(?:-\d+)?(?:h|hr|hrs|d|wk|wks|ft|in|mo|y|yr|yrs|cmh2o|mmh2o)|\d*q\d+(?:-\d+)?h)$"
)
_CLINICAL_CODES = regex.compile(
    r"(?i)^(?:covid-?19|sars-cov-?2|h\dn\d|hba1c|spo2|t[12]dm|[a-z]\d{1,2}|ca-?(?:19-9|125|15-3|27-29)|e\dv\d?t?m\d|g\d{1,2}p\d{1,4}|\d{1,2}w\d?d?)$"
)


# Public health bodies: a link to them is a citation, not something that points to a patient.
_PUBLIC_DOMAINS = {"who.int", "nhs.uk", "mayoclinic.org", "clevelandclinic.org", "heart.org",
                   "cancer.org", "diabetes.org", "aap.org", "aafp.org", "acog.org", "lung.org",
                   "healthychildren.org", "cochrane.org", "cochranelibrary.com", "ama-assn.org"}  # fmt: skip


def _private_url(text: str, m: regex.Match[str]) -> bool:
    host = regex.sub(r"(?i)^(?:https?://)?(?:www\.)?", "", m.group()).split("/")[0].lower()
    public = host.endswith((".gov", ".edu", ".int", ".gov.uk", ".nhs.uk", ".mil")) or any(
        host == d or host.endswith("." + d) for d in _PUBLIC_DOMAINS
    )
    return not public and host not in {"example.org", "example.com", "example.net"}


def _ip(text: str, m: regex.Match[str]) -> bool:
    try:
        ipaddress.ip_address(m.group())
    except ValueError:
        return False
    return True


def _luhn(text: str, m: regex.Match[str]) -> bool:
    digits = [int(c) for c in m.group() if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                for i, d in enumerate(reversed(digits)))  # fmt: skip
    return total % 10 == 0


def _generic_code(text: str, m: regex.Match[str]) -> bool:
    code = m.group()
    if _UNIT_SUFFIX.search(code) or _CLINICAL_CODES.match(code) or _MEASURE.match(code):
        return False
    digits = sum(c.isdigit() for c in code)
    letters = sum(c.isalpha() for c in code)
    if letters:
        return digits >= 3 and len(code) >= 5
    return digits >= 7


_PHONE_CUES = {"call", "phone", "ph", "tel", "fax", "cell", "mobile", "text", "pager", "ext",
               "at", "number", "dial", "contact", "reached", "cb", "callback", "home", "work",
               "paged", "page", "pgr", "pg", "beeper", "x", "rn", "np", "md", "dr", "p"}  # fmt: skip


def _phone_cued(text: str, m: regex.Match[str]) -> bool:
    return any(w in _PHONE_CUES for w in words_before(text, m.start(), 3))


def _local_number(text: str, m: regex.Match[str]) -> bool:
    """ "555-0193": a local phone number, unless a range of amounts ("250-1000 mL")."""
    if _phone_cued(text, m):
        return True
    after = text[m.end() : m.end() + 6].lstrip().lower()
    if regex.match(r"\d*0[-.]\d*00\b", m.group()):
        return False  # "IS 750-1000"
    return m.group()[0] in "23456789" and not regex.match(
        r"(?:ml|cc|mg|mcg|units?|kcal|l\b)", after
    )


def _cued(type_: str, cue: str) -> Rule:
    pattern = rx(rf"(?<![\w])(?i:{cue})(?!\w){_LEAD}{_CODE}(?![\w-])")
    return Rule(type_, pattern, 0.9, group="code", check=_not_a_year_or_measure)


def _not_a_date_or_measure(text: str, m: regex.Match[str]) -> bool:
    code = m.group("code")
    return _not_a_year_or_measure(text, m) and not regex.fullmatch(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?", code)


def _not_a_year_or_measure(text: str, m: regex.Match[str]) -> bool:
    code = m.group("code")
    return not (_UNIT_SUFFIX.search(code) or regex.fullmatch(r"(?:19|20)\d\d", code))


RULES = [
    Rule("EMAIL", rx(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.\p{L}{2,}\b"), 0.95),
    Rule("URL", rx(r"\b(?i:https?://|www\.)[^\s<>\"'()]+(?<![.,;:!?])"), 0.95, check=_private_url),
    Rule("URL", rx(r"(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|us|uk|ca|au|de|health|info|me|ly|app|md|care|clinic)(?:/[^\s<>\"'()]*)?(?<![.,;:!?])(?![\w@-])", regex.IGNORECASE), 0.85, check=_private_url),
    Rule("NAME", rx(r"(?<![\w.@])@(?!\d+[a-z]{0,3}\b)[A-Za-z0-9_]{2,30}(?:\.[A-Za-z0-9_]+)*\b"), 0.9),
    Rule("IP_ADDRESS", rx(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)"), 0.9, check=_ip),
    Rule("IP_ADDRESS", rx(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::?[0-9A-Fa-f]{1,4}){1,7})(?![\w:])"), 0.8, check=_ip),
    Rule("SSN", rx(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])"), 0.9),
    Rule("PHONE", rx(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)[\s-]?|\d{3}\s?[\s./*-]\s?)\d{3}\s?[\s./*-]\s?\d{4}(?:,?\s*(?i:ext\.?|x|extension)\s*\d{1,5})?(?![\w-])"), 0.9),
    Rule("PHONE", rx(r"(?<![\w-])\d{10}(?![\w-])"), 0.8, check=_phone_cued),
    Rule("PHONE", rx(r"(?<![\w-])\(\d{3}\)\s?\d{7}(?![\w-])"), 0.9),
    Rule("PHONE", rx(r"(?<![\w])(?i:pager|pgr|pg|beeper|bpr|paged|p(?=\s?\#)|ext|extension)\.?\s*(?:\#|(?i:no)\.?|(?i:number))?\s*:?\s*\#?\s*(?P<p>\d(?:[- ]?\d){3,9})(?![\w-])"), 0.85, group="p"),
    Rule("PHONE", rx(r"(?<![\w-])\+(?:[2-9]\d{0,2})[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?![\w-])"), 0.75),
    Rule("PHONE", rx(r"(?<![\w-])\d{3}[-.]\d{4}(?:\s?(?i:x|ext\.?)\s?\d{1,5})?(?![\w-]|\.\d)"), 0.7, check=_local_number),
    Rule("PHONE", rx(r"(?<![\w-])\d{3}\s\d{4}(?![\w-])"), 0.7, check=_phone_cued),
    # A number dialled with its trunk 0, as in the UK, Nigeria or India: "01422 555 019".
    Rule("PHONE", rx(r"(?<![\w.-])0\d{2,4}[\s-]\d{3}[\s-]\d{3,4}(?![\w-])"), 0.8),
    # Hospital extensions and pagers: "paged 4-4102", "Dr Oyelaran p 38815".
    Rule("PHONE", rx(r"(?<![\w-])\d-\d{4}(?![\w-])"), 0.75, check=_phone_cued),
    Rule("PHONE", rx(r"(?<![\w])(?i:p)\s?(?P<p>\d{5})(?![\w-])"), 0.75, group="p"),
    Rule("ACCOUNT", rx(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])"), 0.8, check=_luhn),
    *[_cued(t, c) for t, c in _CUES.items()],
    Rule("ROOM", rx(r"(?<![\w])(?<!(?i:family|conference|waiting|break|quiet)\s)(?i:room|rm|bed|bay|cubicle|stretcher|suite|apt|apartment|ldr|resus|chair|fast\s+track|trauma|theatre|cell|isolette|crib|warmer|bldg|building|hall(?:way)?(?=\s*\d{1,2}\b))\.?\s*\#?\s*(?P<code>\d{1,4}-\d{1,4}|\d{1,2}[A-Za-z]{1,2}-\d{1,4}|\d{1,4}(?:-?[A-Za-z])?|(?![xX]\d)[A-Za-z]{1,4}-?\d{1,4}|[B-D](?=\s+\S)|[A-D](?=\s+(?:w/|with)\b|[.,;:)]|\s*$)|[b-d](?=[.,;:)]|\s*$))(?![\w-])"), 0.9, group="code"),
    # A patient placed by a bare number: "pt in 612", "mr. haddad in 9", "my pt in 11".
    Rule("ROOM", rx(r"(?i:\bpts?|\bpatient|\bgentleman|\blady|\bresident|\bmum|\bmom|\bdoing\s+great|\b(?:mr|mrs|ms)\.?\s+[\p{L}'’-]+)\s+(?i:in)\s+(?P<code>\d{1,4}[A-Za-z]?)\b(?!\s*(?:%|/|\.\d|(?i:mg|ml|min|hours?|hrs?|days?|weeks?|wks?|months?|yrs?|years?|am|pm)\b))"), 0.75, group="code"),
    # An ICU bed by its unit: "micu 6", "CICU 2", not "icu 2 days" or "icu x2".
    Rule("ROOM", rx(r"(?<![\w])(?i:[a-z]{1,3}icu|ccu|pacu|sdu|pcu|imcu|tcu)(?:\s?\#?|-)(?P<code>\d{1,3}[A-Za-z]?)(?![\w-])(?!\s*(?i:days?|d\b|hrs?|h\b|hours?|wks?|weeks?))"), 0.8, group="code"),
    # A sign-out list that opens each line with the room: "- 5102 ferreira-lopes 55f",
    # "1. 2231 - NOWAK, TERESA 81 F": the number before a patient's age and sex.
    Rule("ROOM", rx(r"(?m)^[ \t]*(?:[-•*▪]|\d{1,2}[.)])?[ \t]*(?P<code>\d{3,4}[A-Za-z]?)(?=[ \t]*[-–—:]?[ \t]+\p{L}[^\n]{0,50}?\b\d{1,3}[ \t]?(?i:[mf]|yo|y/o)\b)"), 0.8, group="code"),
    # Numbers that name a person elsewhere: "interpreter id #4412", "DOC #884213", "vet ID 7712".
    Rule("ID", rx(rf"(?<![\w])(?i:(?:interpreter|inmate|doc|offender|employee|staff|vet|veteran|client|case|ticket|confirmation|reference|ref|tracking|edipi)(?:\s+id)?|id(?=\s*[\#:\d]|\s+(?:number|no\.)))(?!\w){_LEAD}{_CODE}(?![\w-])"), 0.85, group="code", check=_not_a_date_or_measure),
    # An operating room by its number, in capitals: "OR 7", not "5 OR 7 DAYS".
    Rule("ROOM", rx(r"(?<!\b\d{1,2}\s)\bOR\s?(?P<code>\d{1,2})\b(?!\s*(?i:days?|times|hours?|hrs?|weeks?|wks?|mg|ml|more|less|so|lbs?|kg|g|pounds?|in|cm|mm|x|mins?|minutes)\b|\s*[%/.-]\d)"), 0.8, group="code"),
    # An interpreter by number: "interpreter used (#22817)", "int #2291".
    Rule("ID", rx(r"(?i:\binterpreter|\bint)\b[^\n\#]{0,25}\#\s?(?P<code>\d{3,8})\b"), 0.8, group="code"),
    # A plate written in two groups: "MA PLATE 3HX 771", "(plate 8HRT 552)".
    Rule("VEHICLE", rx(r"(?i:plate|tag|reg|rego)\s*(?:\#|number|no\.?)?\s*:?\s*(?P<code>(?=[A-Za-z0-9 -]*\d)[A-Za-z0-9]{2,4}[ -][A-Za-z0-9]{2,4})(?![\w-])"), 0.8, group="code"),
    Rule("ID", rx(r"(?<![\w-])(?=[\w-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])"), 0.6, check=_generic_code),
]  # fmt: skip

recognizer = RuleRecognizer("numbers_and_codes", RULES)
