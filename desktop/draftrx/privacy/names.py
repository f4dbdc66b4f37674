"""Names of patients, relatives and staff: full names, surnames after a title ("Mrs. K."),
initials ("J.M."), nicknames after a relation ("her son Bobby"), all-caps notes.

Census name lists give the candidates; capitalisation, the words around a candidate and how
common it is as an English word decide. Capitalisation is evidence, not a requirement: a
word after a title, a relation or a care role is a name in any case ("dr hale", "son
mateo", "per novak rn"). A line written all in capitals (or in Title Case) carries no
capitalisation signal, and neither does a note typed in lower case: there the context and
the dictionaries must agree, and clinical vocabulary ("LEVO", "bolus", "MAE") is never a name.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import Enum

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import lexicon, shorthand

_TOKEN = regex.compile(r"\p{L}[\p{L}'’-]*")
_POSSESSIVE = regex.compile(r"(?:['’]s|s['’]|['’])$")
_INITIALS = regex.compile(r"(?<![\w.])(?:\p{Lu}\.\s?){2,3}(?!\w)")

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "nurse", "prof", "professor", "sister",
    "father", "rev", "reverend", "officer", "sgt", "sergeant", "captain", "capt", "coach",
    "pastor", "judge", "grandma", "grandpa", "granny", "nana", "papa", "uncle", "aunt",
    "auntie", "cousin", "baby", "sir", "madam", "lady", "mister", "señor", "señora", "frau",
    "herr", "mme", "mlle", "pa", "np", "rn", "md",
}  # fmt: skip
RELATIONS = {
    "son", "daughter", "wife", "husband", "mother", "mom", "mum", "dad", "brother", "sister",
    "niece", "nephew", "grandson", "granddaughter", "grandmother", "grandfather", "partner",
    "fiancé", "fiance", "fiancée", "friend", "neighbor", "neighbour", "boyfriend", "girlfriend",
    "caregiver", "twins", "twin", "baby", "patient", "pt", "resident", "client", "named",
    "called", "nicknamed", "née", "nee", "spouse", "child", "boy", "girl", "kid", "kids",
    "stepson", "stepdaughter", "sibling", "roommate", "colleague", "coworker", "mrs", "mr",
    "ms", "dear", "hi", "hello", "hey", "thanks", "congrats", "congratulations", "aka",
}  # fmt: skip
# Cues that make the next word a name whatever its case. A title is followed by a name unless
# by a word that says what the person did; care roles need a word that is not clinical
# vocabulary ("staff aware", "pt/ot: min assist").
CASELESS_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "rev",
                   "reverend", "pastor", "fr", "rabbi", "imam"}  # fmt: skip
CARE_ROLES = {
    "nurse", "rn", "np", "pa", "md", "attending", "resident", "intern", "fellow", "pcp", "sw",
    "staff", "chaplain", "pharmacist", "cardiologist", "surgeon", "hospitalist", "oncologist",
    "neurologist", "intensivist", "nephrologist", "coordinator", "manager", "pharmd",
    "cm", "ot", "pt/ot", "rt", "lpn", "cna", "tech",
    "interpreter", "sitter", "proxy", "hcp", "poa", "guardian", "caregiver", "therapist", "crna",
    "mgr", "attn", "lc", "pca", "ma", "scribe", "preceptor", "rph", "cde", "chw", "officer",
    "navigator", "advocate", "worker", "rep", "ofc", "srna", "pct", "nf", "counselor",
    "dietitian", "nutritionist", "aide", "doula", "midwife", "paramedic", "medic", "emt",
}  # fmt: skip
# Kin take a given name even when it is also a word ("wife rose", "son will called").
KIN = {
    "son", "daughter", "dtr", "dau", "wife", "husband", "hus", "mother", "mom", "mum", "dad",
    "father", "brother", "bro", "sister", "sis", "niece", "nephew", "grandson", "granddaughter",
    "grandmother", "grandfather", "partner", "fiancé", "fiance", "fiancée", "friend", "neighbor",
    "neighbour", "boyfriend", "girlfriend", "spouse", "stepson", "stepdaughter", "uncle", "aunt",
    "cousin", "sponsor", "boy", "girl", "son-in-law", "daughter-in-law", "sister-in-law",
    "brother-in-law", "mother-in-law", "father-in-law", "stepmother", "stepfather", "grandma",
    "grandpa", "granny", "nana", "godson", "goddaughter", "ex-wife", "ex-husband",
}  # fmt: skip
KIN_PLURAL = {
    "sons", "daughters", "dtrs", "brothers", "sisters", "grandsons", "granddaughters",
    "grandchildren", "children", "kids", "nieces", "nephews", "parents", "siblings",
}  # fmt: skip
# Care roles written after a name: "per novak rn", "d/w Okafor NP".
ROLE_AFTER = {
    "rn", "np", "pa", "md", "do", "lpn", "cna", "crna", "cnm", "msw", "lcsw", "pharmd", "rt",
    "pa-c", "dnp", "mph", "phd", "rph", "licsw", "lmsw", "bsn", "aprn", "fnp", "dpt", "otr",
    "slp", "lmhc", "lmft", "psyd", "cnp", "acnp", "rd", "rrt", "ccrn", "lcsw-r", "sw", "pmhnp",
    "agacnp", "fnp-c", "anp", "whnp", "ibclc", "ma", "pca", "crnp",
}  # fmt: skip
# Months that are also given names: after a relation they are the name ("daughter April").
_MONTH_NAMES = {"april", "may", "june", "august", "january"}
# Titles written with a full stop ("Dr. Read"); "RN." ends a signature, not a title.
_DOTTED = {"mr", "mrs", "ms", "mx", "dr", "prof", "rev", "sgt", "capt", "fr", "st"}
# Given names that are also auxiliaries: "son will called" is a name, "son will call" is not.
_MODAL_NAMES = {"will", "may", "can", "june", "april", "august"}
# What follows a title or a role when it is not a name.
_STATUS = {
    "aware", "notified", "paged", "called", "updated", "informed", "made", "here", "present",
    "at", "in", "to", "on", "was", "is", "said", "says", "states", "stated",
    "ordered", "orders", "order", "note", "notes", "consulted", "consult", "came", "saw", "seen",
    "recommends", "recs", "rec", "agrees", "agreed", "office", "team", "service", "requested",
    "appt", "appointment", "visits", "rounds", "instructions", "letter",
    "wants", "feels", "thinks", "reports", "reported", "visited", "visit", "spoke", "discussed",
    "following", "follows", "covering", "coverage", "attending", "resident", "ok", "okay", "re",
}  # fmt: skip
EPONYM_NOUNS = {
    "disease", "syndrome", "palsy", "sign", "test", "criteria", "score", "maneuver",
    "manoeuvre", "reflex", "phenomenon", "law", "scale", "tumor", "tumour", "lymphoma",
    "sarcoma", "ulcer", "fracture", "node", "nodes", "procedure", "operation", "method",
    "technique", "rule", "disorder", "anomaly", "deformity", "murmur", "triad", "classification",
    "equation", "formula", "solution", "position", "catheter", "tube", "forceps", "virus",
    "encephalopathy", "dementia", "thyroiditis", "cyst", "sheath", "duct", "point",
}  # fmt: skip
EPONYMS = {
    "parkinson", "alzheimer", "crohn", "hashimoto", "graves", "hodgkin", "cushing", "addison",
    "tourette", "asperger", "raynaud", "sjogren", "sjögren", "huntington", "kawasaki", "meniere",
    "ménière", "wernicke", "korsakoff", "guillain", "barré", "barre", "epstein", "apgar",
    "glasgow", "heimlich", "valsalva", "babinski", "mcburney", "kernig", "brudzinski",
    "trendelenburg", "foley", "whipple", "alvarado", "braden", "morse", "ranson", "wells",
    "nissen", "bell", "quinton", "pfannenstiel", "berg", "bishop", "dexcom", "down", "lyme",
    "tylenol", "advil", "zarit", "rogers",
    "motrin", "benadryl", "lipitor", "ozempic", "wegovy", "botox", "lasix", "xanax", "zoloft",
    "prozac", "narcan", "epipen", "sudafed", "claritin", "zyrtec", "aleve", "aspirin",
}  # fmt: skip
# Census surnames that, capitalised before a name, are a sentence's first word instead:
# "In Ashbury Vale ..." (the name may still end in one: "Ji-woo In").
LEADING_WORDS = {"in", "on", "to", "from", "by", "at", "for", "with", "after", "before"}
# Capitalised words that are in the census lists but are almost never names in a post.
NOT_NAMES = {
    "god", "jesus", "lord", "christ", "christian", "muslim", "jewish", "i", "covid", "medicare",
    "medicaid", "america", "american", "americans", "english", "spanish", "french", "german",
    "white", "black", "asian", "hispanic", "latino", "latina", "caucasian", "african", "native",
    "doctor", "nurse", "patient", "patients", "hospital", "clinic", "emergency", "health",
    "care", "medical", "center", "memorial", "general", "university", "department", "unit",
    "street", "avenue", "road", "lane", "drive", "court", "north", "south", "east", "west",
    "saint", "st", "dob", "dx", "hx", "pt", "rx", "tx", "sx", "fx", "mrn", "ssn", "npi", "dea",
    "ok", "okay", "yes", "no", "hi", "hello", "hey", "thanks", "dear", "reply", "replying",
    "fact", "myth", "tip", "note", "update", "reminder", "pro", "fyi", "ps", "re", "fwd",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "christmas", "easter", "thanksgiving", "halloween", "eve", "day", "new", "year",
    "labor", "delivery", "step", "plan", "blue", "cross", "shield", "urgent", "cardiac",
    "covid-19", "lab", "labs", "vitals", "bp", "hr", "ct", "mri", "ekg", "ecg", "er", "ed",
    "icu", "or", "the", "and", "but", "so", "if", "we", "you", "he", "she", "they", "it", "my",
    "our", "her", "his", "their", "this", "that", "what", "when", "why", "how", "who", "please",
    "happy", "great", "good", "best", "wife", "husband", "son", "daughter", "mom", "dad",
}  # fmt: skip


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    low: str  # lower-case, possessive removed

    @property
    def cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def upper(self) -> bool:
        return self.text.isupper()


class _Case(Enum):
    """What capitalisation says on a line."""

    SIGNAL = "signal"  # ordinary writing: a capital letter is evidence
    TITLE = "title"  # Title Case (a heading, a list of names): capitals say little
    UPPER = "upper"  # all capitals, as notes often are: none; context and lists decide
    LOWER = "lower"  # typed in lower case: a lower-case word may still be a name


def _known_name(low: str) -> bool:
    parts = [p for p in low.split("-") if p]
    return (
        _in_dict(low)
        and not _vocab(low)
        and not any(p in STOP_WORDS or p in KIN or p in CARE_ROLES for p in parts)
        and not lexicon.is_inflection(low)
        and (len(parts) < 2 or not any(_vocab(p) or p in lexicon.ordinary_words() for p in parts))
    )


def _name_word(low: str) -> bool:
    """In a name list: the census's or Philter's (the larger one only after a cue)."""
    return _in_dict(low) or low in lexicon.more_names() or bool(_CELTIC.match(low))


_CELTIC = regex.compile(r"^(?:o['’]|mc|mac|d['’])\p{L}{3,}$")


def _cued(text: str, toks: list[_Tok], i: int) -> float:
    """A name whatever its case, from the word before ("dr hale") or after ("hale rn")."""
    t = toks[i]
    prev = toks[i - 1] if i else None
    kin = prev is not None and prev.low in KIN
    if len(t.text) < 2 or t.low in _STATUS or not _shape(t.text):
        return 0.0
    if t.low in NOT_NAMES and not (kin and t.low in _MONTH_NAMES):
        return 0.0
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.low in STOP_WORDS and not (
        t.low in _MODAL_NAMES and nxt and regex.search(r"(?:ed|[^s]s)$", nxt.low)
    ):
        return 0.0
    initial = prev is not None and len(prev.text) == 1 and text[prev.end : t.start].strip() == "."
    cue_before_initial = i >= 2 and toks[i - 2].low in CASELESS_TITLES | CARE_ROLES | KIN
    if initial and cue_before_initial and (_name_word(t.low) or not _clinical(t.low)):
        return 0.9  # "dr s. baptiste", "sw o. eriksen"
    if prev is not None:
        gap = text[prev.end : t.start].strip(" ")
        # "dr. hale", not "talk to your doctor. Read more": a full word then "." ends a sentence.
        gauge = prev.low == "fr" and regex.search(r"\d\s*$", text[: prev.start])  # "8 Fr port"
        dotted = gap == "" or (gap == "." and len(prev.low) <= 4)
        if dotted and prev.low in CASELESS_TITLES and not gauge:
            # After "dr", "mrs", "rev": any word but what a doctor does ("dr aware", "dr
            # notified", "dr appt"); "dr feldspar" is a name even if a dictionary knows it.
            words = lexicon.ordinary_words()
            verb = t.low in words or lexicon.is_inflection(t.low) or t.low in shorthand.SETTINGS
            return 0.95 if _name_word(t.low) or not verb else 0.0
        if (
            gap in {"", ":", "-", "(", ","}
            and prev.low in CARE_ROLES | KIN
            and _takes(t, kin, text)
        ):
            return 0.9
    handoff = _HANDOFF.match(text, t.end) or _HANDOFF_BEFORE.search(
        text, max(0, t.start - 6), t.start
    )
    if handoff and (_plain_name(t.low) or t.low in lexicon.given_names()):
        return 0.85  # a handoff: "pham -> delacroix", "Kwame -> Dr. Ostrovsky"
    if (
        _IN_PARENTHESES.match(text, max(0, t.start - 2))
        and text[t.end : t.end + 1] == ")"
        and (len(t.text) > 2 and not t.upper and _plain_name(t.low))
    ):
        return 0.8  # "nf (hiroshi)", "security (benedek)", "bed 9 (luong)"
    if _ROLE_IN_PARENTHESES.match(text, t.end) and not _clinical(t.low):
        return 0.85  # "w/ jade (pca)", "saoirse (sw)"
    if (
        _BEFORE_ROOM.match(text, t.end)
        and _plain_name(t.low)
        and (_line_start(text, t.start) or t.low in lexicon.surnames())
    ):
        return 0.85  # a sign-out list: "- ocampo rm 912: sbo"
    if _listed_after_kin(text, toks, i):
        return 0.85  # "sons george and kostas"
    if (
        prev is not None
        and prev.low in {"pt", "patient", "name"}
        and (
            text[prev.end : t.start].strip(" ") in {"", ":"}
            and _name_word(t.low)
            and not _clinical(t.low)
            and not lexicon.is_inflection(t.low)
        )
    ):
        return 0.85  # "PATIENT MARIA GONZALEZ", "pt: ruiz"
    if _NAMED.search(text, max(0, t.start - 40), t.start) and not _clinical(t.low):
        return 0.85  # "his name is mateo", "identified himself as dmitri"
    if _SIGN_OUT.search(text, max(0, t.start - 16), t.start) and (
        (_name_word(t.low) and t.low not in lexicon.ordinary_words())
        or (_AGE_SEX.match(text, t.end) and t.low not in shorthand.SETTINGS)
    ):
        return 0.85  # a sign-out: "rm 304 mcbride - hold heparin", "bed 8 stone 54f"
    if nxt and nxt.low in ROLE_AFTER and _before_role(text, t, nxt):
        gap = text[t.end : nxt.start].strip(" ")
        before = text[prev.end : t.start].strip(" ") if prev else ""
        after_initial = prev is not None and len(prev.text) == 1 and before == "."
        cued_before = prev is not None and prev.low in CARE_ROLES | KIN | CASELESS_TITLES
        if gap in {"", ","} and (before != "." or after_initial) and not cued_before:
            return 0.85
    if (
        _SIGNED.search(text, max(0, t.start - 4), t.start)
        and not _clinical(t.low)
        and (
            nxt is None
            or nxt.low in ROLE_AFTER
            or text[t.end : nxt.start].strip(" ") in {",", "\n"}
        )
    ):
        return 0.8  # a note signed: "-obi", "— Teixeira, PMHNP"
    if (
        nxt
        and nxt.low in ROLE_AFTER
        and len(t.text) == 2
        and t.text.isalpha()
        and (text[max(0, t.start - 3) : t.start].strip(" ") in {"-", "—"})
    ):
        return 0.8  # initials signing a note: "- tk rn"
    return 0.0


def _listed_after_kin(text: str, toks: list[_Tok], i: int) -> bool:
    """A name in a list that a relation opens: "sons patrick and will", "SONS GEORGE AND
    KOSTAS", "daughters: Ana, Bea"."""
    j = i
    while j > 0 and i - j < 6:
        glue = text[toks[j - 1].end : toks[j].start]
        if toks[j - 1].low in KIN_PLURAL and glue.strip(" ") in {"", ":"}:
            return _takes(toks[i], kin=True)
        if toks[j - 1].low in _CONJUNCTIONS and glue == " ":
            j -= 1
            continue
        if glue not in _LIST_GLUE and glue != " ":
            return False
        j -= 1
    return False


