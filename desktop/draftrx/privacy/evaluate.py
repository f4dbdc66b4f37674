"""Recall and precision of the scanner against gold spans (`draftrx eval-deid`).

Two formats: presidio-research JSON (a list of {full_text, spans: [{entity_type,
start_position, end_position}]}) and DraftRx's JSON Lines gold, one object per line:
{"id", "text", "spans": [{"type", "start", "end"} or {"type", "value"}]}, where a
`value` stands for every whole-word occurrence of that text.

A gold span counts as found when a finding overlaps it (for an identifier: an identifier
finding). A finding counts as correct when it overlaps a gold span. Gold types that are
not patient identifiers (presidio's ORGANIZATION, TITLE, NRP) are not scored, and a
finding on one of them counts neither way; nor is a presidio GPE that is a US state or a
country, which Safe Harbor allows and DraftRx leaves in place.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import regex

from draftrx.privacy.findings import Finding
from draftrx.privacy.kinds import IDENTIFIER_TYPES, TYPES
from draftrx.privacy.lexicon import states_and_countries

PRESIDIO_TYPES = {
    "PERSON": "NAME", "STREET_ADDRESS": "ADDRESS", "GPE": "LOCATION", "DATE_TIME": "DATE",
    "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "ZIP_CODE": "ZIP", "US_SSN": "SSN",
    "IP_ADDRESS": "IP_ADDRESS", "CREDIT_CARD": "ACCOUNT", "IBAN_CODE": "ACCOUNT",
    "US_DRIVER_LICENSE": "LICENSE", "DOMAIN_NAME": "URL", "AGE": "AGE",
}  # fmt: skip
UNSCORED = "UNSCORED"


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    type: str


@dataclass
class Example:
    id: str
    text: str
    spans: list[Gold]


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    def to_json(self) -> dict[str, object]:
        return {"gold": self.gold, "found": self.found, "recall": _r(self.recall),
                "predicted": self.predicted, "correct": self.correct,
                "precision": _r(self.precision)}  # fmt: skip


@dataclass
class Report:
    dataset: str
    examples: int
    identifiers: Tally = field(default_factory=Tally)
    quasi: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=dict)
    ms_per_example: float = 0.0
    misses: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"dataset": self.dataset, "examples": self.examples,
                "identifiers": self.identifiers.to_json(), "quasi": self.quasi.to_json(),
                "by_type": {k: v.to_json() for k, v in sorted(self.by_type.items())},
                "ms_per_example": round(self.ms_per_example, 2)}  # fmt: skip


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def gold_sets() -> list[Path]:
    """The clinical gold sets shipped with DraftRx (written for it; synthetic, no real data)."""
    return sorted(Path(__file__).with_name("gold").glob("*.jsonl"))


def load(path: Path) -> list[Example]:
    """Read either gold format; a malformed record is an error naming its line or index."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json" or raw.lstrip().startswith("["):
        return [_presidio(i, item) for i, item in enumerate(json.loads(raw))]
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            try:
                out.append(_own(json.loads(line)))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                raise ValueError(f"{path.name} line {n}: {exc}") from exc
    return out


# What text pasted from web pages and EHRs hides inside an identifier (see folding.py).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LOOKALIKE = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}
_DIGIT_ZEROS = (0xFF10, 0x0660, 0x0966)  # full-width, Arabic-Indic, Devanagari


def disguised(examples: list[Example], seed: int = 0) -> list[Example]:
    """The examples with a format character inside every gold span longer than one
    character, and in a third of them one letter swapped for a Cyrillic look-alike or one
    digit for another script's: recall here, against recall on the plain examples, says
    what invisible characters cost the scanner (`eval-deid --disguise`)."""
    rng = random.Random(seed)
    return [_disguised(ex, rng) for ex in examples]


def _disguised(ex: Example, rng: random.Random) -> Example:
    out: list[str] = []
    spans: list[Gold] = []
    at = length = 0
    for g in sorted(ex.spans, key=lambda g: g.start):
        if g.start < at:  # overlapping gold: the first one is disguised, this one dropped
            continue
        out.append(ex.text[at : g.start])
        length += g.start - at
        chars = list(ex.text[g.start : g.end])
        if len(chars) > 1:
            chars.insert(rng.randrange(1, len(chars)), rng.choice(_INVISIBLE))
        if rng.random() < 1 / 3:
            for i, c in enumerate(chars):
                if c in _LOOKALIKE or (c.isascii() and c.isdigit()):
                    zero = rng.choice(_DIGIT_ZEROS)
                    chars[i] = _LOOKALIKE.get(c) or chr(ord(c) - ord("0") + zero)
                    break
        piece = "".join(chars)
        out.append(piece)
        spans.append(Gold(length, length + len(piece), g.type))
        length += len(piece)
        at = g.end
    out.append(ex.text[at:])
    return Example(ex.id, "".join(out), spans)


