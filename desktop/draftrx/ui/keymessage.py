"""The key message above the variant tabs: what every post must keep, and where it came from.

A Rewrite finds it (compose.message) and reports it first; the box shows it with a note on
its source. Whatever the physician types there is theirs: the next Rewrite passes it as
`Request.message` and every variant is checked against it. Left as found, the next Rewrite
finds it again (the draft may have changed meanwhile). Its text is never logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex
from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from draftrx.compose.message import KeyMessage

NOTES = {
    "draft": "Your words, from the draft.",
    "model": "Suggested by the model: check it, and correct it here if it is not your point.",
    "chosen": "Your own sentences that read most like your point: check it, or write your own.",
    "library": "A common lesson on your draft's topic, from DraftRx's library: check it fits "
    "your point, or write your own.",
    "closing": "Your draft's last sentence, taken as its point: check it, or write your own.",
    "physician": "Yours, as you set it.",
    "task": "The standard reply message.",
    "reply": "Your point, with the reply's standard words and the safety lines its comment "
    "calls for.",
}
EDITED = "Your edit: the next Rewrite keeps it."
EMPTIED = "Empty: the next Rewrite finds it again."
NOTE_COLOURS = {"model": "#b26a00", "chosen": "#b26a00", "library": "#b26a00",
                "closing": "#b26a00"}


class OneParagraphEdit(QPlainTextEdit):
    """A line or two that wraps: Enter does not start a new line, a paste is joined up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        margins = self.contentsMargins()
        lines = 2 * self.fontMetrics().lineSpacing()
        self.setFixedHeight(lines + 2 * int(self.document().documentMargin()) + margins.top()
                            + margins.bottom() + 4)  # fmt: skip

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)  # fmt: skip
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            event.ignore()
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.insertPlainText(regex.sub(r"\s*\n\s*", " ", source.text()))


class KeyMessageBox(QWidget):
    """The key message field with its label and a note on where the text came from."""

    changed = Signal()  # the physician edited it: the Rewrite's request changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._found = ""  # the text as the last Rewrite reported it
        self._source: str | None = None
        self.title = QLabel("<b>&Key message</b> — every post must keep it")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Where the key message came from")
        self.edit = OneParagraphEdit()
        self.edit.setAccessibleName("Key message")
        self.edit.setPlaceholderText(
            "Rewrite finds it in your draft first; or write it here yourself."
        )
        self.edit.setToolTip(
            "The one point every post must keep. A post that drops or reverses it, or adds "
            "numbers, doses or drugs, is blocked. Edit it and Rewrite to use yours."
        )
        self.title.setBuddy(self.edit)
        self.edit.textChanged.connect(self._edited)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.edit)
        layout.addWidget(self.note)
        self._show_note()

    @property
    def text(self) -> str:
        return regex.sub(r"\s+", " ", self.edit.toPlainText()).strip()

    @property
    def source(self) -> str | None:
        """Where the text shown came from; "edited" once the physician changed it."""
        return "edited" if self.edited else self._source

    @property
    def edited(self) -> bool:
        return bool(self.text) and self.text != self._found

    def message(self) -> str | None:
        """What the next Rewrite should pass as Request.message; None: find it again."""
        text = self.text
        if text and (text != self._found or self._source in ("physician", "reply")):
            return text
        return None

    def fill(self, message: KeyMessage) -> None:
        """The key message a Rewrite used, with its source."""
        self._found, self._source = message.text.strip(), message.source
        self._set(message.text.strip())

    def clear(self) -> None:
        """A new draft: nothing found yet, nothing set."""
        self._found, self._source = "", None
        self._set("")

    def _set(self, text: str) -> None:
        self.edit.blockSignals(True)  # not an edit: the next request does not change
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        self._show_note()

    def _edited(self) -> None:
        self._show_note()
        self.changed.emit()

    def _show_note(self) -> None:
        if self.edited:
            note, colour = EDITED, None
        elif not self.text and self._found:
            note, colour = EMPTIED, None
        else:
            note = NOTES.get(self._source or "", "")
            colour = NOTE_COLOURS.get(self._source or "")
        self.note.setText(note)
        self.note.setStyleSheet(f"color: {colour};" if colour else "")
        self.note.setVisible(bool(note))
