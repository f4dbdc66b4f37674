"""A finding: one span of a draft that could identify someone, and overlap resolution."""

from __future__ import annotations

from dataclasses import dataclass

from draftrx.privacy.kinds import TYPES, Kind


@dataclass(frozen=True)
class Finding:
    """A span of text (Python string indices, end exclusive) judged identifying or risky.

    The matched text itself is deliberately not stored: a finding may be shown, serialised
    or logged by the UI without carrying patient data. Slice the draft to see it.
    """

    start: int
    end: int
    type: str
    score: float

    @property
    def kind(self) -> Kind:
        return TYPES[self.type].kind

    @property
    def blocking(self) -> bool:
        return self.kind is Kind.IDENTIFIER

    @property
    def explanation(self) -> str:
        return TYPES[self.type].why

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "type": self.type, "score": self.score}


def _rank(f: Finding) -> tuple[int, float, int]:
    return (f.kind is Kind.IDENTIFIER, f.score, f.end - f.start)


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Non-overlapping findings, sorted by start.

    Where two overlap, the identifier beats the quasi-identifier, then the higher score,
    then the longer span. When both are identifiers the winner grows to cover the union,
    so that no part of either identifier survives a replacement.
    """
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if not out or f.start >= out[-1].end:
            out.append(f)
            continue
        prev = out[-1]
        win = max(prev, f, key=_rank)
        if prev.kind is Kind.IDENTIFIER and f.kind is Kind.IDENTIFIER:
            win = Finding(min(prev.start, f.start), max(prev.end, f.end), win.type, win.score)
        out[-1] = win
    return out
