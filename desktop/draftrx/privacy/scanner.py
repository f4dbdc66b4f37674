"""The scanner: Presidio's AnalyzerEngine over DraftRx's own recognizers, fully offline.

Presidio's defaults are wrong for this job in three ways: `AnalyzerEngine()` tries to
download a spaCy model, its e-mail and URL recognizers call `tldextract`, which fetches
the public suffix list (and hangs offline), and its statistical NER is slow here (about
70 ms for 2,000 characters on two cores) and weak on clinical text. So the registry holds
only DraftRx's recognizers, and the spaCy pipeline that Presidio needs for tokens runs
its tokenizer alone unless NER is asked for.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import regex
import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.recognizer_registry import RecognizerRegistry
from spacy.lang.en.stop_words import STOP_WORDS

from draftrx.privacy import codes, lexicon, names, places, quasi, shorthand, tagger, temporal
from draftrx.privacy.findings import Finding, resolve_overlaps
from draftrx.privacy.folding import fold
from draftrx.privacy.kinds import TYPES
from draftrx.privacy.name_words import EPONYMS, NAMED_THINGS

# spaCy refuses longer texts by default; drafts this long are scanned in pieces.
CHUNK = 50_000
_SPACY_LABELS = {"PERSON": "NAME", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "FACILITY"}


class _OfflineSpacy(SpacyNlpEngine):
    """spaCy offline: the packaged model from its path when `ner`, else a tokenizer only."""

    def __init__(self, ner: bool) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "en_core_web_sm"}])
        self._ner = ner

    def load(self) -> None:
        if self._ner:
            path = lexicon.spacy_model_path()
            keep = {"tok2vec", "ner"}
            nlp = spacy.load(path, exclude=[c for c in _components(path) if c not in keep])
        else:
            # The trained package's tokenizer is English's own rules: a blank pipeline
            # tokenises identically (checked on 1,500 texts) and skips loading the package's
            # vocabulary, 0.15 s in which the GIL is held and the window cannot repaint.
            nlp = spacy.blank("en")
        nlp.max_length = CHUNK + 1000
        self.nlp = {"en": nlp}


def _components(path: Path) -> list[str]:
    return list(spacy.util.load_config(path / "config.cfg")["nlp"]["pipeline"])


class _SpacyEntities(EntityRecognizer):
    """spaCy's statistical entities, when NER is switched on."""

    def __init__(self) -> None:
        super().__init__(supported_entities=sorted(set(_SPACY_LABELS.values())), name="spacy_ner")

    def load(self) -> None:
        """The model is loaded by the NLP engine."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None:
            return []
        return [RecognizerResult(_SPACY_LABELS[e.label_], e.start_char, e.end_char, 0.5)
                for e in nlp_artifacts.entities if e.label_ in _SPACY_LABELS]  # fmt: skip


class Scanner:
    """Finds identifiers and vague-posting cues in a draft.

    Thread-safe: one lock around the analyzer, so the UI's debounced live scan and a
    background job can share one scanner. Loading takes about a second (spaCy and the
    dictionaries); `warm()` does it ahead of the first keystroke.
    """

    def __init__(self, *, ner: bool = False) -> None:
        self.ner = ner
        self._lock = threading.Lock()
        self._analyzer: AnalyzerEngine | None = None
        self._tagger: tagger.Tagger | None = None

    def warm(self) -> None:
        with self._lock:
            self._ensure()

    def scan(
        self, text: str, *, quasi_identifiers: bool = True, tagged: bool = True
    ) -> list[Finding]:
        """Non-overlapping findings sorted by start; offsets are Python string indices into
        `text`. The text is read folded (privacy/folding.py): an invisible character inside
        an identifier neither hides it nor is left outside its span.

        `tagged=False` leaves out the statistical tagger, for the model's own prose: it
        learnt from notes and drafts, and takes a heading word there for a name, while what
        the model could leak is the draft's identifiers, checked against them directly."""
        if not isinstance(text, str):
            raise TypeError(f"scan() needs text (str), not {type(text).__name__}")
        folded = fold(text)
        found = self._scan(folded.text, quasi_identifiers, tagged)
        if folded.text == text:
            return found
        return [Finding(*folded.span(f.start, f.end), f.type, f.score) for f in found]

    def _scan(self, text: str, quasi_identifiers: bool, tagged: bool) -> list[Finding]:
        results: list[RecognizerResult] = []
        with self._lock:
            analyzer = self._ensure()
            for offset, piece in _chunks(text):
                for r in analyzer.analyze(piece, language="en", score_threshold=0.0):
                    results.append(
                        RecognizerResult(r.entity_type, r.start + offset, r.end + offset, r.score)
                    )
            extra = self._tagger.find(text) if tagged and self._tagger else []
        found = [Finding(r.start, r.end, r.entity_type, round(r.score, 2)) for r in results
                 if r.entity_type in TYPES and r.end > r.start]  # fmt: skip
        if not quasi.places_someone(text, {f.type for f in found}):
            found = [f for f in found if f.type != "OCCUPATION"]
        abbreviations = _abbreviated(text, found)
        found += abbreviations + _town_after(text, found)
        found += [t for t in extra if not _case_slip(text, t) and not _jargon(text, t)
                  and not any(t.start < f.end and f.start < t.end for f in found)]  # fmt: skip
        found += _repeats(text, found, {text[f.start : f.end] for f in abbreviations})
        if not quasi_identifiers:
            found = [f for f in found if f.blocking]
        things = [m.span() for m in NAMED_THINGS.finditer(text)]
        return resolve_overlaps(
            [f for f in found if not any(a <= f.start and f.end <= b for a, b in things)]
        )

    def _ensure(self) -> AnalyzerEngine:
        if self._analyzer is None:
            registry = RecognizerRegistry(supported_languages=["en"])
            recognizers = [names.recognizer, temporal.recognizer, codes.recognizer,
                           places.recognizer, quasi.recognizer]  # fmt: skip
            if self.ner:
                recognizers.append(_SpacyEntities())
            for r in recognizers:
                registry.add_recognizer(r)
            nlp = _OfflineSpacy(self.ner)
            nlp.load()
            lexicon.warm()
            self._tagger = tagger.load()
            self._analyzer = AnalyzerEngine(
                registry=registry, nlp_engine=nlp, supported_languages=["en"]
            )
        return self._analyzer


