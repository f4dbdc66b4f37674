"""Names found by the words around them, whatever their case: a title, a relation or a care
role before ("dr hale", "son mateo"), a role or an age after ("novak rn", "abramsky 67m"),
a handoff, a sign-out line, a signature."""

from __future__ import annotations

from dataclasses import dataclass

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import lexicon, shorthand
from draftrx.privacy.name_words import (
    CARE_ROLES,
    CASELESS_TITLES,
    EPONYMS,
    KIN,
    KIN_PLURAL,
    MODAL_NAMES,
    MONTH_NAMES,
    NOT_NAMES,
    ROLE_AFTER,
    STATUS,
    TITLES,
    clinical,
    drug,
    in_dict,
    name_word,
    plain_name,
    shape,
)

LIST_GLUE = {", ", " and ", " & ", " or ", ", and ", ", or "}
CONJUNCTIONS = {"and", "or"}


@dataclass
class Tok:
    """A word of a line, at its offsets in the whole text."""

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


def cue_score(text: str, toks: list[Tok], i: int) -> float:
    """A name whatever its case, from the word before ("dr hale") or after ("hale rn")."""
    t = toks[i]
    prev = toks[i - 1] if i else None
    kin = prev is not None and prev.low in KIN and not prev.text.endswith(("'s", "’s"))
    if len(t.text) < 2 or t.low in STATUS or not shape(t.text):
        return 0.0
    if t.low in NOT_NAMES and not (kin and t.low in MONTH_NAMES):
        return 0.0
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.low in STOP_WORDS and not (
        t.low in MODAL_NAMES and nxt and regex.search(r"(?:ed|[^s]s)$", nxt.low)
    ):
        return 0.0
    initial = prev is not None and len(prev.text) == 1 and text[prev.end : t.start].strip() == "."
    cue_before_initial = i >= 2 and toks[i - 2].low in CASELESS_TITLES | CARE_ROLES | KIN
    if initial and cue_before_initial and (name_word(t.low) or not clinical(t.low)):
        return 0.9  # "dr s. baptiste", "sw o. eriksen"
    if prev is not None:
        gap = text[prev.end : t.start].strip(" ")
        # "dr. hale", not "talk to your doctor. Read more": a full word then "." ends a sentence.
        gauge = prev.low == "fr" and regex.search(r"\d\s*$", text[: prev.start])  # "8 Fr port"
        dotted = gap == "" or (gap == "." and len(prev.low) <= 4)
        if dotted and prev.low in CASELESS_TITLES and not gauge and not common_noun(toks, i - 1):
            # After "dr", "mrs", "rev": any word but what a doctor does ("dr aware", "dr
            # notified", "dr appt"); "dr feldspar" is a name even if a dictionary knows it.
            words = lexicon.ordinary_words()
            verb = t.low in words or lexicon.is_inflection(t.low) or t.low in shorthand.SETTINGS
            return 0.95 if name_word(t.low) or not verb else 0.0
        owner = prev.text.endswith(("'s", "’s"))  # "her sister's wedding"
        dotted_kin = gap == "." and prev.low in {"dau", "dtr", "hus", "bro", "sis"}  # "dau. hazel"
        unit = bool(regex.search(r"\d\s*$", text[: prev.start]))  # "3 cm mass": a unit, no role
        if ((gap in {"", ":", "-", "(", ","} or dotted_kin) and prev.low in CARE_ROLES | KIN
                and not owner and not unit
                and (takes(t, kin, text) or closes(text, t))):  # fmt: skip
            return 0.9
    if handoff(text, t) and namelike(t.low):
        return 0.85  # a handoff: "pham -> delacroix", "Kwame -> Dr. Ostrovsky"
    if bracketed(text, t, prev):
        return 0.8  # "nf (hiroshi)", "security (benedek)", "biomed (Gus)", "staff (Will, Dana)"
    if ROLE_IN_PARENTHESES.match(text, t.end) and (not clinical(t.low) or given(t)):
        return 0.85  # "w/ jade (pca)", "saoirse (sw)", "drawn by drew (pct)"
    if (
        BEFORE_ROOM.match(text, t.end)
        and plain_name(t.low)
        and (line_start(text, t.start) or t.low in lexicon.surnames())
    ):
        return 0.85  # a sign-out list: "- ocampo rm 912: sbo"
    if listed_after_kin(text, toks, i):
        return 0.85  # "sons george and kostas"
    if (
        prev is not None
        and prev.low in {"pt", "patient", "name"}
        and (
            text[prev.end : t.start].strip(" ") in {"", ":"}
            and name_word(t.low)
            and not clinical(t.low)
            and not lexicon.is_inflection(t.low)
        )
    ):
        return 0.85  # "PATIENT MARIA GONZALEZ", "pt: ruiz"
    if (
        prev is not None
        and prev.low in {"pt", "patient", "name"}
        and text[prev.end : t.start].strip(" ") in {"", ":"}
        and before_given(text, t)
    ):
        return 0.85  # "pt Park, Seo-Yeon", "Patient: Ward, Elijah"
    if prev is not None and LABELLED.search(text, max(0, t.start - 40), t.start) and before_given(
        text, prev
    ):
        return 0.85  # the given name after such a surname
    if NAMED.search(text, max(0, t.start - 40), t.start) and (not clinical(t.low) or given(t)):
        return 0.85  # "his name is mateo", "his name was walt", "identified himself as dmitri"
    if GREETING.search(text, max(0, t.start - 24), t.start) and given(t) and CLOSED.match(
        text, t.end
    ):
        return 0.8  # "hi sarah if ur reading this", "Welcome home, Bri!", "thank you, jo."
    if (
        given(t)
        and (t.cap or (t.low not in lexicon.ordinary_words() and lexicon.zipf(t.low) < 3.0))
        and (FROM_SOMEWHERE.match(text, t.end) or (
            ADDRESSED.search(text, max(0, t.start - 12), t.start) and CLOSED.match(text, t.end)
        ))
    ):
        return 0.8  # "Bec from the Subiaco store", "a message from Gareth,", "tell dotty i'm"
    if SIGN_OUT.search(text, max(0, t.start - 16), t.start) and (
        (name_word(t.low) and t.low not in lexicon.ordinary_words())
        or (AGE_SEX.match(text, t.end) and t.low not in shorthand.SETTINGS)
        or before_given(text, t)
    ):
        return 0.85  # a sign-out: "rm 304 mcbride - hold heparin", "bed 8 stone 54f"
    if nxt and nxt.low in ROLE_AFTER and before_role(text, t, nxt):
        gap = text[t.end : nxt.start].strip(" ")
        before = text[prev.end : t.start].strip(" ") if prev else ""
        after_initial = prev is not None and len(prev.text) == 1 and before == "."
        cued_before = prev is not None and prev.low in CARE_ROLES | KIN | CASELESS_TITLES
        if gap in {"", ","} and (before != "." or after_initial) and not cued_before:
            return 0.85
    if (
        SIGNED.search(text, max(0, t.start - 4), t.start)
        and not clinical(t.low)
        and (
            nxt is None
            or nxt.low in ROLE_AFTER
            or (text[t.end : nxt.start].strip(" ") == "," and not PREFIXED_WORD.match(t.text))
            or text[t.end : nxt.start].strip(" ") == "\n"
        )
    ):
        return 0.8  # a note signed: "-obi", "— Teixeira, PMHNP"
    if (
        nxt
        and nxt.low in ROLE_AFTER
        and len(t.text) == 2
        and t.text.isalpha()
        and SIGNED.search(text, max(0, t.start - 3), t.start)
    ):
        return 0.8  # initials signing a note: "- tk rn", "pool. -kt ma"
    if (
        PERSON_VERB.match(text, t.end)
        and given(t)
        and t.low not in KIN | CARE_ROLES | TITLES
        and not (prev is not None and prev.low in DETERMINERS
                 and text[prev.end : t.start].strip(" ") == "")
    ):
        return 0.8  # "rose states", "rich requests updates", "SANDY WILL DRIVE HER"
    return 0.0


