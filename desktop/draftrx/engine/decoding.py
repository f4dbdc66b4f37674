"""The hot loop, for one stream or a batch of them.

Each step decodes, in one llama.cpp batch, every running stream's pending token plus any
prompt-lookup guesses the controller (speculative.py) finds worth checking, then samples
each stream's positions in turn with its own sampler chain, keeps the guesses the sampler
agrees with and drops the rest from the cache. One stream alone is the ordinary
speculative loop; in a batch, guesses fill out batch sizes that cost about the same as
the streams alone (measured: 6 tokens cost about what 4 do on this CPU), which pays most
when some variants have ended and few are left.

A stream of a batch may start with part of its prompt still to feed (`fill`, its own
instruction when the background prefill did not get that far). Those tokens ride along in
the steps of the streams that are ready, at most FILL_PER_STEP a step. The first step
serves one stream only, fed to its end if need be, so the first variant's first token
waits neither for the others' prompts nor for a batch (6 tokens cost 3.4 here).

Every emitted token is one ordinary sample, so the text is what one-token decoding would
write, up to a batch's float rounding. Cancel (all) and each stream's own stop are checked
after every emitted token, and so is each stream's loop guard (loops.py), which may hold
back a few tokens' text while the output repeats itself.
"""

from __future__ import annotations

import codecs
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import llama_cpp

from draftrx.engine.events import GenerationParams, StopReason, StreamEvent, StreamStats, TextPiece
from draftrx.engine.loops import LoopGuard
from draftrx.engine.sequences import Entry, Sequences
from draftrx.engine.speculative import MAX_GUESS, PromptLookup, Speculation

FILL_PER_STEP = 32  # prompt tokens fed alongside decoding streams (about 0.25 s here)


@dataclass
class Run:
    """What one stream has done so far, for its closing stats."""

    reused: int = 0
    prefilled: int = 0
    decoded: int = 0
    first_at: float | None = None
    last_at: float | None = None
    stop: StopReason = "cancelled"
    guessed: int = 0
    kept: int = 0
    trim_chars: int = 0
    sampling: str = ""

    def stats(self, prompt_tokens: int, started: float) -> StreamStats:
        end = time.perf_counter()
        span = (self.last_at or 0.0) - (self.first_at or 0.0)
        return StreamStats(
            prompt_tokens=prompt_tokens,
            reused_tokens=self.reused,
            prefill_tokens=self.prefilled,
            ttft_s=(self.first_at or end) - started,
            decode_tokens=self.decoded,
            decode_tok_s=(self.decoded - 1) / span if self.decoded > 1 and span > 0 else 0.0,
            total_s=end - started,
            stop_reason=self.stop,
            guessed_tokens=self.guessed,
            kept_tokens=self.kept,
            trim_chars=self.trim_chars,
            sampling=self.sampling,
        )


