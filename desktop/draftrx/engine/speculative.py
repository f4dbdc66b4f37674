"""Prompt-lookup speculation that pays for itself or stays out of the way.

A rewrite copies stretches of its draft. When the last few tokens written also occur
earlier (in the prompt or the output), the tokens that followed them there are a guess
at what comes next. The engine feeds the guess with the pending token in one batch, asks
for the logits of exactly those positions, samples each position in turn with the
ordinary sampler chain and keeps the guesses the sampler agrees with. Each emitted token
is one ordinary sample, so the output is the plain loop's output (greedy or seeded),
up to the batch's float rounding.

A batch is not free on a CPU: here, checking 3 guesses costs about 2.6 single tokens.
`Speculation` therefore measures what batches of each size cost and how often guesses
are kept after a match of each length (the longer the match, the likelier: in traces of
rewrites here the first guess was kept after 61% of 2-token matches and 95% of 12-token
ones), and guesses only where the expected tokens per second beat plain decoding;
otherwise it stays off, probing now and then in case the text starts copying again.

Drafts are often hard-wrapped and rewrites join the lines, so the lookup also copies
from the prompt's texts with their lines joined (`unwrapped`). With the match lengths
above, that took speculation on the bench's wrapped draft from 1.1x plain to 1.4-1.6x.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_NGRAM, MAX_NGRAM = 2, 6
MAX_MATCH = 16  # how far back a match is followed to judge it
MAX_GUESS = 15  # per stream
MAX_BATCH = 16  # tokens in one step, guesses included
PROBE_EVERY = 48  # plain steps with a match between two probes while switched off
_DECAY = 0.8  # weight of the past in acceptance and cost estimates
SEPARATOR = -1  # between the prompt and the references: never a token, never guessed
_HARD_WRAP = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def unwrapped(texts: Iterable[str]) -> list[str]:
    """The paragraphs of these texts that have hard-wrapped lines, with the lines joined,
    each once. The others are in the prompt as they are.

    A rewrite joins the lines of a draft typed or pasted with line breaks, so where the
    prompt's own copy would guess a line break, the joined copy guesses the next word."""
    found = {}
    for text in texts:
        for paragraph in _PARAGRAPH_BREAK.split(text):
            if (joined := _HARD_WRAP.sub(" ", paragraph)) != paragraph:
                found[joined] = None
    return list(found)


class PromptLookup:
    """The continuation of the longest recent n-gram seen before, found in O(1).

    `references` are other token sequences to copy from (the prompt's texts as the output
    will likely write them); where they and the prompt disagree, the references win."""

    def __init__(self, tokens: Sequence[int], references: Sequence[Sequence[int]] = ()) -> None:
        self.history: list[int] = []
        self._after: dict[tuple[int, ...], int] = {}  # n-gram -> where its latest copy ends
        self._fresh = 0  # where the last separator left off
        for token in tokens:
            self.push(token)
        for reference in references:
            for token in (SEPARATOR, *reference):
                self.push(token)
        if references:
            self.push(SEPARATOR)  # no match across into the output

    def push(self, token: int) -> None:
        """Record a token; n-grams ending just before it now have a known continuation."""
        h = self.history
        end = len(h)
        for n in range(MIN_NGRAM, min(MAX_NGRAM, end - self._fresh) + 1):
            self._after[tuple(h[end - n : end])] = end
        h.append(token)
        if token == SEPARATOR:
            self._fresh = len(h)  # n-grams start after it

    def propose(self, limit: int) -> tuple[int, list[int]]:
        """(how many tokens before the guess match, up to MAX_MATCH; up to `limit` guessed
        tokens), or (0, []) if none. The longer the match, the likelier the guess."""
        h = self.history
        end = len(h)
        for n in range(MAX_NGRAM, MIN_NGRAM - 1, -1):
            start = self._after.get(tuple(h[-n:])) if end >= n else None
            if start is not None:
                while n < min(MAX_MATCH, start) and h[start - 1 - n] == h[end - 1 - n] != SEPARATOR:
                    n += 1
                guess = h[start : start + limit]
                if SEPARATOR in guess:
                    del guess[guess.index(SEPARATOR) :]
                return (n, guess) if guess else (0, [])
        return 0, []


