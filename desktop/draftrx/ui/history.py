"""The drafts history in the window: unlocking, autosave, crash recovery, browsing.

The vault (draftrx.vault) does the storing; this module decides when. Saves are small
SQLite transactions (about a millisecond), so they run on the GUI thread; the one slow
step, deriving a key from a passphrase (scrypt, about 0.1 s), happens once, when the
physician presses Unlock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from draftrx.vault import export
from draftrx.vault.errors import NeedsPassphrase, VaultError, WrongPassphrase
from draftrx.vault.store import MIN_PASSPHRASE, Autosaved, Vault, default_path, forget

AUTOSAVE_MS = 2000  # the first unsaved keystroke is on disk at most this long after
T = TypeVar("T")


class DraftHistory(QObject):
    """The window's link to the vault: which draft is being written, and saving it.

    `vault` is None while the history is locked or unavailable; nothing is saved then, and
    `state` says why.
    """

    state_changed = Signal(str)  # a short status: "History: encrypted (keyring)" etc.
    needs_passphrase = Signal(str, bool)  # message, new vault
    problem = Signal(str)  # a VaultError message for the notice banner
    recovered = Signal(object)  # Autosaved: what was being written when the app died
    forgotten = Signal()  # the history and its key were deleted: so goes the window's draft
    resumed = Signal(int, str)  # the draft open at the last clean quit: its id and text

    def __init__(self, text: Callable[[], str], path: Path | None = None,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.text = text  # the editor's current draft, read when a save happens
        self.path = path or default_path()
        self.vault: Vault | None = None
        self.draft_id: int | None = None
        self.state = "History: not opened"
        self.resume_id: int | None = None  # the draft to bring back once the history opens
        self._saved_text: str | None = None  # the text the history already holds
        self._deleted_text: str | None = None  # deleted from the history while open
        self._rewrite: tuple[int, dict[str, Any]] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.autosave_now)

    # -- opening ------------------------------------------------------------------------

    def start(self, passphrase: str | None = None) -> None:
        """Open (or create) the vault; signals say what happened. Raises WrongPassphrase
        and ValueError (too short) for the unlock dialog to show."""
        try:
            self.vault = Vault.open(self.path, passphrase)
        except NeedsPassphrase as exc:
            self._set_state("History: locked")
            self.needs_passphrase.emit(str(exc), exc.new)
            return
        except WrongPassphrase:
            raise  # the dialog asks again; not a reason to turn the history off
        except VaultError as exc:
            self._set_state("History: off")
            self.problem.emit(str(exc))
            return
        vault = self.vault
        self._set_state(f"History: encrypted ({vault.source})")
        found = vault.autosaved()
        if found is not None and found.text.strip():
            # Into the history first, so that nothing is lost whatever the physician chooses.
            draft_id = self._write(lambda: vault.save_draft(found.text, found.draft_id))
            self.recovered.emit(Autosaved(found.updated, draft_id, found.text))
        elif self.resume_id is not None:
            try:
                item = vault.get(self.resume_id)
            except (KeyError, VaultError, sqlite3.Error):
                return  # deleted, or unreadable: start empty, as after New draft
            self.resumed.emit(item.id, item.text)

    def decline(self) -> None:
        self._set_state("History: off (not unlocked)")

    # -- saving -------------------------------------------------------------------------

    def typed(self) -> None:
        """The draft changed: autosave within AUTOSAVE_MS, however fast the typing."""
        if self.vault is not None and not self._timer.isActive():
            self._timer.start()

    def autosave_now(self) -> None:
        self._timer.stop()
        vault = self.vault
        if vault is not None:
            self._write(lambda: vault.autosave(self.text(), self.draft_id))

    def save(self, text: str, force: bool = False) -> int | None:
        """Store the draft as a history item (at a rewrite, a switch, a close). A draft the
        physician deleted from the history comes back only if edited, or with `force`."""
        if self.vault is None or not text.strip():
            return None
        if not force and self.draft_id is None and text == self._deleted_text:
            return None
        vault = self.vault
        if text != self._saved_text or self.draft_id is None:
            saved = self._write(lambda: vault.save_draft(text, self.draft_id))
            if saved is not None:
                self.draft_id, self._saved_text = saved, text
        return self.draft_id

    def begin(self, text: str | None = None, draft_id: int | None = None) -> None:
        """Start on another draft (new, opened or restored), before it replaces the editor's
        text; the current one is saved first."""
        self.save(self.text())
        self.draft_id, self._saved_text, self._deleted_text = draft_id, text, None
        self._rewrite = None

    def detach(self) -> None:
        """The current draft was deleted from the history: stop saving onto it."""
        self.draft_id, self._saved_text, self._rewrite = None, None, None
        self._deleted_text = self.text()

    def rewrite_done(self, record: dict[str, Any]) -> None:
        vault, draft_id = self.vault, self.draft_id
        if vault is not None and draft_id is not None:
            rewrite_id = self._write(lambda: vault.add_rewrite(draft_id, record))
            self._rewrite = None if rewrite_id is None else (rewrite_id, record)

    def rewrite_changed(self, record: dict[str, Any]) -> None:
        """An override reason was given after the rewrite was stored."""
        vault, done = self.vault, self._rewrite
        if vault is not None and done is not None:
            self._write(lambda: vault.update_rewrite(done[0], record))

    def delete(self, draft_id: int) -> None:
        vault = self.vault
        if vault is not None and self._write(lambda: vault.delete(draft_id)) \
                and self.draft_id == draft_id:  # fmt: skip
            self.detach()

    def close(self) -> None:
        """A clean close: the draft goes into the history and the autosave slot empties,
        so the next start offers no recovery."""
        self._timer.stop()
        if self.vault is None:
            return
        self.save(self.text())
        vault = self.vault
        self._write(vault.clear_autosave)
        vault.close()
        self.vault = None

    def forget_everything(self) -> None:
        """Delete the file and the key, then start a new, empty history."""
        self._timer.stop()
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        forget(self.path)
        self.draft_id, self._saved_text, self._rewrite = None, None, None
        self.forgotten.emit()
        self.start()

    def _write(self, action: Callable[[], T]) -> T | None:
        """Run one save; a failing disk becomes a message, never a lost draft or a crash."""
        try:
            return action()
        except (sqlite3.Error, OSError) as exc:
            self._set_state("History: not saving")
            self.problem.emit(f"Could not save to the drafts history ({exc}). Your draft is "
                              "still in the editor; copy it somewhere safe.")  # fmt: skip
            return None

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)


class UnlockDialog(QDialog):
    """Asks for the history's passphrase (or a new one); stays open on a wrong one."""

    def __init__(self, history: DraftHistory, message: str, new: bool,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.history = history
        self.new = new
        self.setWindowTitle("Create a passphrase" if new else "Unlock the drafts history")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Passphrase again")
        self.confirm.setPlaceholderText("Again, to be sure")
        self.confirm.setVisible(new)
        self.error = QLabel()
        self.error.setAccessibleName("Unlock error")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.message = QLabel(message + ("\nIf you forget it, the history cannot be recovered."
                                         if new else ""))  # fmt: skip
        self.message.setWordWrap(True)
        self.setMinimumWidth(480)  # a wrapped error needs the room to be read whole
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton(
            "Create" if new else "Unlock", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Continue without history", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_unlock)
        buttons.rejected.connect(self.reject)
        self.rejected.connect(history.decline)
        layout = QVBoxLayout(self)
        for w in (self.message, self.passphrase, self.confirm, self.error, buttons):
            layout.addWidget(w)

    def try_unlock(self) -> bool:
        phrase = self.passphrase.text()
        if self.new and phrase != self.confirm.text():
            self.error.setText("The two passphrases differ.")
            return False
        if self.new and len(phrase) < MIN_PASSPHRASE:
            self.error.setText(f"Choose at least {MIN_PASSPHRASE} characters.")
            return False
        try:
            self.history.start(phrase)
        except WrongPassphrase as exc:
            self.error.setText(str(exc))
            self.passphrase.selectAll()
            self.adjustSize()  # grow to show the whole message
            return False
        self.done(QDialog.DialogCode.Accepted)
        return True


class HistoryDialog(QDialog):
    """Browse, search, open, export and delete saved drafts; forget everything."""

    open_requested = Signal(int, str)  # draft id, its text

    def __init__(self, history: DraftHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.setWindowTitle("Drafts history")
        self.resize(900, 560)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search drafts and rewrites")
        self.search.setAccessibleName("Search the history")
        self.search.textChanged.connect(self.refresh)
        self.items = QListWidget()
        self.items.setAccessibleName("Saved drafts")
        self.items.currentItemChanged.connect(self._show)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName("Saved draft")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.items)
        split.addWidget(self.preview)
        split.setSizes([300, 600])

        self.open_button = QPushButton("&Open in editor")
        self.open_button.clicked.connect(self.open_current)
        self.export_button = QPushButton("&Export…")
        self.export_button.clicked.connect(self._export_dialog)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(self.delete_current)
        self.forget_button = QPushButton("&Forget everything…")
        self.forget_button.clicked.connect(lambda: self.confirm_row.setVisible(True))
        buttons = QHBoxLayout()
        for b in (self.open_button, self.export_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_button)

        # An inline confirmation rather than a modal box: it cannot be clicked through by
        # habit, and it says exactly what goes.
        self.confirm_row = QWidget()
        row = QHBoxLayout(self.confirm_row)
        row.setContentsMargins(0, 0, 0, 0)
        warning = QLabel("Delete every saved draft, rewrite and autosave, and the key? "
                         "This cannot be undone.")  # fmt: skip
        warning.setWordWrap(True)
        self.confirm_button = QPushButton("Yes, forget everything")
        self.confirm_button.clicked.connect(self.forget_everything)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(lambda: self.confirm_row.setVisible(False))
        row.addWidget(warning, 1)
        row.addWidget(self.confirm_button)
        row.addWidget(cancel)
        self.confirm_row.hide()

        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.confirm_row)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        self.items.clear()
        vault = self.history.vault
        if vault is None:
            self.status.setText(f"{self.history.state}. Nothing is saved or shown.")
            self._update_buttons()
            return
        for s in vault.drafts(self.search.text()):
            rewrites = f" · {s.rewrites} rewrites" if s.rewrites else ""
            item = QListWidgetItem(f"{export.when(s.updated)} · {s.shown_title}{rewrites}")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.items.addItem(item)
        n = self.items.count()
        self.status.setText(f"{n} draft{'s' * (n != 1)} · encrypted at {vault.path}")
        if self.items.count():
            self.items.setCurrentRow(0)
        self._update_buttons()

    def current_id(self) -> int | None:
        item = self.items.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _show(self) -> None:
        draft_id = self.current_id()
        self.preview.clear()
        if draft_id is not None and self.history.vault is not None:
            try:
                self.preview.setMarkdown(export.render(self.history.vault.get(draft_id)))
            except VaultError as exc:
                self.preview.setPlainText(str(exc))
        self._mark_matches()
        self._update_buttons()

    def _mark_matches(self) -> None:
        """The searched words, highlighted where they occur in the shown draft."""
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(255, 200, 0, 110))
        marks = []
        document = self.preview.document()
        for word in self.search.text().split():
            cursor = document.find(word)
            while not cursor.isNull():
                mark = QTextEdit.ExtraSelection()
                mark.cursor, mark.format = cursor, fmt
                marks.append(mark)
                cursor = document.find(word, cursor)
        self.preview.setExtraSelections(marks)

    def open_current(self) -> None:
        draft_id = self.current_id()
        if draft_id is None or self.history.vault is None:
            return
        try:
            item = self.history.vault.get(draft_id)
        except VaultError as exc:
            self.status.setText(str(exc))
            return
        self.open_requested.emit(draft_id, item.text)

    def export_to(self, out: Path) -> bool:
        draft_id = self.current_id()
        if draft_id is None or self.history.vault is None:
            return False
        try:
            export.write(self.history.vault.get(draft_id), out)
        except (OSError, VaultError) as exc:
            self.status.setText(f"Could not export: {exc}")
            return False
        self.status.setText(f"Exported to {out}.")
        return True

    def _export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export draft", "draft.md",
                                              "Markdown (*.md);;Text (*.txt)")  # fmt: skip
        if name:
            self.export_to(Path(name))

    def delete_current(self) -> None:
        draft_id = self.current_id()
        if draft_id is None or self.history.vault is None:
            return
        self.history.delete(draft_id)
        self.refresh()

    def forget_everything(self) -> None:
        self.history.forget_everything()
        self.confirm_row.hide()
        self.search.clear()
        self.refresh()
        self.status.setText("Everything was forgotten: the history file and its key are gone.")

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        for b in (self.open_button, self.export_button, self.delete_button):
            b.setEnabled(has)
