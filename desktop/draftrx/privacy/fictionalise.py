"""Replace what the scanner found, through presidio-anonymizer, before the model sees a draft.

Each finding becomes one presidio operator (a `replace` with the stand-in chosen here), so
presidio does the splicing and reports where each stand-in landed in the new text; the
diff view and the re-scan use those positions. The original-to-stand-in mapping lives in
a `Mapping` object in memory only: it has no repr of its contents and is never logged.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import regex
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from draftrx.privacy import lexicon
from draftrx.privacy import standins as si
from draftrx.privacy.findings import Finding
from draftrx.privacy.folding import fold
from draftrx.privacy.kinds import TYPES, Kind
from draftrx.privacy.name_words import RELATIONS, TITLES


class Mode(StrEnum):
    FICTIONALISE = "fictionalise"
    GENERALISE = "generalise"
    REDACT = "redact"


@dataclass(frozen=True)
class Replacement:
    """One change: where it was in the draft, where its stand-in is in the new text."""

    type: str
    source: tuple[int, int]
    target: tuple[int, int]
    mode: Mode


class Mapping:
    """Original identifier text -> stand-in, for one draft. Memory only; repr hides it."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}
        self._types: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Mapping of {len(self._map)} identifiers>"

    def __len__(self) -> int:
        return len(self._map)

    def originals(self) -> list[str]:
        return list(self._map)

    def standins(self) -> list[str]:
        return list(self._map.values())

    def get(self, original: str) -> str | None:
        return self._map.get(original)

    def type_of(self, original: str) -> str:
        return self._types.get(original, "NAME")

    def add(self, original: str, standin: str, type_: str) -> None:
        self._map.setdefault(original, standin)
        self._types.setdefault(original, type_)

    def clear(self) -> None:
        self._map.clear()
        self._types.clear()


@dataclass
class Result:
    text: str
    replacements: list[Replacement]
    mapping: Mapping = field(repr=False)


_ENGINE = AnonymizerEngine()
_AGE_WORDS = regex.compile(r"(?i)^(\d{1,3})(\s?|-)(years?|yrs?|y)(\s?|-)(old|o\.?|/o)$")
_AGE_SEX = regex.compile(r"(?i)^\d{1,3}\s?(?:y\.?o\.?|y/o|yrs?)?\s?([mf])$")
_POSSESSIVE = regex.compile(r"(['’]s|s['’]|['’])$")


def fictionalise(
    text: str,
    findings: Iterable[Finding],
    mode: Mode = Mode.FICTIONALISE,
    *,
    keep: Iterable[Finding] = (),
    quasi: bool = False,
    seed: int | None = None,
    mapping: Mapping | None = None,
) -> Result:
    """Replace identifier findings (and quasi-identifiers too when `quasi`), except `keep`.

    Findings must not overlap (the scanner guarantees it). `seed` makes the stand-ins
    reproducible; passing the `mapping` of an earlier call keeps stand-ins stable while
    the user edits the same draft.
    """
    kept = set(keep)
    todo = [
        f for f in findings if f not in kept and (quasi or TYPES[f.type].kind is Kind.IDENTIFIER)
    ]
    chooser = _Chooser(text, mode, random.Random(seed), Mapping() if mapping is None else mapping)
    results, operators, spans = [], {}, {}
    for i, f in enumerate(sorted(todo, key=lambda f: f.start)):
        start, end, new = chooser.standin(f)
        key = f"F{i}"
        results.append(RecognizerResult(key, start, end, f.score))
        # presidio's "replace" treats "" as "no value given"; "redact" deletes.
        operators[key] = (
            OperatorConfig("replace", {"new_value": new}) if new else OperatorConfig("redact")
        )
        spans[key] = (f.type, (start, end))
    out = _ENGINE.anonymize(text=text, analyzer_results=results, operators=operators)
    replacements = sorted(
        (Replacement(spans[r.entity_type][0], spans[r.entity_type][1], (r.start, r.end), mode)
         for r in out.items),
        key=lambda r: r.source,
    )  # fmt: skip
    return Result(out.text, replacements, chooser.mapping)


