"""The window's practice-server parts: the list to add, test, use and remove servers; the
one-time view of exactly what a rewrite sends; and the status bar's words for it.

Talking to a server (listing its models, a test) runs on a short-lived thread, so a slow
or absent server never freezes the window; its answer comes back as a signal. The server
code (and through it llama.cpp's bindings) is imported at first use, not with the window.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from draftrx.ui.worker import imported, why

if TYPE_CHECKING:
    from types import ModuleType

    from draftrx.servers import OpenVault, Server

LOCAL_COLOUR = "#2e7d32"  # green: nothing leaves
SERVER_COLOUR = "#9a5b00"  # amber: the protected prompt goes to the practice's server


def status_text(info: dict[str, object], guarded: bool = True) -> tuple[str, str, str]:
    """The status bar's network label for a loaded engine: text, tooltip, colour."""
    if info.get("backend") != "Practice server":
        return ("● Offline", "Every connection to another computer is refused: no draft can "
                "leave this one.", LOCAL_COLOUR)  # fmt: skip
    host, port, model = info.get("host"), info.get("port"), info.get("model")
    clear = "" if info.get("encrypted", True) else " It is http://: unencrypted on the network."
    if not guarded:
        return (f"⚠ Not guarded · Practice server: {host} · {model}",
                "The offline guard is not on in this process; start DraftRx with `draftrx`.",
                "#b3261e")  # fmt: skip
    return (f"● Practice server: {host} · {model}",
            f"Rewrites run on the practice's server {host}:{port}. Only the protected prompt "
            "(identifiers replaced on this computer) is sent; the draft, the history and "
            f"everything else stay here, and no other computer can be reached.{clear}",
            SERVER_COLOUR)  # fmt: skip


def format_prompts(prompts: Sequence[Sequence[dict[str, str]]]) -> str:
    """Every message the rewrite's requests carry, each once, in the order sent."""
    seen: list[tuple[str, str]] = []
    for prompt in prompts:
        for m in prompt:
            item = (m["role"], m["content"])
            if item not in seen:
                seen.append(item)
    return "\n\n".join(f"— {role} —\n{content}" for role, content in seen)


