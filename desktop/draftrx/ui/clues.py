"""One-click fixes for a clue in the findings list: generalise it, remove it, or keep it.

A clue ("last night", "our ER", "67M") identifies no one alone but narrows who it could be;
the physician decides. The edit goes through the editor's cursor, so Ctrl+Z undoes it like
typing, and the live scan sees the new text as it sees any edit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from draftrx.privacy.findings import Finding
from draftrx.ui.draft import DraftEditor, FindingsList, key
from draftrx.ui.textspans import qt_position

Scanned = Callable[[], tuple[str, Sequence[Finding]]]  # the text scanned, and its findings
ACTIONS = (
    ("generalise", "&Generalise", "Say it in general terms: “last night” becomes "
     "“recently”, “our ER” “the hospital”."),
    ("remove", "Re&move", "Take the clue out of the draft."),
    ("keep", "&Keep", "Leave it as written: your call."),
)  # fmt: skip


class ClueActions(QWidget):
    """The buttons under the findings list, enabled while a clue is selected."""

    def __init__(self, editor: DraftEditor, findings: FindingsList, scanned: Scanned,
                 kept: Callable[[], None], parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._editor, self._findings, self._scanned, self._kept = editor, findings, scanned, kept
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for action, label, tip in ACTIONS:
            button = QPushButton(label)
            button.setToolTip(f"{tip} Ctrl+Z undoes it.")
            button.clicked.connect(lambda _=False, action=action: self.act(action))
            row.addWidget(button)
            self.buttons[action] = button
        row.addStretch(1)
        findings.currentItemChanged.connect(self.update_buttons)
        self.update_buttons()

    def selected(self) -> Finding | None:
        """The clue selected, if the list still shows the editor's text and it is not kept."""
        item = self._findings.currentItem()
        if item is None:
            return None
        finding, k = item.data(Qt.ItemDataRole.UserRole)
        text, findings = self._scanned()
        fresh = text == self._editor.toPlainText() and finding in findings
        return finding if fresh and not finding.blocking and k not in self._findings.kept \
            else None  # fmt: skip

    def update_buttons(self) -> None:
        clue = self.selected()
        for button in self.buttons.values():
            button.setEnabled(clue is not None)

    def act(self, action: str) -> bool:
        """Generalise, remove or keep the selected clue; False when none is selected."""
        from draftrx.privacy.fictionalise import Mode, fictionalise  # loaded by the scan by now

        clue = self.selected()
        if clue is None:
            return False
        text, findings = self._scanned()
        if action == "keep":
            self._findings.kept.add(key(text, clue))
            self._findings.show_findings(text, findings)
            self._kept()
            self.update_buttons()
            self._editor.setFocus()
            return True
        start, end, new = clue.start, clue.end, ""
        if action == "generalise":
            done = fictionalise(text, [clue], Mode.GENERALISE, quasi=True)
            (change,) = done.replacements
            start, end = change.source
            new = done.text[slice(*change.target)]
        elif text[end : end + 1] == " ":  # removed with one space beside it, not two
            end += 1
        elif start and text[start - 1] == " ":
            start -= 1
        cursor = self._editor.textCursor()
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(new)
        self._editor.setTextCursor(cursor)
        self._editor.setFocus()  # Ctrl+Z and typing go to the draft, not to the next field
        return True