def closes(text: str, t: Tok) -> bool:
    """A word that ends what a role or a relation opens ("- rn honor", "nurse honor.", "rn
    scout 4-7781", "dtr Honor (HCP)"): whatever the word, nothing but a name stands there."""
    if t.low in STATUS or t.low in STOP_WORDS or t.low in shorthand.SETTINGS or len(t.text) < 3:
        return False
    if t.low in shorthand.ABBREVIATIONS or t.low in CARE_ROLES | ROLE_AFTER or drug(t.low):
        return False
    return name_word(t.low) and bool(CLOSED.match(text, t.end))


CLOSED = regex.compile(
    r"[ \t]*(?:$|\n|[.,;)!]|\((?!\d)|\d[\d -]{3,}\d|\p{L}\.(?:\s|$)|(?i:if|and|for|knows|i['’]m)\b)"
)


def bracketed(text: str, t: Tok, prev: Tok | None) -> bool:
    """A name alone in brackets, or first in a bracketed list: "bed 9 (luong)", "PERFUSION
    (BRANDT)", "lactation (Honey, IBCLC)". A word that is also English ("Will", "Honey")
    only where a role or a service names who it is ("biomed (Gus)", not "(will call)")."""
    opened = text[max(0, t.start - 2) : t.start].rstrip(" ").endswith("(")
    listed = regex.match(r"\s*,\s*(?:\p{L}[\p{L}'’-]*|(?i:x|ext\.?|pgr|p)\s?\d[\d-]{2,})\s*\)",
                         text[t.end :])
    if not (opened or (prev is not None and listed and text[prev.end : t.start].strip() == ","
                       and IN_PARENTHESES.match(text, max(0, prev.start - 2)))):  # fmt: skip
        return False
    if not (text[t.end : t.end + 1] == ")" or (opened and listed)):
        return False
    if len(t.text) < 2 or t.low in ROLE_AFTER | CARE_ROLES | STATUS | EPONYMS or drug(t.low):
        return False  # "(pca)", "(Dexcom)"
    if t.upper and not name_word(t.low):
        return False  # "(HBPM)": an acronym, unless a name list knows it ("(BRANDT)")
    if not clinical(t.low) and plain_name(t.low) and not (t.upper and len(t.text) < 4):
        return True
    before = regex.search(r"(\p{L}+)\s*\(\s*$", text[max(0, t.start - 30) : t.start])
    named_by = before is not None and before.group(1).lower() not in STOP_WORDS
    return named_by and given(t) and t.low not in shorthand.ABBREVIATIONS


