"""The parts of `draftrx bench`, run one after another; a part that fails does not stop the rest.

A failed part is reported as {"error": "Type: message"} under its own key in the JSON (the
engine part, whose figures sit at the top level, under "engine") and as a "failed" line in the
text, and the run counts as failed. So does a part that reports a failed measurement of its
own (an "error" anywhere inside it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftrx.bench import failure

PARTS = ("engine", "speed", "models", "privacy", "vault", "gui")


@dataclass(frozen=True)
class Options:
    """What the command line sets. `model` is asked for only by the parts that load one."""

    model: Callable[[], Path]
    quick: bool = False
    threads: int | None = None
    gpu_layers: int | None = None
    ctx: int | None = None
    server: str | None = None  # a practice server's name or URL (`bench --server`)


@dataclass
class Result:
    report: dict[str, Any] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "speed", "speed.batch", ...

    def text(self) -> str:
        return "\n".join(self.texts)


Part = Callable[[Options], tuple[dict[str, Any], str]]


def _engine(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.engine import format_report, run_bench

    r = run_bench(o.model(), quick=o.quick, n_threads=o.threads, n_gpu_layers=o.gpu_layers,
                  n_ctx=o.ctx)  # fmt: skip
    return r, format_report(r)


def _speed(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.speed import format_speed, run_speed_bench

    r = run_speed_bench(o.model(), quick=o.quick, n_threads=o.threads,
                        n_gpu_layers=o.gpu_layers, n_ctx=o.ctx)  # fmt: skip
    return r, format_speed(r)


def _models(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.models import format_models, run_models_bench

    r = run_models_bench(quick=o.quick, n_threads=o.threads, n_gpu_layers=o.gpu_layers)
    return r, format_models(r)


def _privacy(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.privacy import format_privacy, run_privacy_bench

    r = run_privacy_bench(rounds=20 if o.quick else 60)
    return r, format_privacy(r)


def _vault(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.vault import format_vault, run_vault_bench

    r = run_vault_bench(rounds=50 if o.quick else 200)
    return r, format_vault(r)


def _gui(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.gui import format_gui, run_gui_bench

    r = run_gui_bench(o.model(), quick=o.quick, threads=o.threads, gpu_layers=o.gpu_layers)
    return r, format_gui(r)


def _server(o: Options) -> tuple[dict[str, Any], str]:
    from draftrx.bench.server import format_server, run_server_bench

    if not o.server:
        raise ValueError("the server part needs --server NAME|URL")
    r = run_server_bench(o.server, o.model(), quick=o.quick, n_threads=o.threads,
                         n_gpu_layers=o.gpu_layers, n_ctx=o.ctx)  # fmt: skip
    return r, format_server(r)


# Looked up when run, so a test can replace a part.
RUNNERS: dict[str, Part] = {
    "engine": _engine,
    "speed": _speed,
    "models": _models,
    "privacy": _privacy,
    "vault": _vault,
    "gui": _gui,
    "server": _server,
}


def run(options: Options, only: str | None = None) -> Result:
    """Run every part (or `only` one), each even if another failed; with a server, only
    the server part unless `only` says otherwise."""
    result = Result()
    if only is None and options.server:
        only = "server"
    for name in PARTS if only is None else (only,):
        try:
            figures, text = RUNNERS[name](options)
        except Exception as exc:
            result.report[name] = failure(exc)
            result.texts.append(f"{name:<22} failed: {result.report[name]['error']}")
            result.failed.append(name)
            continue
        if name == "engine":  # the first part: its figures are the report's top level
            result.report.update(figures)
        else:
            result.report[name] = figures
        result.texts.append(text)
        result.failed += [f"{name}.{where}" if where else name for where in errors(figures)]
    return result


def errors(figures: Any, where: str = "") -> list[str]:
    """Where a part's report holds an "error": "" for the part itself, "batch" for a
    measurement inside it."""
    if not isinstance(figures, dict):
        return []
    found = [where] if isinstance(figures.get("error"), str) else []
    for key, value in figures.items():
        found += errors(value, f"{where}.{key}" if where else key)
    return found
