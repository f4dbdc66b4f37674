"""Best of n: what writing several candidates per platform costs in wall time.

A whole rewrite (key message, two platforms, checks) through the composer, as the window
runs it, with 1, 2 and 3 candidates per platform written in one batch. The figure is the
wall time with n candidates over the wall time with one, from the same process, rounds
alternating and each keeping its best; the target is 1.5 for the default n.
"""

from __future__ import annotations

import time
from typing import Any

from draftrx.bench.engine import BENCH_DRAFT
from draftrx.compose.pipeline import Composer, Request, VariantDone
from draftrx.compose.platforms import choose, load_platforms
from draftrx.compose.settings import DEFAULT_CANDIDATES
from draftrx.engine.engine import Engine
from draftrx.engine.events import GenerationParams
from draftrx.privacy.scanner import default_scanner

TARGET_RATIO = 1.5


def measure_best_of_n(engine: Engine, quick: bool) -> dict[str, Any]:
    platforms = tuple(choose("x,linkedin", load_platforms()))
    composer = Composer(engine.stream, default_scanner(), batch=engine.stream_batch,
                        cancel=engine.cancel, cancel_one=engine.cancel_sequence)  # fmt: skip
    # The physician's own message, so every round writes the same job.
    message = "Flu shots cannot give you the flu; get one every year."
    params = GenerationParams(max_tokens=80 if quick else 160, temperature=0.7, seed=1)
    counts = (1, DEFAULT_CANDIDATES) if quick else (1, 2, 3)
    best: dict[int, float] = {}
    tokens: dict[int, int] = {}
    for _ in range(1 if quick else 2):
        for n in counts:
            engine.reset_cache()
            request = Request(BENCH_DRAFT, "educational", platforms, seed=1, message=message,
                              candidates=n)  # fmt: skip
            started = time.perf_counter()
            done = [e.variant for e in composer.compose(request, params)
                    if isinstance(e, VariantDone)]  # fmt: skip
            wall = time.perf_counter() - started
            if wall < best.get(n, float("inf")):
                best[n] = wall
                tokens[n] = sum(s.decode_tokens for v in done for s in v.stats)
    return {
        "platforms": [p.id for p in platforms],
        "max_tokens": params.max_tokens,
        "wall_s": {str(n): round(best[n], 3) for n in counts},
        "over_one": {str(n): round(best[n] / best[1], 3) for n in counts},
        "chosen_tokens": {str(n): tokens[n] for n in counts},
        "default_candidates": DEFAULT_CANDIDATES,
        "target_ratio": TARGET_RATIO,
    }


def format_best_of_n(b: dict[str, Any]) -> tuple[str, str]:
    if "error" in b:
        return "best of n", f"failed: {b['error']}"
    walls = "   ".join(
        f"{n}: {b['wall_s'][n]:.1f} s ({b['over_one'][n]:.2f}x)" for n in b["wall_s"]
    )
    default = b["over_one"][str(b["default_candidates"])]
    return "best of n (x, linkedin)", (
        f"{walls}; default {b['default_candidates']}: {default:.2f}x "
        f"(target <= {b['target_ratio']})"
    )
