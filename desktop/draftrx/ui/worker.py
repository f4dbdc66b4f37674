"""The engine's own thread: loading models and composing posts, reported by signals.

Rules (the reason this module exists):
- The worker never touches a widget. Everything it learns leaves as a signal, which Qt
  queues into the GUI thread.
- The engine is created, used and closed on the worker's thread only (one Llama, one thread);
  `cancel()` is the single method the GUI thread calls directly, and it only sets flags.
- Streamed text is coalesced: at most one `text` signal per REPAINT_INTERVAL_S, so a fast
  model cannot flood the GUI thread with repaints. Of a platform's candidates only the
  first streams into its tab (the others arrive with the finished variant), and after a
  "shorten" the one stream asked again.
- While the physician pauses, `prefill` fills the engine's cache with the prompts a Rewrite
  would send. It runs only in that idle time: the window stops it (`stop_prefill`, a flag)
  at the next keystroke and before queueing a Rewrite, and the abort lands within one graph
  node, so a Rewrite never waits behind it. The Rewrite reuses what it cached, and the
  privacy pass it did when the request is unchanged.
- Heavy imports (llama.cpp, Presidio, spaCy) happen here, after the window is up.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    from draftrx.compose.message import KeyMessage
    from draftrx.compose.pipeline import Request
    from draftrx.compose.platforms import Platform
    from draftrx.compose.settings import Settings
    from draftrx.engine.engine import EngineConfig
    from draftrx.engine.events import GenerationParams, StreamEvent
    from draftrx.privacy.scanner import Scanner

REPAINT_INTERVAL_S = 1 / 30
T = TypeVar("T")


_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loading spaCy, the dictionaries or llama.cpp builds millions of objects, and a full
    garbage collection over them runs in one go with the GIL held: the GUI thread froze for
    50-100 ms at a time. Collection waits while a worker loads; what was loaded is then
    moved out of the collector's sight (gc.freeze), so later collections stay short."""
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            gc.freeze()
            if _gc_pauses == 0:
                gc.enable()


class EngineLike(Protocol):
    """What the app needs from an engine; `draftrx.engine.Engine` is the real one."""

    def stream(
        self, messages: Sequence[Any], params: GenerationParams
    ) -> Iterator[StreamEvent]: ...

    def cancel(self) -> None: ...

    def prefill(self, prompts: Sequence[Any], stop: threading.Event) -> bool: ...

    def describe(self) -> dict[str, object]: ...

    def close(self) -> None: ...


EngineFactory = Callable[["EngineConfig"], EngineLike]


@dataclass(frozen=True)
class ModelChoice:
    path: Path | None  # None: the built-in default model; a built-in's id; or a GGUF file
    threads: int | None = None
    gpu_layers: int | None = None
    server: Any = None  # a practice server (servers.Server) instead of a local model
    key: str | None = field(default=None, repr=False)  # its API key, in memory only


@dataclass(frozen=True)
class Job:
    request: Request
    params: GenerationParams
    settings: Settings
    # Where the physician saw it would be written: "" for this computer, else the practice
    # server's address and model (`served_by`). A job is never sent anywhere else.
    server: str = ""


@dataclass(frozen=True)
class Edit:
    """A post the physician edited, with what its rewrite was checked against."""

    job: Job
    platform: Platform | None
    message: KeyMessage | None
    text: str
    parts: tuple[list[str], str | None]  # posts and caption
    written: str  # the model's text, which the physician edited


def _no_model(messages: Sequence[Any], params: GenerationParams) -> Iterator[StreamEvent]:
    raise RuntimeError("checking an edit asks no model")


def real_engine(config: EngineConfig) -> EngineLike:
    from draftrx.engine import Engine

    return Engine(config)


_importing = threading.Lock()


def imported(name: str) -> ModuleType:
    """Import `name` holding one lock for the whole window. The scanner's warm-up and the
    engine's load both import spaCy (through the scanner and the composer) as the window
    starts, and spaCy's import is not safe from two threads at once (a _DeadlockError,
    ImportError or KeyError in about one start in thirteen): one thread imports, the other
    waits for it and then finds the modules ready."""
    with _importing:
        return importlib.import_module(name)


def real_scanner() -> Scanner:
    return imported("draftrx.privacy.scanner").default_scanner()


