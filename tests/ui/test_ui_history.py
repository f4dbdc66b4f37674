"""The drafts history in the window: saved encrypted, recovered after a kill, unlocked by
passphrase, browsed, exported, deleted, forgotten; and the offline indicator.

Real vault (SQLite, AES-GCM) in the test's data folder; fake engine, real scanner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor

from draftrx.vault.store import Vault, default_path

DRAFT = "Saw Ottoline Marchbanks in room 412 on March 3 with a bad asthma attack."
WORDS = ["Ottoline", "Marchbanks", "asthma"]
REPLY = "Asthma flares in spring; controller inhalers help most people."
PASS = "correct horse battery"


def ready(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.model_ready, timeout=10_000)


def files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


def test_a_rewrite_is_saved_encrypted_with_its_variants(qtbot, make_window) -> None:
    window = make_window([REPLY], platforms=["x", "linkedin"])
    assert window.history_label.text() == "History: encrypted (keyring)"
    ready(qtbot, window)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    vault = window.history.vault
    [summary] = vault.drafts()
    assert summary.title == DRAFT and summary.rewrites == 1
    [record] = vault.get(summary.id).rewrites
    assert record["draft"] == DRAFT and record["task"] == "educational"
    assert [v["platform"] for v in record["variants"]] == ["X", "LinkedIn"]
    x = window.views["x"]
    assert record["variants"][0]["text"] == x.variant.text
    assert {c["id"] for c in record["variants"][0]["checks"]} >= {"identifiers", "length"}
    blob = files_bytes(default_path().parent)
    assert not any(w.encode() in blob or w.lower().encode() in blob for w in WORDS)

    window.close()  # a clean close: no recovery offered next time
    again = make_window([REPLY])
    assert not again.recovery_bar.isVisible() and again.history.vault.autosaved() is None
    again.open_history()
    dialog = again.history_dialog
    assert dialog.items.count() == 1 and "Ottoline Marchbanks" in dialog.items.item(0).text()
    assert REPLY.split(";")[0] in dialog.preview.toPlainText()


def test_an_override_reason_is_kept(qtbot, make_window, monkeypatch) -> None:
    window = make_window(["Thanks for being my patient! Glad we could help."], platforms=["x"])
    ready(qtbot, window)
    window.task.setCurrentIndex(window.task.findData("reply-comment"))
    window.set_draft("Dr. Lee fixed my knee last month, best surgeon ever!")
    with qtbot.waitSignal(window.idle, timeout=15_000):
        window.rewrite()
    assert window.views["x"].override("The reviewer posted publicly")
    [summary] = window.history.vault.drafts()
    [record] = window.history.vault.get(summary.id).rewrites
    assert record["variants"][0]["override"] == "The reviewer posted publicly"
    assert record["variants"][0]["severity"] == "block"


def test_typing_is_autosaved_and_closing_files_it(qtbot, make_window) -> None:
    window = make_window()
    window.history._timer.setInterval(100)  # the 2 s of the app, shortened
    window.set_draft("First thoughts on statins")
    qtbot.waitUntil(lambda: window.history.vault.autosaved() is not None, timeout=3000)
    assert window.history.vault.autosaved().text == "First thoughts on statins"
    assert window.history.vault.drafts() == []  # typing alone makes no history item yet
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.editor.insertPlainText(" and muscle aches")
    qtbot.waitUntil(lambda: window.history.vault.autosaved().text.endswith("aches"), timeout=3000)
    window.close()
    with Vault.open(default_path()) as vault:
        assert vault.autosaved() is None
        assert [s.title for s in vault.drafts()] == ["First thoughts on statins and muscle aches"]


WINDOW_THEN_KILLED = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from draftrx.ui.app import application
from draftrx.ui.window import MainWindow
from PySide6.QtCore import QCoreApplication
app = application()
w = MainWindow(autoload=False)
dialog = w.unlock_dialog
dialog.passphrase.setText(sys.argv[1]); dialog.confirm.setText(sys.argv[1])
assert dialog.try_unlock(), dialog.error.text()
w.show()
w.set_draft(sys.argv[2])
w.history.autosave_now()
print("saved", flush=True)
while True:
    QCoreApplication.processEvents()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_after_a_kill_the_draft_is_offered_back(qtbot, make_window, no_keyring, config_dir,
                                               tmp_path: Path) -> None:  # fmt: skip
    """The window in its own process, passphrase-protected, killed with SIGKILL after an
    autosave; the next window (after unlocking) offers the draft back."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.Popen([sys.executable, "-c", WINDOW_THEN_KILLED, PASS, DRAFT],
                             stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "saved"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()

    window = make_window()
    dialog = window.unlock_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.new
    assert window.history_label.text() == "History: locked"
    dialog.passphrase.setText("wrong passphrase")
    assert not dialog.try_unlock()
    assert "does not open" in dialog.error.text() and dialog.isVisible()
    dialog.passphrase.setText(PASS)
    assert dialog.try_unlock()
    assert window.history_label.text() == "History: encrypted (passphrase)"
    assert window.recovery_bar.isVisible()
    assert [s.title for s in window.history.vault.drafts()] == [DRAFT]  # already safe
    window.restore_button.click()
    assert window.editor.toPlainText() == DRAFT and not window.recovery_bar.isVisible()
    assert window.history.draft_id == window.history.vault.drafts()[0].id
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.editor.insertPlainText(" Update.")
    window.close()
    with Vault.open(default_path(), PASS) as vault:  # the same item, edited: not a copy
        assert [s.title for s in vault.drafts()] == [DRAFT + " Update."]


