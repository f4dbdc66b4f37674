"""GUI fixtures: an offscreen Qt, isolated settings, and a deterministic fake engine.

The fake engine is for tests about the window (stop, blocked copy, counters, settings);
the real default model drives the end-to-end test in test_ui_model.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import regex
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from draftrx.engine.events import GenerationParams, SequenceEvent, StreamStats, TextPiece


def _is_slot(messages: Sequence[dict[str, str]]) -> bool:
    """The key-message slot, by its own system text."""
    from draftrx.compose.prompts import read_toml

    return messages[0]["content"].strip() == read_toml("message")["system"].strip()


class FakeEngine:
    """Streams fixed replies word by word, `delay` seconds apart, with the engine's
    interface (stream, cancel, describe, close). Made on the worker thread like the real
    one; records the thread and the prompts it was given.

    The key-message slot (asked when a draft states no take-home sentence) is answered
    with `message_reply` and recorded in `slots`, not `calls`: `calls` are the variants'."""

    def __init__(self, replies: list[str], delay: float = 0.0, message_reply: str = "") -> None:
        self.replies = replies
        self.delay = delay
        self.message_reply = message_reply
        self.slots: list[list[dict[str, str]]] = []
        self.calls: list[list[dict[str, str]]] = []
        self.thread = threading.get_ident()
        self.cancels = 0
        self.closed = False
        self.prefills: list[list[list[dict[str, str]]]] = []
        self.prefill_stops: list[threading.Event] = []
        self._cancel = threading.Event()
        self._stops: list[threading.Event] = []
        self.on_prefill = None  # as the real engine: told how much of a prompt was read

    def _read(self, prompts: Sequence[Sequence[dict[str, str]]]) -> None:
        total = sum(len(m["content"]) for p in prompts for m in p)
        for step in (1, 2, 3):
            if self.on_prefill is not None:
                self.on_prefill(total * step // 3, total)

    def prefill(self, prompts: Sequence[Sequence[dict[str, str]]], stop: threading.Event) -> bool:
        assert threading.get_ident() == self.thread, "used from a thread other than its own"
        self.prefills.append([[dict(m) for m in p] for p in prompts])
        self.prefill_stops.append(stop)
        return not stop.is_set()

    def stream(
        self, messages: Sequence[dict[str, str]], params: GenerationParams
    ) -> Iterator[TextPiece | StreamStats]:
        assert threading.get_ident() == self.thread, "used from a thread other than its own"
        if _is_slot(messages):
            self.slots.append([dict(m) for m in messages])
            return iter([TextPiece(self.message_reply),
                         StreamStats(10, 0, 10, 0.0, 1, 1.0, 0.0, "eos")])  # fmt: skip
        self.calls.append([dict(m) for m in messages])
        self._read([messages])
        text = self.replies[min(len(self.calls), len(self.replies)) - 1]
        self._cancel = cancel = threading.Event()

        def events() -> Iterator[TextPiece | StreamStats]:
            started, n = time.perf_counter(), 0
            for piece in regex.findall(r"\S+\s*", text):
                if cancel.is_set():
                    break
                time.sleep(self.delay)
                n += 1
                yield TextPiece(piece)
            stop = "cancelled" if cancel.is_set() else "eos"
            total = time.perf_counter() - started
            yield StreamStats(10, 0, 10, self.delay, n, n / max(total, 1e-9), total, stop)

        return events()

    def stream_batch(
        self, prompts: Sequence[Sequence[dict[str, str]]], params: Sequence[GenerationParams]
    ) -> Iterator[SequenceEvent]:
        """The replies of the next calls, word by word in turn, each stoppable alone."""
        assert threading.get_ident() == self.thread, "used from a thread other than its own"
        first = len(self.calls)
        self.calls.extend([dict(m) for m in p] for p in prompts)
        self._read(prompts)
        words = [regex.findall(r"\S+\s*", self.replies[min(first + i, len(self.replies) - 1)])
                 for i in range(len(prompts))]  # fmt: skip
        self._cancel = cancel = threading.Event()
        self._stops = stops = [threading.Event() for _ in prompts]

        def events() -> Iterator[SequenceEvent]:
            sent = [0] * len(prompts)
            running = list(range(len(prompts)))
            while running:
                time.sleep(self.delay)
                for i in list(running):
                    stopped = cancel.is_set() or stops[i].is_set()
                    if not stopped and sent[i] < len(words[i]):
                        sent[i] += 1
                        yield SequenceEvent(i, TextPiece(words[i][sent[i] - 1]))
                        continue
                    running.remove(i)
                    stop = "cancelled" if stopped else "eos"
                    yield SequenceEvent(i, StreamStats(10, 0, 10, 0.0, sent[i], 1.0, 0.1, stop))

        return events()

    def cancel_sequence(self, index: int) -> None:
        self._stops[index].set()

    def cancel(self) -> None:
        self.cancels += 1
        self._cancel.set()

    def describe(self) -> dict[str, object]:
        return {"model": "Fake", "backend": "CPU", "gpu_layers": 0, "n_threads": 1,
                "path": "fake.gguf"}  # fmt: skip

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def drop() -> Callable[[list[Path]], QDropEvent]:
    """drop([paths]): the event a file manager sends when files are dropped."""
    alive: list[QMimeData] = []  # the event only points at its data: keep it for the test

    def make(paths: list[Path]) -> QDropEvent:
        data = QMimeData()
        alive.append(data)
        data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        return QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data,
                          Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip

    return make


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Path:
    """Settings, app.ini and prompt overrides (and the data folder) fresh for each test.
    The physician's own library of lessons is empty, so that a draft's key message comes
    from the draft or the model's slot as each test sets it up; test_ui_versions.py takes
    it away to show the shipped library's message."""
    folder = tmp_path / "config"
    (folder / "prompts").mkdir(parents=True)
    (folder / "prompts" / "lessons.toml").write_text("lesson = []\n", "utf-8")
    monkeypatch.setenv("DRAFTRX_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def make_window(qtbot, config_dir: Path, scanner, memory_keyring) -> Callable:
    """make_window(replies=[...], delay=0.0, engine_factory=None, history=True,
    message_reply="", **prefs): the fake engine answers the key-message slot with
    `message_reply` (empty: the draft's closing sentence is used).

    The drafts history is real (SQLite, AES-GCM) in the test's data folder, with its key in
    an in-memory keyring.
    """
    from draftrx.ui import preferences
    from draftrx.ui.window import MainWindow

    made: list = []

    def make(replies: list[str] | None = None, delay: float = 0.0,
             engine_factory: Callable | None = None, history: bool = True,
             message_reply: str = "", **prefs: object):  # fmt: skip
        store = preferences.open_store()
        if prefs:
            current = preferences.load(store)
            for name, value in prefs.items():
                setattr(current, name, value)
            preferences.save(store, current)
        engines: list[FakeEngine] = []

        def fake(config: object) -> FakeEngine:
            engines.append(FakeEngine(replies or ["Flu shots are safe."], delay, message_reply))
            return engines[-1]

        window = MainWindow(store, engine_factory or fake, lambda: scanner, history=history)
        window.engines = engines
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
