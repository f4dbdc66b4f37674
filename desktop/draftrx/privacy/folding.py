"""What the scanner reads: the draft with invisible and look-alike characters folded away.

Text pasted from web pages, EHRs and social apps carries zero-width spaces, soft hyphens,
bidi marks, no-break spaces, full-width digits, "bold" mathematical letters and Cyrillic
look-alikes. Each is invisible to a reader and splits an identifier for a pattern:
"937-555-\u200b0142", "MRN 447\u200b1902". The scanner reads the folded text and maps its
findings back, so replacements cover the original characters, invisible ones included,
and everything outside a finding is left exactly as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

# Non-ASCII graphemes; an ASCII letter followed by a combining mark goes with its mark.
_UNUSUAL = regex.compile(r"[\x00-\x7f]+(?!\p{M})|\X")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63", "-"))
# Cyrillic and Greek letters drawn like Latin ones, folded inside a word that also has
# Latin letters ("Jenna" typed with a Cyrillic e); whole words in those scripts are left
# alone.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁАВЕКМНОРСТХІЈЅοινΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdABEKMHOPCTXIJSoivABEZHIKMNOPTYX",
)
_MIXED_WORD = regex.compile(r"\w*[A-Za-z]\w*")
# Format characters go; a lone surrogate (no text, but JSON and Qt can carry one) becomes
# the replacement character, which spaCy's tokenizer can encode.
_SURROGATE = {"Cf": "", "Cs": "\ufffd"}


@dataclass(frozen=True)
class Folded:
    """The folded text, and for each of its characters the original span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind text[start:end] (end > start)."""
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> Folded:
    """Drop format characters (Unicode Cf: zero-width, soft hyphen, bidi, BOM), replace lone
    surrogates, apply NFKC per grapheme (spaces, full-width and styled letters and digits),
    turn dashes into "-" and digits of any script into ASCII ones, and fold look-alike
    letters inside Latin words. Plain ASCII comes back as it is."""
    if text.isascii():
        every = tuple(range(len(text)))
        return Folded(text, every, tuple(i + 1 for i in every))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _UNUSUAL.finditer(text):
        start, end, piece = m.start(), m.end(), m.group()
        if piece.isascii():
            pieces.append(piece)
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
            continue
        kept = "".join(_SURROGATE.get(unicodedata.category(c), c) for c in piece)
        folded = unicodedata.normalize("NFKC", kept).translate(_DASHES)
        # Digits of every script ("٣٤٥", "४५६"), which NFKC leaves as they are.
        folded = "".join(str(unicodedata.decimal(c, c)) for c in folded)
        pieces.append(folded)
        starts.extend([start] * len(folded))
        ends.extend([end] * len(folded))
    out = "".join(pieces)
    if not out.isascii():
        out = _MIXED_WORD.sub(lambda w: w.group().translate(_LOOKALIKES), out)
    return Folded(out, tuple(starts), tuple(ends))