_HANDOFF = regex.compile(r"\s*(?:->|→)\s*(?:dr\.?\s+)?\p{L}", regex.IGNORECASE)
_HANDOFF_BEFORE = regex.compile(r"(?:->|→)\s*$")
_IN_PARENTHESES = regex.compile(r"\(\s?")
_ROLE_IN_PARENTHESES = regex.compile(
    r"\s*\((?i:pca|pct|sw|cm|rn|np|pa|md|cna|lpn|rt|pt|ot|slp|sitter|interpreter|chaplain|hcp"
    r"|poa|proxy|tech|ma|msw|lcsw|intern|resident|fellow|attending|charge|nf|ibclc)\)"
)
_BEFORE_ROOM = regex.compile(r"\s+(?i:rm|room|bed)\s*\d")


def _line_start(text: str, start: int) -> bool:
    return not text[text.rfind("\n", 0, start) + 1 : start].strip(" -•*0123456789.):")


_NAMED = regex.compile(
    r"(?i)\b(?:name\s+is|named|goes\s+by|it['’]s|this\s+is|(?:calls|identified)\s+(?:him|her|them)sel(?:f|ves)"
    r"(?:\s+as)?)\s+$"
)
_SIGN_OUT = regex.compile(r"(?i)\b(?:rm|room|bed|bay)\s*\d{1,4}[a-z]?\s*[-:,]?\s*$")
_SIGNED = regex.compile(r"(?:^|\s)(?:-{1,2}|—|–)\s?$")
# A sign-out line: "bed 8 stone 54f", "RM 523 BELLWEATHER - 97F".
_AGE_SEX = regex.compile(r"\s*[-–—,]?\s*\d{1,3}\s?(?i:yo|y/o|[mf])\b")