def given(t: Tok) -> bool:
    """A given name, even one that is also a word ("drew", "honey"), or one of Philter's
    that is no word ("mateo")."""
    if len(t.text) < 3 or t.low in shorthand.SETTINGS:
        return False
    return t.low in lexicon.given_names() or (t.low in lexicon.more_names() and not clinical(t.low))


def listed_after_kin(text: str, toks: list[Tok], i: int) -> bool:
    """A name in a list that a relation opens: "sons patrick and will", "SONS GEORGE AND
    KOSTAS", "daughters: Ana, Bea"."""
    j = i
    while j > 0 and i - j < 6:
        glue = text[toks[j - 1].end : toks[j].start]
        if toks[j - 1].low in KIN_PLURAL and glue.strip(" ") in {"", ":"}:
            return takes(toks[i], kin=True)
        if toks[j - 1].low in CONJUNCTIONS and glue == " ":
            j -= 1  # "george AND kostas": the word before "and" must be a listed name too
            continue
        if glue not in LIST_GLUE and glue != " ":
            return False
        if not takes(toks[j - 1], kin=True) and toks[j - 1].low not in KIN_PLURAL:
            return False  # "kids got either sugar or a sugar-free placebo"
        j -= 1
    return False


HANDOFF = regex.compile(
    r"\s*(?:->|→)\s*(?P<dr>dr\.?\s+)?(?P<word>\p{L}[\p{L}'-]*)", regex.IGNORECASE
)


HANDOFF_BEFORE = regex.compile(r"(?P<word>\p{L}[\p{L}'-]*)\s*(?:->|→)\s*$")


def handoff(text: str, t: Tok) -> bool:
    """A name handed to a name across an arrow: "pham -> delacroix", "Kwame -> Dr.
    Ostrovsky". The other side must read as a name too: in a physician's causal chain
    ("can't outcompete them -> spores germinate") an arrow joins steps, not people."""
    after = HANDOFF.match(text, t.end)
    if after:
        return bool(after["dr"]) or namelike(after["word"].lower())
    before = HANDOFF_BEFORE.search(text, max(0, t.start - 40), t.start)
    return before is not None and namelike(before["word"].lower())


def namelike(low: str) -> bool:
    return plain_name(low) or low in lexicon.given_names()


IN_PARENTHESES = regex.compile(r"\(\s?")


ROLE_IN_PARENTHESES = regex.compile(
    r"\s*\((?i:(?:ed|er|icu|float|charge|night|day|covering|student)\s+)?(?i:pca|pct|sw|cm|rn|np"
    r"|pa|md|cna|lpn|rt|pt|ot|slp|sitter|interpreter|chaplain|hcp|poa|proxy|tech|ma|msw|lcsw"
    r"|intern|resident|fellow|attending|charge|nf|ibclc|crna)(?i:\s+(?:student|nurse|rn))?\)"
)