class Shared(Generic[T]):
    """One object, made on first use by whichever thread asks first, then shared: the live
    scan and the rewrite use one scanner (it is thread-safe), loaded once."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        with self._lock:
            if self._value is None:
                self._value = self._factory()
            return self._value


class EngineWorker(QObject):
    """Owns the engine; lives on its own QThread (see `start_thread`)."""

    loading = Signal(str)  # what is happening, for the status bar
    progress = Signal(int, int)  # default-model assembly: bytes done, bytes in all
    loaded = Signal(dict)  # engine.describe()
    load_failed = Signal(str)
    protected = Signal(object)  # Protected: the findings and stand-ins of this rewrite
    message_found = Signal(object)  # KeyMessage: what every variant must keep
    started = Signal(object)  # VariantStarted
    text = Signal(object, str)  # platform id (None: the general post), newly streamed text
    reading = Signal(int, int)  # the prompt being read: tokens fed, tokens to feed
    writing = Signal(object, int, float)  # platform id, tokens shown so far, seconds since start
    stopped = Signal(object)  # platform id of a variant stopped on its own
    prefilled = Signal(bool)  # a background prefill ended: True when it got to the end
    stats = Signal(object)  # StreamStats of one shown stream (candidate 0, or a shortening)
    variant = Signal(object)  # Variant, finished and checked
    finished = Signal(bool)  # the job ended; True when it was cancelled
    failed = Signal(str)  # the job could not run; one sentence for the user
    preview_ready = Signal(object, str)  # Job, what its rewrite would send to a server

    def __init__(
        self,
        scanner: Callable[[], Scanner] = real_scanner,
        engine_factory: EngineFactory = real_engine,
    ) -> None:
        super().__init__()
        self._scanner_factory = scanner
        self._factory = engine_factory
        self._engine: EngineLike | None = None
        self._composer: Any = None
        self._stop = threading.Event()
        self._prefill_stop = threading.Event()
        self._protected: tuple[Any, Any] | None = None  # (request, Protected) of the last prefill

    # -- called from the GUI thread ------------------------------------------------------

    def cancel(self) -> None:
        """Stop the job in flight, or the one queued. Thread-safe: only sets flags."""
        self._stop.set()
        composer = self._composer
        if composer is not None:
            composer.cancel()

    def arm(self) -> None:
        """Clear a previous cancel before a new job is queued (GUI thread)."""
        self._stop.clear()

    def stop_variant(self, platform_id: str | None) -> None:
        """Stop one variant of the job in flight; the others go on. Thread-safe."""
        composer = self._composer
        if composer is not None:
            composer.stop_variant(platform_id)

    def stop_prefill(self) -> None:
        """Abort a background prefill now, and any queued one. Thread-safe: sets a flag."""
        self._prefill_stop.set()

    def arm_prefill(self) -> threading.Event:
        """A fresh flag for the prefill about to be queued (GUI thread)."""
        self._prefill_stop = threading.Event()
        return self._prefill_stop

    # -- slots, run on the worker thread ---------------------------------------------------

    @Slot(object)
    def load(self, choice: ModelChoice) -> None:
        from draftrx.engine.engine import EngineConfig

        self._close_engine()
        if choice.server is not None:
            self._connect(choice)
            return
        try:
            path = self._model_path(choice.path)
            self.loading.emit(f"Loading {path.name}…")
            config = EngineConfig(path, n_threads=choice.threads, n_gpu_layers=choice.gpu_layers)
            with collector_paused():
                self._engine = self._factory(config)
                imported("draftrx.compose.pipeline")  # here, not at the first Rewrite
        except Exception as exc:
            self.load_failed.emit(why(exc))
            return
        self.loaded.emit(self._engine.describe())

    def _connect(self, choice: ModelChoice) -> None:
        """A practice server for an engine: the guard lets out to it alone."""
        servers = imported("draftrx.servers")
        self.loading.emit(f"Connecting to {choice.server.name}…")
        try:
            self._engine = servers.connect(choice.server, choice.key)
            imported("draftrx.compose.pipeline")
        except Exception as exc:
            self.load_failed.emit(why(exc))
            return
        self.loaded.emit(self._engine.describe())

    @Slot(object)
    def preview(self, job: Job) -> None:
        """What a rewrite of `job` would send to a practice server, before anything is: the
        protected prompts, for the physician to see and confirm the first time."""
        if self._engine is None:
            self.failed.emit("No model is loaded; choose one in Model ▸ Manage models.")
            return
        try:
            composer = self._composer_for(self._engine, job.settings)
            protected = composer.protect(job.request)
            self._protected = (job.request, protected)
            prompts = composer.sent(job.request, protected)
        except Exception as exc:
            self.failed.emit(why(exc))
            return
        practice = imported("draftrx.ui.practice")
        self.preview_ready.emit(job, practice.format_prompts(prompts))

    def _model_path(self, path: Path | None) -> Path:
        """A GGUF file as chosen, or a built-in model (None: the default; else its id),
        assembled or verified on first use."""
        from draftrx.engine.models import by_id, default_model

        model = default_model() if path is None else by_id(str(path))
        if model is None:
            assert path is not None
            return path
        if not model.is_assembled():
            verb = "Checking" if model.bundled else "Preparing"
            self.loading.emit(f"{verb} {model.name} (first start only)…")
        return model.ensure(progress=self.progress.emit)

    def _composer_for(self, engine: EngineLike, settings: Settings) -> Any:
        from draftrx.compose.pipeline import Composer

        return Composer(engine.stream, self._scanner_factory(), settings, cancel=engine.cancel,
                        batch=getattr(engine, "stream_batch", None),
                        cancel_one=getattr(engine, "cancel_sequence", None))  # fmt: skip

    @Slot(object, object)
    def prefill(self, job: Job, stop: threading.Event) -> None:
        """Protect the draft and cache the Rewrite's prompts, unless stopped first."""
        engine = self._engine
        if engine is None or stop.is_set():
            return
        try:
            composer = self._composer_for(engine, job.settings)
            protected = composer.protect(job.request)
            self._protected = (job.request, protected)
            if stop.is_set():
                return
            done = engine.prefill(composer.prompts(job.request, protected), stop)
        except Exception as exc:  # a refusal here is met, and shown, by the Rewrite
            why(exc)  # only a bug prints (its traceback, redacted, to stderr)
            return
        self.prefilled.emit(done)

    @Slot(object)
    def compose(self, job: Job) -> None:
        if self._engine is None:
            self.failed.emit("No model is loaded; choose one in Model ▸ Manage models.")
            return
        engine = self._engine
        if served_by(engine.describe()) != job.server:
            self.failed.emit("The model changed since you pressed Rewrite (a practice server "
                             "was chosen or left); nothing was sent. Press Rewrite again.")
            return
        if hasattr(engine, "on_prefill"):
            engine.on_prefill = self.reading.emit
        try:
            composer = self._composer_for(engine, job.settings)
            self._composer = composer
            cached = self._protected
            if cached is not None and cached[0] == job.request:
                protected = cached[1]  # the prefill's privacy pass, on this very request
            else:
                protected = composer.protect(job.request)
            self.protected.emit(protected)
            events = composer.compose(job.request, job.params, protected)
            if self._stop.is_set():  # Stop came while the job was queued or protecting
                composer.cancel()
            self._relay(events)
        except Exception as exc:
            self.failed.emit(why(exc))
            return
        finally:
            self._composer = None
            if hasattr(engine, "on_prefill"):
                engine.on_prefill = None
        self.finished.emit(self._stop.is_set())

    def _relay(self, events: Iterator[Any]) -> None:
        """Forward events as signals, coalescing each variant's text. Only the stream shown
        live is forwarded: a platform's first candidate, or the one being shortened."""
        from draftrx.compose.pipeline import (
            MessageFound,
            VariantDone,
            VariantStarted,
            VariantStats,
            VariantStopped,
            VariantText,
        )

        pending: dict[str | None, list[str]] = {}
        live: dict[str | None, int | None] = {}  # the candidate shown per platform; None: any
        pieces_so_far: dict[str | None, int] = {}  # of the stream shown: about one a token
        began: dict[str | None, float] = {}
        last = 0.0

        def flush() -> None:
            now = time.monotonic()
            for pid, pieces in pending.items():
                self.text.emit(pid, "".join(pieces))
                self.writing.emit(pid, pieces_so_far.get(pid, 0), now - began.get(pid, now))
            pending.clear()

        def shown(event: VariantText | VariantStats) -> bool:
            want = live.get(event.platform.id if event.platform else None, 0)
            return want is None or want == event.candidate

        for event in events:
            if isinstance(event, VariantText):
                if not shown(event):
                    continue  # another candidate: it arrives with the finished variant
                pid = event.platform.id if event.platform else None
                pending.setdefault(pid, []).append(event.text)
                pieces_so_far[pid] = pieces_so_far.get(pid, 0) + 1
                now = time.monotonic()
                if now - last >= REPAINT_INTERVAL_S:
                    flush()
                    last = now
                continue
            flush()
            if isinstance(event, MessageFound):
                self.message_found.emit(event.message)
            elif isinstance(event, VariantStarted):
                pid = event.platform.id if event.platform else None
                live[pid] = None if event.attempt == "shorten" else 0  # one stream, any candidate
                pieces_so_far[pid], began[pid] = 0, time.monotonic()
                self.started.emit(event)
            elif isinstance(event, VariantStats):
                if shown(event):
                    self.stats.emit(event.stats)
            elif isinstance(event, VariantStopped):
                self.stopped.emit(event.platform.id if event.platform else None)
            elif isinstance(event, VariantDone):
                self.variant.emit(event.variant)
        flush()

    @Slot()
    def shutdown(self) -> None:
        self._close_engine()
        self.thread().quit()

    def _close_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def served_by(info: dict[str, object]) -> str:
    """A loaded engine's practice server as "address model"; "" for this computer."""
    if info.get("backend") != "Practice server":
        return ""
    return f"{info.get('path')} {info.get('model')}"


