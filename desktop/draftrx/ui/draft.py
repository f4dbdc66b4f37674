"""The draft editor with live identifier highlights, and the list of findings beside it.

Highlights are extra selections, not formatting: they never enter the undo history or the
text, and their cursors follow edits until the next (debounced) scan replaces them.
The physician decides per identifier: fictionalise (the default) or keep as written.
Kept choices are remembered by text and type, so they survive edits elsewhere in the draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit, QToolTip, QWidget

from draftrx.privacy.findings import Finding
from draftrx.privacy.kinds import TYPES
from draftrx.ui.textspans import selections

FindingKey = tuple[str, str]  # (the text found, its type)


def _format(colour: QColor, style: QTextCharFormat.UnderlineStyle) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(colour)
    fmt.setUnderlineStyle(style)
    fmt.setUnderlineColor(QColor(colour.red(), colour.green(), colour.blue()))
    return fmt


FORMATS = {  # translucent, so they read on light and dark palettes
    "identifier": _format(QColor(230, 80, 40, 70), QTextCharFormat.UnderlineStyle.SingleUnderline),
    "quasi": _format(QColor(220, 170, 0, 60), QTextCharFormat.UnderlineStyle.DotLine),
    "kept": _format(QColor(128, 128, 128, 40), QTextCharFormat.UnderlineStyle.DashUnderline),
}


def describe(finding: Finding) -> str:
    t = TYPES[finding.type]
    kind = "Identifier" if finding.blocking else "Could identify, with other clues"
    return f"{kind}: {t.label}. {t.why}"


class DraftEditor(QPlainTextEdit):
    """Plain text only: pasted formatting is dropped, the draft is what the model sees."""

    pasted = Signal()  # after the text was inserted: no more typing is coming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Draft")
        self.setPlaceholderText(
            "Write or paste a draft: a case, a myth to debunk, or a comment to answer.\n"
            "Names, dates, places and other identifiers are highlighted as you type."
        )
        self.setTabChangesFocus(True)
        self._marked: list[Finding] = []

    def mark(self, findings: Sequence[Finding], kept: set[FindingKey]) -> None:
        text = self.toPlainText()
        spans = []
        for f in findings:
            style = "kept" if key(text, f) in kept else f.kind.value
            spans.append((f.start, f.end, FORMATS[style]))
        self._marked = list(findings)
        self.setExtraSelections(selections(self.document(), text, spans))

    def finding_at(self, position: int) -> Finding | None:
        """The finding under a document position; the highlights' cursors track edits."""
        for finding, sel in zip(self._marked, self.extraSelections(), strict=False):
            if sel.cursor.selectionStart() <= position < sel.cursor.selectionEnd():
                return finding
        return None

    def select_finding(self, finding: Finding) -> None:
        for f, sel in zip(self._marked, self.extraSelections(), strict=False):
            if f == finding:
                cursor = QTextCursor(sel.cursor)
                self.setTextCursor(cursor)
                self.ensureCursorVisible()
                return

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            finding = self.finding_at(self.cursorForPosition(event.pos()).position())
            if finding is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), describe(finding), self)
            return True
        return super().viewportEvent(event)

    def insertFromMimeData(self, source) -> None:
        if source.hasText():
            self.insertPlainText(source.text())
            self.pasted.emit()


def key(text: str, finding: Finding) -> FindingKey:
    start, end = finding.start, finding.end
    return text[start:end], finding.type


class FindingsList(QListWidget):
    """One row per finding: identifiers have a box (ticked: fictionalise; clear: keep)."""

    toggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("What could identify a patient")
        self.setWordWrap(True)
        self.kept: set[FindingKey] = set()
        self.itemChanged.connect(self._changed)

    def show_findings(self, text: str, findings: Sequence[Finding]) -> None:
        self.blockSignals(True)
        self.clear()
        for f in findings:
            label = TYPES[f.type].label
            found = text[f.start : f.end]
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, (f, key(text, f)))
            item.setToolTip(describe(f))
            if f.blocking:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                kept = key(text, f) in self.kept
                item.setCheckState(Qt.CheckState.Unchecked if kept else Qt.CheckState.Checked)
                item.setText(f"“{found}” · {label} · {'keep' if kept else 'fictionalise'}")
            elif key(text, f) in self.kept:
                item.setText(f"“{found}” · {label} · a clue, kept as written")
            else:
                item.setText(f"“{found}” · {label} · a clue: generalise, remove or keep it")
            self.addItem(item)
        self.blockSignals(False)

    def _changed(self, item: QListWidgetItem) -> None:
        _, k = item.data(Qt.ItemDataRole.UserRole)
        keep = item.checkState() == Qt.CheckState.Unchecked
        if keep:
            self.kept.add(k)
        else:
            self.kept.discard(k)
        self.blockSignals(True)
        action = "keep" if keep else "fictionalise"
        item.setText(item.text().rsplit(" · ", 1)[0] + f" · {action}")
        self.blockSignals(False)
        self.toggled.emit()
