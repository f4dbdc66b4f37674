"""`draftrx history` and `draftrx doctor`, headless, on a real encrypted history."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from draftrx.cli import PASSPHRASE_ENV, main
from draftrx.vault.store import Vault, default_path

PASS = "correct horse battery"
DRAFT = "Dr. Okafor saw Lucinda Brightwater, 71, at Pellham Clinic on June 4.\nA shingles case."


@pytest.fixture
def history(data_dir: Path, no_keyring, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)
    with Vault.open(default_path(), PASS) as vault:
        first = vault.save_draft(DRAFT)
        vault.add_rewrite(first, {
            "task": "lesson", "privacy": "fictionalise", "draft": DRAFT,
            "variants": [
                {"platform": "X", "text": "Shingles vaccine after 50: worth asking about.",
                 "checks": [{"id": "identifiers", "severity": "ok", "message": "none"},
                            {"id": "advice", "severity": "warn", "message": "sounds personal"}]},
                {"platform": "LinkedIn", "text": "Shingles hurts for weeks.", "checks": [],
                 "override": "reviewed with compliance"},
            ],
        })  # fmt: skip
        vault.save_draft("Myth: cracking knuckles causes arthritis.")
    return default_path()


def test_list_show_and_search(history: Path, capsys) -> None:
    assert main(["history", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and "knuckles" in lines[0]
    assert "1 rewrites" in lines[1] and "Lucinda Brightwater" in lines[1]
    assert main(["history", "list", "--search", "SHINGLES vaccine"]) == 0
    assert [ln.split()[0] for ln in capsys.readouterr().out.splitlines()] == ["1"]
    assert main(["history", "list", "--search", "zebra"]) == 0
    assert capsys.readouterr().out.strip() == "No drafts match."
    assert main(["history", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("# Draft 1\n")
    assert DRAFT in shown and "### X" in shown and "Shingles vaccine after 50" in shown
    assert "- warn: sounds personal" in shown and "ok: none" not in shown
    assert "- blocking checks overridden: reviewed with compliance" in shown


def test_export_to_files(history: Path, tmp_path: Path, capsys) -> None:
    md, txt = tmp_path / "case.md", tmp_path / "case.txt"
    assert main(["history", "export", "1", "-o", str(md)]) == 0
    assert main(["history", "export", "1", "-o", str(txt)]) == 0
    assert md.read_text().startswith("# Draft 1\n")
    text = txt.read_text()
    assert text.startswith("Draft 1\n=======\n") and "#" not in text
    assert "LinkedIn\n~~~~~~~~" in text and DRAFT in text
    assert list(tmp_path.glob(".case*")) == []  # no temporary file left behind
    capsys.readouterr()
    assert main(["history", "export", "1", "--format", "txt"]) == 0
    assert capsys.readouterr().out == text


def test_delete_and_forget(history: Path, capsys) -> None:
    assert main(["history", "delete", "1"]) == 0
    assert main(["history", "delete", "1"]) == 1
    assert "There is no draft 1" in capsys.readouterr().err
    assert main(["history", "show", "1"]) == 1
    assert main(["history", "forget", "--all"]) == 0
    assert not history.exists() and list(history.parent.iterdir()) == []
    assert main(["history", "list"]) == 0
    assert "No drafts saved yet" in capsys.readouterr().out
    assert main(["history", "show", "2"]) == 1
    assert "no drafts history yet" in capsys.readouterr().err


def test_forget_needs_all(history: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["history", "forget"])
    assert history.exists()


def test_passphrase_errors_change_nothing(history: Path, monkeypatch, capsys) -> None:
    before = hashlib.sha256(history.read_bytes()).hexdigest()
    monkeypatch.setenv(PASSPHRASE_ENV, "not the passphrase")
    assert main(["history", "list"]) == 1
    assert "does not open the drafts history" in capsys.readouterr().err
    monkeypatch.delenv(PASSPHRASE_ENV)  # and standard input is not a terminal under pytest
    assert main(["history", "list"]) == 1
    assert PASSPHRASE_ENV in capsys.readouterr().err
    assert hashlib.sha256(history.read_bytes()).hexdigest() == before


def test_damaged_history_is_reported(data_dir: Path, no_keyring, capsys) -> None:
    data_dir.mkdir()
    default_path().write_bytes(b"\0garbage" * 512)
    assert main(["history", "list"]) == 1
    err = capsys.readouterr().err
    assert "cannot be read" in err and str(default_path()) in err
    assert default_path().read_bytes() == b"\0garbage" * 512
    assert main(["doctor"]) == 0
    assert "unreadable" in capsys.readouterr().out


def test_doctor_reports_without_draft_text(history: Path, capsys) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "offline guard   on" in out
    assert f"{history} (2 drafts, key in the passphrase)" in out
    assert "keyring.backends.fail.Keyring (none: passphrase)" in out
    assert "Lucinda" not in out and "knuckles" not in out


@pytest.mark.parametrize("damage", ["random bytes", "a text file", "a half file"])
def test_forget_all_works_on_a_damaged_history(data_dir: Path, memory_keyring, damage: str,
                                               capsys) -> None:  # fmt: skip
    """The damaged-file message tells the physician to forget everything: that must work."""
    with Vault.open(default_path()) as vault:
        for n in range(30):
            vault.save_draft(f"{DRAFT} {n}" * 10)
    raw = default_path().read_bytes()
    damaged = {"random bytes": os.urandom(len(raw)), "a text file": DRAFT.encode() * 40,
               "a half file": raw[: len(raw) // 2]}[damage]  # fmt: skip
    default_path().write_bytes(damaged)
    assert main(["history", "list"]) == 1
    assert "forget everything" in capsys.readouterr().err
    assert main(["history", "forget", "--all"]) == 0
    said = capsys.readouterr().err  # no id to read, so the keyring entry is named, not claimed
    assert "Forgot everything" in said and "may remain in the system keyring" in said
    assert list(default_path().parent.iterdir()) == []
    assert main(["history", "list"]) == 0  # and a new history can start


@pytest.mark.parametrize("damage", ["no scrypt row", "scrypt n 2^30", "broken JSON"])
def test_a_damaged_key_record_is_one_sentence(history: Path, damage: str, capsys) -> None:
    db = sqlite3.connect(history)
    if damage == "no scrypt row":
        db.execute("DELETE FROM meta WHERE name = 'scrypt'")
    else:
        value = b'{"salt": "00", "n": 1073741824, "r": 8, "p": 1}' if damage == "scrypt n 2^30" \
            else b'{"salt": '  # fmt: skip
        db.execute("UPDATE meta SET value = ? WHERE name = 'scrypt'", (value,))
    db.commit()
    db.close()
    assert main(["history", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the history's key record is damaged" in err and str(history) in err
