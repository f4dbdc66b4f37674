"""`draftrx bench`: the engine against a raw llama-cpp-python loop, in one process.

Shared machines are noisy, so every speed is reported next to a baseline measured in the
same run, rounds alternate between the two, and each side keeps its best round.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import llama_cpp

from draftrx import __version__
from draftrx.compose.prompts import load_prompt
from draftrx.engine import hardware
from draftrx.engine.engine import Engine, EngineConfig, Message
from draftrx.engine.events import GenerationParams, TextPiece, collect

# A myth-busting draft with no patient in it: the benchmark never needs real text.
BENCH_DRAFT = """Every winter I hear the same thing: "I got the flu shot and it gave me the flu."
It can't. The injected flu vaccine contains inactivated virus or a single protein, neither of
which can cause infection. What people feel is a day or two of a sore arm, tiredness or a
low fever: that is the immune system learning, and it passes quickly. Some people also catch
another cold virus around the same time and blame the shot. The vaccine takes about two weeks
to work, so an infection in that window was already on its way. Flu itself means a week in
bed for most and hospital for some, especially older adults, pregnant people and anyone with
heart or lung disease. If you have questions about whether the vaccine is right for you, ask
your own clinician. Getting vaccinated protects you and the people around you."""


def bench_messages(draft: str) -> list[Message]:
    """The educational prompt, asked for a list too: greedy decoding then runs for hundreds of
    tokens instead of stopping after a title, so decode speed is measured over a real stretch."""
    *earlier, user = load_prompt("educational").messages(draft)
    tips = " Then list five practical tips as a numbered list, one sentence each."
    return [*earlier, {**user, "content": user["content"] + tips}]


def _raw_loop(llm: llama_cpp.Llama, tokens: list[int], max_tokens: int) -> dict[str, Any]:
    """llama-cpp-python's own greedy generator, cold cache, stopping where the engine does."""
    vocab = llm._model.vocab
    llm.reset()
    started = time.perf_counter()
    out: list[int] = []
    first = last = started
    for token in llm.generate(tokens, temp=0.0, top_k=1, repeat_penalty=1.0):
        now = time.perf_counter()
        if llama_cpp.llama_vocab_is_eog(vocab, token):
            break
        if not out:
            first = now
        last = now
        out.append(token)
        if len(out) >= max_tokens:
            break
    text = llm.detokenize(out).decode("utf-8", errors="replace").lstrip()
    rate = (len(out) - 1) / (last - first) if len(out) > 1 else 0.0
    return {
        "ttft_s": first - started,
        "decode_tokens": len(out),
        "decode_tok_s": rate,
        "text": text,
    }


