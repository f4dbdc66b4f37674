"""Batched variants and background prefill on the real model: one shared prefix, each
variant its own greedy text (up to a batch's float rounding), each stoppable alone, and a
prefill that fills the cache for the next call and stops when told."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from draftrx.bench.speed import variant_prompts
from draftrx.compose.prompts import load_prompt
from draftrx.engine import Engine, EngineConfig, GenerationParams, StreamStats, TextPiece, collect
from draftrx.engine.engine import BACKGROUND_BATCH
from draftrx.engine.events import SequenceEvent
from draftrx.engine.sequences import common_length

pytestmark = pytest.mark.model

DRAFT = (Path(__file__).parents[1] / "fixtures" / "drafts" / "flu_myth.txt").read_text()
OTHER = "Sunscreen matters in winter too: snow reflects UV, and the burn comes anyway."
GREEDY = GenerationParams(max_tokens=20, temperature=0.0, speculate=False)


def collect_batch(events) -> tuple[dict[int, str], dict[int, StreamStats]]:
    texts: dict[int, str] = {}
    stats: dict[int, StreamStats] = {}
    for e in events:
        assert isinstance(e, SequenceEvent)
        if isinstance(e.event, TextPiece):
            assert e.index not in stats, "text after the sequence's stats"
            texts[e.index] = texts.get(e.index, "") + e.event.text
        else:
            stats[e.index] = e.event
    return texts, stats


def single(engine: Engine, messages, params=GREEDY) -> tuple[str, StreamStats]:
    text, stats = collect(engine.stream(messages, params))
    assert stats is not None
    return text, stats


def test_variants_share_the_prefix_and_each_writes_its_own_greedy_text(
    engine: Engine, greedy_within_rounding
) -> None:
    # Two variants of one draft share a long prefix; the third prompt shares only the system
    # text and asks for something else entirely, so cross-talk between sequences shows.
    prompts = [*variant_prompts(DRAFT, ("x", "linkedin")),
               load_prompt("educational").messages(OTHER)]  # fmt: skip
    engine.reset_cache()
    texts, stats = collect_batch(engine.stream_batch(prompts, GREEDY))
    outputs = {i: list(engine.outputs[i]) for i in range(3)}
    assert sorted(stats) == [0, 1, 2] and all(texts[i].strip() for i in range(3))
    lengths = [len(engine.tokenize_chat(p)) for p in prompts]
    for i, s in stats.items():
        assert s.stop_reason in ("length", "eos") and s.decode_tokens == len(outputs[i])
        assert s.prompt_tokens == lengths[i] and s.reused_tokens + s.prefill_tokens == lengths[i]
    assert "sunscreen" in texts[2].lower() and "sunscreen" not in texts[0].lower()
    # Each sequence saw its own prompt: its text is greedy for that prompt (a wrong
    # position or a shared cell left over would show as large gaps), not another's.
    for i, prompt in enumerate(prompts):
        assert greedy_within_rounding(engine, prompt, outputs[i]), i
    # A batch of one decodes one token at a time: exactly the plain stream's text.
    engine.reset_cache()
    plain, _ = single(engine, prompts[1])
    assert collect_one(engine, prompts[1]) == plain


def collect_one(engine: Engine, prompt) -> str:
    engine.reset_cache()
    texts, _ = collect_batch(engine.stream_batch([prompt], GREEDY))
    return texts[0]


def test_stopping_one_variant_leaves_the_others_running(
    engine: Engine, greedy_within_rounding
) -> None:
    prompts = variant_prompts(DRAFT, ("x", "threads", "mastodon"))
    params = GenerationParams(max_tokens=24, temperature=0.0, speculate=False)
    events = engine.stream_batch(prompts, params)
    texts: dict[int, str] = {}
    stats: dict[int, StreamStats] = {}
    for e in events:
        if isinstance(e.event, TextPiece):
            texts[e.index] = texts.get(e.index, "") + e.event.text
            if e.index == 1:
                engine.cancel_sequence(1)  # from its first text on
        else:
            stats[e.index] = e.event
    assert stats[1].stop_reason == "cancelled" and stats[1].decode_tokens <= 2
    for i in (0, 2):
        assert stats[i].stop_reason in ("length", "eos") and stats[i].decode_tokens > 2
        assert greedy_within_rounding(engine, prompts[i], engine.outputs[i])


def test_cancel_stops_the_whole_batch_and_leaves_a_clean_cache(
    engine: Engine, greedy_within_rounding
) -> None:
    prompts = variant_prompts(DRAFT, ("x", "bluesky"))
    events = engine.stream_batch(prompts, GenerationParams(max_tokens=200, temperature=0.0))
    for e in events:
        if isinstance(e.event, TextPiece):
            threading.Thread(target=engine.cancel).start()
            break
    rest = list(events)
    ended = {e.index: e.event for e in rest if isinstance(e.event, StreamStats)}
    assert sorted(ended) == [0, 1] and all(s.stop_reason == "cancelled" for s in ended.values())
    assert all(s.decode_tokens < 200 for s in ended.values())
    # The next call reuses what the batch cached. Those cells were computed in a batch of two
    # sequences, so the text may part from a cold run at a near-tie, but no further: it is
    # greedy for its prompt within rounding (a stale or misplaced cell would show).
    _, stats = single(engine, prompts[0])
    assert stats.reused_tokens > 0
    assert greedy_within_rounding(engine, prompts[0], engine.outputs[0])


def test_prompts_that_do_not_fit_together_take_turns(default_model_path: Path) -> None:
    with Engine(EngineConfig(default_model_path, n_ctx=1024)) as small:
        prompts = variant_prompts(DRAFT, ("x", "threads", "linkedin"))
        params = GenerationParams(max_tokens=300, temperature=0.0)
        turns = small._turns([small.tokenize_chat(p) for p in prompts], [300] * 3)
        assert len(turns) > 1  # the plan itself, then that it runs
        texts, stats = collect_batch(small.stream_batch(prompts, params))
        assert sorted(stats) == [0, 1, 2] and all(texts.get(i) for i in range(3))
        assert all(s.stop_reason != "cancelled" for s in stats.values())


def test_prefill_fills_the_cache_for_the_rewrite_that_follows(
    engine: Engine, greedy_within_rounding
) -> None:
    prompt = variant_prompts(DRAFT, ("x",))
    engine.reset_cache()
    assert engine.prefill(prompt, threading.Event())
    _, warm = single(engine, prompt[0])
    assert warm.reused_tokens == warm.prompt_tokens - 1 and warm.prefill_tokens == 1
    # Prefilled in smaller batches than a cold call uses: greedy within rounding.
    assert greedy_within_rounding(engine, prompt[0], engine.outputs[0])
    # For a batch, every variant's own tail is cached too.
    prompts = variant_prompts(DRAFT, ("x", "threads", "bluesky"))
    assert engine.prefill(prompts, threading.Event())
    _, stats = collect_batch(engine.stream_batch(prompts, GREEDY))
    assert all(s.prefill_tokens == 1 for s in stats.values()), stats


def test_the_first_token_comes_from_one_variant_alone(engine: Engine) -> None:
    """A batch costs several single tokens on a CPU, so the first step serves one stream:
    when the first text arrives, no other variant's prompt has been fed any further."""
    count = [[{"role": "user", "content": f"Write the numbers from {n} to 30, comma-separated."}]
             for n in (1, 2, 3)]  # fmt: skip
    prompts = [engine.tokenize_chat(m) for m in count]
    shared = common_length(prompts[1], prompts[2])
    for prefilled in (True, False):  # the variants' own parts cached, or not yet
        engine.reset_cache()
        if prefilled:
            assert engine.prefill(count, threading.Event())
        events = engine.stream_batch(count, GREEDY)
        first = next(e for e in events if isinstance(e.event, TextPiece))
        assert first.index == 0
        held = [len(t) for t in engine._seqs.tokens[1:3]]
        assert held == ([len(p) - 1 for p in prompts[1:]] if prefilled else [shared] * 2)
        texts, stats = collect_batch(events)  # ...and then they all run together
        assert sorted(stats) == [0, 1, 2] and all(texts.get(i) for i in (1, 2))


