"""The speed bench: llama-cpp-python's lookup baseline sized to fit, and failures reported in
place while the other measurements still run."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from draftrx.bench import run, speed


@pytest.mark.parametrize(
    ("prompt", "max_tokens", "lookahead"),
    [(500, 96, 2), (505, 300, 2), (500, 96, 10), (1, 1, 2), (253, 0, 2), (254, 0, 2)],
)
def test_lookup_context_holds_every_evaluation(prompt: int, max_tokens: int, lookahead: int):
    n_ctx = speed.lookup_context(prompt, max_tokens, lookahead)
    # The last evaluation before the last token holds one sampled token and the guesses.
    assert n_ctx >= prompt + max_tokens + lookahead + 1
    # A whole number of llama.cpp's steps, so the context it makes is the one asked for.
    assert n_ctx % speed.CONTEXT_STEP == 0 and n_ctx - speed.CONTEXT_STEP < (
        prompt + max_tokens + lookahead + 1
    )


def test_lookup_context_of_the_quick_bench() -> None:
    """The case that crashed: a 500-token prompt and 96 tokens ran past `scores`' 512 rows."""
    assert speed.lookup_context(500, 96, 2) == 768


@pytest.mark.model
def test_lookup_baseline_holds_a_row_for_every_cell(engine) -> None:
    """With a draft model `Llama.eval` keeps every row of logits, but `scores` used to hold
    n_batch (512) rows: a 500-token prompt and its output broke it with a numpy broadcast
    error. (The quick bench in tests/test_cli.py runs it past 512 for real.)"""
    llm = speed.lookup_baseline(engine, 500, 96, 2)
    try:
        assert llm.n_ctx() == len(llm.scores) == len(llm.input_ids) >= 500 + 96 + 2
        assert llm.draft_model is not None
    finally:
        llm.close()


class FakeEngine:
    offloaded_layers = 0
    llm = "engine's llama"

    def __init__(self, *_: Any) -> None:
        self.closed = False

    def describe(self) -> dict[str, Any]:
        return {"model": "fake.gguf", "backend": "CPU", "n_threads": 2}

    def tokenize_chat(self, messages: Any) -> list[int]:
        return list(range(500))

    def reset_cache(self) -> None:
        pass

    def stream(self, messages: Any, params: Any) -> Any:
        return params

    def close(self) -> None:
        self.closed = True


def test_a_failing_lookup_baseline_leaves_the_others_measured(monkeypatch) -> None:
    lookups: list[Any] = []

    class Lookup:
        def close(self) -> None:
            lookups.append("closed")

    def raw_loop(llm: Any, tokens: list[int], max_tokens: int) -> dict[str, Any]:
        if isinstance(llm, Lookup):
            raise ValueError("could not broadcast input array")
        return {"decode_tok_s": 20.0, "text": "same"}

    def collect(params: Any) -> tuple[str, Any]:
        rate = 30.0 if params.speculate else 20.0
        return "same", SimpleNamespace(decode_tok_s=rate, kept_tokens=3, guessed_tokens=4)

    monkeypatch.setattr(speed, "lookup_baseline", lambda *_: Lookup())
    monkeypatch.setattr(speed, "_raw_loop", raw_loop)
    monkeypatch.setattr(speed, "collect", collect)
    s = speed.measure_speculation(FakeEngine(), quick=True)
    assert s["llama_cpp_lookup"] == {"error": "ValueError: could not broadcast input array"}
    assert s["tok_s"] == {"raw": 20.0, "plain": 20.0, "speculative": 30.0}
    assert s["over_plain"]["speculative"] == 1.5 and s["guesses_kept"] == "6/8"
    assert lookups == ["closed"]
    assert run.errors(s) == ["llama_cpp_lookup"]


def test_a_failing_measurement_is_reported_and_the_others_run(monkeypatch) -> None:
    engines: list[FakeEngine] = []
    ran: list[str] = []

    def make(*args: Any, **kw: Any) -> FakeEngine:
        engines.append(FakeEngine())
        return engines[-1]

    def prefill(engine: Any, quick: bool) -> dict[str, Any]:
        ran.append("prefill")
        raise RuntimeError("no room")

    def batch(engine: Any, quick: bool) -> dict[str, Any]:
        ran.append("batch")
        raise KeyError("x")

    def speculation(engine: Any, quick: bool) -> dict[str, Any]:
        ran.append("speculation")
        return {
            "tok_s": {"plain": 20.0, "speculative": 30.0, "raw": 20.0},
            "over_plain": {"plain": 1.0, "speculative": 1.5, "raw": 1.0},
            "target_ratio": 1.2,
            "guesses_kept": "6/8",
            "llama_cpp_lookup": {"error": "ValueError: could not broadcast"},
        }

    def best_of_n(engine: Any, quick: bool) -> dict[str, Any]:
        ran.append("best_of_n")
        return {"wall_s": {"1": 2.0, "2": 3.0}, "over_one": {"1": 1.0, "2": 1.5},
                "default_candidates": 2, "target_ratio": 1.5}  # fmt: skip

    monkeypatch.setattr(speed, "Engine", make)
    monkeypatch.setattr(speed, "measure_best_of_n", best_of_n)
    monkeypatch.setattr(speed, "measure_prefill", prefill)
    monkeypatch.setattr(speed, "measure_batch", batch)
    monkeypatch.setattr(speed, "measure_speculation", speculation)
    r = speed.run_speed_bench(Path("fake.gguf"), quick=True)
    assert ran == ["prefill", "batch", "speculation", "best_of_n"] and engines[0].closed
    assert r["prefill"] == {"error": "RuntimeError: no room"}
    assert r["batch"] == {"error": "KeyError: 'x'"}
    assert run.errors(r) == ["prefill", "batch", "speculation.llama_cpp_lookup"]
    text = speed.format_speed(r)
    assert "failed: RuntimeError: no room" in text and "failed: KeyError: 'x'" in text
    assert "llama-cpp-python lookup failed: ValueError: could not broadcast" in text
    assert "prompt lookup 30.0 (1.500x" in text
    assert "2: 3.0 s (1.50x); default 2: 1.50x (target <= 1.5)" in text