_UNIT_NAME = regex.compile(r"^[a-z]{0,4}(?:icu|ccu|imcu)$")


def _drug(low: str) -> bool:
    """A drug, or a combination of drugs ("amp-sulbactam", "pip-tazo")."""
    names = lexicon.drug_names()
    return low in names or ("-" in low and any(p in names for p in low.split("-") if len(p) > 3))


def _plain_name(low: str) -> bool:
    """In a name list (Philter's included) or in no dictionary at all, and no clinical or
    English word: "abramsky", "brooks-ferrante", "wiśniewska"."""
    parts = [p for p in low.split("-") if p]
    if len(parts) == 1 and lexicon.is_inflection(low):
        return False
    return bool(parts) and all(
        (_name_word(p) or _CELTIC.match(p) or lexicon.zipf(p) < 2.0) and not _clinical(p)
        for p in parts
    )


def _full_name(toks: list[_Tok], i: int, text: str) -> bool:
    """A first name and a surname side by side, both plain names: "NASRIN FARAHANI"."""
    t = toks[i]
    for a, b in ((i, i + 1), (i - 1, i)):
        if a < 0 or b >= len(toks) or text[toks[a].end : toks[b].start] != " ":
            continue
        first, last = toks[a].low, toks[b].low
        if (
            len(first) > 2
            and len(last) > 2
            and _plain_name(first)
            and _plain_name(last)
            and (first in lexicon.given_names() or first in lexicon.more_names())
        ):
            return t.low not in STOP_WORDS
    return False