_NAME_WORD = regex.compile(r"\p{L}[\p{L}'’-]+")


def _repeats(text: str, found: list[Finding], abbreviations: set[str]) -> list[Finding]:
    """Once a word is a name or a town somewhere in the draft, it is one everywhere in it:
    "Mrs. Jo Abide ... Abide asked" (a sentence-initial "Abide" alone proves nothing). So is
    a facility's abbreviation given beside it, whatever else it may stand for: "Greenhaven
    Specialty Hospital (GSH) ... GSH accepted"."""
    words: dict[str, str] = dict.fromkeys(abbreviations, "FACILITY")
    for f in found:
        if f.type in {"NAME", "LOCATION"}:
            for w in _NAME_WORD.findall(text, f.start, f.end):
                if w.istitle() or not lexicon.is_vocabulary(w):
                    words.setdefault(w, f.type)  # "son will called": not every "will"
        elif f.type == "FACILITY":
            for w in _NAME_WORD.findall(text, f.start, f.end):
                if _distinctive(w):
                    words.setdefault(w, f.type)  # "Elmcrest Assisted Living ... Elmcrest"
    if not words:
        return []
    alternatives = "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = rf"(?<![\p{{L}}\p{{N}}-])(?:{alternatives})(?![\p{{L}}\p{{N}}])"
    return [
        Finding(m.start(), m.end(), words[m.group()], 0.8) for m in regex.finditer(pattern, text)
    ]


def _case_slip(text: str, found: Finding) -> bool:
    """A tagger finding all in lower case, or opening with a lower-case word, on a line whose
    writer capitalises names ("detox teas", "urgent care", "the bill", "economy of the White
    Stripes' home city"): the tagger reads no case, and there a word left uncapitalised is
    most likely not a name."""
    words = _NAME_WORD.findall(text, found.start, found.end)
    opens_low = bool(words) and words[0].islower() and words[0] not in STOP_WORDS
    return (all(w.islower() for w in words) or opens_low) and names.capitals_are_evidence(
        text, found.start
    )


