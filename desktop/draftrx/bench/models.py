"""The built-in models side by side: load time, decode speed and resident memory of each
installed one, measured one after another in this process, as multiples of the default
model's, since tokens/s on a shared machine say little alone. The model manager's
recommendation uses these ratios (models/catalogue.toml, `measured`)."""

from __future__ import annotations

import time
from typing import Any

import psutil

from draftrx.bench.engine import BENCH_DRAFT, bench_messages
from draftrx.engine.engine import Engine, EngineConfig
from draftrx.engine.events import GenerationParams, collect
from draftrx.engine.models import catalogue


def run_models_bench(
    *, quick: bool = False, n_threads: int | None = None, n_gpu_layers: int | None = None
) -> dict[str, Any]:
    tokens = 32 if quick else 128
    greedy = GenerationParams(max_tokens=tokens, temperature=0.0, repeat_penalty=1.0,
                              speculate=False, stop_loops=False)  # fmt: skip
    messages = bench_messages(BENCH_DRAFT)
    figures: dict[str, Any] = {}
    default: dict[str, Any] | None = None
    for model in sorted(catalogue(), key=lambda m: not m.default):  # the default first
        if model.state() == "missing":
            figures[model.id] = {"skipped": f"not installed ({model.install})"}
            continue
        rss = psutil.Process().memory_info().rss
        start = time.perf_counter()
        config = EngineConfig(model.ensure(), n_ctx=2048, n_threads=n_threads,
                              n_gpu_layers=n_gpu_layers)  # fmt: skip
        with Engine(config) as engine:
            loaded = time.perf_counter() - start
            collect(engine.stream(messages, GenerationParams(max_tokens=1, temperature=0.0)))
            engine.reset_cache()
            _, stats = collect(engine.stream(messages, greedy))
            grown = psutil.Process().memory_info().rss - rss
        row = {"load_s": round(loaded, 2), "decode_tok_s": round(stats.decode_tok_s, 2),
               "decode_tokens": stats.decode_tokens, "rss_mb": round(grown / 2**20, 1)}  # fmt: skip
        if default is None:
            default = row
        row["speed_vs_default"] = round(row["decode_tok_s"] / default["decode_tok_s"], 3)
        figures[model.id] = row
    return {"max_tokens": tokens, "by_model": figures}


def format_models(r: dict[str, Any]) -> str:
    lines = ["built-in models (speed as a multiple of the default's, same process)"]
    for model_id, row in r["by_model"].items():
        if "skipped" in row:
            lines.append(f"  {model_id:<40} {row['skipped']}")
            continue
        lines.append(f"  {model_id:<40} {row['decode_tok_s']:7.1f} tok/s "
                     f"({row['speed_vs_default']:.2f} times)  load {row['load_s']:.1f} s  "
                     f"+{row['rss_mb']:.0f} MB resident")  # fmt: skip
    return "\n".join(lines)
