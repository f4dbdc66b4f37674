"""The `expansion` check: an abbreviation the model spelled out with words its letters do
not fit, and the draft never used.

The default model wrote "SSRIs (Serum Substituted for Infection)" into a post about
antidepressants, with every other check passing. A wrong expansion is misinformation in the
physician's name, and a reader cannot tell. Letters are matched the way abbreviations are
built: each content word gives the next letters, starting with its first ("GERD" from
"gastroesophageal reflux disease", "ECG" from "electrocardiogram"). An expansion that fits
can still be wrong ("DPP" as "Diabetes Prognosis Potential"); that the check cannot see.
A plain gloss passes: words that do not start with the abbreviation's letter ("PE (a clot
in the lung)"), or that share a word with DraftRx's own spelling-out ("ED (the emergency
room)").
"""

from __future__ import annotations

from functools import cache

import regex

from draftrx.compose.checks import Check
from draftrx.compose.plain import spell_out
from draftrx.compose.wording import content_words

_PAIR = regex.compile(
    r"\b(?P<abbr>\p{Lu}{2,6})s?\s*\((?P<words>[\p{L}' -]{3,80})\)"
    r"|(?P<words>(?:[\p{L}'-]+\s+){1,7}[\p{L}'-]+)\s*\((?P<abbr>\p{Lu}{2,6})s?\)"
)
_SMALL = {"of", "for", "and", "the", "in", "to", "a", "an", "with", "on", "by", "or"}
_LAST_WORDS = 8  # before an abbreviation, its spelling-out is looked for this far back


def check(post: str, given: str) -> Check:
    """Block a spelling-out that fits neither the abbreviation's letters nor the draft."""
    spans = []
    seen = _plain(given)
    for m in _PAIR.finditer(post):
        abbr, words = m["abbr"], m["words"]
        if _plain(words) in seen or _fits(abbr, words) or _known(abbr, words):
            continue
        spans.append(m.span())
    if not spans:
        return Check("expansion", "ok", "Every abbreviation spelled out fits its letters.")
    return Check(
        "expansion", "block",
        "Spells out an abbreviation with words its letters do not fit and the draft does not "
        "use: the model may have made the meaning up. Correct it or take it out.",
        tuple(spans),
    )  # fmt: skip


def _fits(abbr: str, words: str) -> bool:
    """Whether the words are a gloss rather than a spelling-out (none starts with the
    abbreviation's first letter: "PE (a clot in the lung)"), or spell it: its letters come
    from the content words, each giving at least its first letter. Before an abbreviation,
    the spelling-out may start anywhere in the phrase."""
    letters = abbr.lower()
    parts = [w for w in regex.split(r"[\s-]+", words.lower()) if w and w not in _SMALL]
    starts = [i for i, w in enumerate(parts[-_LAST_WORDS:]) if w[0] == letters[0]]
    if not starts:
        return True
    tail = tuple(parts[-_LAST_WORDS:])
    return any(_spells(letters, tail[i:]) for i in starts)


def _known(abbr: str, words: str) -> bool:
    """Whether the words share a content word with DraftRx's own plain spelling-out of the
    abbreviation ("ED (the emergency room)": "emergency department")."""
    ours = spell_out(abbr)
    return ours != abbr and bool(content_words(ours) & content_words(words))


@cache
def _spells(letters: str, words: tuple[str, ...]) -> bool:
    if not words:
        return not letters
    if not letters or letters[0] != words[0][0]:
        return False
    word, rest = words[0], words[1:]
    # This word gives letters[0] and then any of the next ones, in order, from within it.
    at, i = 1, 1
    while True:
        if _spells(letters[i:], rest):
            return True
        if i >= len(letters):
            return False
        found = word.find(letters[i], at)
        if found < 0:
            return False
        at, i = found + 1, i + 1


def _plain(text: str) -> str:
    return " ".join(regex.findall(r"[\p{L}\p{N}']+", text.lower()))
