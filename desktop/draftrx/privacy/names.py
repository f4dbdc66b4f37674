"""Names of patients, relatives and staff: full names, surnames after a title ("Mrs. K."),
initials ("J.M."), nicknames after a relation ("her son Bobby"), all-caps notes.

Census name lists give the candidates; capitalisation, the words around a candidate and how
common it is as an English word decide. Capitalisation is evidence, not a requirement: a
word after a title, a relation or a care role is a name in any case ("dr hale", "son
mateo", "per novak rn"). A line written all in capitals (or in Title Case) carries no
capitalisation signal, and neither does a note typed in lower case: there the context and
the dictionaries must agree, and clinical vocabulary ("LEVO", "bolus", "MAE") is never a name.
The words around a name are read in name_cues, the word lists and tests live in name_words.
"""

from __future__ import annotations

import itertools
from enum import Enum

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import lexicon, shorthand
from draftrx.privacy.name_cues import (
    CONJUNCTIONS,
    LIST_GLUE,
    Tok,
    before_age,
    cue_score,
    follows_title,
    full_name,
)
from draftrx.privacy.name_words import (
    CASELESS_TITLES,
    DOTTED,
    EPONYM_NOUNS,
    EPONYMS,
    LEADING_WORDS,
    NOT_NAMES,
    RELATIONS,
    ROLE_AFTER,
    TITLES,
    acronym,
    clinical,
    drug,
    in_dict,
    known_name,
    plain_name,
    shape,
    vocab,
)

_TOKEN = regex.compile(r"\p{L}[\p{L}'’-]*")
_POSSESSIVE = regex.compile(r"(?:['’]s|s['’]|['’])$")
_INITIALS = regex.compile(r"(?<![\w.])(?:\p{Lu}\.\s?){2,3}(?!\w)")
# Initials in any case where a role or a patient's age says whose: "report from k.l. rn",
# "pt jk, 34m", "Pt (JR) isolative", "rn (kb)", "gb rn to jl rn". One pattern per form:
# alternatives in one pattern cost the regex engine more than the patterns apart.
_CUED_INITIALS = [
    regex.compile(r"(?i)(?<![\w.])(?P<i>(?:\p{L}\.){2,3})(?=\s*,?\s*(?:rn|np|md|pa|lpn|cna|rt|sw|ma|pct)\b)"),
    regex.compile(r"(?i)\b(?:pt|patient)\s+(?P<j>\p{L}{2,3})(?=,?\s+\d{1,3}\s?(?:yo|y/o|[mf])\b)"),
    regex.compile(
        r"(?i)\b(?:pt|patient|rn|np|md|pa|lpn|cna|rt|sw|cm|ma|pct|tech|pharm|pharmd|rph|desk|clerk"
        r"|nurse|scribe|sitter)\s*\(\s*(?P<k>\p{L}{2,3})\s*\)"
    ),
    regex.compile(r"(?i)(?<![\w.])(?P<l>\p{L}{2})(?=\s+(?:rn|lpn|cna|np|rrt|pct)\b)"),
]
# Who signed or took a note, by initials: a sign-off line ("- jr", "-- MN, CMA", "- s.o."),
# the note's last word after a dash, initials before a role at a line's end ("JT LPN"), and
# who wrote down or acknowledged it ("TRANSCRIBED BY KLM", "ack: js/mk", "TAKEN BY KIM").
_SIGNED_INITIALS = [
    regex.compile(
        r"(?m)(?:(?P<own>^[ \t]*(?:-{1,2}|—|–|~)(?:[ \t]?(?i:thx|thanks|ty|cheers"
        r"|rn|np|md|pa|sw|cm|lpn|cna|rt|ma|pt|ot|slp|msw|lcsw|licsw|pharmd|rph),)?"
        r"|(?i:\b(?:thx|thanks|ty|cheers)),)"
        r"|(?<=\s)(?:-{1,2}|—|–)(?=[ \t]?\p{L}[\p{L}.]{1,11}[ \t]*\Z))[ \t]?"
        r"(?P<s>(?:\p{L}\.){2,3}|\p{L}{2,12}\b)"
        r"(?=[ \t]*(?:,[ \t]*(?:\p{L}{2,7}\.?|(?i:pgy-?\d|ms\d|md|do|rn|np|pa)\b[^\n]{0,30}))?"
        r"[ \t]*$)"
    ),
    regex.compile(
        r"(?m)(?<![\w.])(?P<r>\p{Lu}{2,3})(?!\p{L})"
        r"(?=[ \t]*,?[ \t]*(?:RN|NP|MD|PA|LPN|CNA|RT|SW|MA|CMA|PCT|RRT|SLP|OT)[ \t]*$)"
    ),
    regex.compile(
        r"(?i:\b(?:transcribed|dictated|taken|received|entered|documented|recorded|relayed"
        r"|read\s+back|acknowledged|ack)\b[^.\n]{0,12}?(?:\bby|:)[ \t]*)"
        r"(?P<b>\p{L}{2,3}(?:/\p{L}{2,3})*)\b"
    ),
]


