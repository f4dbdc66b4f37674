"""Stop a stream that has fallen into a loop, and show as little of the loop as possible.

Small models at low temperature fall into writing one sentence or line again and again
until max_tokens. `LoopGuard` watches one stream's tokens and their text and finds two
kinds of loop, each at its third copy:

- Tokens: the output ends in 3 back-to-back copies of one block of 1 to MAX_PERIOD
  tokens, together at least MIN_SPAN tokens long (a sentence of 8 or more tokens three
  times, or a shorter phrase until it fills 24 tokens: "very very very ..."). For every
  period p the guard counts how many tokens in a row equalled the token p before (only
  the periods at which the new token occurred before can go on: a few dict entries a
  token). The output ends in c copies of a p-token block when that count reaches
  (c - 1) * p.
- Sentences and lines: 3 back-to-back sentences or lines (split at . ! ? and line ends)
  that read the same once list numbers, bullets, spacing and case are set aside, each
  at least MIN_SEGMENT characters: "13. To protect yourself\n14. To protect yourself\n
  15. To protect yourself". Parts that are only a marker ("14.") are skipped.

A list whose items share words ("1. Wash your hands ... 2. Wash your face ...") differs
in each item and is never a loop.

Text: while the output repeats what came just before (HOLD tokens or more of an earlier
block, or the start of the previous long sentence or line), its text is held back until
the repetition breaks (then it is released) or becomes a loop (then it is dropped). The
output is cut after the loop's first copy, at the copy's first sentence or line end
where there is one. Of what follows the cut, only what was shown before the repetition
was suspected (at most HOLD - 1 tokens, or a list number) has reached the consumer:
`Loop.trim_chars` (the stream's `StreamStats.trim_chars`) is how many characters at the
end of the text received the consumer must drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PERIOD = 128  # the longest repeated block looked for, in tokens
MIN_SPAN = 24  # tokens the copies must cover together
COPIES = 3
HOLD = 4  # tokens repeating an earlier block before their text is held back
MIN_SEGMENT = 24  # characters of a sentence or line that counts as a copy
_ENDS = frozenset(".!?…:\n")  # where a kept copy had better end
_CLOSERS = " \t\"')]*\u201d\u2019\u00bb"  # closing quotes and brackets after an end
_SEGMENT_END = re.compile(r"[.!?…\n]")
_MARKER = re.compile(r"^[\W\d_]+")  # list numbers, bullets, spaces before the words
_SPACES = re.compile(r"\s+")


def _need(p: int) -> int:
    """How many tokens in a row must equal the token p before for a loop of period p."""
    return max((COPIES - 1) * p, MIN_SPAN - p)


assert min(map(_need, range(1, MAX_PERIOD + 1))) >= HOLD  # held back before it is found


def _norm(segment: str) -> str:
    return _SPACES.sub(" ", _MARKER.sub("", segment)).strip().casefold()


@dataclass(frozen=True)
class Loop:
    keep: int  # output tokens to keep: up to the end of the loop's first copy
    period: int  # tokens in one copy
    trim_chars: int  # characters already released beyond `keep`, for the consumer to drop


class LoopGuard:
    """Watches one stream's tokens, with the text each added, and finds a loop."""

    def __init__(self) -> None:
        self._seen: dict[int, list[int]] = {}  # token: where it occurred
        self._runs: dict[int, int] = {}  # period p: tokens in a row equal to the one p before
        self._texts: list[str] = []
        self._shown = 0  # tokens whose text has been released
        self._segment = ""  # the sentence or line being written
        self._segments: list[tuple[str, int]] = []  # the last ones: (normalised, tokens to its end)
        self._diverged = False  # the segment being written no longer repeats the last one
        self.loop: Loop | None = None

    @property
    def held(self) -> int:
        """Tokens whose text is held back."""
        return len(self._texts) - self._shown

    def push(self, token: int, text: str) -> str:
        """Add the next token and the text it completed; return the text to show now.
        When this token completes a loop, `self.loop` is set and the text returned is the
        rest of the first copy, if any of it was still held back."""
        n = len(self._texts)
        self._texts.append(text)
        # Only periods p at which the token occurred before can have a run going.
        seen = self._seen.setdefault(token, [])
        runs = {}
        for q in reversed(seen):
            if n - q > MAX_PERIOD:
                break
            runs[n - q] = self._runs.get(n - q, 0) + 1
        seen.append(n)
        self._runs = runs
        suspect = False
        if runs and max(runs.values()) >= HOLD:
            suspect = True
            for p, run in runs.items():  # shortest period first
                if run >= _need(p):
                    return self._block_loop(n, p)
        if text and self._segment_push(n, text):
            return self._cut(self._segments[-3][1], self._segments[-2][1] - self._segments[-3][1])
        if suspect or self._segment_suspect():
            return ""
        return self.release()

    def release(self) -> str:
        """All text held back (for a stream that ends for another reason)."""
        text = "".join(self._texts[self._shown :])
        self._shown = len(self._texts)
        return text

    def _segment_push(self, n: int, text: str) -> bool:
        """Follow sentences and lines; whether the last three make a loop."""
        self._segment += text
        if not _SEGMENT_END.search(text):
            return False
        *done, self._segment = _SEGMENT_END.split(self._segment)
        self._diverged = False
        for segment in done:
            if norm := _norm(segment):
                self._segments = [*self._segments[-2:], (norm, n + 1)]
        last = [s for s, _ in self._segments]
        return len(last) == COPIES and len(last[0]) >= MIN_SEGMENT and len(set(last)) == 1

    def _segment_suspect(self) -> bool:
        """Whether the sentence or line being written repeats the previous long one."""
        if self._diverged or not self._segments or len(self._segments[-1][0]) < MIN_SEGMENT:
            return False
        previous = self._segments[-1][0]
        current = _norm(self._segment)
        if not previous.startswith(current):
            self._diverged = True  # for the rest of this segment
            return False
        return bool(current) or (len(self._segments) > 1 and self._segments[-2][0] == previous)

    def _block_loop(self, last: int, period: int) -> str:
        start = last - self._runs[period] + 1 - period  # of the first copy
        keep = start + period
        for end in range(start + period, start + 2 * period):
            if self._texts[end - 1].rstrip(_CLOSERS)[-1:] in _ENDS:
                keep = end
                break
        return self._cut(keep, period)

    def _cut(self, keep: int, period: int) -> str:
        text = "".join(self._texts[self._shown : keep])
        trim = sum(len(t) for t in self._texts[keep : self._shown])
        self._shown = len(self._texts)
        self.loop = Loop(keep, period, trim)
        return text
