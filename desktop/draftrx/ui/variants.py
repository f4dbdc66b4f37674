"""One tab per platform: the streamed text, its length against the limit, its checks, and
the Copy/Export buttons that a blocking check holds back until it is resolved or overridden.

The finished text is the physician's to edit. An edit is checked again, off the GUI thread
(the window asks the scan worker), and until that check is back Copy and Export wait: no
text leaves unchecked. A thread or a script with a caption shows a Copy per part.

Each platform may get several versions (candidates), written together; the tab shows the one
the checks chose and keeps the others one click away in the versions box. Switching shows
that version's text, checks, counter and Copy/Export state; an override belongs to the
version it was given for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from draftrx.ui.textspans import selections

if TYPE_CHECKING:
    from draftrx.compose.checks import Check
    from draftrx.compose.pipeline import Variant
    from draftrx.compose.platforms import Platform

SEVERITY_COLOURS = {"block": QColor(200, 40, 40), "warn": QColor(190, 120, 0),
                    "ok": QColor(40, 140, 60)}  # fmt: skip
SEVERITY_LABELS = {"block": "Blocks", "warn": "Warning", "ok": "OK"}
SEVERITY_MARKS = {"block": " (blocked)", "warn": " (check)", "ok": ""}
OVERRIDDEN_MARK = " (overridden)"


class VariantView(QWidget):
    """The variant for one platform (or the general post when no platform is chosen)."""

    copied = Signal(str)  # a one-line status message
    overridden = Signal()  # a reason was given: the history keeps it with the variant
    stop_requested = Signal()  # stop this variant only; the others go on
    version_changed = Signal()  # another version is shown: its diff, its mark on the tab
    edited = Signal()  # the physician changed the text: check it again
    marked = Signal()  # the checks shown changed: the tab's mark follows

    def __init__(self, platform: Platform | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.platform = platform
        self.name = platform.name if platform else "Post"
        self.variant: Variant | None = None  # the version shown
        self.override_reason: str | None = None  # the shown version's
        self.versions: list[Variant] = []  # the chosen one first, then the others
        self._overrides: dict[int, str] = {}  # version index: reason
        self._edits: dict[int, str] = {}  # version index: the physician's text
        self._checked: dict[int, Variant] = {}  # version index: its edit as checked
        self._filling = False  # the text is being set by code, not typed

        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(f"{self.name} text")
        self.preview.setPlaceholderText(f"Rewrite (Ctrl+Enter) writes the {self.name} text here.")
        self.preview.textChanged.connect(self._typed)
        self.parts_bar = QHBoxLayout()
        self.counter = QLabel()
        self.counter.setAccessibleName(f"{self.name} length")
        self.checks = QListWidget()
        self.checks.setAccessibleName(f"{self.name} checks")
        self.checks.setWordWrap(True)
        self.checks.currentItemChanged.connect(self._show_spans)

        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName(f"Copy the {self.name} text")
        self.copy_button.clicked.connect(self.copy)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setAccessibleName(f"Export the {self.name} text to a file")
        self.export_button.clicked.connect(self.export)
        self.override_button = QPushButton("&Override…")
        self.override_button.setAccessibleName("Override the blocking checks, giving a reason")
        self.override_button.clicked.connect(self.ask_override)
        self.withdraw_button = QPushButton("&Withdraw override")
        self.withdraw_button.setAccessibleName("Withdraw the override: the checks block again")
        self.withdraw_button.clicked.connect(self.withdraw_override)
        self.stop_button = QPushButton("Stop this variant")
        self.stop_button.setAccessibleName(f"Stop writing the {self.name} text; others go on")
        self.stop_button.clicked.connect(self.stop_requested)
        self.block_note = QLabel()
        self.block_note.setWordWrap(True)
        self.versions_label = QLabel()
        self.versions_box = QComboBox()
        self.versions_box.setAccessibleName(f"{self.name} versions")
        self.versions_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.versions_label.setBuddy(self.versions_box)
        self.versions_box.currentIndexChanged.connect(self.show_version)

        versions = QHBoxLayout()
        versions.addWidget(self.versions_label)
        versions.addWidget(self.versions_box)
        versions.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter, 1)
        for button in (self.stop_button, self.override_button, self.withdraw_button,
                       self.export_button, self.copy_button):  # fmt: skip
            buttons.addWidget(button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.preview)
        split.addWidget(self.checks)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)  # the checks are read, not glanced at
        layout = QVBoxLayout(self)
        layout.addLayout(versions)
        layout.addWidget(split, 1)
        layout.addLayout(self.parts_bar)
        layout.addWidget(self.block_note)
        layout.addLayout(buttons)
        self.reset()

    # -- streaming --------------------------------------------------------------------

    def reset(self, note: str = "", streaming: bool = False) -> None:
        self.variant = None
        self.override_reason = None
        self.versions = []
        self._overrides, self._edits, self._checked = {}, {}, {}
        self._fill_versions()
        self._set_text("")
        self.preview.setReadOnly(True)
        self.checks.clear()
        self._fill_parts()
        self.block_note.setText(note)
        self.stop_button.setVisible(streaming)
        self._update_counter()
        self._update_buttons()

    def progress(self, tokens: int, seconds: float) -> None:
        """How far the stream shown has come, while it runs."""
        rate = f" · {tokens / seconds:.1f} tokens/s" if seconds >= 0.5 else ""
        self.block_note.setText(f"Writing: {tokens} tokens in {seconds:.1f} s{rate}")

    def stopped(self) -> None:
        """Stopped on its own: the partial text stays, marked as such."""
        self.stop_button.hide()
        self.block_note.setText("Stopped. Rewrite to write this variant again.")

    def append(self, text: str) -> None:
        cursor = self.preview.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.preview.setTextCursor(cursor)
        self._update_counter()

    def set_variant(self, variant: Variant) -> None:
        """The finished variant: the checks' choice, with the other versions beside it."""
        self.versions = [variant, *variant.others]
        self._overrides, self._edits, self._checked = {}, {}, {}
        self.stop_button.hide()
        self._fill_versions()
        self._show(variant, None)
        watched = next((i for i, v in enumerate(self.versions) if v.candidate == 0), 0)
        if watched and not self.block_note.text():  # the text on screen just changed: why
            self.block_note.setText(
                f"The checks chose another version than the one written live, which is "
                f"“Other version {watched}”{SEVERITY_MARKS[self.versions[watched].severity]}."
            )

    def show_version(self, index: int) -> None:
        """Show version `index` (0: the chosen one) with its own checks and override."""
        if not 0 <= index < len(self.versions) or self.versions[index] is self.variant:
            return
        if self.versions_box.currentIndex() != index:
            self.versions_box.setCurrentIndex(index)  # comes back here, and shows it
            return
        self._show(self.versions[index], self._overrides.get(index))
        self.version_changed.emit()

    @property
    def version(self) -> int:
        """The index of the version shown (0: the chosen one)."""
        return next((i for i, v in enumerate(self.versions) if v is self.variant), 0)

    def _fill_versions(self) -> None:
        others = len(self.versions) - 1
        self.versions_box.blockSignals(True)
        self.versions_box.clear()
        live = len(self.versions) > 1 and self.versions[0].candidate != 0
        for i, v in enumerate(self.versions):
            label = "Chosen version" if i == 0 else f"Other version {i}"
            watched = " · the one written live" if live and v.candidate == 0 else ""
            self.versions_box.addItem(label + SEVERITY_MARKS[v.severity] + watched)
        self.versions_box.blockSignals(False)
        self.versions_label.setText(f"{others} other &version{'s' * (others != 1)}:")
        self.versions_box.setToolTip(
            f"DraftRx wrote {others + 1} versions and shows the one whose checks came out "
            "best. Choose another to see it, its checks and its changes; choose "
            "“Chosen version” to go back."
        )
        self.versions_label.setVisible(others > 0)
        self.versions_box.setVisible(others > 0)

    def _show(self, variant: Variant, override: str | None) -> None:
        self.variant = variant
        self.override_reason = override
        self._set_text(self._edits.get(self.version, variant.text))
        self.preview.setReadOnly(False)
        self._list_checks()

    def _list_checks(self) -> None:
        self.checks.clear()
        order = {"block": 0, "warn": 1, "ok": 2}
        for check in sorted(self.shown.checks, key=lambda c: order[c.severity]):
            item = QListWidgetItem(f"{SEVERITY_LABELS[check.severity]} · {check.message}")
            item.setForeground(SEVERITY_COLOURS[check.severity])
            item.setData(Qt.ItemDataRole.UserRole, check)
            item.setToolTip(f"Check: {check.id}")
            self.checks.addItem(item)
        self._show_spans(None)
        self._fill_parts()
        self._update_counter()
        self._update_buttons()
        self.marked.emit()

    # -- editing ----------------------------------------------------------------------

    def _set_text(self, text: str) -> None:
        self._filling = True
        self.preview.setPlainText(text)
        self._filling = False

    def _typed(self) -> None:
        if self._filling or self.variant is None:
            return
        text = self.preview.toPlainText()
        if text == self.variant.text:
            self._edits.pop(self.version, None)
            self._checked.pop(self.version, None)
        else:
            self._edits[self.version] = text
            self._checked.pop(self.version, None)  # checked again before it can be copied
        if self.override_reason is not None:  # given for other words: ask again if need be
            self._overrides.pop(self.version, None)
            self.override_reason = None
            self.overridden.emit()
        self._list_checks()
        if self.pending:
            self.edited.emit()

    @property
    def text(self) -> str:
        """What Copy and Export take: the shown version as the physician left it."""
        return self.preview.toPlainText() if self.variant is not None else ""

    @property
    def is_edited(self) -> bool:
        return self.variant is not None and self.version in self._edits

    @property
    def pending(self) -> bool:
        """Edited, and that text not checked yet."""
        return self.is_edited and self.version not in self._checked

    def edit_parts(self) -> tuple[list[str], str | None]:
        """The edited text as posts and caption, for the checks."""
        assert self.variant is not None
        return self.variant.split(self.text)

    def apply_checks(self, checked: Variant, text: str) -> bool:
        """The checks of `text` as edited; False (and nothing changes) if the text has
        changed again since, when a newer check is on its way."""
        if self.variant is None or self.text != text or not self.is_edited:
            return False
        self._checked[self.version] = checked
        self._list_checks()
        return True

    @property
    def shown(self) -> Variant:
        """The version shown as its checks see it: edited and checked, or as written."""
        assert self.variant is not None
        return self._checked.get(self.version, self.variant)

    def record(self) -> dict[str, object]:
        """What the history keeps of this variant: the model's text, and the physician's
        edit with its checks where there is one."""
        assert self.variant is not None
        edited = self._checked.get(self.version) if self.is_edited else None
        return {"platform": self.name, "text": self.variant.text,
                "severity": self.shown.severity,
                "checks": [c.to_json() for c in self.shown.checks],
                "edited": self.text if edited is not None else None,
                "override": self.override_reason}  # fmt: skip

    def _fill_parts(self) -> None:
        """A Copy per post of a thread, and for a script's caption; Copy copies them all."""
        while self.parts_bar.count():
            item = self.parts_bar.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if self.variant is None:
            self.copy_button.setText("&Copy")
            return
        posts, caption = self.shown.posts, self.shown.caption
        parts = [(f"post {i}", p) for i, p in enumerate(posts, 1)] if len(posts) > 1 else []
        if caption is not None:
            parts = [("script", posts[0]), ("caption", caption)]
        self.copy_button.setText("&Copy all" if parts else "&Copy")
        for label, text in parts:
            button = QPushButton(f"Copy {label}")
            button.setAccessibleName(f"Copy {label} of the {self.name} text")
            if self.platform is not None and label.startswith("post"):
                p = self.platform  # each post's own counter, on its button
                button.setText(f"Copy {label} · {p.length(text):,}/{p.limit:,}")
                button.setToolTip(f"{p.length(text):,} of {p.limit:,} {p.unit}")
            button.clicked.connect(lambda _=False, label=label: self.copy_part(label))
            button.setEnabled(self.can_copy)
            self.parts_bar.addWidget(button)
        if parts:
            self.parts_bar.addStretch(1)

    def copy_part(self, label: str) -> None:
        if not self.can_copy:
            return
        posts, caption = self.edit_parts()
        parts = dict((f"post {i}", p) for i, p in enumerate(posts, 1))
        parts.update({"script": posts[0], "caption": caption or ""})
        QGuiApplication.clipboard().setText(parts.get(label, ""))
        self.copied.emit(f"{self.name} {label} copied.")

    # -- state ------------------------------------------------------------------------

    @property
    def blocked(self) -> bool:
        return self.variant is not None and self.shown.severity == "block"

    @property
    def overridable(self) -> bool:
        """No blocking check of the shown text refuses every reason."""
        return self.variant is not None and all(
            c.overridable for c in self.shown.checks if c.severity == "block")

    @property
    def can_copy(self) -> bool:
        return (self.variant is not None and not self.pending
                and (not self.blocked or self.override_reason is not None))  # fmt: skip

    def _update_buttons(self) -> None:
        self.copy_button.setEnabled(self.can_copy)
        self.export_button.setEnabled(self.can_copy)
        for i in range(self.parts_bar.count()):
            widget = self.parts_bar.itemAt(i).widget()
            if widget is not None:
                widget.setEnabled(self.can_copy)
        self.override_button.setVisible(self.blocked and self.override_reason is None
                                         and not self.pending and self.overridable)  # fmt: skip
        self.withdraw_button.setVisible(self.override_reason is not None)
        if self.pending:
            self.block_note.setText("Checking your edit… Copy and Export wait for the checks.")
        elif self.blocked and not self.overridable:
            self.block_note.setText(
                "An identifier of your draft is in this text: edit it out or rewrite. No "
                "reason can override it."
            )
        elif self.blocked and self.override_reason is None:
            self.block_note.setText(
                "A blocking check stops Copy and Export. Change the draft and rewrite, or "
                "override with a reason if you are sure."
            )
        elif self.override_reason is not None:
            self.block_note.setText(f"Blocking checks overridden: {self.override_reason}")
        elif self.is_edited:
            self.block_note.setText("Edited by you; checked again.")
        elif self.variant is not None:
            self.block_note.clear()

    def _update_counter(self) -> None:
        text = self.preview.toPlainText()
        if self.platform is None:
            self.counter.setText(f"{len(text):,} characters")
            return
        p = self.platform
        if self.variant is None:  # streaming: the whole text so far against one post
            self.counter.setText(f"{p.length(text):,} / {p.limit:,} {p.unit}")
            return
        posts, caption = self.variant.split(text)
        parts = [f"{p.length(post):,}" for post in posts]
        label = f"{' + '.join(parts)} / {p.limit:,} {p.unit}"
        if len(parts) > 1:
            label = f"{len(parts)} posts: {label} each"
        if caption is not None and p.caption_limit is not None:
            label += f"; caption {len(caption):,} / {p.caption_limit:,}"
        self.counter.setText(label)

    # -- actions ----------------------------------------------------------------------

    def copy(self) -> None:
        if not self.can_copy or self.variant is None:
            return
        QGuiApplication.clipboard().setText(self.text)
        self.copied.emit(f"{self.name} text copied.")

    def export(self) -> None:
        if not self.can_copy or self.variant is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, f"Export the {self.name} text",
                                              f"{self.name.lower()}.txt",
                                              "Text (*.txt);;Markdown (*.md)")  # fmt: skip
        if not name:
            return
        try:
            Path(name).write_text(self.text + "\n", encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {name}: {exc}")
            return
        self.copied.emit(f"{self.name} text saved to {name}.")

    def ask_override(self) -> None:
        """Ask for the reason until one is given or the physician cancels."""
        prompt = "Why is this text safe to post as it is? (kept with the variant)"
        while True:
            reason, ok = QInputDialog.getText(self, "Override blocking checks", prompt)
            if not ok or self.override(reason):
                return
            prompt = ("An override needs a reason, kept with the variant in the history. "
                      "Why is this text safe to post as it is?")  # fmt: skip

    def withdraw_override(self) -> None:
        """Take an override back: the checks block Copy again."""
        if self.override_reason is None:
            return
        self._overrides.pop(self.version, None)
        self.override_reason = None
        self._update_buttons()
        self.overridden.emit()

    def override(self, reason: str) -> bool:
        """Allow Copy despite blocking checks; a reason is required, and none will do for
        an identifier of the draft itself."""
        if not self.blocked or not reason.strip() or not self.overridable:
            return False
        self.override_reason = reason.strip()
        self._overrides[self.version] = self.override_reason
        self._update_buttons()
        self.overridden.emit()
        return True

    def _show_spans(self, item: QListWidgetItem | None) -> None:
        """Select a check to see where it applies in the text. The posts of a thread are
        tinted in turn, so a post break does not read as a paragraph break."""
        check: Check | None = item.data(Qt.ItemDataRole.UserRole) if item else None
        text = self.preview.toPlainText()
        spans = self._post_tints(text)
        if check is not None:
            fmt = QTextCharFormat()
            colour = QColor(SEVERITY_COLOURS[check.severity])
            colour.setAlpha(70)
            fmt.setBackground(colour)
            spans += [(start, end, fmt) for start, end in check.spans]
        self.preview.setExtraSelections(selections(self.preview.document(), text, spans))

    def _post_tints(self, text: str) -> list[tuple[int, int, QTextCharFormat]]:
        if self.variant is None or len(self.variant.posts) < 2:
            return []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(128, 128, 128, 40))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        posts, _ = self.variant.split(text)
        tints, at = [], 0
        for i, post in enumerate(posts):
            at = text.find(post, at)
            if i % 2 and at >= 0:
                tints.append((at, at + len(post), fmt))
            at = max(at, 0) + len(post)
        return tints
