"""Names of patients, relatives and staff: full names, surnames after a title ("Mrs. K."),
initials ("J.M."), nicknames after a relation ("her son Bobby"), all-caps notes.

Census name lists give the candidates; capitalisation, the words around a candidate and how
common it is as an English word decide. A line written all in capitals (or in Title Case)
carries no capitalisation signal, so there the context and the dictionaries must agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from draftrx.privacy import lexicon

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
    "trendelenburg", "foley", "whipple", "nissen", "bell", "down", "lyme", "tylenol", "advil",
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
        for line in text.splitlines(keepends=True):
            out.extend(self._line(text, line, offset))
            offset += len(line)
        return out

    def _line(self, text: str, line: str, offset: int) -> list[RecognizerResult]:
        toks = [_token(m, offset) for m in _TOKEN.finditer(line)]
        if not toks:
            return []
        words = [t for t in toks if len(t.text) > 1]
        caps = sum(t.cap for t in words)
        signal = len(words) <= 2 or caps / len(words) < 0.6
        scores = [self._seed(text, toks, i, signal) for i in range(len(toks))]
        _spread_over_lists(text, toks, scores)
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
                and _part(text, toks[lo - 1], signal)
            ):
                lo -= 1
            while (
                hi + 1 < len(toks)
                and _joins(text, toks[hi], toks[hi + 1])
                and (scores[hi + 1] > 0 or _part(text, toks[hi + 1], signal))
            ):
                hi += 1
            start, end = toks[lo].start, _end_with_initial(text, toks[hi])
            out.append(RecognizerResult("NAME", start, end, max(scores[lo : hi + 1])))
            i = hi + 1
        return out

    def _seed(self, text: str, toks: list[_Tok], i: int, signal: bool) -> float:
        """How sure we are that token i starts or is part of a name (0: not a name)."""
        t = toks[i]
        if t.low in NOT_NAMES or t.low in TITLES or _eponym(text, toks, i) or _hashtag(text, t):
            return 0.0
        prev = toks[i - 1].low if i else ""
        gap = text[toks[i - 1].end : t.start] if i else ""
        initial = len(t.text) == 1 and t.cap and text[t.end : t.end + 1] == "."
        # "Dr. Read" but not "see your doctor. Read more": a full word then "." ends a sentence.
        after_title = gap.strip(" ") == "" or (gap.strip(" ") == "." and len(prev) <= 4)
        if prev in TITLES and after_title and (t.cap or initial):
            return 0.95
        if not t.cap or len(t.text) == 1:
            return 0.0
        if t.upper and signal and len(t.text) <= 4:
            return 0.0  # an acronym in ordinary text
        if prev in RELATIONS and gap.strip(" ,:(") == "":
            return 0.9
        nxt = toks[i + 1].low if i + 1 < len(toks) else ""
        if nxt in {"family", "household", "twins", "kids", "children"}:
            return 0.9
        if t.low.endswith("s") and t.low[:-1] in lexicon.surnames() and prev == "the":
            return 0.85
        start = _sentence_start(text, t.start)
        if not _in_dict(t.low):
            unknown = lexicon.zipf(t.low) < 2.0 and len(t.text) > 2 and not t.upper
            return 0.5 if signal and not start and unknown else 0.0
        common = lexicon.is_common_word(t.low)
        ordinary = t.low in lexicon.ordinary_words()
        if signal and not start:
            return 0.85 if not (common and ordinary) else 0.0
        if len(t.text) < 3 or ordinary:
            return 0.0
        return 0.75 if not common or t.low in lexicon.given_names() else 0.0


_LIST_GLUE = {", ", " and ", " & ", " or ", ", and ", ", or "}
_CONJUNCTIONS = {"and", "or"}


def _spread_over_lists(text: str, toks: list[_Tok], scores: list[float]) -> None:
    """In "Ava and Liam" or "Kevin, Brittany, Terri" one recognised name vouches for the
    capitalised words listed with it."""
    words = [k for k, t in enumerate(toks) if t.low not in _CONJUNCTIONS]
    pairs = list(itertools.pairwise(words))
    for a, b in pairs + [(b, a) for a, b in reversed(pairs)]:
        t = toks[b]
        lo, hi = sorted((a, b))
        if (scores[b] <= 0 < scores[a] and t.cap and len(t.text) > 2
                and text[toks[lo].end : toks[hi].start] in _LIST_GLUE
                and t.low not in NOT_NAMES and t.low not in lexicon.ordinary_words()):  # fmt: skip
            scores[b] = 0.7


def _token(m: regex.Match[str], offset: int) -> _Tok:
    text = m.group()
    low = _POSSESSIVE.sub("", text).lower() if len(text) > 3 else text.lower()
    return _Tok(m.start() + offset, m.end() + offset, text, low)


def _in_dict(low: str) -> bool:
    parts = low.split("-")
    return any(p in lexicon.given_names() or p in lexicon.surnames() for p in parts if len(p) > 1)


def _hashtag(text: str, t: _Tok) -> bool:
    return text[t.start - 1 : t.start] == "#"


def _part(text: str, t: _Tok, signal: bool) -> bool:
    """A neighbour that belongs to the name even without a dictionary hit ("Adaeze Okonkwo")."""
    if t.low in NOT_NAMES or t.low in TITLES or not t.cap or _hashtag(text, t):
        return False
    if len(t.text) == 1:
        return True
    return _in_dict(t.low) or lexicon.zipf(t.low) < (3.0 if signal else 2.5)


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
    "OR", "DC", "PT", "OT", "ED", "ST", "OK", "TV", "PS", "NB", "ID",
}  # fmt: skip


def _is_abbreviation(initials: str) -> bool:
    return initials.replace(".", "").replace(" ", "") in _ABBREVIATIONS


recognizer = NameRecognizer()
