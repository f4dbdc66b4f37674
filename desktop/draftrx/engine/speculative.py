"""Prompt-lookup speculation that pays for itself or stays out of the way.

A rewrite copies stretches of its draft. When the last few tokens written also occur
earlier (in the prompt or the output), the tokens that followed them there are a guess
at what comes next. The engine feeds the guess with the pending token in one batch, asks
for the logits of exactly those positions, samples each position in turn with the
ordinary sampler chain and keeps the guesses the sampler agrees with. Each emitted token
is one ordinary sample, so the output is the plain loop's output (greedy or seeded),
up to the batch's float rounding.

A batch is not free on a CPU: here, checking 3 guesses costs about 2.5 single tokens.
`Speculation` therefore measures what batches of each size cost and how often guesses
after an n-token match are accepted, and guesses only where the expected tokens per
second beat plain decoding; otherwise it stays off, probing now and then in case the
text starts copying again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_NGRAM, MAX_NGRAM = 2, 4
MAX_GUESS = 8
PROBE_EVERY = 48  # plain steps with a match between two probes while switched off
_DECAY = 0.9  # weight of the past in acceptance and cost estimates


class PromptLookup:
    """The continuation of the longest recent n-gram seen before, found in O(1)."""

    def __init__(self, tokens: Sequence[int]) -> None:
        self.history: list[int] = []
        self._after: dict[tuple[int, ...], int] = {}  # n-gram -> where its latest copy ends
        for token in tokens:
            self.push(token)

    def push(self, token: int) -> None:
        """Record a token; n-grams ending just before it now have a known continuation."""
        h = self.history
        end = len(h)
        for n in range(MIN_NGRAM, MAX_NGRAM + 1):
            if end >= n:
                self._after[tuple(h[end - n : end])] = end
        h.append(token)

    def propose(self, limit: int) -> tuple[int, list[int]]:
        """(length of the matched n-gram, up to `limit` guessed tokens); (0, []) if none."""
        h = self.history
        for n in range(MAX_NGRAM, MIN_NGRAM - 1, -1):
            start = self._after.get(tuple(h[-n:])) if len(h) >= n else None
            if start is not None:
                return n, h[start : start + limit]
        return 0, []


@dataclass
class _Rate:
    accepted: float = 1.0  # a prior of one acceptance and one rejection: alpha = 0.5
    rejected: float = 1.0

    @property
    def alpha(self) -> float:
        return self.accepted / (self.accepted + self.rejected)


@dataclass
class Speculation:
    """Chooses how many guesses to verify, from measured costs and acceptance."""

    enabled: bool = True
    margin: float = 1.05  # guess only when expected to be this much faster than plain
    cost: dict[int, float] = field(default_factory=dict)  # batch size -> seconds (EWMA)
    rates: dict[int, _Rate] = field(default_factory=dict)  # n-gram length -> acceptance
    proposed: int = 0
    accepted: int = 0
    batches: int = 0
    _idle: int = 0

    def relative_cost(self, size: int) -> float:
        one = self.cost.get(1)
        known = self.cost.get(size)
        if one is None or known is None:
            return 1.0 + 0.6 * (size - 1)  # before measuring: pessimistic, from this CPU
        return known / one

    def choose(self, ngram: int, available: int) -> int:
        """How many of the `available` guesses to verify: 0 means a plain step."""
        if not self.enabled or ngram == 0 or available == 0 or 1 not in self.cost:
            return 0
        alpha = self.rates.setdefault(ngram, _Rate()).alpha
        best, best_gain = 0, 1.0
        expected = 1.0
        for k in range(1, min(available, MAX_GUESS) + 1):
            expected += alpha**k  # tokens emitted if each guess is kept with p = alpha
            gain = expected / self.relative_cost(k + 1)
            if gain > best_gain:
                best, best_gain = k, gain
        if best and best_gain >= self.margin:
            self._idle = 0
            return best
        self._idle += 1
        if self._idle >= PROBE_EVERY:  # keep the estimate alive: the text may copy again
            self._idle = 0
            return min(available, 3)
        return 0

    def observe(self, size: int, seconds: float, ngram: int, guessed: int, kept: int) -> None:
        old = self.cost.get(size)
        self.cost[size] = seconds if old is None else _DECAY * old + (1 - _DECAY) * seconds
        if guessed:
            rate = self.rates.setdefault(ngram, _Rate())
            rate.accepted = _DECAY * rate.accepted + kept
            rate.rejected = _DECAY * rate.rejected + (kept < guessed)
            self.proposed += guessed
            self.accepted += kept
            self.batches += 1