_PRIOR = {2: 0.6, 3: 0.75, 4: 0.85, 5: 0.87, 6: 0.88, 8: 0.92, 12: 0.95, 16: 0.95}


def _bucket(match: int) -> int:
    """Matches grouped so that each group gathers evidence quickly."""
    return max(b for b in _PRIOR if b <= match)


@dataclass
class _Rate:
    accepted: float
    rejected: float

    @classmethod
    def prior(cls, match: int) -> _Rate:
        """Before any evidence: a longer match is a better guess (figures from traces of
        rewrites here). Worth four observations, so a few rejections switch guessing off."""
        alpha = _PRIOR[_bucket(match)]
        return cls(4 * alpha, 4 * (1 - alpha))

    @property
    def alpha(self) -> float:
        return self.accepted / (self.accepted + self.rejected)


@dataclass
class Speculation:
    """Chooses how many guesses to verify, from measured costs and acceptance."""

    enabled: bool = True
    margin: float = 1.05  # guess only when expected to be this much faster than plain
    cost: dict[int, float] = field(default_factory=dict)  # batch size -> seconds (EWMA)
    rates: dict[int, _Rate] = field(default_factory=dict)  # match bucket -> acceptance
    _idle: int = 0

    def cost_of(self, size: int) -> float | None:
        known = self.cost.get(size)
        if known is not None or 1 not in self.cost:
            return known
        return self.cost[1] * (1.0 + 0.6 * (size - 1))  # untried: pessimistic, from this CPU

    def plan(self, candidates: list[tuple[int, int]], spare: int) -> list[int]:
        """Guesses to verify for each stream of a step, given (match length, guesses
        available) per stream and the cache cells to spare: all 0 means a plain step.

        Adds guesses one by one, most likely kept first, and keeps the mix with the most
        expected tokens per second; batch costs are not linear, so it looks past dips."""
        n = len(candidates)
        plain = [0] * n
        base = self.cost_of(n)
        if not self.enabled or base is None or not any(a for _, a in candidates):
            return plain
        alphas = [self.rate(m).alpha if m else 0.0 for m, _ in candidates]
        ks, powers = list(plain), [1.0] * n
        expected = float(n)
        best, best_rate = plain, n / base
        for size in range(n + 1, min(n + spare, MAX_BATCH) + 1):
            open_ = [i for i in range(n) if ks[i] < candidates[i][1] and alphas[i] > 0]
            cost = self.cost_of(size)
            if not open_ or cost is None:
                break
            i = max(open_, key=lambda i: alphas[i] * powers[i])
            ks[i] += 1
            powers[i] *= alphas[i]
            expected += powers[i]
            if expected / cost > best_rate:
                best, best_rate = list(ks), expected / cost
        if best is not plain and best_rate >= self.margin * n / base:
            self._idle = 0
            return best
        self._idle += 1
        if self._idle < PROBE_EVERY:
            return plain
        self._idle = 0  # keep the estimates alive: the text may start copying again
        i = next(i for i, (_, a) in enumerate(candidates) if a)
        probe = list(plain)
        probe[i] = max(0, min(candidates[i][1], 3, spare))  # none when the cache is full
        return probe

    def observe_cost(self, size: int, seconds: float) -> None:
        old = self.cost.get(size)
        self.cost[size] = seconds if old is None else _DECAY * old + (1 - _DECAY) * seconds

    def rate(self, match: int) -> _Rate:
        return self.rates.setdefault(_bucket(match), _Rate.prior(match))

    def observe_guesses(self, match: int, guessed: int, kept: int) -> None:
        if guessed:
            rate = self.rate(match)
            rate.accepted = _DECAY * rate.accepted + kept
            rate.rejected = _DECAY * rate.rejected + (kept < guessed)
