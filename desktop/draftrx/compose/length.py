"""How each platform counts a post's length.

X counts with twitter-text's weighted rules (v3): after NFC normalisation, code points in
the Latin, general-punctuation and similar ranges weigh 1, everything else (CJK, most
symbols) 2, an emoji sequence 2 as a whole, and every URL 23. Bluesky counts grapheme
clusters, Mastodon counts characters with every URL as 23, and the rest count characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import regex

URL_LENGTH = 23
# twitter-text's default config: code points in these ranges weigh 1, all others 2.
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_TLDS = "com|org|net|gov|edu|io|co|us|uk|ca|au|health|info|me|app|ly"
URL = regex.compile(
    rf"(?i)\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'’]"
    rf"|\b(?:[a-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'’])?"
)
_EMOJI = regex.compile(
    r"\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}(?:[\uFE0F\p{Emoji_Modifier}]|\u200D\p{Extended_Pictographic}\uFE0F?)*"
)
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")


def weighted(text: str) -> int:
    """X's count: 280 is the limit of this number."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for m in regex.finditer(f"{URL.pattern}|{_EMOJI.pattern}", text):
        total += _code_points(text[pos : m.start()])
        total += URL_LENGTH if URL.fullmatch(m.group()) else 2
        pos = m.end()
    return total + _code_points(text[pos:])


def _code_points(text: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _LIGHT) else 2 for c in text)


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def characters(text: str) -> int:
    return len(text)


def mastodon(text: str) -> int:
    return len(URL.sub("x" * URL_LENGTH, text))


def words(text: str) -> int:
    return len(_WORD.findall(text))


COUNTERS: dict[str, Callable[[str], int]] = {
    "weighted": weighted,
    "graphemes": graphemes,
    "characters": characters,
    "mastodon": mastodon,
    "words": words,
}
UNITS = {
    "weighted": "characters",
    "graphemes": "characters",
    "characters": "characters",
    "mastodon": "characters",
    "words": "words",
}