def _jargon(text: str, found: Finding) -> bool:
    """A tagger name that is one clinical word, eponym or typo ("rn. perfusion (kowalski)",
    "hoyer lift", "pateint"), dropped in any case so that a note in capitals or lower case
    loses it too; initials ("JT", "rk") and words the name lists know stay."""
    low = text[found.start : found.end].lower()
    if found.type != "NAME" or len(low) < 4 or low in lexicon.given_names():
        return False
    if low in EPONYMS or _swapped(low):
        return True
    return low not in lexicon.surnames() and low in lexicon.clinical_words()


def _swapped(low: str) -> bool:
    """A common word with two letters swapped ("pateint", "recieved"): a typo, not a name."""
    return any(
        lexicon.zipf(low[:i] + low[i + 1] + low[i] + low[i + 2 :]) >= 4.0
        for i in range(len(low) - 1)
        if low[i] != low[i + 1]
    )


_AFTER = regex.compile(r"\s*\(\s*(\p{L}{2,6})\s*\)")
_BEFORE = regex.compile(r"(?<![\p{L}])(\p{Lu}{2,6})\s*\(\s*$")


def _distinctive(word: str) -> bool:
    """A word naming one facility ("Elmcrest", "CUH"), not "ST", "SNF" or "Home"."""
    low = word.lower()
    if len(word) < 3 or low in shorthand.SETTINGS or low in lexicon.clinical_words():
        return False
    return not lexicon.is_vocabulary(word)


def _abbreviated(text: str, found: list[Finding]) -> list[Finding]:
    """A facility's abbreviation beside it: "St. Luke of the Hills (SLH)", "sunnyvale ltach
    (slt)", "HRC (Hillcrest Rehab Ctr)"."""
    out = []
    for f in found:
        if f.type != "FACILITY":
            continue
        for m in (_AFTER.match(text, f.end), _BEFORE.search(text, max(0, f.start - 12), f.start)):
            word = m.group(1) if m else ""
            if m and word.lower() not in shorthand.SETTINGS and not lexicon.is_vocabulary(word):
                out.append(Finding(m.start(1), m.end(1), "FACILITY", 0.8))  # not "(full)"
    return out


_TOWN_AFTER = regex.compile(r",[ \t]*(\p{L}[\p{L}'’.-]+(?:[ \t]\p{L}[\p{L}'’.-]+)?)")


def _town_after(text: str, found: list[Finding]) -> list[Finding]:
    """The town after an address or a facility: "33 birchwood ct, york", "HILLTOP DRUG,
    PIKEVILLE", "14 HARBOR RD, GLOUCESTER". A clinical word or a common one stops it."""
    out: list[Finding] = []
    todo = [f for f in found if f.type in {"ADDRESS", "FACILITY"}]
    while todo:  # a town found may lead to the next: "Besant Nagar, Chennai 600090"
        f = todo.pop()
        m = _TOWN_AFTER.match(text, f.end)
        if not m:
            continue
        words = m.group(1).split()
        while words:
            end = m.start(1) + len(" ".join(words).rstrip("."))
            if _ENDS_PLACE.match(text, end) and all(_town_word(w.rstrip(".")) for w in words):
                out.append(Finding(m.start(1), end, "LOCATION", 0.75))
                todo.append(out[-1])
                break
            words.pop()
    return out


# A town closes its line of an address: "york.", "GLOUCESTER)", "MILWAUKEE WI 53209".
_ENDS_PLACE = regex.compile(r"[ \t]*(?:$|[\n.,;)]|[A-Z]{2}\b|\d{4,6}\b|[A-Z]\d[A-Z]\b)")


def _town_word(word: str) -> bool:
    """A town's word: GeoNames knows it, or no dictionary does ("Pikeville")."""
    low = word.lower()
    if len(low) < 3 or low in shorthand.SETTINGS or low in shorthand.ABBREVIATIONS:
        return False
    if low in lexicon.states_and_countries():
        return False
    if low in lexicon.place_names():
        return True
    return lexicon.zipf(low) < 2.0 and low not in lexicon.clinical_words()


def _chunks(text: str):
    """(offset, piece) pairs no longer than CHUNK, cut at a line break or a space."""
    start = 0
    while len(text) - start > CHUNK:
        cut = text.rfind("\n", start, start + CHUNK)
        if cut <= start:
            cut = text.rfind(" ", start, start + CHUNK)
        if cut <= start:
            cut = start + CHUNK
        else:
            cut += 1
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


@cache
def default_scanner() -> Scanner:
    return Scanner()
