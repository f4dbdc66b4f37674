"""The DraftRx window: draft and findings on the left, variants and changes on the right.

The GUI thread only edits widgets. The model and the rewrite run on the engine worker's
thread, the live scan on the scan worker's (see worker.py); requests go to them as queued
signals and results come back the same way, so no click or keystroke waits on either.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from draftrx.compose.platforms import Platform, load_platforms
from draftrx.compose.prompts import TASKS
from draftrx.compose.settings import Settings, load_settings
from draftrx.privacy.findings import Finding
from draftrx.ui import practice, preferences
from draftrx.ui.clues import ClueActions
from draftrx.ui.diffview import DiffView
from draftrx.ui.draft import DraftEditor, FindingsList, describe, key
from draftrx.ui.history import DraftHistory, HistoryDialog, UnlockDialog
from draftrx.ui.keymessage import KeyMessageBox
from draftrx.ui.practice import SendDialog, ServersDialog
from draftrx.ui.variants import OVERRIDDEN_MARK, SEVERITY_MARKS, VariantView
from draftrx.ui.worker import (
    Edit,
    EngineFactory,
    EngineWorker,
    Job,
    ModelChoice,
    ScanWorker,
    Shared,
    imported,
    real_engine,
    real_scanner,
    served_by,
    start_thread,
    why,
)
from draftrx.vault import guard
from draftrx.vault.store import Autosaved

if TYPE_CHECKING:
    from draftrx.compose.message import KeyMessage
    from draftrx.compose.pipeline import Variant, VariantStarted
    from draftrx.engine.events import StreamStats
    from draftrx.privacy.scanner import Scanner

SCAN_DELAY_MS = 300  # live scan after the typing pauses this long
RECHECK_DELAY_MS = 400  # an edited post is checked again after the typing pauses this long
PREFILL_DELAY_MS = 700  # background prefill after a longer pause (the scan is done by then)
TASK_LABELS = {
    "educational": "Educational rewrite",
    "lesson": "Case → general lesson",
    "reply-comment": "Reply to a comment",
    "reply-review": "Reply to a review",
    "reply-dm": "Reply to a direct message",
}
EXPLAIN = ("Highlights: identifiers (replaced before the model sees the draft) and clues "
           "(your call).")
MODE_LABELS = {  # privacy.fictionalise.Mode values (that module loads Presidio: not here)
    "fictionalise": "Fictionalise identifiers",
    "generalise": "Generalise identifiers",
    "redact": "Redact identifiers",
}
MODE_NOTES = {
    "fictionalise": "Names, places and dates become made-up ones (“Ann Lee” → “Maria "
                    "Lopez”, “June 3” → “June 19”), so the post still reads naturally.",
    "generalise": "Names, places and dates become general words (“Ann Lee” → “someone”, "
                  "“Mercy Hospital” → “a local hospital”, “last Tuesday” → “recently”).",
    "redact": "Names, places and dates are taken out and marked (“Ann Lee” → “[name]”): "
              "the safest, but the post reads less smoothly.",
}  # fmt: skip


class MainWindow(QMainWindow):
    request_load = Signal(object)  # ModelChoice, to the engine worker
    request_compose = Signal(object)  # Job, to the engine worker
    request_preview = Signal(object)  # Job: what it would send to a practice server
    request_prefill = Signal(object, object)  # Job and its stop flag, to the engine worker
    request_shutdown = Signal()
    request_warm = Signal()
    request_scan = Signal(int, str)
    request_recheck = Signal(int, object)  # number, Edit: to the scan worker
    idle = Signal()  # a rewrite ended (done, stopped or failed): for tests and --screenshot

    def __init__(
        self,
        store: QSettings | None = None,
        engine_factory: EngineFactory = real_engine,
        scanner: Any = real_scanner,
        autoload: bool = True,
        history: bool = True,
    ) -> None:
        super().__init__()
        self.setWindowTitle("DraftRx")
        self.setAcceptDrops(True)
        self.store = store or preferences.open_store()
        self.prefs = preferences.load(self.store)
        self._build_notice()
        try:
            self.base_settings = load_settings()
        except ValueError as exc:
            self.base_settings = Settings()
            self.show_notice(f"{exc} The built-in disclaimers are used until it is fixed.")
        try:
            self.platforms: dict[str, Platform] = load_platforms(limits=self.base_settings.limits)
        except ValueError as exc:
            self.platforms = load_platforms()
            self.show_notice(f"{exc} The standard limits are used until it is fixed.")
        self.model_ready = False
        # The models asked of the worker, oldest first: each load ends in loaded or failed.
        self._loads: deque[str] = deque()
        self.model_choice = self.prefs.model_path  # saved only once it has loaded
        self.server_name = self.prefs.server  # a practice server's name; "": this computer
        self.send_dialog: SendDialog | None = None
        self._engine_info: dict = {}  # the loaded engine's describe()
        self._server_waits = False  # a server's key is in the history, which is locked
        self.scanner_ready = False
        self.busy = False
        self.views: dict[str | None, VariantView] = {}
        self._current: VariantView | None = None
        self._scan_number = 0
        self._scanned: tuple[str, list[Finding]] = ("", [])
        self._request: Any = None  # the compose Request of the last rewrite
        self._job_done: Job | None = None  # the last rewrite's job: edits are checked by it
        self._message: KeyMessage | None = None  # the key message its variants kept
        self._recheck_number = 0
        self._rechecks: dict[int, str | None] = {}  # request number: platform id
        self._seed = random.getrandbits(31)  # stable stand-ins while one draft is edited
        self._draft_number = 0  # counts New draft / Open: a late key message is dropped
        self._job_draft = 0  # the draft number of the last rewrite
        self._stopped = False
        self._draft_notice = False  # the notice is about the draft (cleared with it)
        self.unlock_dialog: UnlockDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self.recovered: Autosaved | None = None

        self._build()
        self._build_menus()
        self.history = DraftHistory(self.editor.toPlainText, parent=self)
        self.history.state_changed.connect(self.history_label.setText)
        self.history.state_changed.connect(self._history_state)
        self.history.needs_passphrase.connect(self._ask_passphrase)
        self.history.problem.connect(self.show_notice)
        self.history.recovered.connect(self._offer_recovery)
        self.history.forgotten.connect(self._forgotten)
        self.history.resumed.connect(self._resume)
        self.history.resume_id = self.prefs.last_draft
        if history:
            self.history.start()
        else:
            self.history_label.setText("History: off for this run")
        QApplication.instance().installEventFilter(self)  # Esc stops from any focus
        shared: Shared[Scanner] = Shared(scanner)
        self._start_workers(shared, engine_factory)
        self._update_actions()
        self.request_warm.emit()
        if autoload:
            QTimer.singleShot(0, self.load_model)

    # -- layout -------------------------------------------------------------------------

    def _build_notice(self) -> None:
        """A bar for what went wrong, with a button to close it once read."""
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setAccessibleName("Close the notice")
        close.setToolTip("Close the notice")
        close.clicked.connect(self.hide_notice)
        self.notice_bar = QWidget()
        self.notice_bar.setObjectName("notice")
        self.notice_bar.setStyleSheet("#notice { background: rgba(220, 120, 0, 0.18); "
                                      "border-radius: 4px; }")  # fmt: skip
        bar = QHBoxLayout(self.notice_bar)
        bar.setContentsMargins(6, 2, 2, 2)
        bar.addWidget(self.notice, 1)
        bar.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_bar.hide()

    def _build(self) -> None:
        self.recovery_bar = QWidget()
        bar = QHBoxLayout(self.recovery_bar)
        bar.setContentsMargins(6, 2, 6, 2)
        self.recovery_text = QLabel()
        self.recovery_text.setWordWrap(True)
        self.restore_button = QPushButton("Re&store it")
        self.restore_button.clicked.connect(self.restore_recovered)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.dismiss_recovered)
        bar.addWidget(self.recovery_text, 1)
        bar.addWidget(self.restore_button)
        bar.addWidget(dismiss)
        self.recovery_bar.setStyleSheet("background: rgba(0, 120, 220, 0.15);")
        self.recovery_bar.hide()

        self.task = QComboBox()
        self.task.setAccessibleName("Task")
        for t in TASKS:
            self.task.addItem(TASK_LABELS.get(t, t), t)
        self.task.setCurrentIndex(max(0, self.task.findData(self.prefs.task)))
        self.mode = QComboBox()
        self.mode.setAccessibleName("Privacy")
        for m, label in MODE_LABELS.items():
            self.mode.addItem(label, m)
            self.mode.setItemData(self.mode.count() - 1, MODE_NOTES[m],
                                  Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        self.mode_note = QLabel()
        self.mode_note.setWordWrap(True)
        self.mode_note.setAccessibleName("What the privacy choice does")
        self.mode.currentIndexChanged.connect(
            lambda: self.mode_note.setText(MODE_NOTES[self.mode.currentData()]))
        self.mode_note.setText(MODE_NOTES[self.mode.currentData()])
        self.sponsored = QCheckBox("&Sponsored")
        self.sponsored.setToolTip("Adds a paid-partnership disclosure to every variant.")
        self.brand = QLineEdit()
        self.brand.setPlaceholderText("Brand (optional)")
        self.brand.setAccessibleName("Sponsor brand")
        self.brand.setEnabled(False)
        self.sponsored.toggled.connect(self.brand.setEnabled)
        self.rewrite_button = QPushButton("&Rewrite")
        self.rewrite_button.setToolTip("Rewrite the draft for the ticked platforms (Ctrl+Enter)")
        self.rewrite_button.clicked.connect(self.rewrite)
        self.stop_button = QPushButton("S&top")
        self.stop_button.setToolTip("Stop writing (Esc)")
        self.stop_button.clicked.connect(self.stop)

        top = QHBoxLayout()
        for w in (QLabel("&Task"), self.task, self.mode, self.sponsored, self.brand):
            top.addWidget(w)
        top.itemAt(0).widget().setBuddy(self.task)  # type: ignore[union-attr]
        top.addStretch(1)
        top.addWidget(self.rewrite_button)
        top.addWidget(self.stop_button)

        platforms = QGridLayout()
        self.platform_boxes: dict[str, QCheckBox] = {}
        for i, (pid, p) in enumerate(self.platforms.items()):
            box = QCheckBox(p.name)
            box.setAccessibleName(f"Write a {p.name} variant")
            box.setChecked(pid in self.prefs.platforms)
            self.platform_boxes[pid] = box
            platforms.addWidget(box, 0, i)
            box.toggled.connect(self._platforms_changed)

        self.editor = DraftEditor()
        self.editor.textChanged.connect(self._draft_changed)
        self.editor.pasted.connect(self._pasted)
        self.editor.cursorPositionChanged.connect(self._explain_cursor)
        self.findings = FindingsList()
        self.findings.toggled.connect(self._remark)
        self.findings.currentItemChanged.connect(self._finding_selected)
        self.explain = QLabel(EXPLAIN)
        self.explain.setWordWrap(True)
        self.explain.setAccessibleName("Why it matters")
        self.clues = ClueActions(self.editor, self.findings, lambda: self._scanned,
                                 self._remark)  # fmt: skip
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.editor)
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.explain)
        v.addWidget(self.findings)
        v.addWidget(self.clues)
        left.addWidget(box)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)

        self.key_message = KeyMessageBox()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Variants")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.diff = DiffView()
        self._reset_views(self.chosen_platforms())
        right = QWidget()
        v = QVBoxLayout(right)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.key_message)
        v.addWidget(self.tabs, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([500, 600])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notice_bar)
        layout.addWidget(self.recovery_bar)
        layout.addLayout(top)
        layout.addWidget(self.mode_note)
        layout.addLayout(platforms)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

        self.model_label = QLabel("No model")
        self.model_label.setAccessibleName("Model")
        self.speed_label = QLabel()
        self.speed_label.setAccessibleName("Speed")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setAccessibleName("Model loading")
        self.progress.hide()
        offline = self._guarded = guard.active() and guard.probe() is None  # tried, not assumed
        self.offline_label = QLabel("● Offline" if offline else "⚠ Not guarded")
        self.offline_label.setAccessibleName("Network")
        self.offline_label.setToolTip(
            "Every connection to another computer is refused: no draft can leave this one."
            if offline
            else "The offline guard is not on in this process; start DraftRx with `draftrx`."
        )
        self.offline_label.setStyleSheet(f"color: {'#2e7d32' if offline else '#b3261e'};")
        self.history_label = QLabel("History: not opened")
        self.history_label.setAccessibleName("History")
        bar = self.statusBar()
        bar.addPermanentWidget(self.history_label)
        bar.addPermanentWidget(self.offline_label)
        bar.addPermanentWidget(self.speed_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.model_label)
        self.resize(1200, 760)

    def _build_menus(self) -> None:
        def action(menu, text: str, slot, shortcut=None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        file = self.menuBar().addMenu("&File")
        action(file, "&New draft", self.new_draft, QKeySequence.StandardKey.New)
        action(file, "&Open draft…", self._open_dialog, QKeySequence.StandardKey.Open)
        action(file, "&History…", self.open_history, "Ctrl+H")
        action(file, "&Copy variant", self.copy_current, "Ctrl+Shift+C")
        file.addSeparator()
        action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        write = self.menuBar().addMenu("&Write")
        self.rewrite_action = action(write, "&Rewrite", self.rewrite, "Ctrl+Return")
        self.stop_action = action(write, "&Stop", self.stop, "Esc")
        model = self.menuBar().addMenu("&Model")
        action(model, "&Manage models…", self.open_models, "Ctrl+M")
        action(model, "&Reload model", self.load_model)
        action(model, "&Practice servers…", self.open_servers)
        settings = self.menuBar().addMenu("&Settings")
        prefs = QKeySequence.StandardKey.Preferences
        action(settings, "&Preferences…", self.open_preferences, prefs)

    def _start_workers(self, scanner: Shared[Scanner], factory: EngineFactory) -> None:
        self.scan_worker = ScanWorker(scanner)
        self.scan_thread = start_thread(self.scan_worker, "draftrx-scan")
        self.request_warm.connect(self.scan_worker.warm)
        self.request_scan.connect(self.scan_worker.scan)
        self.scan_worker.scanned.connect(self._scanned_draft)
        self.scan_worker.ready.connect(lambda: setattr(self, "scanner_ready", True))
        self.scan_worker.failed.connect(self.show_notice)
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(SCAN_DELAY_MS)
        self._scan_timer.timeout.connect(self._scan_now)
        self._prefill_timer = QTimer(self)
        self._prefill_timer.setSingleShot(True)
        self._prefill_timer.setInterval(PREFILL_DELAY_MS)
        self._prefill_timer.timeout.connect(self.prefill_now)
        self.request_recheck.connect(self.scan_worker.recheck)
        self.scan_worker.rechecked.connect(self._rechecked)
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(RECHECK_DELAY_MS)
        self._recheck_timer.timeout.connect(self.recheck_now)

        w = self.worker = EngineWorker(scanner, factory)
        self.engine_thread = start_thread(w, "draftrx-engine")
        self.request_load.connect(w.load)
        self.request_compose.connect(w.compose)
        self.request_preview.connect(w.preview)
        w.preview_ready.connect(self._confirm_send)
        self.request_prefill.connect(w.prefill)
        self.request_shutdown.connect(w.shutdown)
        w.loading.connect(self._loading)
        w.progress.connect(self._progress)
        w.loaded.connect(self._loaded)
        w.load_failed.connect(self._load_failed)
        w.message_found.connect(self._message_found)
        w.started.connect(self._variant_started)
        w.text.connect(self._text)
        w.reading.connect(self._reading)
        w.writing.connect(self._writing)
        w.stopped.connect(self._variant_stopped)
        w.stats.connect(self._stats)
        w.variant.connect(self._variant_done)
        w.finished.connect(self._finished)
        w.failed.connect(self._failed)
        for changed in (self.task.currentIndexChanged, self.mode.currentIndexChanged,
                        self.sponsored.toggled, self.brand.textChanged, self.findings.toggled,
                        self.key_message.changed,
                        *(box.toggled for box in self.platform_boxes.values())):  # fmt: skip
            changed.connect(self._options_changed)

    # -- model ----------------------------------------------------------------------------

    def load_model(self) -> None:
        self.model_ready = False
        self.stop()
        p, choice = self.prefs, self.model_choice
        self._loads.append(choice)
        if self.server_name:
            servers = imported("draftrx.servers")  # not with the window: it loads llama.cpp
            try:
                server = servers.find(self.server_name)
                self._server_waits = server.key_in == "history" and self.history.vault is None
                key = servers.key_for(server, self._open_vault)
            except Exception as exc:
                self._load_failed(why(exc))
                return
            self.request_load.emit(ModelChoice(None, server=server, key=key))
        else:
            self.request_load.emit(ModelChoice(Path(choice) if choice else None,
                                               p.threads, p.gpu_layers))  # fmt: skip
        self._loading("Loading the model…")
        self._update_actions()

    def open_servers(self) -> None:
        dialog = ServersDialog(self.server_name, self._open_vault, self)
        dialog.use.connect(self._use_server)
        dialog.open()

    def _use_server(self, name: str) -> None:
        """A practice server's name, or "" for this computer: saved, then loaded."""
        self.server_name = self.prefs.server = name
        preferences.save(self.store, self.prefs)
        self.load_model()

    def _history_state(self, _state: str) -> None:
        """A server whose key waited for the history is connected once it is unlocked."""
        if self._server_waits and self.history.vault is not None and self.server_name:
            self._server_waits = False
            self.load_model()

    def _open_vault(self) -> contextlib.AbstractContextManager[Any]:
        """The history, open in this window, for a server's key where there is no keyring."""
        if self.history.vault is None:
            raise ValueError("Without a system keyring the server's key is kept in the drafts "
                             "history: unlock the history, and the server connects.")  # fmt: skip
        return contextlib.nullcontext(self.history.vault)

    def _loading(self, message: str) -> None:
        self.model_label.setText(message)
        self.progress.setRange(0, 0)  # busy indicator until there is a fraction to show
        self.progress.show()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * done / max(total, 1)))

    def _loaded(self, info: dict) -> None:
        loaded = self._loads.popleft() if self._loads else self.model_choice
        if self._loads:
            return  # a newer choice is on its way, and only it may be written with
        if loaded != self.prefs.model_path:  # a choice that aborts never becomes the saved one
            self.prefs.model_path = loaded
            preferences.save(self.store, self.prefs)
        self.model_ready = True
        self.progress.hide()
        self._engine_info = info
        self._show_network(info)
        if info.get("backend") == "Practice server":
            self.model_label.setText(f"{info.get('model')} · practice server")
            self.model_label.setToolTip(str(info.get("path", "")))
            self.statusBar().showMessage("Practice server ready.", 3000)
            self._update_actions()
            return
        layers = int(info.get("gpu_layers", 0) or 0)
        threads = int(info.get("n_threads", 0) or 0)
        where = (f"{layers}/{info.get('n_layers')} layers on {info.get('gpu_device') or 'the GPU'}"
                 if layers else f"{threads} thread{'' if threads == 1 else 's'}")  # fmt: skip
        self.model_label.setText(f"{info.get('model')} · {info.get('backend')} · {where}")
        self.model_label.setToolTip(str(info.get("path", "")))
        self.statusBar().showMessage("Model ready.", 3000)
        self._update_actions()
        self._prefill_timer.start()

    def _load_failed(self, message: str) -> None:
        if self._loads:
            self._loads.popleft()
        self.model_choice = self.prefs.model_path  # Reload goes back to the saved model
        self.model_ready = False
        self.progress.hide()
        self.model_label.setText("No model")
        self._show_network({})
        if self.server_name:
            self.show_notice(f"The practice server could not be used. {message} Nothing was "
                             "sent. Choose another in Model ▸ Practice servers, or Use this "
                             "computer.")  # fmt: skip
        else:
            self.show_notice(f"The model could not be loaded. {message} "
                             "Choose another in Model ▸ Manage models.")  # fmt: skip
        self._update_actions()

    def _show_network(self, info: dict) -> None:
        """The status bar says where rewrites run: offline, or which practice server."""
        if not self._guarded and info.get("backend") != "Practice server":
            return  # "⚠ Not guarded" stays: it says more than "Offline" could
        text, tip, colour = practice.status_text(info, self._guarded)
        self.offline_label.setText(text)
        self.offline_label.setToolTip(tip)
        self.offline_label.setStyleSheet(f"color: {colour};")

    def open_models(self, drop: list[Path] | None = None) -> None:
        from draftrx.ui.models import ModelManager

        dialog = ModelManager(self.prefs.extra_models, self.prefs.model_path, self)
        dialog.added.connect(self._model_added)
        dialog.removed.connect(self._model_removed)
        dialog.chosen.connect(self._model_chosen)
        for path in drop or []:
            dialog.add(path)
        dialog.open()

    def _model_added(self, path: str) -> None:
        if path not in self.prefs.extra_models:
            self.prefs.extra_models.append(path)
            preferences.save(self.store, self.prefs)

    def _model_removed(self, path: str) -> None:
        if path in self.prefs.extra_models:
            self.prefs.extra_models.remove(path)
            preferences.save(self.store, self.prefs)

    def _model_chosen(self, path: str) -> None:
        self.model_choice = path
        self.server_name = self.prefs.server = ""  # a model chosen here runs here
        self.load_model()

    def open_preferences(self) -> None:
        names = {pid: p.name for pid, p in self.platforms.items()}
        dialog = preferences.PreferencesDialog(self.prefs, self.base_settings, names, self,
                                               self.open_servers)  # fmt: skip
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.result_settings()))
        dialog.open()

    def apply_preferences(self, new: preferences.AppSettings) -> None:
        reload = (new.threads, new.gpu_layers) != (self.prefs.threads, self.prefs.gpu_layers)
        self.prefs = new
        preferences.save(self.store, new)
        for pid, box in self.platform_boxes.items():
            box.setChecked(pid in new.platforms)
        if reload:
            self.load_model()

    # -- draft and live scan ----------------------------------------------------------------

    def set_draft(self, text: str) -> None:
        self.editor.setPlainText(text)

    def new_draft(self) -> None:
        """The current draft goes into the history; the editor starts empty."""
        self.history.begin()
        self._forget_draft()
        self._seed = random.getrandbits(31)
        self.set_draft("")

    def _forget_draft(self) -> None:
        """Clear everything shown that came from the draft being left, so no identifier of
        the last patient stays on screen: its posts, changes, findings and the choices to
        keep them, key message, speed figures and notices about it. A rewrite still
        running is stopped, and what it still sends is dropped (`_stale`)."""
        self._draft_number += 1
        if self.busy:
            self.worker.cancel()
        self._job_done, self._message = None, None
        self._rechecks.clear()
        self.key_message.clear()
        self._reset_views(self.chosen_platforms())
        self.findings.kept.clear()
        self.findings.show_findings("", [])
        self._scanned = ("", [])
        self.editor.mark([], set())
        self.explain.setText(EXPLAIN)
        self.speed_label.clear()
        if self._draft_notice:
            self.hide_notice()

    def _stale(self) -> bool:
        """The rewrite in flight was for a draft the physician has since left."""
        return self._job_draft != self._draft_number

    def open_draft(self, path: Path) -> bool:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            self.show_notice(f"{path.name} is not UTF-8 text; the draft was left as it was.",
                             about_draft=True)  # fmt: skip
            return False
        except OSError as exc:
            self.show_notice(f"Could not open {path}: {exc.strerror or exc}", about_draft=True)
            return False
        self.history.begin()
        self._forget_draft()
        self.set_draft(text)
        return True

    def _open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getOpenFileName(self, "Open a draft", "", "Text (*.txt *.md)")
        if name:
            self.open_draft(Path(name))

    def _draft_changed(self) -> None:
        self.history.typed()
        self._scan_timer.start()
        self._options_changed()
        self._update_actions()

    def _pasted(self) -> None:
        """A paste is not typing: cache its prompt now, not after the typing pause."""
        self._prefill_timer.stop()
        self.prefill_now()

    def _options_changed(self) -> None:
        """The Rewrite's prompt changed: stop caching the old one, cache the new one soon."""
        self.worker.stop_prefill()
        self._prefill_timer.start()

    def prefill_now(self) -> bool:
        """Have the engine process the Rewrite's prompt while the physician pauses; before
        there is a draft, the task's own text that every draft's prompt starts with."""
        job = self._job(allow_empty=True) if self.model_ready and not self.busy else None
        if job is None:
            return False
        if not job.request.draft.strip():  # one platform: the others' parts come after the draft
            job = replace(job, request=replace(job.request, platforms=job.request.platforms[:1]))
        self.request_prefill.emit(job, self.worker.arm_prefill())
        return True

    def _scan_now(self) -> None:
        self._scan_number += 1
        self.request_scan.emit(self._scan_number, self.editor.toPlainText())

    def _scanned_draft(self, number: int, findings: list[Finding]) -> None:
        text = self.editor.toPlainText()
        if number != self._scan_number:
            return  # the draft changed after this scan was asked for; a newer one is coming
        self._scanned = (text, findings)
        self.findings.show_findings(text, findings)
        self.editor.mark(findings, self.findings.kept)
        self.clues.update_buttons()

    def _remark(self) -> None:
        text, findings = self._scanned
        if text == self.editor.toPlainText():
            self.editor.mark(findings, self.findings.kept)

    def _explain_cursor(self) -> None:
        finding = self.editor.finding_at(self.editor.textCursor().position())
        self.explain.setText(describe(finding) if finding is not None else EXPLAIN)

    def _finding_selected(self, item: Any) -> None:
        if item is None:
            return
        finding, _ = item.data(Qt.ItemDataRole.UserRole)
        self.explain.setText(describe(finding))
        self.editor.select_finding(finding)

    # -- rewrite ------------------------------------------------------------------------------

    def chosen_platforms(self) -> list[Platform]:
        return [self.platforms[pid] for pid, box in self.platform_boxes.items() if box.isChecked()]

    def _job(self, allow_empty: bool = False) -> Job | None:
        """The compose job a Rewrite would queue now; None for an empty draft unless allowed."""
        from draftrx.compose.pipeline import Request
        from draftrx.engine.events import GenerationParams
        from draftrx.privacy.fictionalise import Mode

        draft = self.editor.toPlainText()
        if not draft.strip() and not allow_empty:
            return None
        text, findings = self._scanned
        keep = tuple(f for f in findings if key(text, f) in self.findings.kept) \
            if text == draft else ()  # fmt: skip
        sponsor = self.brand.text().strip() if self.sponsored.isChecked() else None
        platforms = self.chosen_platforms()
        request = Request(draft, self.task.currentData(), tuple(platforms),
                          Mode(self.mode.currentData()), keep, sponsor, self._seed,
                          message=self.key_message.message(),
                          candidates=self.prefs.candidates)  # fmt: skip
        params = GenerationParams(max_tokens=self.prefs.max_tokens,
                                  temperature=self.prefs.temperature)  # fmt: skip
        return Job(request, params, self.prefs.compose_settings(self.base_settings),
                   served_by(self._engine_info))  # fmt: skip

    def rewrite(self) -> bool:
        if self.busy or not self.model_ready:
            return False
        job = self._job()
        if job is None:
            self.statusBar().showMessage("Write or paste a draft first.", 4000)
            return False
        if self.server_name and self._server_id() not in self.prefs.confirmed_servers:
            self.busy = True  # until the physician answers: no second Rewrite meanwhile
            self._update_actions()
            self.statusBar().showMessage("Preparing what would be sent…")
            self.request_preview.emit(job)
            return True
        return self._start(job)

    def _server_id(self) -> str:
        """The server and model a confirmation was given for: a new one asks again."""
        return served_by(self._engine_info)

    def _confirm_send(self, job: Job, sent: str) -> None:
        """The first rewrite on a server: show exactly what leaves, send only on yes."""
        self.busy = False
        self._update_actions()
        self.statusBar().clearMessage()
        label = self.offline_label.text().removeprefix("● Practice server: ")
        encrypted = bool(self._engine_info.get("encrypted", True))
        self.send_dialog = dialog = SendDialog(label, sent, encrypted, self)
        dialog.accepted.connect(lambda: self._send_confirmed(job))
        dialog.rejected.connect(lambda: self.statusBar().showMessage("Nothing was sent.", 4000))
        dialog.open()

    def _send_confirmed(self, job: Job) -> None:
        self.prefs.confirmed_servers.append(self._server_id())
        preferences.save(self.store, self.prefs)
        self._start(job)

    def _start(self, job: Job) -> bool:
        self.worker.stop_prefill()  # a background prefill yields at once, keeping its work
        self._prefill_timer.stop()
        self._reset_views(list(job.request.platforms))
        self.hide_notice()
        self.history.save(job.request.draft, force=True)
        self._request, self._stopped = job.request, False
        self._job_done, self._message = job, None
        self._rechecks.clear()
        self._job_draft = self._draft_number
        self.busy = True
        self._update_actions()
        self.speed_label.clear()  # the last rewrite's figures are not this one's
        self.statusBar().showMessage("Reading the draft…")
        self.worker.arm()
        self.request_compose.emit(job)
        return True

    def stop(self) -> None:
        if self.busy:
            self.worker.cancel()
            self.statusBar().showMessage("Stopping…")

    def _platforms_changed(self) -> None:
        """Before the first rewrite (or after a failed one), the tabs follow the boxes."""
        if not self.busy and not any(v.variant for v in self.views.values()):
            self._reset_views(self.chosen_platforms())

    def _reset_views(self, platforms: list[Platform]) -> None:
        self.tabs.blockSignals(True)
        self.tabs.clear()
        for old in self.views.values():  # removing a tab does not free its page
            old.deleteLater()
        self.views = {}
        for p in platforms or [None]:
            view = VariantView(p)
            view.copied.connect(lambda m: self.statusBar().showMessage(m, 4000))
            view.overridden.connect(lambda view=view: self._overridden(view))
            pid = p.id if p else None
            view.stop_requested.connect(lambda pid=pid: self.worker.stop_variant(pid))
            view.version_changed.connect(lambda view=view: self._version_changed(view))
            view.edited.connect(self._edited)
            view.marked.connect(lambda view=view: self._mark_tab(view))
            self.views[p.id if p else None] = view
            self.tabs.addTab(view, view.name)
        self.tabs.addTab(self.diff, "Changes")
        self.diff.clear()
        self.tabs.blockSignals(False)
        self._current = None

    def _message_found(self, message: KeyMessage) -> None:
        if self._job_draft == self._draft_number:  # not a draft left since the Rewrite
            self._message = message
            self.key_message.fill(message)

    def _edited(self) -> None:
        self._recheck_timer.start()  # each keystroke pushes the check back

    def recheck_now(self) -> None:
        """Check every edited post that waits for it, off the GUI thread."""
        job = self._job_done
        if job is None or self.busy:
            return
        for pid, view in self.views.items():
            if view.pending:
                self._recheck_number += 1
                self._rechecks[self._recheck_number] = pid
                edit = Edit(job, view.platform, self._message, view.text, view.edit_parts(),
                            view.versions[view.version].text)
                self.request_recheck.emit(self._recheck_number, edit)

    def _rechecked(self, number: int, checked: Variant, text: str) -> None:
        pid = self._rechecks.pop(number, "gone")
        view = self.views.get(pid) if pid != "gone" else None
        if view is None or not view.apply_checks(checked, text):
            return  # another draft or rewrite since, or the text changed again
        self._mark_tab(view)
        self.history.rewrite_changed(self.rewrite_record())

    def _variant_started(self, event: VariantStarted) -> None:
        if self._stale():
            return
        view = self.views[event.platform.id if event.platform else None]
        shorten = event.attempt == "shorten"
        view.reset("Too long: asking the model for a shorter text…" if shorten else "",
                   streaming=True)  # fmt: skip
        if self._current is None or shorten:  # variants written together: show the first
            self._current = view
            self.tabs.setCurrentWidget(view)

    def _text(self, platform_id: str | None, text: str) -> None:
        if self._stale():
            return
        view = self.views.get(platform_id)
        if view is not None:
            view.append(text)

    def _reading(self, done: int, total: int) -> None:
        if not self._stale() and self.busy:
            self.statusBar().showMessage(f"Reading the draft… {100 * done // max(total, 1)}%")

    def _writing(self, platform_id: str | None, tokens: int, seconds: float) -> None:
        view = self.views.get(platform_id)
        if view is None or self._stale():
            return
        self.statusBar().showMessage("Writing…")
        view.progress(tokens, seconds)

    def _variant_stopped(self, platform_id: str | None) -> None:
        if self._stale():
            return
        view = self.views.get(platform_id)
        if view is not None:
            view.stopped()
            self.tabs.setTabText(self.tabs.indexOf(view), view.name + " (stopped)")

    def _stats(self, stats: StreamStats) -> None:
        if self._stale():
            return
        self.speed_label.setText(
            f"first token {stats.ttft_s * 1000:.0f} ms · {stats.decode_tok_s:.1f} tokens/s"
        )

    def _variant_done(self, variant: Variant) -> None:
        if self._stale():
            return
        view = self.views[variant.platform.id if variant.platform else None]
        view.set_variant(variant)
        self._mark_tab(view)

    def _version_changed(self, view: VariantView) -> None:
        """Another version shown in a tab: its mark, its changes, and the history's record."""
        self._mark_tab(view)
        if not self.busy:
            self.history.rewrite_changed(self.rewrite_record())

    def _overridden(self, view: VariantView) -> None:
        """An override given or withdrawn: the tab says so, and the history keeps it."""
        self._mark_tab(view)
        self.history.rewrite_changed(self.rewrite_record())

    def _mark_tab(self, view: VariantView) -> None:
        if view.variant is None:
            return
        mark = OVERRIDDEN_MARK if view.override_reason else SEVERITY_MARKS[view.shown.severity]
        self.tabs.setTabText(self.tabs.indexOf(view), view.name + mark)
        if self.tabs.currentWidget() is view:
            self.diff.show_changes(view.shown.diff, view.name)

    def _finished(self, cancelled: bool) -> None:
        if self._stale():  # stopped by New draft, Open or Forget: nothing of it is kept
            self.statusBar().clearMessage()
            self._end_job()
            return
        done = [v for v in self.views.values() if v.variant is not None]
        blocked = sum(v.blocked for v in done)
        self._stopped = cancelled
        if done:
            self.history.rewrite_done(self.rewrite_record())
        if cancelled:
            message = f"Stopped. {len(done)} of {len(self.views)} variants finished."
        else:
            message = f"Done: {len(done)} variant{'s' * (len(done) != 1)}"
            stopped = len(self.views) - len(done)
            message += "".join(f", {n} {what}" for n, what in
                               ((blocked, "blocked"), (stopped, "stopped")) if n) + "."  # fmt: skip
        self.statusBar().showMessage(message)
        self._end_job()

    def _failed(self, message: str) -> None:
        self.show_notice(message)
        self.statusBar().clearMessage()
        self._end_job()

    def _end_job(self) -> None:
        self.busy = False
        self._current = None
        for view in self.views.values():
            view.stop_button.hide()
            if view.variant is None and view.preview.toPlainText():
                view.stopped()  # its progress figures go; it says why there is no Copy
        self._update_actions()
        self.idle.emit()

    def _tab_changed(self, index: int) -> None:
        view = self.tabs.widget(index)
        if isinstance(view, VariantView) and view.variant is not None:
            self.diff.show_changes(view.shown.diff, view.name)

    def copy_current(self) -> None:
        view = self.tabs.currentWidget()
        if isinstance(view, VariantView):
            view.copy()

    def rewrite_record(self) -> dict[str, Any]:
        """What the history keeps of the last rewrite: the draft as sent, the settings, and
        each finished variant with its checks and any override reason."""
        r = self._request
        variants = [v.record() for v in self.views.values() if v.variant is not None]
        return {"draft": r.draft, "task": r.task, "privacy": r.privacy.value,
                "sponsor": r.sponsor, "model": self.model_label.text(),
                "stopped": self._stopped, "variants": variants}  # fmt: skip

    # -- history --------------------------------------------------------------------------------

    def _ask_passphrase(self, message: str, new: bool) -> None:
        self.unlock_dialog = UnlockDialog(self.history, message, new, self)
        self.unlock_dialog.open()

    def _offer_recovery(self, found: Autosaved) -> None:
        self.recovered = found
        when = time.strftime("%H:%M on %d %b", time.localtime(found.updated))
        self.recovery_text.setText(
            f"DraftRx did not close properly last time. The draft you were writing at {when} "
            "was kept (it is also in History)."
        )
        self.recovery_bar.show()

    def restore_recovered(self) -> None:
        if self.recovered is not None:
            self.history.begin(self.recovered.text, self.recovered.draft_id)
            self._forget_draft()
            self.set_draft(self.recovered.text)
        self.dismiss_recovered()

    def dismiss_recovered(self) -> None:
        self.recovered = None
        self.recovery_bar.hide()

    def _resume(self, draft_id: int, text: str) -> None:
        """The draft open at the last clean quit, back from the encrypted history, once the
        window is built (the history may open while it is)."""
        QTimer.singleShot(0, lambda: self._resume_now(draft_id, text))

    def _resume_now(self, draft_id: int, text: str) -> None:
        if self.editor.toPlainText().strip():
            return  # something is being written already (--draft, a drop): it stays
        self.history.begin(text, draft_id)
        self._forget_draft()
        self.set_draft(text)

    def _forgotten(self) -> None:
        """Forget everything means the window too: the draft on screen and all it led to."""
        self._forget_draft()
        self.dismiss_recovered()
        self.set_draft("")

    def open_history(self) -> None:
        if self.history_dialog is None:
            self.history_dialog = HistoryDialog(self.history, self)
            self.history_dialog.open_requested.connect(self._open_saved)
        self.history_dialog.refresh()
        self.history_dialog.show()
        self.history_dialog.raise_()

    def _open_saved(self, draft_id: int, text: str) -> None:
        self.history.begin(text, draft_id)
        self._forget_draft()
        self.set_draft(text)
        self.statusBar().showMessage("Opened from the history.", 4000)

    # -- state and chrome ---------------------------------------------------------------------

    def _update_actions(self) -> None:
        can = self.model_ready and not self.busy and bool(self.editor.toPlainText().strip())
        self.rewrite_button.setEnabled(can)
        self.rewrite_action.setEnabled(can)
        self.stop_button.setEnabled(self.busy)
        self.stop_action.setEnabled(self.busy)

    def show_notice(self, message: str, about_draft: bool = False) -> None:
        self.notice.setText(message)
        self._draft_notice = about_draft
        self.notice_bar.show()

    def hide_notice(self) -> None:
        self.notice.clear()
        self._draft_notice = False
        self.notice_bar.hide()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        models = [p for p in paths if p.suffix.lower() == ".gguf"]
        if models:
            self.open_models(models)
        elif paths:
            self.open_draft(paths[0])
        event.acceptProposedAction()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc stops a rewrite wherever the focus is: a menu that was opened and closed
        leaves the menu bar holding the keyboard, and it swallowed the first Esc. An open
        menu or dialog still gets its own Esc (to close it)."""
        if (event.type() == QEvent.Type.KeyPress and self.busy
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape
                and QApplication.activePopupWidget() is None
                and QApplication.activeModalWidget() is None
                and isinstance(watched, QWidget) and watched.window() is self):  # fmt: skip
            self.stop()
            return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        QApplication.instance().removeEventFilter(self)
        self.worker.cancel()
        self.request_shutdown.emit()  # the engine closes on its own thread
        self.scan_thread.quit()
        self.engine_thread.wait(10_000)
        # On the first start the scan thread trains the identifier tagger (privacy/tagger.py,
        # about 20 seconds): the window goes at once, and the training stops at its next step
        # or does not start; the next start trains again.
        self.hide()
        if not self.scanner_ready:
            imported("draftrx.privacy.tagger").stop_training()
        self.scan_thread.wait(120_000)
        self.history.close()  # the draft goes into the history, never into a plain file
        self.prefs.task = self.task.currentData()
        self.prefs.platforms = [p.id for p in self.chosen_platforms()]
        self.prefs.last_draft = self.history.draft_id if self.editor.toPlainText().strip() \
            else None  # fmt: skip
        preferences.save(self.store, self.prefs)
        super().closeEvent(event)
