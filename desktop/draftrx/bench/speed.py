"""`draftrx bench --only speed`: what DraftRx knows about its job, against doing without.

- Background prefill: the time to first token of a Rewrite after the physician pauses,
  against the same Rewrite on a cold cache, for a draft typed sentence by sentence and
  for one pasted whole (the task's own text cached, as the window does at start).
- Batched variants: six platform variants written in one batch, against the same prompts
  and limits one after another.
- Speculation: decode speed of a greedy educational rewrite with prompt lookup, against
  plain decoding, a raw llama-cpp-python loop and llama-cpp-python's LlamaPromptLookupDecoding.
- Best of n: a whole two-platform rewrite with n candidates each, against one (candidates.py).

Every figure is a ratio against a baseline from the same process; rounds alternate.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

from draftrx import __version__
from draftrx.bench import failure
from draftrx.bench.candidates import format_best_of_n, measure_best_of_n
from draftrx.bench.engine import BENCH_DRAFT, _common_chars, _raw_loop

# The composer's own prompt pieces; the one place this package reaches into compose for them.
from draftrx.compose.platforms import load_platforms, platform_instruction
from draftrx.compose.prompts import load_prompt
from draftrx.engine import hardware
from draftrx.engine.engine import Engine, EngineConfig, Message
from draftrx.engine.events import GenerationParams, StreamStats, TextPiece, collect

# About 1,500 characters: the draft size, still with no patient in it.
LONG_DRAFT = (
    BENCH_DRAFT
    + """

A second myth while we are at it: antibiotics do not help a cold or the flu. They act on
bacteria, and these are viruses. Taking them anyway brings the side effects (stomach upset,
rashes, the odd serious allergy) without any benefit, and it breeds resistant bacteria that
make the next real infection harder to treat. Rest, fluids and time are what work for most
colds; see your clinician if a fever lasts more than a few days or breathing gets hard.
And no, a green nose is not a sign that you need them: the colour comes from the immune
cells doing their job, and it turns up in plain viral colds all the time. Ask before you
take leftovers from a friend."""
)
PLATFORMS = ("x", "threads", "bluesky", "mastodon", "linkedin", "facebook")
GREEDY = {"temperature": 0.0, "repeat_penalty": 1.0}


def variant_prompts(draft: str, ids: tuple[str, ...] = PLATFORMS) -> list[list[Message]]:
    """The educational task's variant prompts, exactly as the composer builds them."""
    known = load_platforms()
    prompt = load_prompt("educational")
    return [prompt.messages(draft, platform_instruction(known[i])) for i in ids]


def _first_token(engine: Engine, prompts: list[list[Message]]) -> float:
    """Seconds from Rewrite to the first text of any variant; the rest is then stopped."""
    started = time.perf_counter()
    params = GenerationParams(max_tokens=4, **GREEDY)
    if len(prompts) == 1:  # as the composer does: one variant is a plain stream
        events: Any = engine.stream(prompts[0], params)
    else:
        events = (e.event for e in engine.stream_batch(prompts, params))
    first = None
    for event in events:
        if first is None and isinstance(event, TextPiece):
            first = time.perf_counter() - started
            engine.cancel()
    return first if first is not None else time.perf_counter() - started


def _pause(engine: Engine, prompts: list[list[Message]], seconds: float) -> dict[str, float]:
    """Prefill for at most `seconds` (the pause), then stop it as a keystroke would."""
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    started = time.perf_counter()
    done = engine.prefill(prompts, stop)
    ended = time.perf_counter()
    timer.cancel()
    return {"done": done, "spent_s": ended - started}