BEFORE_ROOM = regex.compile(r"\s+(?i:rm|room|bed)\s*\d")


def line_start(text: str, start: int) -> bool:
    return not text[text.rfind("\n", 0, start) + 1 : start].strip(" -•*0123456789.):")


NAMED = regex.compile(
    r"(?i)\b(?:name\s+(?:is|was)|named|goes\s+by|it['’]s|this\s+is|(?:calls|identified)\s+(?:him|her|them)sel(?:f|ves)"
    r"(?:\s+as)?)\s+$"
)


GREETING = regex.compile(r"(?i)(?:^|[\s(])(?:hi|hey|hello|thanks|thank\s+you|congrats"
                      r"|congratulations|welcome(?:\s+home|\s+back)?|love\s+you|miss\s+you),?\s+$")
# Who said or was told something: "a message from Gareth, the man", "tell dotty".
ADDRESSED = regex.compile(r"(?i)\b(?:from|tell|told|ask|asked|hope|thank)\s+$")
FROM_SOMEWHERE = regex.compile(r"\s+from\s+(?:the\s+|our\s+)?(?=\p{L})")
SIGN_OUT = regex.compile(
    r"(?:(?i:\b(?:rm|room|bed|bay))\s*\d{1,4}|(?m:^)[ \t]*(?:[-•*▪]|\d{1,2}[.)])?[ \t]*\d{3,4})"
    r"(?i:[a-z])?\s*[-–:,]?\s*$"
)
# A surname before its given name, as lists and labels write them: "NOWAK, TERESA 81 F".
LAST_FIRST = regex.compile(r",[ \t]*(?P<first>\p{L}[\p{L}'’-]+)")


PREFIXED_WORD = regex.compile(r"(?i)(?:post|pre|non|anti|peri|intra|trans|sub|re)-")
SIGNED = regex.compile(r"(?:^|\s)(?:-{1,2}|—|–)\s?$")


# What a person does, said of a given name that is also a word: "rose states".
PERSON_VERB = regex.compile(
    r"(?i)\s+(?:states|stated|reports|requests|requested|asks|asked|verbalized|verbalizes"
    r"|declines|declined|agrees|agreed|can\s+be\s+reached|will\s+(?:drive|bring|pick|visit"
    r"|call\s+back)|to\s+(?:page|call)\s+back)\b"
)
DETERMINERS = {"the", "a", "an", "his", "her", "their", "my", "our", "your", "this", "that", "bp",
               "hr", "temp", "sugar", "glucose", "pressure"}  # fmt: skip


# A sign-out line: "bed 8 stone 54f", "RM 523 BELLWEATHER - 97F".
AGE_SEX = regex.compile(r"\s*[-–—,]?\s*\d{1,3}\s?(?i:yo|y/o|[mf])\b")


LABELLED = regex.compile(r"(?i)\b(?:pt|patient|name)[ \t]*:?[ \t]+\p{L}[\p{L}'’-]+,[ \t]*$")


def before_given(text: str, t: Tok) -> bool:
    """A surname written before a given name and a comma ("WARD, ELIJAH"), any word but
    shorthand or a function word."""
    m = LAST_FIRST.match(text, t.end)
    if m is None or (t.low in lexicon.ordinary_words() and not m["first"][0].isupper()):
        return False  # "pt satisfied, aide following"; but "pt Park, Seo-Yeon"
    first = m["first"].lower()
    unknown = not m["first"].isascii() and not clinical(first)  # "jaramillo, cristóbal"
    return (
        len(t.text) > 1
        and (first in lexicon.given_names() or unknown)
        and first not in STOP_WORDS | KIN | CARE_ROLES | shorthand.SETTINGS
        and not lexicon.is_inflection(t.low)
        and t.low not in STOP_WORDS | KIN | CARE_ROLES | shorthand.SETTINGS
        and t.low not in shorthand.ABBREVIATIONS
        and not drug(t.low)
    )


def full_name(toks: list[Tok], i: int, text: str) -> bool:
    """A first name and a surname side by side, both plain names: "NASRIN FARAHANI"."""
    t = toks[i]
    for a, b in ((i, i + 1), (i - 1, i)):
        if a < 0 or b >= len(toks) or text[toks[a].end : toks[b].start] != " ":
            continue
        first, last = toks[a].low, toks[b].low
        if (
            len(first) > 2
            and len(last) > 2
            and plain_name(first)
            and plain_name(last)
            and (first in lexicon.given_names() or first in lexicon.more_names())
        ):
            return t.low not in STOP_WORDS
    return False