def _before_age(toks: list[_Tok], i: int, text: str) -> bool:
    """A name right before an age and sex, as notes start: "pt dov abramsky 67m"."""
    j = i
    while (
        j + 1 < len(toks)
        and j - i < 2
        and text[toks[j].end : toks[j + 1].start] == " "
        and (_plain_name(toks[j + 1].low))
    ):
        j += 1
    return _plain_name(toks[i].low) and bool(_AGE_SEX.match(text, toks[j].end))


def _after_title(text: str, toks: list[_Tok], i: int) -> bool:
    gap = text[toks[i - 1].end : toks[i].start] if i else ""
    return i > 0 and toks[i - 1].low in CASELESS_TITLES and gap in {" ", ". "}


def _takes(t: _Tok, kin: bool, text: str = "") -> bool:
    """Whether a word after a relation or a role can be the name: for kin, a given name even
    if it is also a word ("wife rose"); for a role, a rare surname ("pharmd tran"), never a
    clinical word ("pt/ot: min assist", "charge rn aware")."""
    if len(t.text) > 2 and t.low in lexicon.given_names():
        return True  # "wife rose", "rn summer", "RT Ray", "case mgr rusty"
    if not _clinical(t.low):
        return True
    return (not kin and t.low in lexicon.surnames() and lexicon.zipf(t.low) < 3.5
            and t.low not in lexicon.ordinary_words())  # fmt: skip


