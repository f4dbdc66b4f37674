"""The Changes tab: the diff from the draft to the variant shown, each change coloured by
why it was made, with the reason on hover.

Identifiers taken out of the draft show as their type ("[name]"), so the tab can be on
screen while the physician shares it; a box reveals them on purpose, for this view only.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QCheckBox, QLabel, QTextBrowser, QToolTip, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from draftrx.compose.diff import Change

# Translucent colours read on light and dark palettes alike.
REASONS = {
    "identifier": ("rgba(230, 126, 34, 0.35)", "identifier replaced (privacy)"),
    "rewritten": ("rgba(52, 120, 220, 0.25)", "rewritten by the model"),
    "disclaimer": ("rgba(46, 160, 67, 0.30)", "disclaimer added by DraftRx"),
    "disclosure": ("rgba(150, 80, 200, 0.30)", "disclosure added by DraftRx"),
    "numbering": ("rgba(128, 128, 128, 0.30)", "thread numbering"),
    "moved": ("rgba(0, 150, 150, 0.25)", "your words, moved"),
    "edited": ("rgba(220, 60, 140, 0.25)", "edited by you"),
}
_TIPS = {
    "identifier": "Privacy: an identifier of your draft was taken out, or its stand-in put in.",
    "rewritten": "The model's wording.",
    "disclaimer": "Added by DraftRx: the disclaimer (Settings ▸ Preferences).",
    "disclosure": "Added by DraftRx: the sponsorship disclosure.",
    "numbering": "Added by DraftRx: the post's number in the thread.",
    "moved": "Your own words from the draft, word for word, in another place.",
    "edited": "Typed by you into the post, and checked like the rest.",
}


def _span(text: str, reason: str, struck: bool = False) -> str:
    colour = REASONS[reason][0]
    tag = "s" if struck else "span"
    verb = "Taken out. " if struck else ""
    return (f'<{tag} style="background:{colour}" title="{html.escape(verb + _TIPS[reason])}">'
            f"{html.escape(text)}</{tag}>")  # fmt: skip


def _taken_out(ch: Change, reveal: bool) -> str:
    """The old text, struck through; each identifier in it as its type unless revealed."""
    out, pos = [], 0
    for start, end, kind in ch.hidden:
        if pos < start:
            out.append(_span(ch.old[pos:start], ch.reason or "rewritten", struck=True))
        piece = ch.old[start:end]
        core = piece.strip()
        lead, trail = piece[: piece.index(core)] if core else piece, piece[len(piece.rstrip()):]
        out.append(html.escape(lead))
        if core:
            out.append(_span(core if reveal else f"[{kind}]", "identifier", struck=reveal))
            out.append(html.escape(trail))
        pos = end
    if pos < len(ch.old):
        out.append(_span(ch.old[pos:], ch.reason or "rewritten", struck=True))
    return "".join(out)


def diff_html(changes: Sequence[Change], reveal: bool = False) -> str:
    legend = " ".join(
        f'<span style="background:{colour}">&nbsp;{html.escape(label)}&nbsp;</span>'
        for colour, label in REASONS.values()
    )
    body = []
    glued = False  # the last thing shown was a change ending in a word
    for ch in changes:
        for text, old in ((ch.old, True), (ch.new, False)):
            if not text or (old and ch.op == "equal"):
                continue
            changed = ch.op != "equal"
            if glued and changed and not text[:1].isspace():
                body.append(" ")  # "Last If", not "LastIf": what went, then what came
            if not changed:
                body.append(html.escape(text))
            elif old:
                body.append(_taken_out(ch, reveal))
            else:
                body.append(_span(text, ch.reason if ch.reason in REASONS else "rewritten"))
            glued = changed and not text[-1:].isspace()
    text = "".join(body)
    return (f"<p>{legend}</p><p>Struck through: taken out of the draft. Hover over a change "
            f'for why.</p><div style="white-space: pre-wrap">{text}</div>')  # fmt: skip


class DiffView(QWidget):
    """The changes of one variant: which one, the legend, the text, the reveal box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAccessibleName("Which variant's changes")
        self.reveal_box = QCheckBox("Show the identifiers taken out")
        self.reveal_box.setToolTip("Shows the names, dates and numbers of your draft here. "
                                   "Leave it off while sharing your screen.")  # fmt: skip
        self.reveal_box.toggled.connect(self._render)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Changes from the draft")
        self.browser.setOpenLinks(False)
        self.browser.setPlaceholderText("After a rewrite, the changes from your draft show here.")
        self.browser.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.reveal_box)
        layout.addWidget(self.browser, 1)
        self._changes: Sequence[Change] = ()
        self.clear()

    def show_changes(self, changes: Sequence[Change], name: str = "") -> None:
        self._changes = changes
        self.title.setText(f"Changes from your draft to the {name} text:" if name else
                           "Changes from your draft:")  # fmt: skip
        self._render()

    def reveal(self, on: bool) -> None:
        self.reveal_box.setChecked(on)

    def clear(self) -> None:
        """Nothing of the last draft stays, and its identifiers are hidden again."""
        self._changes = ()
        self.title.setText("Changes from your draft")
        self.reveal_box.setChecked(False)
        self.browser.clear()

    def toPlainText(self) -> str:  # Qt's name: tests read it as from the browser
        return self.browser.toPlainText()

    def _render(self) -> None:
        if self._changes:
            self.browser.setHtml(diff_html(self._changes, self.reveal_box.isChecked()))
        else:
            self.browser.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The reason of the change under the pointer, from its format's tooltip."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.browser.cursorForPosition(event.pos()).charFormat().toolTip()
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.browser)
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)
