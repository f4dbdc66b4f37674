"""The window's settings: stored with QSettings in an INI file beside settings.toml.

settings.toml stays the shared base (the CLI reads it too: per-platform disclaimers,
limits); what the physician sets in the window overrides it for the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from draftrx import paths
from draftrx.compose.settings import DEFAULT_CANDIDATES, Settings

AUTO = -2  # spin-box value meaning "let the engine choose"
MAX_CANDIDATES = 4  # versions written per platform (compose.pipeline.Request.candidates)


@dataclass
class AppSettings:
    model_path: str = ""  # "": the built-in default model
    threads: int | None = None
    gpu_layers: int | None = None
    platforms: list[str] = field(default_factory=lambda: ["x", "linkedin"])
    disclaimer: str = ""  # "": the one from settings.toml or the built-in text
    short_disclaimer: str = ""
    coi_statement: str = ""
    temperature: float = 0.7
    max_tokens: int = 400
    candidates: int = DEFAULT_CANDIDATES  # versions written per platform; the checks choose
    extra_models: list[str] = field(default_factory=list)  # GGUF files added by the user
    task: str = "educational"  # the window's last task
    last_draft: int | None = None  # the history's id of the draft open at a clean quit
    server: str = ""  # a practice server's name (servers.json); "": this computer
    # "url model" of each server whose first rewrite the physician saw and confirmed
    confirmed_servers: list[str] = field(default_factory=list)

    def compose_settings(self, base: Settings) -> Settings:
        """settings.toml's values with the window's own texts on top."""
        return replace(
            base,
            disclaimer=self.disclaimer or base.disclaimer,
            short_disclaimer=self.short_disclaimer or base.short_disclaimer,
            coi_statement=self.coi_statement or base.coi_statement,
        )


def settings_file() -> Path:
    return paths.config_dir() / "app.ini"


def open_store(path: Path | None = None) -> QSettings:
    return QSettings(str(path or settings_file()), QSettings.Format.IniFormat)


def _optional_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _strings(value: object) -> list[str]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if str(v)]


def load(store: QSettings) -> AppSettings:
    """Missing or unreadable values fall back to the defaults one by one."""
    d = AppSettings()
    temperature = store.value("generation/temperature", d.temperature)
    max_tokens = _optional_int(store.value("generation/max_tokens"))
    try:
        temperature = max(0.0, float(temperature))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        temperature = d.temperature
    platforms = store.value("compose/platforms")
    candidates = _optional_int(store.value("compose/candidates"))
    return AppSettings(
        model_path=str(store.value("model/path", "") or ""),
        threads=_optional_int(store.value("model/threads")),
        gpu_layers=_optional_int(store.value("model/gpu_layers")),
        platforms=d.platforms if platforms is None else _strings(platforms),
        disclaimer=str(store.value("compose/disclaimer", "") or ""),
        short_disclaimer=str(store.value("compose/short_disclaimer", "") or ""),
        coi_statement=str(store.value("compose/coi_statement", "") or ""),
        temperature=temperature,
        max_tokens=max_tokens if max_tokens and max_tokens > 0 else d.max_tokens,
        candidates=candidates if candidates and 1 <= candidates <= MAX_CANDIDATES else d.candidates,
        extra_models=_strings(store.value("model/extra")),
        task=str(store.value("session/task", d.task) or d.task),
        last_draft=_optional_int(store.value("session/last_draft")),
        server=str(store.value("model/server", "") or ""),
        confirmed_servers=_strings(store.value("model/confirmed_servers")),
    )


def save(store: QSettings, s: AppSettings) -> None:
    store.setValue("model/path", s.model_path)
    store.setValue("model/threads", "" if s.threads is None else s.threads)
    store.setValue("model/gpu_layers", "" if s.gpu_layers is None else s.gpu_layers)
    store.setValue("model/extra", s.extra_models)
    store.setValue("compose/platforms", s.platforms)
    store.setValue("compose/disclaimer", s.disclaimer)
    store.setValue("compose/short_disclaimer", s.short_disclaimer)
    store.setValue("compose/coi_statement", s.coi_statement)
    store.setValue("compose/candidates", s.candidates)
    store.setValue("generation/temperature", s.temperature)
    store.setValue("generation/max_tokens", s.max_tokens)
    store.setValue("session/task", s.task)
    store.setValue("session/last_draft", "" if s.last_draft is None else s.last_draft)
    store.setValue("model/server", s.server)
    store.setValue("model/confirmed_servers", s.confirmed_servers)
    store.sync()


def words(tokens: int) -> int:
    """A model counts in tokens, pieces of words: English averages about 3/4 of a word
    each, so 400 tokens is about 300 words. The physician sets words."""
    return round(tokens * 3 / 4)


def tokens(words: int) -> int:
    return round(words * 4 / 3)


class PreferencesDialog(QDialog):
    """Model options, where it writes, default platforms, disclaimer and disclosure texts.
    `open_servers` opens the practice-server list (the window's Model ▸ Practice servers)."""

    def __init__(
        self, current: AppSettings, base: Settings, platforms: dict[str, str], parent: QWidget,
        open_servers: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("DraftRx preferences")
        self._current = current
        form = QFormLayout()

        self.threads = self._spin(current.threads, 0, 256, "Processor cores to use")
        self.threads.setSpecialValueText("Automatic (all physical cores)")
        self.threads.setToolTip("Fewer cores leave more for other programs; writing is slower.")
        form.addRow("Processor &cores to use", self.threads)
        self.gpu_layers = self._spin(current.gpu_layers, AUTO, 999, "Model parts on the GPU")
        self.gpu_layers.setSpecialValueText("Automatic (all of it, where there is a GPU)")
        self.gpu_layers.setToolTip(  # rich text: Qt wraps it instead of one endless line
            "<p>How much of the model runs on the graphics card (GPU), counted in the "
            "model's layers: 0 keeps it all on the processor; Automatic puts it all on the "
            "GPU when DraftRx was built for one. Fewer layers need less graphics memory.</p>"
        )
        form.addRow("Model parts on the &graphics card", self.gpu_layers)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(current.temperature)
        self.temperature.setAccessibleName("Temperature")
        self.temperature.setToolTip("0 always writes the same text; higher varies more.")
        form.addRow("T&emperature", self.temperature)
        self.max_words = self._spin(words(current.max_tokens), 12, words(4096),
                                    "Longest text, in words")  # fmt: skip
        self.max_words.setToolTip("The model stops writing after about this many words.")
        form.addRow("Longest &text, in words (about)", self.max_words)
        self.candidates = self._spin(current.candidates, 1, MAX_CANDIDATES,
                                     "Versions to write per platform")  # fmt: skip
        self.candidates.setToolTip(
            "DraftRx writes this many versions of each post at once and shows the one whose "
            "checks come out best; the others are one click away. More versions take longer."
        )
        form.addRow("&Versions to write per platform", self.candidates)
        where = f"the practice server {current.server}" if current.server else "this computer"
        self.servers_button = QPushButton(f"Writes on {where}: Practice servers…")
        self.servers_button.setAccessibleName("Practice servers")
        self.servers_button.setToolTip("Use a practice's own inference server (opt-in); only "
                                       "the protected prompt is sent.")  # fmt: skip
        if open_servers is None:
            self.servers_button.setEnabled(False)
        else:
            self.servers_button.clicked.connect(open_servers)
        form.addRow("Where it &writes", self.servers_button)

        box = QGroupBox("Default &platforms")
        grid = QGridLayout(box)
        self.platform_boxes: dict[str, QCheckBox] = {}
        for i, (pid, name) in enumerate(platforms.items()):
            check = QCheckBox(name)
            check.setChecked(pid in current.platforms)
            self.platform_boxes[pid] = check
            grid.addWidget(check, i // 4, i % 4)

        self.disclaimer = self._text(current.disclaimer, base.disclaimer, "Disclaimer")
        form.addRow("&Disclaimer", self.disclaimer)
        self.short_disclaimer = QLineEdit(current.short_disclaimer)
        self.short_disclaimer.setPlaceholderText(base.short_disclaimer)
        self.short_disclaimer.setAccessibleName("Short disclaimer")
        form.addRow("&Short disclaimer", self.short_disclaimer)
        self.coi = self._text(
            current.coi_statement,
            base.coi_statement
            or "e.g. I consult for Acme Pharma. (added when a post names a brand)",
            "Conflict-of-interest statement",
        )
        form.addRow("&Conflicts of interest", self.coi)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(buttons)

    @staticmethod
    def _spin(value: int | None, low: int, high: int, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(low if value is None else value)
        spin.setAccessibleName(name)
        return spin

    @staticmethod
    def _text(value: str, placeholder: str, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(name)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(60)
        return edit

    def result_settings(self) -> AppSettings:
        threads = self.threads.value()
        layers = self.gpu_layers.value()
        return replace(
            self._current,
            threads=threads or None,
            gpu_layers=None if layers == AUTO else layers,
            platforms=[pid for pid, box in self.platform_boxes.items() if box.isChecked()],
            disclaimer=self.disclaimer.toPlainText().strip(),
            short_disclaimer=self.short_disclaimer.text().strip(),
            coi_statement=self.coi.toPlainText().strip(),
            temperature=self.temperature.value(),
            max_tokens=tokens(self.max_words.value()),
            candidates=self.candidates.value(),
        )