class _Chooser:
    def __init__(self, text: str, mode: Mode, rng: random.Random, mapping: Mapping) -> None:
        self.text = text
        self.mode = mode
        self.rng = rng
        self.mapping = mapping
        self.taken = {w.lower() for w in regex.findall(r"\p{L}+", text)}
        self.days = rng.choice([-1, 1]) * rng.randint(9, 45)

    def standin(self, f: Finding) -> tuple[int, int, str]:
        """(start, end, replacement): generalising a name may swallow its title. Stand-ins
        are made from the folded original: "Jen\u200bna" and "Jenna" are one person."""
        original = fold(self.text[f.start : f.end]).text
        if f.type == "AGE_90_PLUS":
            return f.start, f.end, _ninety(original)
        if self.mode is Mode.REDACT:
            return f.start, f.end, f"[{f.type}]"
        if self.mode is Mode.GENERALISE:
            return self._general(f, original)
        known = self.mapping.get(original)
        if known is None:
            known = self._invent(f.type, original)
            self.mapping.add(original, known, f.type)
        return f.start, f.end, known

    def _invent(self, type_: str, original: str) -> str:
        rng = self.rng
        if type_ == "NAME":
            return self._name(original)
        if type_ == "DATE":
            return si.shift_date(original, self.days) or (
                "a holiday" if original[0].isupper() else "one day"
            )
        if type_ == "LOCATION":
            return si.fictional_town(self.taken, rng)
        if type_ == "FACILITY":
            return f"{si.fictional_town(self.taken, rng)} {original.split()[-1]}"
        if type_ == "ADDRESS":
            street = f"{si.unused(si.STREETS, self.taken, rng)} {original.split()[-1]}"
            return f"{rng.randint(10, 999)} {street}" if original[:1].isdigit() else street
        if type_ == "PHONE":
            return si.fictional_phone(original, rng)
        if type_ == "EMAIL":
            return f"reader{rng.randint(10, 99)}@example.org"
        if type_ == "URL":
            return "https://example.org/"
        if type_ == "IP_ADDRESS":
            return (
                f"2001:db8::{rng.randint(1, 0xFFFF):x}"
                if ":" in original
                else f"192.0.2.{rng.randint(1, 254)}"
            )
        if type_ == "ZIP":
            return "000" + "".join(rng.choice("0123456789") for _ in range(len(original) - 3))
        if type_ in {"AGE", "TIME_CUE", "CARE_SETTING", "EVENT", "OCCUPATION", "RARE_CONDITION"}:
            return self._general_text(type_, original)
        return si.scramble(original, rng)

    def _name(self, original: str) -> str:
        if original.startswith("@"):
            return f"@reader{self.rng.randint(10, 99)}"
        words = regex.split(r"([\s-]+)", original)
        out = []
        for i, w in enumerate(words):
            if not w or not w[0].isalpha():
                out.append(w)
                continue
            poss = _POSSESSIVE.search(w) if len(w) > 3 else None
            base = w[: poss.start()] if poss else w
            new = self.mapping.get(base)
            if new is None:
                if len(base.rstrip(".")) == 1:
                    letters = [c for c in "BCDFGHJKLMNPRSTVW" if c != base[0].upper()]
                    new = self.rng.choice(letters) + base[1:]
                else:
                    pool = si.GIVEN if i == 0 and len(words) > 1 else si.FAMILY
                    if len(words) == 1 and base.lower() in lexicon.given_names():
                        pool = si.GIVEN
                    new = si.unused(pool, self.taken, self.rng)
                    new = new.upper() if base.isupper() else new
                self.mapping.add(base, new, "NAME")
                self.taken.add(new.lower())
            out.append(new + (poss.group() if poss else ""))
        return "".join(out)

    def _general(self, f: Finding, original: str) -> tuple[int, int, str]:
        if f.type == "NAME":
            return self._general_name(f)
        if f.type == "DATE":
            start = f.start
            before = self.text[max(0, f.start - 8) : f.start]
            m = regex.search(r"(?i)\b(on|on the|in|of)\s+$", before)
            year = si.year_only(original)
            if year:
                word = "in " if m else ""
                return (f.start - len(m.group()) if m else f.start), f.end, word + year
            if m:
                start = f.start - len(m.group())
            low = original.lower()
            new = "one day" if any(d.lower() in low for d in si.WEEKDAYS) else "recently"
            new = new[0].upper() + new[1:] if _sentence_start(self.text, start) else new
            return start, f.end, new
        if f.type == "FACILITY":
            return f.start, f.end, si.general_facility(original)
        if f.type in si.GENERAL or f.type == "AGE":
            new = self._general_text(f.type, original)
            before = self.text[max(0, f.start - 5) : f.start]
            article = regex.search(r"(?i)\b(?:a|an|the)\s+$", before)
            if article and regex.match(r"(?i)(?:a|an|the)\s", new):  # "a teacher": one article
                cased = new[0].upper() + new[1:] if article.group()[0].isupper() else new
                return f.start - len(article.group()), f.end, cased
            return f.start, f.end, new
        return f.start, f.end, "[number]" if f.type == "ROOM" else f"[{TYPES[f.type].label}]"

    def _general_name(self, f: Finding) -> tuple[int, int, str]:
        before = self.text[max(0, f.start - 30) : f.start]
        m = regex.search(r"(?i)\b([\p{L}-]+)\.?\s*[,:(]?\s*$", before)
        word = m.group(1).lower().split("-")[-1] if m else ""
        if m and word in TITLES:
            start = f.start - len(m.group())
            return (
                start,
                f.end,
                TITLE_GENERAL_CASED(self.text, start, si.TITLE_GENERAL.get(word, "someone")),
            )
        if (
            m
            and word in RELATIONS
            and word
            not in {
                "patient",
                "pt",
                "dear",
                "hi",
                "hello",
                "hey",
                "thanks",
                "congrats",
                "congratulations",
            }
        ):
            # "her son Marcus" -> "her son": the relation already says who.
            gap = regex.search(r"[\s,:(]*$", before).group()
            return f.start - len(gap), f.end, ""
        name = self.text[f.start : f.end]
        poss = _POSSESSIVE.search(name)
        who = "Someone" if _sentence_start(self.text, f.start) else "someone"
        return f.start, f.end, who + ("'s" if poss and len(name) > 3 else "")

    def _general_text(self, type_: str, original: str) -> str:
        if type_ == "AGE":
            m = regex.search(r"\d{1,3}", original)
            decade = f"{int(m.group()) // 10 * 10}" if m else ""
            if _AGE_WORDS.match(original):
                return f"{decade}-something-year-old" if int(decade) >= 20 else "young"
            if sex := _AGE_SEX.match(original):  # "67M", "45 yo F": clinical shorthand
                who = "man" if sex.group(1).lower() == "m" else "woman"
                return f"{decade}-something {who}" if int(decade) >= 20 else f"young {who}"
            return regex.sub(r"\d{1,3}", f"{decade}s", original, count=1)
        new = si.GENERAL[type_]
        return new[0].upper() + new[1:] if original[:1].isupper() and type_ == "TIME_CUE" else new


def _ninety(original: str) -> str:
    if _AGE_WORDS.match(original):
        return "90-or-older"
    return "90 or older" if original[:1].isdigit() else "their 90s or older"


def TITLE_GENERAL_CASED(text: str, start: int, phrase: str) -> str:
    return phrase[0].upper() + phrase[1:] if _sentence_start(text, start) else phrase


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n"
