"""A word-level diff from the draft to the final text, each change labelled with why.

Reasons: `identifier` (the change touches text the privacy pipeline replaced),
`disclaimer` and `disclosure` (added by code), `numbering` (thread post numbers) and
`rewritten` (the model's doing). The same list drives the app's diff view and `--diff`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import regex

Span = tuple[int, int]
Op = Literal["equal", "insert", "delete", "replace"]
_TOKEN = regex.compile(r"\s+|[\p{L}\p{N}][\p{L}\p{N}'’-]*|.", regex.DOTALL)
_ANSI = {"delete": "\x1b[31;9m", "insert": "\x1b[32m", "reason": "\x1b[2m", "end": "\x1b[0m"}


@dataclass(frozen=True)
class Change:
    op: Op
    old: str
    new: str
    old_span: Span
    new_span: Span
    reason: str | None = None  # None for equal text

    def to_json(self) -> dict[str, object]:
        return {"op": self.op, "old": self.old, "new": self.new, "reason": self.reason,
                "old_span": list(self.old_span), "new_span": list(self.new_span)}  # fmt: skip


def word_diff(
    original: str,
    final: str,
    *,
    identifiers: Sequence[Span] = (),
    added: Mapping[str, Sequence[Span]] | None = None,
) -> list[Change]:
    """`identifiers`: spans of `original` the privacy pipeline replaced; `added`: spans of
    `final` that code added, by reason ("disclaimer": [...])."""
    a, b = _tokens(original), _tokens(final)
    regions = sorted((s, e, why) for why, spans in (added or {}).items() for s, e in spans if e > s)
    changes: list[Change] = []
    matcher = SequenceMatcher(None, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old = _span(a, i1, i2, len(original))
        new = _span(b, j1, j2, len(final))
        if tag == "equal":
            changes.append(Change("equal", original[slice(*old)], final[slice(*new)], old, new))
            continue
        reason = (
            "identifier" if any(s < old[1] and old[0] < e for s, e in identifiers) else "rewritten"
        )
        changes += _cut(original, final, old, new, regions, reason)
    return changes


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _span(tokens: list[tuple[str, int]], i: int, j: int, length: int) -> Span:
    start = tokens[i][1] if i < len(tokens) else length
    end = tokens[j][1] if j < len(tokens) else length
    return start, end


def _cut(original: str, final: str, old: Span, new: Span,
         regions: list[tuple[int, int, str]], reason: str) -> list[Change]:  # fmt: skip
    """Split one change where it crosses text that code added, so each part has one reason."""
    pieces: list[tuple[Span, str]] = []
    pos = new[0]
    for s, e, why in regions:
        s, e = max(s, new[0]), min(e, new[1])
        if s >= e:
            continue
        if pos < s:
            pieces.append(((pos, s), reason))
        pieces.append(((s, e), why))
        pos = e
    if pos < new[1] or not pieces:
        pieces.append(((pos, new[1]), reason))
    out: list[Change] = []
    old_text = original[slice(*old)]
    for span, why in pieces:
        text = final[slice(*span)]
        if why == reason and old_text:
            out.append(Change("replace" if text else "delete", old_text, text, old, span, why))
            old_text = ""
        elif text:
            out.append(Change("insert", "", text, (old[0], old[0]), span, why))
    if old_text:
        out.insert(0, Change("delete", old_text, "", old, (new[0], new[0]), reason))
    return out


def format_diff(changes: Sequence[Change], color: bool = False) -> str:
    """[-old-]{+new+}<reason> for a terminal; ANSI colours when `color`."""
    c = _ANSI if color else dict.fromkeys(_ANSI, "")
    out = []
    for ch in changes:
        if ch.op == "equal":
            out.append(ch.new)
            continue
        if ch.old:
            out.append(f"{c['delete']}[-{ch.old}-]{c['end']}")
        if ch.new:
            out.append(f"{c['insert']}{{+{ch.new}+}}{c['end']}")
        out.append(f"{c['reason']}<{ch.reason}>{c['end']}")
    return "".join(out)