def measure_prefill(engine: Engine, quick: bool) -> dict[str, Any]:
    """TTFT after a 2 s pause, with the engine prefilling in each pause, against cold."""
    typed = [LONG_DRAFT[: m.start()] for m in re.finditer(r"(?<=[.!?])\s+", LONG_DRAFT)]
    think = 0.6 if quick else 1.0  # the pause after each sentence while typing
    out: dict[str, Any] = {"draft_chars": len(LONG_DRAFT), "think_pause_s": think}
    for label, ids in (("one_variant", PLATFORMS[:1]), ("six_variants", PLATFORMS)):
        final = variant_prompts(LONG_DRAFT, ids)
        engine.reset_cache()
        cold = _first_token(engine, final)
        # Typed: a pause after each sentence; then the 2 s pause before Rewrite.
        engine.reset_cache()
        for partial in typed:
            _pause(engine, variant_prompts(partial, ids), think)
        last = _pause(engine, final, 2.0)
        after_typing = _first_token(engine, final)
        # Pasted whole: only the 2 s pause, into the window's cache, which holds the task's
        # own text from the start (the prefill of an empty draft) and keeps it from then on.
        engine.reset_cache()
        engine.prefill(variant_prompts("", ids[:1]), threading.Event())
        pasted_pause = _pause(engine, final, 2.0)
        pasted = _first_token(engine, final)
        out[label] = {
            "prompt_tokens": len(engine.tokenize_chat(final[0])),
            "cold_ttft_s": round(cold, 4),
            "typed_ttft_s": round(after_typing, 4),
            "typed_prefill_finished": last["done"],
            "pasted_ttft_s": round(pasted, 4),
            "pasted_prefill_finished": pasted_pause["done"],
            "typed_over_cold": round(after_typing / cold, 4),
        }
    out["target_ttft_s"] = 0.150
    out["yield_s"] = round(_yield_latency(engine), 4)
    return out


def _yield_latency(engine: Engine) -> float:
    """How long a Rewrite waits for a prefill it interrupts (stopped 0.3 s in)."""
    engine.reset_cache()
    stop = threading.Event()
    stopped_at: list[float] = []

    def press() -> None:
        stopped_at.append(time.perf_counter())
        stop.set()

    timer = threading.Timer(0.3, press)
    timer.start()
    engine.prefill(variant_prompts(LONG_DRAFT * 2), stop)
    ended = time.perf_counter()
    timer.join()
    return ended - stopped_at[0]


def measure_batch(engine: Engine, quick: bool) -> dict[str, Any]:
    """Six variants one after another, then in one batch; same prompts, same limits. One
    after another is measured twice: as DraftRx would (prompt lookup on, like the batch)
    and plainly, as a chat app does."""
    prompts = variant_prompts(BENCH_DRAFT)
    params = GenerationParams(max_tokens=48 if quick else 128, **GREEDY)
    plain = replace(params, speculate=False)
    rounds = 1 if quick else 2
    best: dict[str, float] = {}
    tokens: dict[str, list[int]] = {}
    for _ in range(rounds):
        for mode in ("sequential_plain", "sequential", "batched", "batched_prefilled"):
            engine.reset_cache()
            engine.prefill(prompts if mode == "batched_prefilled" else prompts[:1],
                           threading.Event())  # fmt: skip
            started = time.perf_counter()
            stats: dict[int, StreamStats] = {}
            if mode.startswith("sequential"):
                each = plain if mode == "sequential_plain" else params
                for i, messages in enumerate(prompts):
                    stats[i] = collect(engine.stream(messages, each))[1]
            else:
                for event in engine.stream_batch(prompts, params):
                    if isinstance(event.event, StreamStats):
                        stats[event.index] = event.event
            wall = time.perf_counter() - started
            best[mode] = min(best.get(mode, wall), wall)
            tokens[mode] = [stats[i].decode_tokens for i in range(len(prompts))]

    def per_token(mode: str, base: str) -> float:
        return round((best[mode] / sum(tokens[mode])) / (best[base] / sum(tokens[base])), 3)

    return {
        "variants": len(prompts),
        "max_tokens": params.max_tokens,
        # Batches round differently, so a variant may end (eos) earlier or later: the
        # time per generated token compares the two whatever the lengths.
        "per_token_ratio": per_token("batched", "sequential"),
        "sequential_s": round(best["sequential"], 3),
        "sequential_plain_s": round(best["sequential_plain"], 3),
        "batched_s": round(best["batched"], 3),
        "ratio": round(best["batched"] / best["sequential"], 3),
        "prefilled_ratio": round(best["batched_prefilled"] / best["sequential"], 3),
        "ratio_vs_plain": round(best["batched"] / best["sequential_plain"], 3),
        "per_token_ratio_vs_plain": per_token("batched", "sequential_plain"),
        "prefilled_ratio_vs_plain": round(best["batched_prefilled"] / best["sequential_plain"], 3),
        "target_ratio": 0.55,
        "tokens_sequential": tokens["sequential"],
        "tokens_batched": tokens["batched"],
    }


# llama.cpp rounds a context up to a multiple of this many cells.
CONTEXT_STEP = 256