def _before_role(text: str, t: _Tok, role: _Tok) -> bool:
    """ "Joy RN", "Achebe, LICSW": a name before a role; after a comma it must be no word
    ("coffee grounds, md aware")."""
    if text[t.end : role.start].strip(" ") == ",":
        return not _clinical(t.low)
    return not _clinical(t.low) or (len(t.text) > 2 and t.low in lexicon.given_names())


def _clinical(low: str) -> bool:
    if low in lexicon.clinical_words() or low in lexicon.ordinary_words():
        return True
    return low in lexicon.drug_names() or (not _name_word(low) and lexicon.zipf(low) >= 3.0)


def _shape(word: str) -> bool:
    """Names are Title Case, capitals or lower case, part by part ("O'Neill", "Smith-Jones"),
    not "BiPAP" or "VASc"."""
    if word.istitle() or word.isupper() or word.islower():
        return True
    return all(
        not part or part.istitle() or part.isupper() or part.islower() or _PREFIXED.match(part)
        for part in _PARTS.split(word)
    )


_PARTS = regex.compile(r"[-'’]")


_PREFIXED = regex.compile(r"^(?:Mc|Mac|De|Di|La|Le)\p{Lu}\p{Ll}+$")


def _acronym(word: str) -> bool:
    """An acronym ("SVG-PDA", "Post-ROSC", "ICU"): a part in capitals of four letters or fewer."""
    return any(p.isupper() and len(p) <= 4 for p in _ACRONYM_PARTS.split(word) if p)


