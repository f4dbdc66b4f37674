"""Reading grade by two formulas, Flesch-Kincaid and SMOG, because they disagree.

Patient-education guidance asks for grade 8 or below (NIH; the AMA says 6). Syllables are
counted by rule (vowel groups, silent final e, -ed), which is what both formulas were fitted
with; URLs, @handles and hashtags are not prose and are left out.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import regex

from draftrx.compose.length import URL

TARGET_GRADE = 8.0
_NOT_PROSE = regex.compile(rf"{URL.pattern}|[@#][\w.]+")
_SENTENCE_END = regex.compile(r"[.!?]+(?=\s|$)|\n\s*\n|\n(?=\s*[-•*\d])")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
_VOWELS = regex.compile(r"[aeiouy]+")
_SPLIT_VOWELS = regex.compile(r"ia|io(?!n)|ua|ue(?!$)|uo|ii")  # two syllables in one group


@dataclass(frozen=True)
class Grade:
    flesch_kincaid: float
    smog: float
    words: int
    sentences: int

    @property
    def mean(self) -> float:
        """What the target is checked against: SMOG alone overrates short posts (it was
        fitted on 30-sentence samples), Flesch-Kincaid alone underrates long words."""
        return (self.flesch_kincaid + self.smog) / 2

    def to_json(self) -> dict[str, float | int]:
        data = {**asdict(self), "mean": self.mean}
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in data.items()}


def syllables(word: str) -> int:
    w = word.lower().replace("’", "'").split("'")[0]
    if len(w) <= 3:
        return 1
    if w.endswith("ed") and w[-3] not in "td":
        w = w[:-2]  # walked, but not created
    elif w.endswith("es") and w[-3] not in "sxzhgc":
        w = w[:-1]  # makes -> make, but not boxes
    if w.endswith("e") and not (w.endswith("le") and w[-3] not in "aeiouy"):
        w = w[:-1]  # silent e, but not the -le of table
    w = w[1:] if w.startswith("y") else w
    return max(1, len(_VOWELS.findall(w)) + len(_SPLIT_VOWELS.findall(w)))


def grade(text: str) -> Grade | None:
    """None when there is no prose to grade."""
    prose = _NOT_PROSE.sub(" ", text)
    sentences = [s for s in _SENTENCE_END.split(prose) if _WORD.search(s)]
    words = _WORD.findall(prose)
    if not words:
        return None
    n_sent = max(1, len(sentences))
    counts = [syllables(w) for w in words]
    fk = 0.39 * len(words) / n_sent + 11.8 * sum(counts) / len(words) - 15.59
    poly = sum(1 for c in counts if c >= 3)
    smog = 1.0430 * math.sqrt(poly * 30 / n_sent) + 3.1291
    return Grade(fk, smog, len(words), n_sent)