def lookup_context(prompt_tokens: int, max_tokens: int, lookahead: int) -> int:
    """The context for llama-cpp-python's prompt-lookup baseline: the prompt, every token it
    may write, and the guesses evaluated past the last of them, rounded up as llama.cpp does.

    An evaluation holds the last sampled token and up to `lookahead` guesses; the last one
    before the `max_tokens`-th token therefore ends within `prompt + max_tokens + lookahead`
    cells, and one cell more is spare.
    """
    need = prompt_tokens + max_tokens + lookahead + 1
    return -(-need // CONTEXT_STEP) * CONTEXT_STEP


def lookup_baseline(
    engine: Engine, prompt_tokens: int, max_tokens: int, lookahead: int
) -> llama_cpp.Llama:
    """llama-cpp-python's `LlamaPromptLookupDecoding`, sized so its evaluations fit.

    With a draft model `Llama.eval` stores every row of logits in `scores`, but `scores` has
    `n_ctx` rows only when `logits_all=True` is passed; otherwise it has `n_batch` (512),
    and a longer prompt plus its output writes past the end (a numpy broadcast error).
    """
    n_ctx = lookup_context(prompt_tokens, max_tokens, lookahead)
    llm = llama_cpp.Llama(
        model_path=str(engine.config.model_path),
        n_ctx=n_ctx,
        n_threads=engine.n_threads,
        n_threads_batch=max(engine.n_threads, hardware.batch_threads()),
        n_gpu_layers=engine.n_gpu_layers,
        draft_model=LlamaPromptLookupDecoding(num_pred_tokens=lookahead),
        logits_all=True,
        verbose=False,
    )
    rows = min(len(llm.scores), len(llm.input_ids), llm.n_ctx())
    if rows < prompt_tokens + max_tokens + lookahead + 1:
        llm.close()
        raise RuntimeError(
            f"llama-cpp-python's lookup baseline holds {rows} tokens, not the "
            f"{prompt_tokens} + {max_tokens} + {lookahead} the measurement needs"
        )
    return llm


def measure_speculation(engine: Engine, quick: bool) -> dict[str, Any]:
    """The rewrite benchmark: DraftRx's educational rewrite of the 1,500-character draft.

    llama-cpp-python's own lookup is an outside baseline: if it fails, its error is reported
    under `llama_cpp_lookup` and the other three are still measured."""
    messages = load_prompt("educational").messages(LONG_DRAFT)
    tokens = engine.tokenize_chat(messages)
    max_tokens, rounds = (96, 2) if quick else (300, 3)
    plain = GenerationParams(max_tokens=max_tokens, speculate=False, **GREEDY)
    guess = GenerationParams(max_tokens=max_tokens, speculate=True, **GREEDY)
    lookahead = 10 if engine.offloaded_layers > 0 else 2
    runs: dict[str, list[tuple[float, str]]] = {"plain": [], "speculative": [], "raw": [],
                                                 "llama_cpp_lookup": []}  # fmt: skip
    lookup_error: dict[str, str] | None = None
    lookup = None
    kept = guessed = 0
    try:
        try:
            lookup = lookup_baseline(engine, len(tokens), max_tokens, lookahead)
        except Exception as exc:
            lookup_error = failure(exc)
        for _ in range(rounds):
            engine.reset_cache()
            raw = _raw_loop(engine.llm, tokens, max_tokens)
            runs["raw"].append((raw["decode_tok_s"], raw["text"]))
            engine.reset_cache()
            text, stats = collect(engine.stream(messages, plain))
            runs["plain"].append((stats.decode_tok_s, text))
            engine.reset_cache()
            text, stats = collect(engine.stream(messages, guess))
            runs["speculative"].append((stats.decode_tok_s, text))
            kept, guessed = kept + stats.kept_tokens, guessed + stats.guessed_tokens
            if lookup is not None and lookup_error is None:
                try:
                    other = _raw_loop(lookup, tokens, max_tokens)
                except Exception as exc:
                    lookup_error = failure(exc)
                else:
                    runs["llama_cpp_lookup"].append((other["decode_tok_s"], other["text"]))
    finally:
        if lookup is not None:
            lookup.close()
        engine.reset_cache()
    if lookup_error is not None:
        del runs["llama_cpp_lookup"]
    best = {name: max(r, key=lambda x: x[0]) for name, r in runs.items()}
    base_rate, base_text = best["plain"]
    others = {name: text for name, (_, text) in best.items() if name != "plain"}
    out: dict[str, Any] = {
        "task": "educational",
        "prompt_tokens": len(tokens),
        "max_tokens": max_tokens,
        "tok_s": {name: round(rate, 2) for name, (rate, _) in best.items()},
        "over_plain": {name: round(rate / base_rate, 3) for name, (rate, _) in best.items()},
        "same_output_as_plain": {name: text == base_text for name, text in others.items()},
        "same_prefix_chars": {
            name: _common_chars(text, base_text)
            for name, (_, text) in best.items()
            if name != "plain"
        },
        "guesses_kept": f"{kept}/{guessed}",
        "target_ratio": 1.2,
        "lookup_tokens": lookahead,
    }
    if lookup_error is not None:
        out["llama_cpp_lookup"] = lookup_error
    return out


def run_speed_bench(
    model_path: Path,
    *,
    quick: bool = False,
    n_threads: int | None = None,
    n_gpu_layers: int | None = None,
    n_ctx: int | None = None,
) -> dict[str, Any]:
    """Each measurement runs even if one before it failed; a failed one is reported as
    {"error": "Type: message"} under its own key."""
    engine = Engine(EngineConfig(model_path, n_ctx=n_ctx, n_threads=n_threads,
                                 n_gpu_layers=n_gpu_layers))  # fmt: skip
    try:
        report: dict[str, Any] = {
            "date": date.today().isoformat(),
            "draftrx": __version__,
            **engine.describe(),
            "quick": quick,
        }
        measures = (("prefill", measure_prefill), ("batch", measure_batch),
                    ("speculation", measure_speculation),
                    ("best_of_n", measure_best_of_n))  # fmt: skip
        for key, measure in measures:
            try:
                report[key] = measure(engine, quick)
            except Exception as exc:
                report[key] = failure(exc)
                engine.reset_cache()  # the next stream supersedes whatever was left running
        return report
    finally:
        engine.close()


def format_speed(r: dict[str, Any]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    rows: list[tuple[str, str]] = []
    p, b, s = r["prefill"], r["batch"], r["speculation"]
    if "error" in p:
        rows.append(("prefill", f"failed: {p['error']}"))
    else:
        for label in ("one_variant", "six_variants"):
            v = p[label]
            rows.append((
                f"TTFT, {label.replace('_', ' ')}",
                f"cold {ms(v['cold_ttft_s'])}   typed + 2 s pause {ms(v['typed_ttft_s'])}   "
                f"pasted + 2 s pause {ms(v['pasted_ttft_s'])}   (target <= 150 ms; "
                f"{v['prompt_tokens']} prompt tokens)",
            ))  # fmt: skip
        rows.append(("prefill yields in", ms(p["yield_s"])))
    if "error" in b:
        rows.append(("batched variants", f"failed: {b['error']}"))
    else:
        rows.append((
            f"{b['variants']} variants",
            f"one by one {b['sequential_s']:.1f} s   batched {b['batched_s']:.1f} s   ratio "
            f"{b['ratio']:.3f} (target <= {b['target_ratio']}); tails prefilled "
            f"{b['prefilled_ratio']:.3f}; per token {b['per_token_ratio']:.3f}",
        ))  # fmt: skip
        rows.append((
            "  against plain",
            f"one by one without prompt lookup {b['sequential_plain_s']:.1f} s   ratio "
            f"{b['ratio_vs_plain']:.3f}; tails prefilled {b['prefilled_ratio_vs_plain']:.3f}; "
            f"per token {b['per_token_ratio_vs_plain']:.3f}",
        ))  # fmt: skip
    if "error" in s:
        rows.append(("speculation", f"failed: {s['error']}"))
    else:
        o, t = s["over_plain"], s["tok_s"]
        if "llama_cpp_lookup" in t:
            lookup = f"{t['llama_cpp_lookup']:.1f} ({o['llama_cpp_lookup']:.3f}x)"
        else:
            lookup = f"failed: {s['llama_cpp_lookup']['error']}"
        rows.append((
            "speculation tok/s",
            f"plain {t['plain']:.1f}   prompt lookup {t['speculative']:.1f} "
            f"({o['speculative']:.3f}x, target >= {s['target_ratio']})   raw {t['raw']:.1f}   "
            f"llama-cpp-python lookup {lookup}; kept {s['guesses_kept']}",
        ))  # fmt: skip
    if "best_of_n" in r:
        rows.append(format_best_of_n(r["best_of_n"]))
    head = (
        f"DraftRx speed {r['date']}  model {r['model']}  {r['backend']}  threads {r['n_threads']}"
    )
    return "\n".join([head, *(f"{label:<22} {value}" for label, value in rows)])