def test_new_passphrase_is_checked_and_declining_saves_nothing(qtbot, make_window,
                                                               no_keyring) -> None:  # fmt: skip
    window = make_window()
    dialog = window.unlock_dialog
    assert dialog.new and "no system keyring" in dialog.message.text()
    assert "keyring.backends" not in dialog.message.text()  # no module names for a physician
    dialog.passphrase.setText("short")
    dialog.confirm.setText("short")
    assert not dialog.try_unlock() and "at least 8" in dialog.error.text()
    dialog.confirm.setText("different")
    assert not dialog.try_unlock() and "differ" in dialog.error.text()
    dialog.reject()
    assert window.history.vault is None
    assert window.history_label.text() == "History: off (not unlocked)"
    window.set_draft("Nothing of this is kept")
    window.close()
    assert not default_path().exists()


def test_browse_search_open_export_delete_forget(qtbot, make_window, memory_keyring,
                                                 tmp_path: Path) -> None:  # fmt: skip
    window = make_window()
    vault = window.history.vault
    first = vault.save_draft("Flu shots cannot give you the flu.")
    vault.save_draft(DRAFT)
    window.open_history()
    dialog = window.history_dialog
    assert dialog.items.count() == 2
    dialog.search.setText("FLU shots")
    assert dialog.items.count() == 1 and dialog.current_id() == first
    assert dialog.preview.toPlainText().startswith("Draft")  # Markdown shown as such, no "#"
    assert dialog.status.text().startswith("1 draft · ")
    marked = [m.cursor.selectedText().lower() for m in dialog.preview.extraSelections()]
    assert marked.count("flu") >= 2 and "shots" in marked  # the searched words, highlighted

    dialog.open_current()
    assert window.editor.toPlainText() == "Flu shots cannot give you the flu."
    assert window.history.draft_id == first

    out = tmp_path / "flu.md"
    assert dialog.export_to(out)
    assert "Flu shots cannot give you the flu." in out.read_text()
    assert not dialog.export_to(tmp_path / "missing" / "x.md")
    assert "Could not export" in dialog.status.text()

    dialog.delete_current()  # the draft open in the editor
    assert window.history.draft_id is None
    dialog.search.clear()
    assert dialog.items.count() == 1
    window.history.save(window.editor.toPlainText())  # unchanged: not saved back
    assert len(vault.drafts()) == 1

    key_entries = dict(memory_keyring.entries)
    dialog.forget_button.click()
    assert dialog.confirm_row.isVisible()
    dialog.confirm_button.click()
    assert dialog.items.count() == 0 and "forgotten" in dialog.status.text()
    assert memory_keyring.entries.keys().isdisjoint(key_entries)  # the old key is gone
    assert window.history.vault is not None and window.history.vault.drafts() == []


def test_a_damaged_history_is_explained_and_left_alone(qtbot, make_window, config_dir) -> None:
    default_path().parent.mkdir(parents=True)
    default_path().write_bytes(b"not a database " * 300)
    window = make_window([REPLY])
    assert "cannot be read" in window.notice.text() and window.notice.isVisible()
    assert window.history_label.text() == "History: off"
    ready(qtbot, window)
    window.set_draft(DRAFT)
    with qtbot.waitSignal(window.idle, timeout=15_000):
        assert window.rewrite()  # writing still works
    window.close()
    assert default_path().read_bytes() == b"not a database " * 300


def test_the_indicator_shows_the_guard_state(make_window) -> None:
    assert make_window().offline_label.text() == "● Offline"  # the suite runs guarded
    code = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from draftrx.vault import guard\n"
        "from draftrx.ui.app import application\n"
        "from draftrx.ui.window import MainWindow\n"
        "app = application()\n"
        "print(MainWindow(autoload=False, history=False).offline_label.text())\n"
        "guard.install()\n"
        "print(MainWindow(autoload=False, history=False).offline_label.text())\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.stdout.split("\n")[:2] == ["⚠ Not guarded", "● Offline"], out.stderr


def test_a_failing_save_is_a_message_not_a_crash(qtbot, make_window) -> None:
    window = make_window()
    window.history.vault._db.execute("PRAGMA query_only=ON")  # every write now fails
    window.set_draft("Measles is not a mild illness.")
    window.history.autosave_now()
    assert "Could not save to the drafts history" in window.notice.text()
    assert window.history_label.text() == "History: not saving"
    assert window.history.save(window.editor.toPlainText()) is None
    assert window.editor.toPlainText() == "Measles is not a mild illness."


def test_doctor_reads_the_model_chosen_in_the_window(config_dir: Path, tmp_path: Path) -> None:
    from draftrx.doctor import report
    from draftrx.ui import preferences

    store = preferences.open_store()
    chosen = preferences.load(store)
    chosen.model_path = str(tmp_path / "my model, v2.gguf")
    preferences.save(store, chosen)
    model = report()["model"]
    assert model["path"] == chosen.model_path
    assert model["state"] == "chosen in Preferences, MISSING"
    Path(chosen.model_path).write_bytes(b"GGUF")
    assert report()["model"]["state"] == "chosen in Preferences"
