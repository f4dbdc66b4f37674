"""The diff from the draft to a variant, each change coloured by why it was made."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTextBrowser, QWidget

if TYPE_CHECKING:
    from draftrx.compose.diff import Change

# Translucent colours read on light and dark palettes alike.
REASONS = {
    "identifier": ("rgba(230, 126, 34, 0.35)", "identifier replaced (privacy)"),
    "rewritten": ("rgba(52, 120, 220, 0.25)", "rewritten by the model"),
    "disclaimer": ("rgba(46, 160, 67, 0.30)", "disclaimer added by DraftRx"),
    "disclosure": ("rgba(150, 80, 200, 0.30)", "disclosure added by DraftRx"),
    "numbering": ("rgba(128, 128, 128, 0.30)", "thread numbering"),
}


def diff_html(changes: Sequence[Change]) -> str:
    legend = " ".join(
        f'<span style="background:{colour}">&nbsp;{html.escape(label)}&nbsp;</span>'
        for colour, label in REASONS.values()
    )
    body = []
    for ch in changes:
        if ch.op == "equal":
            body.append(html.escape(ch.new))
            continue
        colour = REASONS.get(ch.reason or "rewritten", REASONS["rewritten"])[0]
        if ch.old:
            body.append(f'<s style="background:{colour}; opacity:0.7">{html.escape(ch.old)}</s>')
        if ch.new:
            body.append(f'<span style="background:{colour}">{html.escape(ch.new)}</span>')
    text = "".join(body)
    return (f'<p>{legend}</p><p>Struck through: taken out of the draft.</p>'
            f'<div style="white-space: pre-wrap">{text}</div>')  # fmt: skip


class DiffView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Changes from the draft")
        self.setOpenLinks(False)
        self.setPlaceholderText("After a rewrite, the changes from your draft show here.")

    def show_changes(self, changes: Sequence[Change]) -> None:
        self.setHtml(diff_html(changes))
