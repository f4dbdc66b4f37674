"""Model manager: the built-in models, GGUF files the physician adds (file dialog or drop),
their metadata and memory estimate, and a refusal, with the reason, for what will not fit.
The built-in model with the best measured posts that fits in free memory is recommended.

Only the GGUF header is read here (mmap, no llama.cpp), so inspecting a 7 GB file is quick
and cannot crash the app; loading happens on the engine's thread when "Use" is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from draftrx.engine import hardware
from draftrx.engine.engine import DEFAULT_CTX
from draftrx.engine.errors import EngineError
from draftrx.engine.gguf import read_gguf
from draftrx.engine.models import (
    STATE_TEXT,
    CatalogueModel,
    Measured,
    by_id,
    catalogue,
    default_model,
    recommend,
    user_models,
)


@dataclass(frozen=True)
class Assessment:
    ok: bool
    summary: str  # several lines for the details pane


def gguf_paths(urls: list[str]) -> list[Path]:
    return [Path(u) for u in urls if u.lower().endswith(".gguf")]


def assess(path: Path, available: int | None = None) -> Assessment:
    """What the file is and whether it fits in free memory, without loading it."""
    try:
        info = read_gguf(path)
    except (EngineError, OSError) as exc:
        return Assessment(False, str(exc))
    n_ctx = min(info.context_length or DEFAULT_CTX, DEFAULT_CTX)
    need = info.estimate_ram(n_ctx)
    free = hardware.available_ram() if available is None else available
    lines = [
        info.display_name,
        f"Size: {info.parameter_count / 1e9:.2f} billion parameters ({info.architecture} "
        f"family), compressed as {info.quantisation}; the file is "
        f"{info.file_size / 2**30:.2f} GB",
        f"Memory: needs about {need / 2**30:.1f} GB while writing; "
        f"{free / 2**30:.1f} GB is free now",
    ]
    if info.chat_template is None:
        lines.append("No chat template: DraftRx cannot address this model. Use an "
                     "instruction-tuned GGUF.")  # fmt: skip
        return Assessment(False, "\n".join(lines))
    if need > free:
        lines.append("Will not fit: close other programs or pick a smaller quantisation.")
        return Assessment(False, "\n".join(lines))
    return Assessment(True, "\n".join(lines))


def measured_text(measured: Measured) -> str:
    """In the window's words; where the figures come from is in the README."""
    return (f"Measured: {measured.usable:.0%} of posts usable as written; "
            f"{measured.speed:.2g} times the default model's speed; needs about "
            f"{measured.ram / 2**30:.1f} GB (on DraftRx's own test drafts).")  # fmt: skip


class ModelManager(QDialog):
    """Pick the model; `chosen` carries the path ("" for the built-in default, a built-in
    model's id for the others)."""

    chosen = Signal(str)
    added = Signal(str)
    removed = Signal(str)  # a file added by the physician, taken off the list

    def __init__(self, extra: list[str], current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current = current
        self._removable: set[str] = set(extra)  # added files; not built-ins or the folder's
        self.setWindowTitle("Models")
        self.setAcceptDrops(True)
        self.models = QListWidget()
        self.models.setAccessibleName("Models")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Model details")
        self.add_button = QPushButton("&Add GGUF file…")
        self.add_button.clicked.connect(self._browse)
        self.use_button = QPushButton("&Use this model")
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self._use)
        self.remove_button = QPushButton("&Remove from list")
        self.remove_button.setToolTip("Takes the file off this list; the file itself stays "
                                      "where it is.")  # fmt: skip
        self.remove_button.clicked.connect(self.remove_current)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        hint = QLabel("Drop a .gguf file here to add it.")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.models, 1)
        layout.addWidget(self.details)
        layout.addWidget(hint)
        layout.addLayout(buttons)

        builtins = catalogue()
        best = recommend(builtins, hardware.available_ram())
        self.recommended = best.id if best else None
        for model in builtins:
            note = ", recommended" if model.id == self.recommended else ""
            self._add_row(f"{model.name} (built in{note})", "" if model.default else model.id)
        for path in [*user_models(), *map(Path, extra)]:
            self._add_row(path.name, str(path))
        self.models.currentItemChanged.connect(self._show)
        rows = [self.models.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.models.count())]  # fmt: skip
        self.models.setCurrentRow(rows.index(current) if current in rows else 0)

    def _add_row(self, label: str, path: str) -> QListWidgetItem:
        for i in range(self.models.count()):
            item = self.models.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                return item
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, path)
        self.models.addItem(item)
        return item

    def add(self, path: Path) -> bool:
        """Add a file and show its assessment; False (with the reason shown) if unusable."""
        result = assess(path)
        if result.ok or path.is_file():
            item = self._add_row(path.name, str(path))
            self._removable.add(str(path))
            self.models.setCurrentItem(item)
            if result.ok:
                self.added.emit(str(path))
        self._show_assessment(result)
        return result.ok

    def remove_current(self) -> None:
        item = self.models.currentItem()
        path = item.data(Qt.ItemDataRole.UserRole) if item else None
        if path not in self._removable or path == self._current:
            return
        self._removable.discard(path)
        self.models.takeItem(self.models.row(item))
        self.removed.emit(path)

    def _show(self, item: QListWidgetItem | None) -> None:
        path = item.data(Qt.ItemDataRole.UserRole) if item else None
        if path is None:
            return
        model = default_model() if path == "" else by_id(path)
        self._show_assessment(self._builtin(model) if model else assess(Path(path)))

    def _builtin(self, model: CatalogueModel) -> Assessment:
        state = model.state()
        if state == "ready":
            result = assess(model.path)
        else:
            missing = state == "missing"
            note = model.how_to_get() if missing else STATE_TEXT[state].capitalize() + "."
            result = Assessment(not missing, f"{model.name}\n{note}")
        lines, ok = [result.summary], result.ok
        if model.measured:
            lines.append(measured_text(model.measured))
            if ok and model.measured.ram > hardware.available_ram():
                ok = False  # the header's estimate can be low; the measured peak is not
                lines.append("Will not fit in the memory free now: close other programs.")
        if model.id == self.recommended:
            lines.append("Recommended: the best measured posts of the built-in models that "
                         "fit in this computer's free memory.")  # fmt: skip
        return Assessment(ok, "\n".join(lines))

    def _show_assessment(self, result: Assessment) -> None:
        self.details.setText(result.summary)
        self.use_button.setEnabled(result.ok)
        item = self.models.currentItem()
        path = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.remove_button.setEnabled(path in self._removable and path != self._current)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add a GGUF model", "", "GGUF (*.gguf)")
        if name:
            self.add(Path(name))

    def _use(self) -> None:
        item = self.models.currentItem()
        if item is not None and self.use_button.isEnabled():
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
            self.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if gguf_paths([u.toLocalFile() for u in event.mimeData().urls()]):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for path in gguf_paths([u.toLocalFile() for u in event.mimeData().urls()]):
            self.add(path)
        event.acceptProposedAction()
