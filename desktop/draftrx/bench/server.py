"""`draftrx bench --server NAME`: a practice server beside this computer, on the same prompts.

- Client cost: DraftRx's server client (`RemoteEngine`) against a plain HTTP loop that
  reads the same server's stream with nothing but httpx, rounds alternating: time to first
  token (difference, ms) and tokens/s (ratio). The client should cost next to nothing.
- Side by side: one educational rewrite and six platform variants (written together), on
  the server and on this computer's local engine: time to first token, tokens/s, wall time.

Every prompt is the composer's own variant prompt for a draft with no patient in it. Only
these prompts go to the server. Rounds alternate, medians are reported, and the figures
that compare are ratios from the same run (these machines are shared and noisy).
"""

from __future__ import annotations

import json
import ssl
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from draftrx import servers
from draftrx.bench import failure
from draftrx.bench.speed import LONG_DRAFT, PLATFORMS, variant_prompts
from draftrx.engine.engine import Engine, EngineConfig, Message
from draftrx.engine.events import GenerationParams, TextPiece
from draftrx.engine.remote import RemoteEngine

GREEDY = {"temperature": 0.0, "repeat_penalty": 1.0}


def plain_client(engine: RemoteEngine) -> httpx.Client:
    """The baseline's own connection, kept open across rounds as DraftRx's client keeps its."""
    config = engine.config
    verify: Any = True if config.ca_file is None else ssl.create_default_context(
        cafile=str(config.ca_file))
    headers = {"Authorization": f"Bearer {config.key}"} if config.key else {}
    return httpx.Client(trust_env=False, verify=verify, timeout=120, headers=headers)


