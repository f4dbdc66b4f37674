"""A word-level diff from the draft to the final text, each change labelled with why.

Reasons: `identifier` (an identifier of the draft taken out, or a stand-in put in),
`disclaimer` and `disclosure` (added by code), `numbering` (thread post numbers), `edited`
(typed by the physician into the post), `moved` (the draft's own words, word for word,
elsewhere) and `rewritten` (the model's doing). A change's reason is judged on each side by
what that text is: a stand-in the model copied into its own sentence is an identifier
change, the sentence around it the model's. Identifiers in taken-out text are listed with
their type (`Change.hidden`), so a view can show "[name]" rather than the patient's name.
The same list drives the app's diff view and `--diff`.
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
_MOVED_WORDS = 4  # this many words of the draft, word for word, are its author's, moved
_FOLDED_WORDS = 2  # an equal stretch this short between changes is folded into them
_ANSI = {"delete": "\x1b[31;9m", "insert": "\x1b[32m", "reason": "\x1b[2m", "end": "\x1b[0m"}


@dataclass(frozen=True)
class Change:
    op: Op
    old: str
    new: str
    old_span: Span
    new_span: Span
    reason: str | None = None  # None for equal text
    # Identifiers inside `old`: (start, end, type) relative to `old`.
    hidden: tuple[tuple[int, int, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"op": self.op, "old": self.old, "new": self.new, "reason": self.reason,
                "old_span": list(self.old_span), "new_span": list(self.new_span),
                "hidden": [list(h) for h in self.hidden]}  # fmt: skip


def word_diff(
    original: str,
    final: str,
    *,
    identifiers: Sequence[tuple[int, int, str]] = (),
    stand_ins: Sequence[Span] = (),
    added: Mapping[str, Sequence[Span]] | None = None,
) -> list[Change]:
    """`identifiers`: spans of `original` the privacy pipeline replaced, with their type;
    `stand_ins`: spans of `final` that are stand-ins for them; `added`: spans of `final`
    that code added, by reason ("disclaimer": [...])."""
    a, b = _tokens(original), _tokens(final)
    regions = sorted([(s, e, why) for why, spans in (added or {}).items() for s, e in spans]
                     + [(s, e, "identifier") for s, e in stand_ins])  # fmt: skip
    regions = [r for r in regions if r[1] > r[0]]
    changes: list[Change] = []
    # Spaces never anchor a match, so two rewritten sentences read as one change each, not
    # as words interleaved at every space they share ("Saw Last Jenna night").
    matcher = SequenceMatcher(str.isspace, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    for tag, i1, i2, j1, j2 in _whole(matcher.get_opcodes(), a, len(original), identifiers):
        old = _span(a, i1, i2, len(original))
        new = _span(b, j1, j2, len(final))
        if tag == "equal":
            changes.append(Change("equal", original[slice(*old)], final[slice(*new)], old, new))
            continue
        hidden = tuple((max(s, old[0]) - old[0], min(e, old[1]) - old[0], t)
                       for s, e, t in identifiers if s < old[1] and old[0] < e)  # fmt: skip
        changes += _cut(original, final, old, new, regions, hidden)
    return changes


def inserted(before: str, after: str) -> list[Span]:
    """Spans of `after` that `before` does not have: what an edit typed in."""
    a, b = _tokens(before), _tokens(after)
    matcher = SequenceMatcher(str.isspace, [t for t, _ in a], [t for t, _ in b], autojunk=False)
    return [_span(b, j1, j2, len(after)) for tag, _, _, j1, j2 in matcher.get_opcodes()
            if tag in ("insert", "replace")]  # fmt: skip


def _whole(opcodes: list[tuple[str, int, int, int, int]], a: list[tuple[str, int]],
           length: int, identifiers: Sequence[tuple[int, int, str]],
           ) -> list[tuple[str, int, int, int, int]]:  # fmt: skip
    """Opcodes with a word or two left equal between two rewritten stretches ("to", "at
    the") folded into one change: a rewritten sentence reads as one, not interleaved with
    the draft's. Around a swap of an identifier for its stand-in the words stay as they are."""

    def rewritten(op: tuple[str, int, int, int, int]) -> bool:
        tag, i1, i2, _, _ = op
        old = _span(a, i1, i2, length)
        swap = any(s <= old[0] and old[1] <= e for s, e, _ in identifiers) and old[1] > old[0]
        return tag != "equal" and not swap

    out: list[tuple[str, int, int, int, int]] = []
    for i, op in enumerate(opcodes):
        tag, i1, i2, j1, j2 = op
        short = sum(not t.isspace() for t, _ in a[i1:i2]) <= _FOLDED_WORDS
        fold = (0 < i < len(opcodes) - 1 and short and rewritten(opcodes[i - 1])
                and rewritten(opcodes[i + 1]))  # fmt: skip
        if tag == "equal" and not fold:
            out.append(op)
        elif out and out[-1][0] != "equal":
            out[-1] = ("replace", out[-1][1], i2, out[-1][3], j2)
        else:
            out.append(("replace", i1, i2, j1, j2))
    return out


def _tokens(text: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _span(tokens: list[tuple[str, int]], i: int, j: int, length: int) -> Span:
    start = tokens[i][1] if i < len(tokens) else length
    end = tokens[j][1] if j < len(tokens) else length
    return start, end


def _cut(original: str, final: str, old: Span, new: Span,
         regions: list[tuple[int, int, str]],
         hidden: tuple[tuple[int, int, str], ...]) -> list[Change]:  # fmt: skip
    """Split one change where it crosses text that code added or a stand-in, so each part
    has one reason. The taken-out text goes with the first part of the model's own, as an
    identifier change when it is nothing but identifiers."""
    pieces: list[tuple[Span, str]] = []
    pos = new[0]
    for s, e, why in regions:
        s, e = max(s, new[0], pos), min(e, new[1])
        if s >= e:
            continue
        if pos < s:
            pieces.append(((pos, s), _own(original, final[pos:s])))
        pieces.append(((s, e), why))
        pos = e
    if pos < new[1] or not pieces:
        pieces.append(((pos, new[1]), _own(original, final[pos : new[1]])))
    old_text = original[slice(*old)]
    covered = sum(e - s for s, e, _ in hidden)
    old_reason = "identifier" if old_text.strip() and covered >= len(old_text.strip()) \
        else "rewritten"  # fmt: skip
    out: list[Change] = []
    for span, why in pieces:
        text = final[slice(*span)]
        if why == old_reason and old_text:
            out.append(Change("replace" if text else "delete", old_text, text, old, span, why,
                              hidden))  # fmt: skip
            old_text = ""
        elif text:
            out.append(Change("insert", "", text, (old[0], old[0]), span, why))
    if old_text:
        out.insert(0, Change("delete", old_text, "", old, (new[0], new[0]), old_reason, hidden))
    return out


def _own(original: str, text: str) -> str:
    """The model's words, or the physician's own sentence moved (the key message opening a
    post is theirs when they wrote it)."""
    words = text.strip()
    return "moved" if len(words.split()) >= _MOVED_WORDS and words in original else "rewritten"


def format_diff(changes: Sequence[Change], color: bool = False) -> str:
    """[-old-]{+new+}<reason> for a terminal; ANSI colours when `color`."""
    c = _ANSI if color else dict.fromkeys(_ANSI, "")
    out = []
    for ch in changes:
        if ch.op == "equal":
            out.append(ch.new)
            continue
        for text, reason in _old_parts(ch):
            out.append(f"{c['delete']}[-{text}-]{c['end']}{c['reason']}<{reason}>{c['end']}")
        if ch.new:
            out.append(f"{c['insert']}{{+{ch.new}+}}{c['end']}")
            out.append(f"{c['reason']}<{ch.reason}>{c['end']}")
    return "".join(out)


def _old_parts(ch: Change) -> list[tuple[str, str]]:
    """The taken-out text in pieces, each identifier in it as an identifier change."""
    parts, pos = [], 0
    for start, end, _ in ch.hidden:
        if pos < start:
            parts.append((ch.old[pos:start], ch.reason or "rewritten"))
        parts.append((ch.old[start:end], "identifier"))
        pos = end
    if pos < len(ch.old):
        parts.append((ch.old[pos:], ch.reason or "rewritten"))
    return [(text, reason) for text, reason in parts if text]