_ACRONYM_PARTS = regex.compile(r"[-/]")


def _case(words: list[_Tok], lower_text: bool) -> _Case:
    if len(words) > 2 and sum(t.upper for t in words) / len(words) >= 0.6:
        return _Case.UPPER
    if len(words) > 2 and sum(t.cap for t in words) / len(words) >= 0.6:
        return _Case.TITLE
    return _Case.LOWER if lower_text else _Case.SIGNAL


def _vocab(low: str) -> bool:
    """Clinical or English vocabulary, and so no name without context. Philter's list holds
    some given names ("mary", "jacob"); those stay names unless also a verb or an adjective
    ("mark", "sandy") or a function word ("will")."""
    if _UNIT_NAME.match(low) or _drug(low):
        return True  # "NSICU", "TICU", "amp-sulbactam"
    if low not in lexicon.clinical_words():
        return low.endswith("s") and low[:-1] in lexicon.clinical_words()  # "miles", "tanks"
    if low in shorthand.ABBREVIATIONS or low in shorthand.SETTINGS or low in lexicon.drug_names():
        return True
    return low not in lexicon.given_names() or low in lexicon.ordinary_words() or low in STOP_WORDS


def _lower_text(text: str) -> bool:
    """Whether the writer leaves names uncapitalised: hardly a Title-case word anywhere."""
    words = [w for w in _TOKEN.findall(text) if len(w) > 1 and not w.isupper()]
    titled = sum(w[0].isupper() for w in words)
    return bool(words) and titled <= len(words) * 0.03