def plain_loop(client: httpx.Client, engine: RemoteEngine, prompt: list[Message],
               max_tokens: int) -> dict[str, float]:  # fmt: skip
    """The baseline: POST the request and read `data:` lines with httpx alone."""
    config = engine.config
    sampling = GenerationParams(max_tokens=max_tokens, seed=0, **GREEDY).sampling()
    body = {"model": config.model, "messages": prompt, "stream": True, "max_tokens": max_tokens,
            "temperature": 0.0, "top_p": sampling.top_p, "top_k": sampling.top_k,
            "min_p": sampling.min_p, "repeat_penalty": 1.0, "seed": 0}  # fmt: skip
    started = time.perf_counter()
    first, pieces = None, 0
    with client.stream("POST", f"{config.api_base}/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            delta = json.loads(line[5:])["choices"][0].get("delta") or {}
            if delta.get("content"):
                pieces += 1
                if first is None:
                    first = time.perf_counter()
    return _figures(started, first, time.perf_counter(), pieces)


def client_loop(engine: Any, prompt: list[Message], max_tokens: int) -> dict[str, float]:
    """The same request through an engine's `stream` (DraftRx's client, or the local one)."""
    params = GenerationParams(max_tokens=max_tokens, seed=0, speculate=False, stop_loops=False,
                              **GREEDY)  # fmt: skip
    started = time.perf_counter()
    first, pieces = None, 0
    for event in engine.stream(prompt, params):
        if isinstance(event, TextPiece):
            pieces += 1
            if first is None:
                first = time.perf_counter()
    return _figures(started, first, time.perf_counter(), pieces)


def _figures(started: float, first: float | None, end: float, pieces: int) -> dict[str, float]:
    first = first if first is not None else end
    decode = end - first
    return {"ttft_s": first - started, "tok_s": (pieces - 1) / decode if decode > 0 else 0.0,
            "pieces": pieces, "total_s": end - started}  # fmt: skip


def six_variants(engine: Any, prompts: list[list[Message]], max_tokens: int) -> float:
    """Wall time of six variants written together (the server gets concurrent requests).
    A server that cut a variant short (llama-cpp-python's interrupts a request when the
    next one comes, unless started with --interrupt_requests False) is an error, not a
    faster figure."""
    params = GenerationParams(max_tokens=max_tokens, seed=0, speculate=False, **GREEDY)
    started = time.perf_counter()
    cut = 0
    for item in engine.stream_batch(prompts, params):
        if not isinstance(item.event, TextPiece) and item.event.stop_reason == "incomplete":
            cut += 1
    if cut:
        raise RuntimeError(f"the server cut {cut} of {len(prompts)} variants short")
    return time.perf_counter() - started


def _median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def run_server_bench(
    server_name: str, model_path: Path, quick: bool = False, n_threads: int | None = None,
    n_gpu_layers: int | None = None, n_ctx: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    server = servers.find(server_name)
    remote = servers.connect(server, servers.key_for(server))
    rounds = 6 if quick else 10  # each side's, alternating
    tokens = 48 if quick else 128
    prompts = variant_prompts(LONG_DRAFT, PLATFORMS)
    one = prompts[0]
    report: dict[str, Any] = {"server": remote.config.api_base, "model": remote.config.model,
                              "rounds": rounds, "max_tokens": tokens}  # fmt: skip
    with remote, plain_client(remote) as baseline:
        client_loop(remote, one, 4)  # warm: the server's own first-request costs
        plain_loop(baseline, remote, one, 4)
        plain, ours = [], []
        for i in range(rounds):  # alternating which goes first
            first, second = (plain, ours) if i % 2 == 0 else (ours, plain)
            for runs in (first, second):
                if runs is plain:
                    runs.append(plain_loop(baseline, remote, one, tokens))
                else:
                    runs.append(client_loop(remote, one, tokens))
        report["client"] = {
            "ttft_plain_ms": round(1000 * _median(plain, "ttft_s"), 1),
            "ttft_draftrx_ms": round(1000 * _median(ours, "ttft_s"), 1),
            "ttft_extra_ms": round(1000 * (_median(ours, "ttft_s") - _median(plain, "ttft_s")), 1),
            "tok_s_plain": round(_median(plain, "tok_s"), 2),
            "tok_s_draftrx": round(_median(ours, "tok_s"), 2),
            "tok_s_ratio": round(_median(ours, "tok_s") / max(_median(plain, "tok_s"), 1e-9), 3),
        }
        try:
            report["server_six_variants_s"] = round(
                statistics.median(six_variants(remote, prompts, tokens) for _ in range(2)), 2)
        except Exception as exc:  # a part that fails reports, the rest still runs
            report["server_six_variants_s"] = failure(exc)
    try:
        report["local"] = _local(model_path, prompts, tokens, rounds, n_threads, n_gpu_layers,
                                 n_ctx)  # fmt: skip
        report["local"]["server_vs_local_tok_s"] = round(
            report["client"]["tok_s_draftrx"] / max(report["local"]["tok_s"], 1e-9), 3)
    except Exception as exc:
        report["local"] = failure(exc)
    return report


def _local(model_path: Path, prompts: list[list[Message]], tokens: int, rounds: int,
           n_threads: int | None, n_gpu_layers: int | None, n_ctx: int | None
           ) -> dict[str, Any]:  # fmt: skip
    config = EngineConfig(model_path, n_ctx=n_ctx, n_threads=n_threads, n_gpu_layers=n_gpu_layers)
    with Engine(config) as engine:
        client_loop(engine, prompts[0], 4)
        runs = []
        for _ in range(rounds):  # the prompt's cache kept between rounds, as the server's is
            runs.append(client_loop(engine, prompts[0], tokens))
        six = statistics.median(six_variants(engine, prompts, tokens) for _ in range(2))
    return {"ttft_ms": round(1000 * _median(runs, "ttft_s"), 1),
            "tok_s": round(_median(runs, "tok_s"), 2), "six_variants_s": round(six, 2)}  # fmt: skip


def format_server(r: dict[str, Any]) -> str:
    c, local = r["client"], r.get("local", {})
    lines = [
        f"server                 {r['server']} · {r['model']} ({r['rounds']} rounds, "
        f"{r['max_tokens']} tokens, medians)",
        f"  client cost          first token {c['ttft_draftrx_ms']:.0f} ms vs a plain HTTP loop's "
        f"{c['ttft_plain_ms']:.0f} ms ({c['ttft_extra_ms']:+.0f} ms); tokens/s "
        f"{c['tok_s_draftrx']:.1f} vs {c['tok_s_plain']:.1f} (x{c['tok_s_ratio']:.2f})",
    ]
    six = r.get("server_six_variants_s")
    if "error" in local:
        lines.append(f"  local                failed: {local['error']}")
    else:
        lines.append(
            f"  side by side         first token: server {c['ttft_draftrx_ms']:.0f} ms, this "
            f"computer {local['ttft_ms']:.0f} ms; tokens/s: server {c['tok_s_draftrx']:.1f}, "
            f"this computer {local['tok_s']:.1f} (x{local['server_vs_local_tok_s']:.2f})")
        lines.append(
            f"  six variants         server "
            f"{f'{six:.2f} s' if isinstance(six, float) else six['error']}, "
            f"this computer {local['six_variants_s']:.2f} s")
    return "\n".join(lines)