def _presidio(i: int, item: dict) -> Example:
    text = item["full_text"]
    if not isinstance(text, str):  # the scanner would fail on it, far from this file
        raise TypeError(f"item {i} has a full_text that is not a string")
    allowed = states_and_countries()
    spans = []
    for s in item["spans"]:
        start, end = s["start_position"], s["end_position"]
        kind = PRESIDIO_TYPES.get(s["entity_type"], UNSCORED)
        if kind == "LOCATION" and text[start:end].lower() in allowed:
            kind = UNSCORED
        spans.append(Gold(start, end, kind))
    return Example(str(i), text, spans)


def _own(obj: dict) -> Example:
    text = obj["text"]
    if not isinstance(text, str):  # the scanner would fail on it, far from this line
        raise TypeError('"text" is not a string')
    spans = []
    for s in obj["spans"]:
        if s["type"] not in TYPES:
            raise ValueError(f"unknown type {s['type']!r}")
        if "value" in s:
            hits = list(regex.finditer(rf"(?<!\w){regex.escape(s['value'])}(?!\w)", text))
            if not hits:
                raise ValueError(f"value {s['value']!r} is not in the text")
            spans += [Gold(m.start(), m.end(), s["type"]) for m in hits]
        else:
            spans.append(Gold(int(s["start"]), int(s["end"]), s["type"]))
    return Example(str(obj["id"]), text, spans)


def _overlaps(a: Finding | Gold, b: Finding | Gold) -> bool:
    return a.start < b.end and b.start < a.end


class Scans(Protocol):
    """DraftRx's scanner, or stock Presidio to compare it with (privacy/stock.py)."""

    def warm(self) -> None: ...

    def scan(self, text: str) -> list[Finding]: ...


def evaluate(examples: list[Example], scanner: Scans, name: str = "") -> Report:
    report = Report(name, len(examples))
    scanner.warm()
    t0 = time.perf_counter()
    found = [scanner.scan(ex.text) for ex in examples]
    report.ms_per_example = (time.perf_counter() - t0) * 1000 / max(1, len(examples))
    for ex, findings in zip(examples, found, strict=True):
        _score(report, ex, findings)
    return report


def _score(report: Report, ex: Example, findings: list[Finding]) -> None:
    ids = [f for f in findings if f.type in IDENTIFIER_TYPES]
    for g in ex.spans:
        if g.type == UNSCORED:
            continue
        is_id = g.type in IDENTIFIER_TYPES
        hit = any(_overlaps(g, f) for f in (ids if is_id else findings))
        for tally in (report.identifiers if is_id else report.quasi, _tally(report, g.type)):
            tally.gold += 1
            tally.found += hit
        if not hit:
            report.misses.append((g.type, ex.text[g.start : g.end]))
    for f in findings:
        over = [g for g in ex.spans if _overlaps(g, f)]
        if over and all(g.type == UNSCORED for g in over):
            continue
        ok = bool(over)
        group = report.identifiers if f.type in IDENTIFIER_TYPES else report.quasi
        for tally in (group, _tally(report, f.type)):
            tally.predicted += 1
            tally.correct += ok


def _tally(report: Report, type_: str) -> Tally:
    return report.by_type.setdefault(type_, Tally())


def format_report(report: Report) -> str:
    rows = [f"{report.dataset}: {report.examples} examples, "
            f"{report.ms_per_example:.1f} ms each",
            f"{'type':<16}{'gold':>6}{'found':>7}{'recall':>8}{'flagged':>9}{'right':>7}"
            f"{'prec.':>8}"]  # fmt: skip

    def row(label: str, t: Tally) -> str:
        rec = "-" if t.recall is None else f"{t.recall:.3f}"
        pre = "-" if t.precision is None else f"{t.precision:.3f}"
        return f"{label:<16}{t.gold:>6}{t.found:>7}{rec:>8}{t.predicted:>9}{t.correct:>7}{pre:>8}"

    rows.append(row("IDENTIFIERS", report.identifiers))
    rows += [row(k, v) for k, v in sorted(report.by_type.items()) if k in IDENTIFIER_TYPES]
    rows.append(row("QUASI", report.quasi))
    rows += [row(k, v) for k, v in sorted(report.by_type.items()) if k not in IDENTIFIER_TYPES]
    return "\n".join(rows)
