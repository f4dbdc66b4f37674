"""GUI responsiveness: the longest event-loop stall while the model loads and while it
streams at full speed, against the same probe on an idle loop in the same process.

A 5 ms timer runs in the GUI thread; a stall is how much later than due a tick arrives.
The idle figure is the machine's own noise (a shared CPU, the timer's granularity), so
the ratio says what the app adds. Target: no stall above 50 ms.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QTimer

TICK_MS = 5
TARGET_MS = 50.0
BENCH_DRAFT = (
    "Last night in the ER I saw a 34-year-old teacher with a bad asthma attack. She had "
    "stopped her controller inhaler because she felt fine. Two nebulizers and steroids later "
    "she was OK. The lesson: controller medicine works even when you feel well."
)


class StallProbe:
    """Records how late each tick of a short timer fires while something else runs."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.worst = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.worst = max(self.worst, gap - TICK_MS)
        self.ticks += 1

    def __enter__(self) -> StallProbe:
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()


def run_gui_bench(
    model_path: Path, *, quick: bool = False, threads: int | None = None,
    gpu_layers: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from draftrx.ui import preferences
    from draftrx.ui.app import application, wait_for
    from draftrx.ui.window import MainWindow

    app = application()
    shown = _time_to_show()
    with tempfile.TemporaryDirectory() as folder:
        store = preferences.open_store(Path(folder) / "app.ini")
        preferences.save(store, preferences.AppSettings(
            model_path=str(model_path), threads=threads, gpu_layers=gpu_layers,
            platforms=["facebook"], temperature=0.0, max_tokens=60 if quick else 200,
        ))  # fmt: skip
        with StallProbe() as idle:
            wait_for([], 1000 if quick else 3000)
        window = MainWindow(store, autoload=False, history=False)
        try:  # closed even when a step fails: Qt aborts on threads left running at exit
            window.show()
            app.processEvents()
            prefills: list[bool] = []
            window.worker.prefilled.connect(prefills.append)
            with StallProbe() as loading:
                window.load_model()
                deadline = time.monotonic() + 300
                while not (window.model_ready and window.scanner_ready and prefills):
                    if window.notice.isVisible() or time.monotonic() > deadline:
                        raise RuntimeError(window.notice.text() or "The model did not load.")
                    wait_for([window.worker.loaded, window.scan_worker.ready,
                              window.worker.prefilled], 100)  # fmt: skip
            with StallProbe() as prefilling:  # the engine caches the prompt while "typing" pauses
                window.set_draft(BENCH_DRAFT)
                wait_for([window.worker.prefilled], 120_000)
            updates: list[float] = []
            stats: list[Any] = []
            window.worker.text.connect(lambda *_: updates.append(time.perf_counter()))
            window.worker.stats.connect(stats.append)
            with StallProbe() as streaming:
                window.rewrite()
                wait_for([window.idle], 600_000)
        finally:
            window.close()
    span = (updates[-1] - updates[0]) if len(updates) > 1 else 0.0
    tokens = sum(s.decode_tokens for s in stats)
    return {
        "window_shown_s": round(shown, 3),
        "idle_stall_ms": round(idle.worst, 1),
        "loading_stall_ms": round(loading.worst, 1),
        "streaming_stall_ms": round(streaming.worst, 1),
        "prefill_stall_ms": round(prefilling.worst, 1),
        "loading_vs_idle": round(loading.worst / max(idle.worst, 0.1), 2),
        "streaming_vs_idle": round(streaming.worst / max(idle.worst, 0.1), 2),
        "decode_tokens": tokens,
        "decode_tok_s": round(max((s.decode_tok_s for s in stats), default=0.0), 1),
        "text_updates": len(updates),
        "updates_per_s": round((len(updates) - 1) / span, 1) if span else 0.0,
        "target_ms": TARGET_MS,
    }


def _time_to_show() -> float:
    """A fresh process: import Qt and the window, build it (opening a new, empty drafts
    history in a scratch folder, as a first start does), show it."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DRAFTRX_DATA_DIR": scratch}
        # Inside the installed app sys.executable is draftrx itself, which has no -m.
        frozen = getattr(sys, "frozen", False)
        me = [sys.executable] if frozen else [sys.executable, "-m", "draftrx"]
        out = subprocess.run([*me, "--time-to-show"], capture_output=True, text=True,
                             check=True, env=env)  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def format_gui(r: dict[str, Any]) -> str:
    return (
        f"{'gui':<22} window shown in {r['window_shown_s'] * 1000:.0f} ms (target <= 1500)   "
        f"longest stall: idle {r['idle_stall_ms']:.1f} ms, loading {r['loading_stall_ms']:.1f}"
        f" ms ({r['loading_vs_idle']:.1f}x idle), streaming {r['streaming_stall_ms']:.1f} ms "
        f"({r['streaming_vs_idle']:.1f}x idle), background prefill "
        f"{r['prefill_stall_ms']:.1f} ms (target <= {r['target_ms']:.0f} ms)   "
        f"{r['decode_tokens']} tokens at {r['decode_tok_s']:.1f} tok/s in "
        f"{r['text_updates']} repaints ({r['updates_per_s']:.1f}/s)"
    )