class Text:
    """Token pieces to text: whole UTF-8 characters only, the reply's leading space dropped."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._opening = True

    def add(self, piece: bytes) -> str:
        text = self._decoder.decode(piece)
        if self._opening:
            text = text.lstrip()
            self._opening = not text
        return text

    def tail(self) -> str:
        text = self._decoder.decode(b"", final=True)
        return text if text.strip() else ""


@dataclass
class Stream:
    """One prompt being answered: `slot` is its KV cache sequence."""

    index: int
    slot: int
    prompt: list[int]
    params: GenerationParams
    sampler: Any  # llama_cpp._internals.LlamaSampler
    stop: threading.Event
    run: Run
    lookup: PromptLookup | None
    guard: LoopGuard | None = None
    pending: int = 0
    fill: list[int] = field(default_factory=list)  # prompt tokens not yet in the cache
    out: list[int] = field(default_factory=list)
    text: Text = field(default_factory=Text)

    def __post_init__(self) -> None:
        self.pending = self.prompt[-1]  # fed by the first step, whose logits start the reply


@dataclass
class Decoder:
    seqs: Sequences
    ctx: Any  # llama_cpp._internals.LlamaContext
    vocab: Any
    piece: Callable[[int], bytes]
    spec: Speculation
    n_ctx: int

    def run(
        self, streams: list[Stream], cancel: threading.Event, started: float
    ) -> Iterator[tuple[Stream, StreamEvent]]:
        """Yield (stream, text) as tokens come and (stream, stats) as each stream ends;
        streams cancelled are left for the caller to report."""
        seqs, now = self.seqs, time.perf_counter
        running = list(streams)
        cells = seqs.cells() + sum(len(s.fill) for s in streams)
        first_step = True
        while True:
            for s in running:
                if cancel.is_set() or s.stop.is_set():
                    yield from self._release(s)
            running = [s for s in running if not (cancel.is_set() or s.stop.is_set())]
            if not running:
                return
            ready = [s for s in running if not s.fill]
            if first_step:  # the first token comes from one stream alone: a batch costs more
                ready = ready[:1]
            matches = [s.lookup.propose(MAX_GUESS) if s.lookup else (0, []) for s in ready]
            room = [max(0, min(len(g), s.params.max_tokens - s.run.decoded - 1))
                    for s, (_, g) in zip(ready, matches, strict=True)]  # fmt: skip
            spare = self.n_ctx - cells - len(running) - 1
            plan = self.spec.plan([(n, r) for (n, _), r in zip(matches, room, strict=True)],
                                  spare)  # fmt: skip
            guesses = [g[:k] for (_, g), k in zip(matches, plan, strict=True)]
            entries: list[Entry] = []
            for s, guess in zip(ready, guesses, strict=True):
                entries += [(t, s.slot, True) for t in (s.pending, *guess)]
            budget = self.seqs.n_batch - len(entries)
            if ready:
                budget = 0 if first_step else min(budget, FILL_PER_STEP)
            elif first_step:  # none cached: the first stream's prompt before the others'
                budget = min(budget, len(running[0].fill) + 1)
            starting = self._feed(running, entries, budget)
            first_step = False
            bases = [len(seqs.tokens[s.slot]) for s in ready]
            began = now()
            seqs.decode(entries)
            if len(entries) == len(ready) + sum(plan):  # a plain step: its cost is comparable
                self.spec.observe_cost(len(entries), now() - began)
            cells += sum(1 + len(g) for g in guesses) + len(starting)
            for s, at in starting:  # fed the last of its prompt: its first token is ready
                s.run.prefilled += 1
                yield from self._emit(s, [], at, cancel, cells)
                yield from self._finish(s, started)
            at = 0
            for s, guess, base, (match, _) in zip(ready, guesses, bases, matches, strict=True):
                if s.run.decoded == 0:
                    s.run.prefilled += 1  # the pending prompt token
                kept = yield from self._emit(s, guess, at, cancel, cells)
                at += 1 + len(guess)
                dropped = len(guess) - kept
                seqs.truncate(s.slot, base + 1 + kept)
                cells -= dropped
                self.spec.observe_guesses(match, len(guess), kept)
                s.run.guessed += len(guess)
                s.run.kept += kept
                yield from self._finish(s, started)
            running = [s for s in running if s.run.stop == "cancelled"]

    def _feed(
        self, running: list[Stream], entries: list[Entry], budget: int
    ) -> list[tuple[Stream, int]]:
        """Add up to `budget` prompt tokens of streams still filling to `entries`; return
        those fed to the end, with where their last prompt token (with logits) sits."""
        starting = []
        for s in running:
            if not s.fill or budget <= 0:
                continue
            take = s.fill[:budget]
            del s.fill[: len(take)]
            s.run.prefilled += len(take)
            budget -= len(take)
            entries += [(t, s.slot, False) for t in take]
            if not s.fill and budget > 0:
                entries.append((s.pending, s.slot, True))
                budget -= 1
                starting.append((s, len(entries) - 1))
        return starting

    def _finish(self, s: Stream, started: float) -> Iterator[tuple[Stream, StreamEvent]]:
        if s.run.stop != "cancelled":
            if s.run.stop != "loop":  # a loop's unfinished character is past the cut
                yield from self._release(s)
                tail = s.text.tail()
                if tail:
                    yield s, TextPiece(tail)
            yield s, s.run.stats(len(s.prompt), started)

    @staticmethod
    def _release(s: Stream) -> Iterator[tuple[Stream, StreamEvent]]:
        """The text the loop guard held back, for a stream that ends otherwise."""
        if s.guard is not None and s.guard.held:
            yield s, TextPiece(s.guard.release())

    def _emit(
        self, s: Stream, guess: list[int], at: int, cancel: threading.Event, cells: int
    ) -> Iterator[tuple[Stream, StreamEvent]]:
        """Sample this stream's positions of the batch; return how many guesses were kept."""
        run, now = s.run, time.perf_counter
        for j in range(len(guess) + 1):
            token = s.sampler.sample(self.ctx, at + j)
            if llama_cpp.llama_vocab_is_eog(self.vocab, token):
                run.stop = "eos"
                return j
            run.decoded += 1
            s.out.append(token)
            run.last_at = now()
            if run.first_at is None:
                run.first_at = run.last_at
            if s.lookup is not None:
                s.lookup.push(token)
            piece = s.text.add(self.piece(token))
            if s.guard is not None:
                piece = s.guard.push(token, piece)
            if piece:
                yield s, TextPiece(piece)
            kept = j + 1 if j < len(guess) and token == guess[j] else j
            if s.guard is not None and s.guard.loop is not None:
                run.stop = "loop"
                run.trim_chars = s.guard.loop.trim_chars
                del s.out[s.guard.loop.keep :]
                return kept
            if cancel.is_set() or s.stop.is_set():
                yield from self._release(s)
                return kept
            if run.decoded >= s.params.max_tokens:
                run.stop = "length"
                return kept
            if cells + 1 >= self.n_ctx:
                run.stop = "context"
                return kept
            if kept == j:  # the sampler chose otherwise (or guesses ran out): fed next step
                s.pending = token
                return kept
        raise AssertionError("unreachable: the last position always returns")