def before_age(toks: list[Tok], i: int, text: str) -> bool:
    """A name right before an age and sex, as notes start: "pt dov abramsky 67m"; after
    "pt" or a room, any words but shorthand ("pt frank moody 69m", "rm 512 ray stone 74m")."""
    for first in (i - 1, i):  # "pt frank moody 69m": "moody" is opened from "frank"
        if first < 0 or not PATIENT_BEFORE.search(text, max(0, toks[first].start - 14),
                                                  toks[first].start):  # fmt: skip
            continue
        for last in (first, first + 1):
            if last < i or last >= len(toks) or not AGE_SEX.match(text, toks[last].end):
                continue
            if last > first and text[toks[first].end : toks[last].start] != " ":
                continue
            given_first = toks[first].low in lexicon.given_names() or not clinical(toks[first].low)
            if given_first and all(plain(toks[n]) for n in range(first, last + 1)):
                return True
    j = i
    while (
        j + 1 < len(toks)
        and j - i < 2
        and text[toks[j].end : toks[j + 1].start] == " "
        and (plain_name(toks[j + 1].low))
    ):
        j += 1
    return plain_name(toks[i].low) and bool(AGE_SEX.match(text, toks[j].end))


ROLE_QUALIFIERS = {
    "on-call", "oncall", "charge", "float", "night", "day", "covering", "primary", "bedside",
    "triage", "travel", "agency", "student", "staff", "head", "nurse", "senior", "junior", "lead",
    "case", "home", "hospice", "psych", "icu", "ed",
}  # fmt: skip

PATIENT_BEFORE = regex.compile(r"(?i)\b(?:pt|patient|(?:rm|room|bed)\s*\d{1,4}[a-z]?)[ \t:]+$")


def plain(t: Tok) -> bool:
    """No shorthand, function word or drug: it may be a name after "pt" ("frank", "stone")."""
    return (len(t.text) > 1 and t.low not in STOP_WORDS and t.low not in shorthand.SETTINGS
            and t.low not in shorthand.ABBREVIATIONS and not drug(t.low)
            and t.low not in STATUS and t.low not in CARE_ROLES
            and (in_dict(t.low) or not clinical(t.low)))  # fmt: skip


def follows_title(text: str, toks: list[Tok], i: int) -> bool:
    gap = text[toks[i - 1].end : toks[i].start] if i else ""
    return i > 0 and toks[i - 1].low in CASELESS_TITLES and gap in {" ", ". "}


def takes(t: Tok, kin: bool, text: str = "") -> bool:
    """Whether a word after a relation or a role can be the name: for kin, a given name even
    if it is also a word ("wife rose"); for a role, a rare surname ("pharmd tran"), never a
    clinical word ("pt/ot: min assist", "charge rn aware")."""
    if len(t.text) > 2 and t.low in lexicon.given_names():
        return True  # "wife rose", "rn summer", "RT Ray", "case mgr rusty"
    if not clinical(t.low):
        return True
    return (not kin and t.low in lexicon.surnames() and lexicon.zipf(t.low) < 3.5
            and t.low not in lexicon.ordinary_words())  # fmt: skip


def before_role(text: str, t: Tok, role: Tok) -> bool:
    """ "Joy RN", "Achebe, LICSW": a name before a role; after a comma it must be no word
    ("coffee grounds, md aware"); "on-call rn", "charge rn" say which one."""
    if t.low in ROLE_QUALIFIERS:
        return False
    if text[t.end : role.start].strip(" ") == ",":
        return not clinical(t.low)
    return not clinical(t.low) or (len(t.text) > 2 and t.low in lexicon.given_names())


_DETERMINERS = {"a", "an", "the", "your", "my", "our", "their", "his", "her", "any", "each",
                "every", "this", "that", "no", "own"}  # fmt: skip


def common_noun(toks: list[Tok], i: int) -> bool:
    """Whether the title at toks[i] is a plain noun: "see a doctor soon", "call your doctor
    early" (an article or possessive before it), not "Doctor Soon" or "dr right"."""
    return toks[i].low in {"doctor", "professor"} and i > 0 and toks[i - 1].low in _DETERMINERS
