"""Scanner speed on 2,000-character drafts, against spaCy's full pipeline on the same texts.

Stock Presidio runs the whole spaCy model on every text; that run is the in-process
baseline, so the ratio holds on a noisy shared machine where absolute times drift.
Each timed text is different (sentences shuffled), so no cache can flatter the figure.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import spacy

from draftrx.privacy.evaluate import gold_sets, load
from draftrx.privacy.lexicon import spacy_model_path
from draftrx.privacy.scanner import Scanner

DRAFT_CHARS = 2000


def drafts(n: int, seed: int = 7) -> list[str]:
    """`n` different 2,000-character drafts made of the bundled clinical sentences."""
    sentences = [ex.text for path in gold_sets() for ex in load(path)]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rng.shuffle(sentences)
        text = ""
        for s in sentences:
            if len(text) + len(s) + 1 > DRAFT_CHARS:
                break
            text += s + (" " if rng.random() < 0.8 else "\n")
        out.append(text)
    return out


def _timed_ms(run: Callable[[str], object], texts: list[str], warmup: list[str]) -> list[float]:
    for text in warmup:
        run(text)
    out = []
    for text in texts:
        t = time.perf_counter()
        run(text)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run_privacy_bench(rounds: int = 40) -> dict[str, Any]:
    scanner = Scanner()
    t0 = time.perf_counter()
    scanner.warm()
    load_s = time.perf_counter() - t0
    texts = drafts(rounds + 5)
    scan_ms = _timed_ms(scanner.scan, texts[5:], texts[:5])
    base_ms = _timed_ms(spacy.load(spacy_model_path()), texts[5:], texts[:5])
    p50, base50 = statistics.median(scan_ms), statistics.median(base_ms)
    return {
        "draft_chars": DRAFT_CHARS,
        "rounds": rounds,
        "scanner_load_s": round(load_s, 3),
        "scan_p50_ms": round(p50, 2),
        "scan_p90_ms": round(statistics.quantiles(scan_ms, n=10)[-1], 2),
        "spacy_full_pipeline_p50_ms": round(base50, 2),
        "scan_vs_spacy_full": round(p50 / base50, 3),
    }


def format_privacy(r: dict[str, Any]) -> str:
    return (
        f"{'privacy scan':<22} {r['draft_chars']} chars p50 {r['scan_p50_ms']:.1f} ms   "
        f"p90 {r['scan_p90_ms']:.1f} ms (target p50 <= 30 ms)   spaCy full pipeline "
        f"{r['spacy_full_pipeline_p50_ms']:.1f} ms   ratio {r['scan_vs_spacy_full']:.3f}"
    )
