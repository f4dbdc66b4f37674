"""Check the model's output: nothing of the original identifiers may come back.

A small model copies names and numbers from anything it has seen, and sometimes invents
realistic new ones. Three kinds of leak block a post: an original identifier written out
again, a near copy of one ("Kowalsky", "614 555 0198"), and a new identifier the scanner
finds in the output that is not one of the draft's own stand-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import regex

from draftrx.privacy import lexicon
from draftrx.privacy.fictionalise import Mapping, Mode, fictionalise
from draftrx.privacy.findings import Finding
from draftrx.privacy.scanner import Scanner

COPIED = "An identifier from the original draft appears in the output."
NEAR = "The output contains a near copy of an identifier from the original draft."
NEW = "The output contains an identifier that the draft's stand-ins do not explain."

_WORD = regex.compile(r"\p{L}[\p{L}'’-]*")
_DIGITS = regex.compile(r"\d(?:[\d\s().-]*\d)?")


@dataclass(frozen=True)
class Leak:
    start: int
    end: int
    type: str
    reason: str

    @property
    def blocking(self) -> bool:
        return True

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "type": self.type, "reason": self.reason}


def recheck(output: str, mapping: Mapping, scanner: Scanner) -> list[Leak]:
    """Every leak in `output`, sorted by position."""
    leaks = {**_new(output, mapping, scanner), **_copies(output, mapping)}
    return sorted(leaks.values(), key=lambda x: (x.start, x.end))


def scrub(output: str, mapping: Mapping, mode: Mode, scanner: Scanner) -> str:
    """Replace what the model wrote that identifies, the second pass after the draft's.

    Identifiers the scanner finds that are not the draft's stand-ins are replaced the same
    way as the draft's (with the same mapping, so stand-ins stay consistent); an original
    the model reproduced anyway becomes its stand-in. `recheck` then verifies the result.
    """
    found = _new_identifiers(output, mapping, scanner)
    text = fictionalise(output, found, mode, mapping=mapping).text if found else output
    for original in sorted(_distinctive(mapping), key=len, reverse=True):
        text = _copy_pattern(original).sub(lambda _, o=original: mapping.get(o) or "", text)
    return text


def _distinctive(mapping: Mapping) -> list[str]:
    """Originals worth looking for on their own: a bare "12" (from "bed 12") is every
    "12 hours" too, and "bed 12" itself is found by the scanner as a new identifier."""
    return [o for o in mapping.originals() if not (o.isdigit() and len(o) < 4)]


def _name_parts(mapping: Mapping) -> list[str]:
    """The words of the draft's multi-word names ("Jenna" of "Jenna Alvarez"): written
    alone they are still that person's, not a new name."""
    whole = set(mapping.originals())
    return [part for o in whole if mapping.type_of(o) == "NAME" and " " in o.strip()
            for part in _WORD.findall(o)
            if len(part) >= 3 and part not in whole and not lexicon.is_common_word(part)]


def _copy_pattern(original: str) -> regex.Pattern[str]:
    flags = 0 if lexicon.is_common_word(original) else regex.IGNORECASE
    return regex.compile(
        rf"(?<![\p{{L}}\p{{N}}]){regex.escape(original)}(?![\p{{L}}\p{{N}}])", flags
    )


def _is_fiction(text: str, fiction: set[str]) -> bool:
    """A stand-in, or made only of stand-in words ("Ana" and "Reyes" -> "Reyes, Ana").
    A number has no words and so is never fiction by the second rule."""
    text = text.lower()
    words = _WORD.findall(text)
    return text in fiction or (bool(words) and all(w in fiction for w in words))


def _new_identifiers(output: str, mapping: Mapping, scanner: Scanner) -> list[Finding]:
    """What the scanner finds in the output that the stand-ins do not explain.

    A "name" with no given name, no uncommon surname and no title or relation before it
    ("Warning Signs", "Shortness of Breath", a misspelt "Inflamations" in a model's
    headings) is prose: the model never saw the draft's names, and a copied original is
    caught by `_copies`.
    """
    fiction = {s.lower() for s in mapping.standins()}
    found = []
    for f in scanner.scan(output, quasi_identifiers=False, tagged=False):
        text = output[f.start : f.end]
        words = [w.lower() for w in _WORD.findall(text)]
        prose = f.type == "NAME" and f.score < 0.9 and not any(_namelike(w) for w in words)
        if not prose and not _is_fiction(text, fiction):
            found.append(f)
    return found


def _namelike(word: str) -> bool:
    if word in lexicon.given_names():
        return True
    return word in lexicon.surnames() and not lexicon.is_common_word(word)


def _copies(output: str, mapping: Mapping) -> dict[tuple[int, int], Leak]:
    found: dict[tuple[int, int], Leak] = {}
    for part in _name_parts(mapping):
        for m in _copy_pattern(part).finditer(output):
            found[m.span()] = Leak(m.start(), m.end(), "NAME", COPIED)
    for original in _distinctive(mapping):
        type_ = mapping.type_of(original)
        for m in _copy_pattern(original).finditer(output):
            found[m.span()] = Leak(m.start(), m.end(), type_, COPIED)
        digits = regex.sub(r"\D", "", original)
        if len(digits) >= 4:
            for m in _DIGITS.finditer(output):
                if digits in regex.sub(r"\D", "", m.group()) and m.span() not in found:
                    found[m.span()] = Leak(m.start(), m.end(), type_, NEAR)
        # A near copy of a plain word ("Medicine" of "Riverside Family Medicine") is that
        # word in another form ("medicines"), not a misspelt identifier.
        if len(original) >= 5 and original.isalpha() and not lexicon.is_common_word(original):
            for m in _WORD.finditer(output):
                word = m.group()
                if m.span() in found or word.lower() == original.lower() or len(word) < 4:
                    continue
                if SequenceMatcher(None, word.lower(), original.lower()).ratio() >= 0.85:
                    found[m.span()] = Leak(m.start(), m.end(), type_, NEAR)
    return found


def _new(output: str, mapping: Mapping, scanner: Scanner) -> dict[tuple[int, int], Leak]:
    return {(f.start, f.end): Leak(f.start, f.end, f.type, NEW)
            for f in _new_identifiers(output, mapping, scanner)}  # fmt: skip