class NameRecognizer(EntityRecognizer):
    """Finds names; see the module docstring for the rules."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["NAME"], name="names", supported_language="en")

    def load(self) -> None:
        """Dictionaries load lazily in draftrx.privacy.lexicon."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = [RecognizerResult("NAME", m.start(), m.end(), 0.8)
               for m in _INITIALS.finditer(text) if not _is_abbreviation(m.group())]  # fmt: skip
        offset = 0
        lower_text = _lower_text(text)
        for line in text.splitlines(keepends=True):
            out.extend(self._line(text, line, offset, lower_text))
            offset += len(line)
        return out

    def _line(self, text: str, line: str, offset: int, lower_text: bool) -> list[RecognizerResult]:
        toks = [_token(m, offset) for m in _TOKEN.finditer(line)]
        if not toks:
            return []
        case = _case([t for t in toks if len(t.text) > 1], lower_text)
        scores = [self._seed(text, toks, i, case) for i in range(len(toks))]
        _spread_over_lists(text, toks, scores, case)
        out: list[RecognizerResult] = []
        i = 0
        while i < len(toks):
            if scores[i] <= 0:
                i += 1
                continue
            lo = hi = i
            while (
                lo > 0
                and _joins(text, toks[lo - 1], toks[lo])
                and toks[lo - 1].low not in LEADING_WORDS
                and _part(text, toks[lo - 1], case)
            ):
                lo -= 1
            while (
                hi + 1 < len(toks)
                and _joins(text, toks[hi], toks[hi + 1])
                and (scores[hi + 1] > 0 or _part(text, toks[hi + 1], case))
            ):
                hi += 1
            start, end = toks[lo].start, _end_with_initial(text, toks[hi])
            out.append(RecognizerResult("NAME", start, end, max(scores[lo : hi + 1])))
            i = hi + 1
        return out

    def _seed(self, text: str, toks: list[_Tok], i: int, case: _Case) -> float:
        """How sure we are that token i starts or is part of a name (0: not a name)."""
        t = toks[i]
        if t.low in TITLES or _hashtag(text, t):
            return 0.0
        eponym = _eponym(text, toks, i)
        named_thing = i + 1 < len(toks) and toks[i + 1].low in EPONYM_NOUNS
        if (cued := _cued(text, toks, i)) and not (named_thing and not _after_title(text, toks, i)):
            return cued  # a title beats an eponym: "paged dr bell"; "Bishop score" stays
        if t.low in NOT_NAMES or eponym:
            return 0.0
        if t.low in lexicon.states_and_countries() or not _shape(t.text):
            return 0.0
        signal = case is _Case.SIGNAL
        prev = toks[i - 1].low if i else ""
        gap = text[toks[i - 1].end : t.start] if i else ""
        initial = len(t.text) == 1 and t.cap and text[t.end : t.end + 1] == "."
        # "Dr. Read" but not "see your doctor. Read more": a full word then "." ends a sentence.
        after_title = gap.strip(" ") == "" or (gap.strip(" ") == "." and prev in _DOTTED)
        if signal and prev in TITLES and after_title and (t.cap or initial):
            return 0.0 if _acronym(t.text) and prev not in CASELESS_TITLES else 0.95
        if case is _Case.UPPER or (case is _Case.LOWER and not t.cap):
            # No capitals to go by: a given name that is no clinical word ("BRADY", "AVA",
            # "hung" are), a first name with a surname ("dov abramsky", "NASRIN FARAHANI"), or
            # a name before an age and sex ("kazimierz wolanski 82m").
            if _full_name(toks, i, text) or _before_age(toks, i, text):
                return 0.75
            if len(t.text) < 3 or not _known_name(t.low) or _ordinary(t):
                return 0.0
            if t.low in lexicon.clinical_words():
                return 0.0
            return 0.75 if t.low in lexicon.given_names() else 0.0
        if not t.cap or len(t.text) == 1:
            return 0.0
        if case in {_Case.SIGNAL, _Case.LOWER} and _acronym(t.text):
            return 0.0  # an acronym in ordinary text
        if _drug(t.low) or (i and f"{toks[i - 1].low} {t.low}" in lexicon.drug_names()):
            return 0.0
        clinical = t.low in lexicon.clinical_words()
        if (signal and prev in RELATIONS and gap.strip(" ,:(") == ""
                and (not clinical or t.low in lexicon.given_names())):  # fmt: skip
            return 0.9
        nxt = toks[i + 1].low if i + 1 < len(toks) else ""
        if (
            signal
            and nxt in {"family", "household", "twins", "kids", "children"}
            and (text[t.end : toks[i + 1].start] == " ")
            and not lexicon.is_inflection(t.low)  # "Educated family", "Supported family"
        ):
            return 0.9
        if t.low.endswith("s") and t.low[:-1] in lexicon.surnames() and prev == "the":
            return 0.85
        start = _sentence_start(text, t.start)
        if not _in_dict(t.low):
            unknown = lexicon.zipf(t.low) < 2.0 and len(t.text) > 2 and not t.upper
            return 0.5 if signal and not start and unknown and not clinical else 0.0
        given = len(t.text) > 2 and t.low in lexicon.given_names()
        if _vocab(t.low) or (clinical and (start or not given)):
            return 0.0  # "PACER", "Banana bag" or "Charity care" at a sentence's start, "Na 128"
        if start and lexicon.is_inflection(t.low):
            return 0.0  # "Educated family", "Lacks capacity"
        common = lexicon.is_common_word(t.low)
        ordinary = t.low in lexicon.ordinary_words()
        if signal and not start:
            return 0.85 if not (common and ordinary) else 0.0
        if len(t.text) < 3 or ordinary:
            return 0.0
        return 0.75 if not common or t.low in lexicon.given_names() else 0.0


