"""Python string offsets to Qt document positions, which count UTF-16 units: an emoji is
one index in Python and two in Qt, so every span after it would land one place early."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit


def qt_position(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def selections(
    document: QTextDocument, text: str, spans: Iterable[tuple[int, int, QTextCharFormat]]
) -> list[QTextEdit.ExtraSelection]:
    """Extra selections (highlights that are not edits, so undo is untouched) for spans of
    `text`, the document's plain text."""
    out = []
    for start, end, fmt in spans:
        sel = QTextEdit.ExtraSelection()
        sel.cursor = QTextCursor(document)
        sel.cursor.setPosition(qt_position(text, start))
        sel.cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        sel.format = fmt
        out.append(sel)
    return out