def why(exc: Exception) -> str:
    """One line for the user. Refusals explain themselves; anything else is a bug, whose
    traceback goes to stderr (code lines only, never the message, which may quote the
    draft), and which must not leave the window waiting forever."""
    from draftrx.engine.errors import EngineError
    from draftrx.tracebacks import print_redacted
    from draftrx.vault.errors import VaultError

    if isinstance(exc, EngineError | VaultError | OSError | ValueError):
        return str(exc)
    print_redacted(exc)
    return f"Something went wrong inside DraftRx ({type(exc).__name__}); your draft is unchanged."


class ScanWorker(QObject):
    """Scans the draft as the physician types, off the GUI thread (the first scan loads
    spaCy and the dictionaries, about a second). Results carry the request number, so the
    window can drop a scan of text that has changed since."""

    ready = Signal()
    scanned = Signal(int, list)  # request number, findings
    rechecked = Signal(int, object, str)  # request number, the edit as a Variant, its text
    failed = Signal(str)

    def __init__(self, scanner: Callable[[], Scanner] = real_scanner) -> None:
        super().__init__()
        self._scanner = scanner

    @Slot()
    def warm(self) -> None:
        try:
            with collector_paused():
                self._scanner().warm()
                # The message check's dictionary, before the first rewrite.
                imported("draftrx.compose.drugs").warm()
        except (OSError, ValueError) as exc:
            self.failed.emit(f"The privacy scanner could not start: {exc}")
            return
        except imported("draftrx.privacy.tagger").TrainingStopped:
            return  # the window is closing
        self.ready.emit()

    @Slot(int, str)
    def scan(self, number: int, text: str) -> None:
        self.scanned.emit(number, self._scanner().scan(text))

    @Slot(int, object)
    def recheck(self, number: int, edit: Edit) -> None:
        """Check a post the physician edited, as a finished variant is checked."""
        pipeline = imported("draftrx.compose.pipeline")
        composer = pipeline.Composer(_no_model, self._scanner(), edit.job.settings)
        posts, caption = edit.parts
        try:
            checked = composer.recheck(edit.job.request, edit.platform, posts, caption,
                                       edit.message, edit.written)  # fmt: skip
        except Exception as exc:  # a bug must not leave the post waiting forever
            self.failed.emit(why(exc))
            return
        self.rechecked.emit(number, checked, edit.text)


def start_thread(worker: QObject, name: str) -> QThread:
    """Move `worker` to a new thread and start it; the thread ends when the worker quits it."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.start()
    return thread