def test_the_tasks_own_text_cached_before_any_draft_is_reused_by_every_draft(
    engine: Engine,
) -> None:
    """The window prefills an empty draft's prompt at start: every draft's prompt begins
    with the same system text and task wording, up to where the draft goes."""
    empty = variant_prompts("", ("x",))
    for draft in (DRAFT, "Sunscreen matters in winter too."):
        prompt = variant_prompts(draft, ("linkedin",))[0]
        shared = common_length(engine.tokenize_chat(empty[0]), engine.tokenize_chat(prompt))
        assert shared > 40
        engine.reset_cache()
        assert engine.prefill(empty, threading.Event())
        _, stats = single(engine, prompt, GenerationParams(max_tokens=2, temperature=0.0))
        assert stats.reused_tokens == shared


class StopOnceCached(threading.Event):
    """Reads as set once the engine's cache holds `tokens`: a stop that lands mid-prefill
    on any machine, however fast (a 1.5 s timer came too late on a fast one)."""

    def __init__(self, engine: Engine, tokens: int) -> None:
        super().__init__()
        self.engine, self.tokens = engine, tokens

    def is_set(self) -> bool:
        return self.engine.cached_tokens() >= self.tokens or super().is_set()


def test_a_stopped_prefill_keeps_what_it_did(engine: Engine, greedy_within_rounding) -> None:
    prompt = variant_prompts("\n\n".join([DRAFT] * 4), ("x",))
    engine.reset_cache()
    assert len(engine.tokenize_chat(prompt[0])) > 4 * BACKGROUND_BATCH
    assert engine.prefill(prompt, StopOnceCached(engine, BACKGROUND_BATCH)) is False
    kept = engine.cached_tokens()
    _, stats = single(engine, prompt[0])
    assert 0 < kept == stats.reused_tokens < stats.prompt_tokens - 1
    assert greedy_within_rounding(engine, prompt[0], engine.outputs[0])