def _ordinary(t: _Tok) -> bool:
    return t.low in lexicon.ordinary_words() or lexicon.is_common_word(t.low)


_LIST_GLUE = {", ", " and ", " & ", " or ", ", and ", ", or "}
_CONJUNCTIONS = {"and", "or"}


def _spread_over_lists(text: str, toks: list[_Tok], scores: list[float], case: _Case) -> None:
    """In "Ava and Liam" or "Kevin, Brittany, Terri" one recognised name vouches for the
    capitalised words listed with it (in a note without capitals, for the known names)."""
    words = [k for k, t in enumerate(toks) if t.low not in _CONJUNCTIONS]
    pairs = list(itertools.pairwise(words))
    for a, b in pairs + [(b, a) for a, b in reversed(pairs)]:
        t = toks[b]
        lo, hi = sorted((a, b))
        if scores[b] > 0 or scores[a] <= 0 or text[toks[lo].end : toks[hi].start] not in _LIST_GLUE:
            continue
        if (t.low in lexicon.states_and_countries() or t.low in ROLE_AFTER or t.low in TITLES
                or not _shape(t.text)):  # fmt: skip
            continue
        if case in {_Case.SIGNAL, _Case.TITLE}:
            fits = (t.cap and len(t.text) > 2 and t.low not in NOT_NAMES and not _vocab(t.low)
                    and t.low not in lexicon.ordinary_words())  # fmt: skip
        else:
            fits = len(t.text) > 2 and _known_name(t.low) and t.low not in NOT_NAMES
        if fits:
            scores[b] = 0.7


def _token(m: regex.Match[str], offset: int) -> _Tok:
    text = m.group()
    low = _POSSESSIVE.sub("", text).lower() if len(text) > 3 else text.lower()
    return _Tok(m.start() + offset, m.end() + offset, text, low)


def _in_dict(low: str) -> bool:
    """In the census lists; every part of a double name ("smith-jones", not "wc-bound")."""
    parts = [p for p in low.split("-") if len(p) > 1]
    return bool(parts) and all(p in lexicon.given_names() or p in lexicon.surnames() for p in parts)


def _hashtag(text: str, t: _Tok) -> bool:
    return text[t.start - 1 : t.start] == "#"


def _part(text: str, t: _Tok, case: _Case) -> bool:
    """A neighbour that belongs to the name even without a dictionary hit ("Adaeze Okonkwo")."""
    if t.low in NOT_NAMES or t.low in TITLES or t.low in ROLE_AFTER or _hashtag(text, t):
        return False
    if not _shape(t.text) or (case is _Case.SIGNAL and _acronym(t.text)):
        return False
    if not t.cap or case in {_Case.UPPER, _Case.LOWER}:
        return len(t.text) > 1 and _known_name(t.low) and (t.cap or case is _Case.LOWER)
    if len(t.text) == 1:
        return True
    rare = lexicon.zipf(t.low) < (3.0 if case is _Case.SIGNAL else 2.5)
    return _in_dict(t.low) or (rare and t.low not in lexicon.clinical_words())


def _joins(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end : b.start]
    return gap in {" ", "-"} or (len(a.text) == 1 and gap in {". ", "."})


def _end_with_initial(text: str, t: _Tok) -> int:
    return t.end + 1 if len(t.text) == 1 and text[t.end : t.end + 1] == "." else t.end


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip(" \t\"'“‘(*•-")
    return not before or before[-1] in ".!?:;\n"


def _eponym(text: str, toks: list[_Tok], i: int) -> bool:
    if toks[i].low in EPONYMS:
        return True
    return i + 1 < len(toks) and toks[i + 1].low in EPONYM_NOUNS


_ABBREVIATIONS = {
    "US", "UK", "EU", "UN", "MD", "DO", "RN", "NP", "PA", "AM", "PM", "BC", "AD", "ER", "IV",
    "OR", "DC", "PT", "OT", "ED", "ST", "OK", "TV", "PS", "NB", "ID", "EG", "IE", "VS", "PO",
}  # fmt: skip


def _is_abbreviation(initials: str) -> bool:
    return initials.replace(".", "").replace(" ", "") in _ABBREVIATIONS


recognizer = NameRecognizer()