def _common_chars(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _cancel_latency(engine: Engine, messages: list[Message], phase: str) -> dict[str, Any]:
    """Cancel from another thread 0.3 s into the prefill, or 0.1 s after text starts flowing."""
    engine.reset_cache()
    flowing = threading.Event()
    cancelled_at: list[float] = []

    def fire() -> None:
        if phase == "decode":
            flowing.wait()
        time.sleep(0.3 if phase == "prefill" else 0.1)
        cancelled_at.append(time.perf_counter())
        engine.cancel()

    canceller = threading.Thread(target=fire)
    canceller.start()
    stats = None
    for event in engine.stream(messages, GenerationParams(max_tokens=2000, seed=1)):
        if isinstance(event, TextPiece):
            flowing.set()
        else:
            stats = event
    ended = time.perf_counter()
    flowing.set()
    canceller.join()
    assert stats is not None
    stopped_by_cancel = stats.stop_reason == "cancelled"
    return {
        "latency_s": round(ended - cancelled_at[0], 4) if stopped_by_cancel else None,
        "phase": "prefill" if stats.prefill_tokens < stats.prompt_tokens else "decode",
        "stop_reason": stats.stop_reason,
    }


def run_bench(
    model_path: Path,
    *,
    quick: bool = False,
    n_threads: int | None = None,
    n_gpu_layers: int | None = None,
    n_ctx: int | None = None,
) -> dict[str, Any]:
    rss_start = hardware.peak_rss()
    config = EngineConfig(model_path, n_ctx=n_ctx, n_threads=n_threads, n_gpu_layers=n_gpu_layers)
    engine = Engine(config)
    try:
        return _measure(engine, quick, rss_start)
    finally:
        engine.close()


def _measure(engine: Engine, quick: bool, rss_start: int) -> dict[str, Any]:
    messages = bench_messages(BENCH_DRAFT)
    tokens = engine.tokenize_chat(messages)
    max_tokens, rounds = (48, 2) if quick else (160, 3)
    # The loop itself against raw llama-cpp-python; speculation is measured in bench/speed.py.
    greedy = GenerationParams(max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.0,
                              speculate=False)  # fmt: skip

    raw_runs, engine_runs = [], []
    for _ in range(rounds):
        raw_runs.append(_raw_loop(engine.llm, tokens, max_tokens))
        engine.reset_cache()
        text, stats = collect(engine.stream(messages, greedy))
        engine_runs.append((text, stats))
    raw_best = max(raw_runs, key=lambda r: r["decode_tok_s"])
    eng_text, eng_best = max(engine_runs, key=lambda r: r[1].decode_tok_s)

    engine.reset_cache()
    one = GenerationParams(max_tokens=1, temperature=0.0)
    _, cold = collect(engine.stream(messages, one))
    _, warm = collect(engine.stream(messages, one))

    long_messages = bench_messages("\n\n".join([BENCH_DRAFT] * 6))
    cancel_prefill = _cancel_latency(engine, long_messages, "prefill")
    cancel_decode = _cancel_latency(engine, messages, "decode")

    peak = hardware.peak_rss()
    file_size = engine.info.file_size
    return {
        "date": date.today().isoformat(),
        "draftrx": __version__,
        "llama_cpp_python": llama_cpp.__version__,
        **engine.describe(),
        "quick": quick,
        "prompt_tokens": len(tokens),
        "max_tokens": max_tokens,
        "rounds": rounds,
        "decode": {
            "raw_tok_s": round(raw_best["decode_tok_s"], 2),
            "engine_tok_s": round(eng_best.decode_tok_s, 2),
            "ratio": round(eng_best.decode_tok_s / raw_best["decode_tok_s"], 3),
            "target_ratio": 0.97,
            "tokens": eng_best.decode_tokens,
            "same_output": eng_text == raw_best["text"],
            # The engine decodes the last prompt token alone (so its output never depends on
            # what was cached), the raw loop in the prompt's batch: after a near-tie in the
            # logits their greedy texts may part.
            "same_prefix_chars": _common_chars(eng_text, raw_best["text"]),
        },
        "ttft": {
            "raw_cold_s": round(raw_best["ttft_s"], 4),
            "cold_s": round(cold.ttft_s, 4),
            "warm_s": round(warm.ttft_s, 4),
            "warm_over_cold": round(warm.ttft_s / cold.ttft_s, 4),
            "target_ratio": 0.10,
            "warm_reused_tokens": warm.reused_tokens,
        },
        "cancel": {"prefill": cancel_prefill, "decode": cancel_decode},
        "memory": {
            "rss_before_load_mb": round(rss_start / 2**20, 1),
            "peak_rss_mb": round(peak / 2**20, 1),
            "model_file_mb": round(file_size / 2**20, 1),
            "budget_mb": round((file_size + 350 * 2**20) / 2**20, 1),
            "within_budget": peak <= file_size + 350 * 2**20,
        },
    }


def format_report(r: dict[str, Any]) -> str:
    d, t, m, c = r["decode"], r["ttft"], r["memory"], r["cancel"]

    def ms(seconds: float | None) -> str:
        return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"

    budget = "within" if m["within_budget"] else "OVER"
    rows = [
        ("load", f"{r['load_s']:.2f} s"),
        (
            "decode tok/s",
            f"raw {d['raw_tok_s']:.1f}   engine {d['engine_tok_s']:.1f}   ratio {d['ratio']:.3f}"
            f" (target >= {d['target_ratio']})   {d['tokens']} tokens, same output "
            f"{d['same_output']} (first {d['same_prefix_chars']} characters)",
        ),
        (
            "time to first token",
            f"cold {ms(t['cold_s'])}   warm {ms(t['warm_s'])}   warm/cold "
            f"{t['warm_over_cold']:.3f} (target <= {t['target_ratio']})",
        ),
        (
            "cancel latency",
            f"prefill {ms(c['prefill']['latency_s'])}   decode {ms(c['decode']['latency_s'])}",
        ),
        (
            "peak RSS",
            f"{m['peak_rss_mb']:.0f} MB (before load {m['rss_before_load_mb']:.0f} MB; "
            f"budget file + 350 MB = {m['budget_mb']:.0f} MB: {budget})",
        ),
    ]
    head = (
        f"DraftRx bench {r['date']}  model {r['model']}  {r['backend']}  threads {r['n_threads']}"
        f"  ctx {r['n_ctx']}  prompt {r['prompt_tokens']} tokens"
    )
    return "\n".join([head, *(f"{label:<22} {value}" for label, value in rows)])