class SendDialog(QDialog):
    """Shown before the first rewrite sent to a server: exactly what will leave."""

    def __init__(self, label: str, sent: str, encrypted: bool = True,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Send to the practice server?")
        layout = QVBoxLayout(self)
        clear = ("" if encrypted else " <b>The address is http://, so this text crosses the "
                 "network unencrypted</b>: ask the practice's IT for an https:// address.")
        note = QLabel(
            f"This rewrite runs on <b>{label}</b>. Exactly this text is sent: your draft with "
            "its identifiers replaced, and DraftRx's instructions; and the server's own "
            "answers sent back to it where a step builds on them (the key message it found, "
            "a post to shorten). Your original draft does not leave this computer. You are "
            f"asked once per server and model.{clear}"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.text = QPlainTextEdit(sent)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("What is sent")
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox()
        self.send = buttons.addButton("Send to the server", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 520)


def _servers() -> ModuleType:
    return imported("draftrx.servers")


class _Answer(QObject):
    done = Signal(object, object)  # result, error message (None when it worked)


def in_background(work: Callable[[], Any], then: Callable[[Any, str | None], None],
                  parent: QObject) -> None:  # fmt: skip
    """Run `work` on a thread; `then(result, error)` runs on the GUI thread afterwards."""
    answer = _Answer(parent)
    answer.done.connect(then, Qt.ConnectionType.QueuedConnection)
    answer.done.connect(answer.deleteLater)

    def run() -> None:
        try:
            answer.done.emit(work(), None)
        except Exception as exc:
            answer.done.emit(None, why(exc))

    threading.Thread(target=run, daemon=True, name="draftrx-server-check").start()


class ServersDialog(QDialog):
    """Model ▸ Practice servers: add (checked against the server first), test, use, remove."""

    use = Signal(str)  # a server's name; "" for this computer

    def __init__(self, current: str, open_vault: OpenVault,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Practice servers")
        self._open_vault = open_vault
        self._key = ""
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A practice's own inference server (llama-server, vLLM, Ollama) can write with a "
            "larger model. Identifiers are replaced on this computer first; only that "
            "protected prompt is sent, and the status bar says so while a server is in use."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName("Servers")
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.use_button = QPushButton("&Use")
        self.local_button = QPushButton("Use this &computer")
        self.test_button = QPushButton("&Test")
        self.remove_button = QPushButton("&Remove")
        for b in (self.use_button, self.local_button, self.test_button, self.remove_button):
            row.addWidget(b)
        layout.addLayout(row)
        form = QFormLayout()
        self.name = QLineEdit()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://ai.clinic.lan:8443")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("kept in the system keyring, or in the history")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.lineEdit().setPlaceholderText("empty: the server's only model")
        self.list_models = QPushButton("List models")
        self.list_models.clicked.connect(self.fetch_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.list_models)
        ca_row = QHBoxLayout()
        self.ca = QLineEdit()
        self.ca.setPlaceholderText("only for a practice's own certificate")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_ca)
        ca_row.addWidget(self.ca)
        ca_row.addWidget(browse)
        for label, field in (("Name", self.name), ("Address", self.url), ("API key", self.key)):
            field.setAccessibleName(label)
            form.addRow(label, field)
        self.model.setAccessibleName("Model")
        form.addRow("Model", model_row)
        form.addRow("CA certificate", ca_row)
        layout.addLayout(form)
        self.add_button = QPushButton("&Add server")
        layout.addWidget(self.add_button)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Result")
        layout.addWidget(self.result)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self.add)
        self.use_button.clicked.connect(self._use_selected)
        self.local_button.clicked.connect(lambda: self._chosen(""))
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.refresh(current)
        self.resize(620, 520)

    def refresh(self, current: str = "") -> None:
        self.list.clear()
        try:
            found = _servers().load()
        except ValueError as exc:
            found = {}
            self.result.setText(str(exc))
        for server in found.values():
            mark = "  (in use)" if server.name == current else ""
            item = QListWidgetItem(f"{server.name}: {server.url} · {server.model}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, server.name)
            self.list.addItem(item)
        self._update_buttons()

    def selected(self) -> Server | None:
        item = self.list.currentItem()
        try:
            return _servers().load().get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        except ValueError as exc:
            self._show(str(exc))
            return None

    def add(self) -> None:
        name, url, key = self.name.text().strip(), self.url.text().strip(), self.key.text()
        model, ca = self.model.currentText().strip(), self.ca.text().strip()
        self._key = key
        self._busy("Asking the server for its models…")
        in_background(lambda: _servers().checked(name, url, model, ca, key or None),
                      self._added, self)  # fmt: skip

    def fetch_models(self) -> None:
        """Fill the model list from the server's /v1/models, with the address and key typed."""
        url, key, ca = self.url.text().strip(), self.key.text() or None, self.ca.text().strip()
        self._busy("Asking the server for its models…")
        in_background(lambda: _servers().offered(url, key, ca), self._listed, self)

    def _listed(self, models: list[str] | None, error: str | None) -> None:
        if error is not None or models is None:
            self._show(f"Could not list the models: {error}")
            return
        typed = self.model.currentText()
        self.model.clear()
        self.model.addItems(models)
        self.model.setCurrentText(typed if typed in models else models[0] if models else "")
        self._show(f"The server offers {len(models)} model{'' if len(models) == 1 else 's'}.")

    def test(self) -> None:
        server = self.selected()
        if server is None:
            return
        try:
            key = _servers().key_for(server, self._open_vault)
        except Exception as exc:
            self._show(why(exc))
            return
        self._busy(f"Testing {server.name}…")
        in_background(lambda: _servers().test(server, key), self._tested, self)

    def remove(self) -> None:
        server = self.selected()
        if server is None:
            return
        try:
            _servers().remove(server.name, self._open_vault)
        except Exception as exc:
            self._show(f"Not removed: {why(exc)}")
            return
        self._show(f"Removed {server.name} and its key.")
        self.refresh()

    def _added(self, server: Server | None, error: str | None) -> None:
        if error is None and server is not None:
            try:  # the key's home (the history) lives on this thread
                server = _servers().keep(server, self._key or None, self._open_vault)
            except Exception as exc:
                error = why(exc)
        self._key = ""
        if error is not None or server is None:
            self._show(f"Not added: {error}")
            return
        self.key.clear()
        self._show(f"Added {server.name} ({server.model}). Select it and press Use.")
        self.refresh()

    def _tested(self, result: dict[str, object] | None, error: str | None) -> None:
        if error is not None or result is None:
            self._show(f"Test failed: {error}")
            return
        self._show(f"{result['server']}: reachable, key accepted, model {result['model']}; "
                   f"first word after {float(result['ttft_s']):.2f} s, "  # type: ignore[arg-type]
                   f"{float(result['decode_tok_s']):.1f} tokens/s.")  # type: ignore[arg-type]  # fmt: skip

    def _use_selected(self) -> None:
        server = self.selected()
        if server is not None:
            self._chosen(server.name)

    def _chosen(self, name: str) -> None:
        self.use.emit(name)
        self.accept()

    def _choose_ca(self) -> None:
        kinds = "Certificates (*.pem *.crt *.cer);;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, "CA certificate", "", kinds)
        if path:
            self.ca.setText(path)

    def _busy(self, text: str) -> None:
        self.result.setText(text)
        for button in (self.add_button, self.test_button, self.list_models):
            button.setEnabled(False)

    def _show(self, text: str) -> None:
        self.result.setText(text)
        self.add_button.setEnabled(True)
        self.list_models.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.list.currentItem() is not None
        for button in (self.use_button, self.test_button, self.remove_button):
            button.setEnabled(chosen)