class _Case(Enum):
    """What capitalisation says on a line."""

    SIGNAL = "signal"  # ordinary writing: a capital letter is evidence
    TITLE = "title"  # Title Case (a heading, a list of names): capitals say little
    UPPER = "upper"  # all capitals, as notes often are: none; context and lists decide
    LOWER = "lower"  # typed in lower case: a lower-case word may still be a name


def _case(words: list[Tok], lower_text: bool) -> _Case:
    if len(words) > 2 and sum(t.upper for t in words) / len(words) >= 0.6:
        return _Case.UPPER
    if len(words) > 2 and sum(t.cap for t in words) / len(words) >= 0.6:
        return _Case.TITLE
    return _Case.LOWER if lower_text else _Case.SIGNAL


def _lower_text(text: str) -> bool:
    """Whether the writer leaves names uncapitalised: hardly a Title-case word anywhere."""
    words = [w for w in _TOKEN.findall(text) if len(w) > 1 and not w.isupper()]
    titled = sum(w[0].isupper() for w in words)
    return bool(words) and titled <= len(words) * 0.03


def capitals_are_evidence(text: str, pos: int) -> bool:
    """Whether the writer capitalises names on the line holding `pos`: ordinary writing,
    not a note typed in lower case nor a line in capitals or Title Case."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    toks = [_token(m, 0) for m in _TOKEN.finditer(text, start, len(text) if end < 0 else end)]
    return _case([t for t in toks if len(t.text) > 1], _lower_text(text)) is _Case.SIGNAL


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
        for m in _TITLED_LETTER.finditer(text):  # "mrs h on bay 4", "when mr b in 12 says"
            out.append(RecognizerResult("NAME", m.start(), m.end(), 0.8))
        for m in _NICKNAME.finditer(text):  # "Javier "Javi" Montañez", "client 'smoke'"
            before = m.group("before").lower()
            goes_by = before == "by" and text[: m.start()].rstrip().lower().endswith("goes")
            if before in _NICKNAME_CUES or goes_by or known_name(before):
                out.append(RecognizerResult("NAME", m.start("n"), m.end("n"), 0.8))
        for m in (m for p in _CUED_INITIALS for m in p.finditer(text)):
            group = next(iter(m.re.groupindex))
            letters = m.group(group).lower().replace(".", "")
            if group in "kl" and letters in shorthand.SETTINGS | shorthand.ABBREVIATIONS:
                continue  # "ed rn", "or rn", "RN (GI)": which nurse, not who
            if letters not in ROLE_AFTER | _NOT_INITIALS | STOP_WORDS and lexicon.zipf(letters) < 4:
                out.append(RecognizerResult("NAME", m.start(group), m.end(group), 0.8))
        for m in (m for p in _SIGNED_INITIALS for m in p.finditer(text)):
            out.extend(_signed(m))
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
                and (scores[hi + 1] > 0 or _part(text, toks[hi + 1], case)
                     or _surname_after(text, toks, hi))
            ):
                hi += 1
            start, end = toks[lo].start, _end_with_initial(text, toks[hi])
            out.append(RecognizerResult("NAME", start, end, max(scores[lo : hi + 1])))
            i = hi + 1
        return out

    def _seed(self, text: str, toks: list[Tok], i: int, case: _Case) -> float:
        """How sure we are that token i starts or is part of a name (0: not a name)."""
        t = toks[i]
        if t.low in TITLES or _hashtag(text, t):
            return 0.0
        eponym = _eponym(text, toks, i)
        named_thing = i + 1 < len(toks) and toks[i + 1].low in EPONYM_NOUNS
        if (cued := cue_score(text, toks, i)) and not (
            named_thing and not follows_title(text, toks, i)
        ):
            return cued  # a title beats an eponym: "paged dr bell"; "Bishop score" stays
        if t.low in NOT_NAMES or eponym:
            return 0.0
        if t.low in lexicon.states_and_countries() or not shape(t.text) or _compound(t.low):
            return 0.0
        signal = case is _Case.SIGNAL
        prev = toks[i - 1].low if i else ""
        gap = text[toks[i - 1].end : t.start] if i else ""
        initial = len(t.text) == 1 and t.cap and text[t.end : t.end + 1] == "."
        # "Dr. Read" but not "see your doctor. Read more": a full word then "." ends a sentence.
        after_title = gap.strip(" ") == "" or (gap.strip(" ") == "." and prev in DOTTED)
        if signal and prev in TITLES and after_title and (t.cap or initial):
            return 0.0 if acronym(t.text) and prev not in CASELESS_TITLES else 0.95
        if case is _Case.UPPER or (case is _Case.LOWER and not t.cap):
            # No capitals to go by: a given name that is no clinical word ("BRADY", "AVA",
            # "hung" are), a first name with a surname ("dov abramsky", "NASRIN FARAHANI"), or
            # a name before an age and sex ("kazimierz wolanski 82m").
            if full_name(toks, i, text) or before_age(toks, i, text):
                return 0.75
            if _unknown(text, t):
                return 0.6
            if len(t.text) < 3 or not known_name(t.low) or _ordinary(t):
                return 0.0
            if t.low in lexicon.clinical_words():
                return 0.0
            return 0.75 if t.low in lexicon.given_names() else 0.0
        if not t.cap or len(t.text) == 1:
            return 0.0
        if case in {_Case.SIGNAL, _Case.LOWER} and acronym(t.text):
            return 0.0  # an acronym in ordinary text
        if drug(t.low) or (i and f"{toks[i - 1].low} {t.low}" in lexicon.drug_names()):
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
        if not in_dict(t.low):
            unknown = lexicon.zipf(t.low) < 2.0 and len(t.text) > 2 and not t.upper
            return 0.5 if signal and not start and unknown and not clinical else 0.0
        given = len(t.text) > 2 and t.low in lexicon.given_names()
        if vocab(t.low) or (clinical and (start or not given)):
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


def _unknown(text: str, t: Tok) -> bool:
    """A word no dictionary knows, in a note without capitals to go by: Philter's rule,
    since such a word is far more often a name or a place than anything else."""
    if len(t.text) < 3 or text[t.end : t.end + 1].isdigit() or _CONTRACTED.search(t.low):
        return False  # "SpO2", "rec'd"
    if t.low in ROLE_AFTER or t.low.startswith(("hypo", "hyper")) or not _VOWEL.search(t.low):
        return False  # "LICSW", "HYPOK", "HBPM"
    if t.low in lexicon.more_names():  # Philter's names hold words: "wedding", "melanin"
        return not clinical(t.low) and lexicon.zipf(t.low) < 3.0
    if not plain_name(t.low):
        return False
    return in_dict(t.low) or not (lexicon.near_common(t.low) or _built(t.low))


_PREFIXES = ("re", "un", "non", "pre", "post", "self-", "inter", "tele", "hypo", "hyper", "x",
             "sub", "trans", "semi", "multi", "over", "under", "mis", "de")  # fmt: skip


def _built(low: str) -> bool:
    """English built with a prefix: "retaped", "undomiciled", "telestroke", "xmatched"."""
    return any(
        low.startswith(p) and len(low) - len(p) > 2
        and (clinical(rest := low[len(p) :].lstrip("-")) or lexicon.is_inflection(rest))
        for p in _PREFIXES
    )  # fmt: skip


_CONTRACTED = regex.compile(r"['’](?:d|s|ed)$")
_VOWEL = regex.compile(r"[aeiouyàáâäãåèéêëìíîïòóôöõùúûüāēīōū]")


def _compound(low: str) -> bool:
    """ "sugar-free", "Peer-to-peer", "well-known": built of common English words ("Ji-woo"
    is not: "woo" is rare)."""
    parts = low.split("-")
    return len(parts) > 1 and any(
        p in STOP_WORDS or (p in lexicon.ordinary_words() and lexicon.zipf(p) >= 4.0) for p in parts
    )


def _ordinary(t: Tok) -> bool:
    return t.low in lexicon.ordinary_words() or lexicon.is_common_word(t.low)


def _spread_over_lists(text: str, toks: list[Tok], scores: list[float], case: _Case) -> None:
    """In "Ava and Liam" or "Kevin, Brittany, Terri" one recognised name vouches for the
    capitalised words listed with it (in a note without capitals, for the known names)."""
    words = [k for k, t in enumerate(toks) if t.low not in CONJUNCTIONS]
    pairs = list(itertools.pairwise(words))
    for a, b in pairs + [(b, a) for a, b in reversed(pairs)]:
        t = toks[b]
        lo, hi = sorted((a, b))
        if scores[b] > 0 or scores[a] <= 0 or text[toks[lo].end : toks[hi].start] not in LIST_GLUE:
            continue
        if (t.low in lexicon.states_and_countries() or t.low in ROLE_AFTER or t.low in TITLES
                or not shape(t.text)):  # fmt: skip
            continue
        if case in {_Case.SIGNAL, _Case.TITLE}:
            fits = (t.cap and len(t.text) > 2 and t.low not in NOT_NAMES and not vocab(t.low)
                    and t.low not in lexicon.ordinary_words())  # fmt: skip
        else:
            fits = len(t.text) > 2 and known_name(t.low) and t.low not in NOT_NAMES
        if fits:
            scores[b] = 0.7


def _token(m: regex.Match[str], offset: int) -> Tok:
    text = m.group()
    low = _POSSESSIVE.sub("", text).lower() if len(text) > 3 else text.lower()
    return Tok(m.start() + offset, m.end() + offset, text, low)


def _hashtag(text: str, t: Tok) -> bool:
    return text[t.start - 1 : t.start] == "#"


def _part(text: str, t: Tok, case: _Case) -> bool:
    """A neighbour that belongs to the name even without a dictionary hit ("Adaeze Okonkwo")."""
    if t.low in NOT_NAMES or t.low in TITLES or t.low in ROLE_AFTER or _hashtag(text, t):
        return False
    if not shape(t.text) or (case is _Case.SIGNAL and acronym(t.text)):
        return False
    if not t.cap or case in {_Case.UPPER, _Case.LOWER}:
        named = known_name(t.low) or _double_barrelled(t.low)
        return len(t.text) > 1 and named and (t.cap or case is _Case.LOWER)
    if len(t.text) == 1:
        return True
    rare = lexicon.zipf(t.low) < (3.0 if case is _Case.SIGNAL else 2.5)
    return in_dict(t.low) or (rare and t.low not in lexicon.clinical_words())


def _surname_after(text: str, toks: list[Tok], i: int) -> bool:
    """ "DR. TERRENCE WALKER": after a title and a given name, a surname even if it is also a
    word, but not what the doctor did ("dr ruth aware", "dr sam will call")."""
    nxt = toks[i + 1]
    return (
        i > 0
        and toks[i - 1].low in CASELESS_TITLES
        and toks[i].low in lexicon.given_names()
        and nxt.low in lexicon.surnames()
        and nxt.low not in STOP_WORDS
        and nxt.low not in shorthand.SETTINGS | shorthand.ABBREVIATIONS
        and not (lexicon.is_inflection(nxt.low) and nxt.low.endswith(("ed", "ing", "s")))
        and nxt.low not in lexicon.verbs()
    )


def _double_barrelled(low: str) -> bool:
    """ "patel-okonjo", "ADEYEMI-BANKS": names joined by a hyphen, one of them known, none a
    clinical word ("post-tavr")."""
    parts = low.split("-")
    surnames = lexicon.surnames()
    return (
        len(parts) == 2
        and all(len(p) > 1 and (known_name(p) or p in surnames or not clinical(p)) for p in parts)
        and any(known_name(p) or p in surnames for p in parts)
    )


def _joins(text: str, a: Tok, b: Tok) -> bool:
    gap = text[a.end : b.start]
    return gap in {" ", "-"} or (len(a.text) == 1 and gap in {". ", "."})


def _end_with_initial(text: str, t: Tok) -> int:
    return t.end + 1 if len(t.text) == 1 and text[t.end : t.end + 1] == "." else t.end


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip(" \t\"'“‘(*•-")
    return not before or before[-1] in ".!?:;\n"


def _eponym(text: str, toks: list[Tok], i: int) -> bool:
    if toks[i].low in EPONYMS:
        return True
    return i + 1 < len(toks) and toks[i + 1].low in EPONYM_NOUNS


_TITLED_LETTER = regex.compile(r"(?<![\w.])(?i:mr|mrs|ma['’]am)\.?\s+\p{L}(?![\w.'’])")
_NICKNAME = regex.compile(
    r"(?P<before>\p{L}+)\s+[\"'“‘](?P<n>\p{L}[\p{L}'’-]{1,15})[\"'”’](?!\p{L})"
)
# Not "called" or "by": "so-called 'detox' teas", "driven by 'fear'".
_NICKNAME_CUES = {"client", "friend", "pt", "patient", "resident", "aka", "nicknamed", "named",
                  "son", "daughter", "brother", "sister", "husband", "wife", "partner",
                  "boyfriend", "girlfriend", "buddy"}  # fmt: skip

_NOT_INITIALS = {"ok", "yes", "no", "ama", "dnr", "dni", "npo", "prn", "hcp", "poa", "sob", "lol",
                 "ie", "eg", "am", "pm", "us", "uk", "nb", "ps", "thx", "ty", "fyi", "pls",
                 "plz"}  # fmt: skip

_ABBREVIATIONS = {
    "US", "UK", "EU", "UN", "MD", "DO", "RN", "NP", "PA", "AM", "PM", "BC", "AD", "ER", "IV",
    "OR", "DC", "PT", "OT", "ED", "ST", "OK", "TV", "PS", "NB", "ID", "EG", "IE", "VS", "PO",
}  # fmt: skip


def _signed(m: regex.Match[str]) -> list[RecognizerResult]:
    """Initials, or a given name where a note is signed ("- sunny"); a sign-off line may be
    initials that are also a word ("- jr"), dots always make them initials ("- s.o.")."""
    group = next(g for g in ("s", "r", "b") if g in m.re.groupindex)
    out = []
    for part in regex.finditer(r"[\p{L}.]+", m.group(group)):
        word = part.group()
        letters = word.lower().replace(".", "")
        if letters in ROLE_AFTER | _NOT_INITIALS | shorthand.SETTINGS:
            continue
        given = len(letters) > 2 and letters in lexicon.given_names()
        if group == "s" and not m.group("own") and not given and "." not in word and (
            letters in lexicon.clinical_words() or letters in lexicon.ordinary_words()
        ):
            continue  # "switched to po - iv": shorthand ends the line, no one signs it
        listed = "/" in m.group(group)  # "ack: js/mk": initials, whatever else they spell
        if "." in word or (letters not in STOP_WORDS and (
            given or (len(letters) <= 3 and (group == "s" or listed or lexicon.zipf(letters) < 4))
        )):  # fmt: skip
            start = m.start(group) + part.start()
            out.append(RecognizerResult("NAME", start, start + len(word), 0.8))
    return out


def _is_abbreviation(initials: str) -> bool:
    return initials.replace(".", "").replace(" ", "") in _ABBREVIATIONS


recognizer = NameRecognizer()
