"""The window on a practice server (real server, real scanner, Qt offscreen): the status bar
says where rewrites run, the first rewrite shows exactly what leaves and sends nothing until
the physician agrees, and only the protected prompt arrives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from draftrx import servers
from draftrx.ui import preferences
from draftrx.ui.window import MainWindow
from draftrx.ui.worker import real_engine

from .conftest import KEY, MODEL, Recorder
from .test_server_cli import DRAFT, IDENTIFIERS

pytestmark = pytest.mark.model


def chats(recorder: Recorder) -> list[dict]:
    return [json.loads(b) for b in recorder.bodies if b and b"messages" in b]


def window_on(url: str, qtbot, scanner, platform: str, max_tokens: int) -> MainWindow:
    """A window whose saved choice is the practice server at `url` ("clinic"), loaded."""
    servers.add("clinic", url, key=KEY)
    store = preferences.open_store()
    prefs = preferences.load(store)
    prefs.server, prefs.platforms, prefs.candidates = "clinic", [platform], 1
    prefs.max_tokens, prefs.temperature = max_tokens, 0.0
    preferences.save(store, prefs)
    window = MainWindow(store, real_engine, lambda: scanner, history=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model_ready, timeout=60_000)
    return window


@pytest.fixture
def settings(tmp_path: Path, monkeypatch, data_dir: Path, memory_keyring) -> None:
    monkeypatch.setenv("DRAFTRX_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv(servers.KEY_ENV, raising=False)


def test_rewrite_on_a_practice_server_from_the_window(
    qtbot, recording_proxy: Recorder, settings: None, scanner
) -> None:
    window = window_on(recording_proxy.url, qtbot, scanner, "x", 80)
    assert window.offline_label.text() == f"● Practice server: 127.0.0.1 · {MODEL}"
    assert "Only the protected prompt" in window.offline_label.toolTip()
    window.task.setCurrentIndex(window.task.findData("lesson"))
    window.set_draft(DRAFT)

    assert window.rewrite()
    qtbot.waitUntil(lambda: window.send_dialog is not None and window.send_dialog.isVisible(),
                    timeout=30_000)  # fmt: skip
    shown = window.send_dialog.text.toPlainText()
    assert "epinephrine" in shown and not [i for i in IDENTIFIERS if i in shown]
    window.send_dialog.reject()
    assert chats(recording_proxy) == []  # declined: nothing was sent
    assert not window.busy

    assert window.rewrite()
    qtbot.waitUntil(lambda: window.send_dialog.isVisible(), timeout=30_000)
    with qtbot.waitSignal(window.idle, timeout=300_000):
        window.send_dialog.accept()
    sent = chats(recording_proxy)
    assert sent
    wire = json.dumps(sent)
    assert not [i for i in IDENTIFIERS if i.lower() in wire.lower()]
    view = window.views["x"]
    assert view.variant is not None and view.variant.text.strip()

    window.send_dialog = None  # asked once per server: the next rewrite goes straight out
    with qtbot.waitSignal(window.idle, timeout=300_000):
        assert window.rewrite()
    assert window.send_dialog is None and len(chats(recording_proxy)) > len(sent)

    window._use_server("")  # back to this computer
    qtbot.waitUntil(lambda: window.model_ready, timeout=120_000)
    assert window.offline_label.text() == "● Offline"
    window.close()


def test_the_servers_dialog_adds_tests_uses_and_removes(
    qtbot, llama_server, settings: None, memory_keyring
) -> None:
    from contextlib import nullcontext

    from draftrx.ui.practice import ServersDialog

    dialog = ServersDialog("", lambda: nullcontext(None), None)
    qtbot.addWidget(dialog)
    dialog.name.setText("clinic")
    dialog.url.setText(llama_server.url)
    dialog.key.setText("wrong-key")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Not added"), timeout=30_000)
    assert "refused the API key" in dialog.result.text() and servers.load() == {}

    dialog.key.setText(KEY)
    dialog.list_models.click()  # the model is chosen from what the server offers
    qtbot.waitUntil(lambda: "offers 1 model" in dialog.result.text(), timeout=30_000)
    assert [dialog.model.itemText(i) for i in range(dialog.model.count())] == [MODEL]
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Added"), timeout=30_000)
    assert servers.load()["clinic"].model == MODEL and dialog.key.text() == ""
    assert memory_keyring.entries[("DraftRx", "server-key-clinic")] == KEY

    dialog.list.setCurrentRow(0)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "tokens/s" in dialog.result.text()
                    or "failed" in dialog.result.text(), timeout=60_000)  # fmt: skip
    assert "key accepted" in dialog.result.text()

    with qtbot.waitSignal(dialog.use) as used:
        dialog.use_button.click()
    assert used.args == ["clinic"]
    dialog.list.setCurrentRow(0)
    dialog.remove_button.click()
    assert servers.load() == {} and memory_keyring.entries == {}


def test_a_server_that_dies_mid_rewrite_keeps_the_draft_and_the_text_so_far(
    qtbot, start_server, settings: None, scanner
) -> None:
    server = start_server()
    window = window_on(server.url, qtbot, scanner, "linkedin", 600)
    window.prefs.confirmed_servers.append(window._server_id())  # seen before: no preview
    window.set_draft(DRAFT)
    pieces: list[str] = []

    def arrived(_pid: object, text: str) -> None:
        pieces.append(text)
        # past the post's opening (the key message, written by DraftRx, not the server)
        if len("".join(pieces)) > 160 and server.process.poll() is None:
            server.kill()

    window.worker.text.connect(arrived)
    with qtbot.waitSignal(window.idle, timeout=120_000):
        assert window.rewrite()
    assert window.editor.toPlainText() == DRAFT  # the draft is untouched
    view = window.views["linkedin"]
    shown = view.preview.toPlainText()
    assert len(shown) > 160  # what came before the server died is still there
    assert view.variant is not None, window.notice.text()
    incomplete = next(c for c in view.variant.checks if c.id == "incomplete")
    assert incomplete.severity == "block" and not view.copy_button.isEnabled()
    listed = [view.checks.item(i).text() for i in range(view.checks.count())]
    assert any("stopped sending before this post was finished" in t for t in listed), listed
    window.close()
