"""The drafts history: encrypted at rest, clear errors, nothing overwritten on failure."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from draftrx.vault import keys
from draftrx.vault.errors import KeyMissing, NeedsPassphrase, VaultDamaged, WrongPassphrase
from draftrx.vault.store import Vault, forget

DRAFT = (
    "Marisol Quintanilla, 47, from Wexhampton came to the ER with crushing chest pain.\n"
    "Her troponin was 2.3 and she went straight to the cath lab."
)
VARIANT = "Chest pain with sweating deserves an ambulance call, not a nap. Unmistakable."
WORDS = ["Marisol", "Quintanilla", "Wexhampton", "troponin", "crushing", "Unmistakable",
         "ambulance"]  # fmt: skip
PASS = "correct horse battery"


def record(text: str = VARIANT) -> dict:
    check = {"id": "advice", "severity": "warn", "message": "m"}
    variant = {"platform": "X", "text": text, "checks": [check]}
    return {"task": "lesson", "privacy": "fictionalise", "draft": DRAFT, "variants": [variant]}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def on_disk(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir())


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history" / "history.sqlite3"


def test_saved_words_never_appear_in_the_files(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        draft_id = vault.save_draft(DRAFT)
        vault.add_rewrite(draft_id, record())
        vault.autosave(DRAFT + " more", draft_id)
        assert vault.source == "keyring"
        # Before close: the write-ahead log holds the newest pages.
        assert {p.name for p in path.parent.iterdir()} >= {path.name, path.name + "-wal"}
        blob = on_disk(path.parent)
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            for word in WORDS:
                assert word.encode(encoding) not in blob
                assert word.lower().encode(encoding) not in blob
    blob = on_disk(path.parent)
    assert not any(w.encode() in blob or w.lower().encode() in blob for w in WORDS)
    with Vault.open(path) as vault:  # and it all comes back
        item = vault.get(draft_id)
        assert item.text == DRAFT
        assert item.rewrites[0]["variants"][0]["text"] == VARIANT
        assert vault.autosaved().text == DRAFT + " more"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_files_are_readable_by_the_owner_only(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
        for p in path.parent.iterdir():
            assert p.stat().st_mode & 0o077 == 0, p.name


def test_list_search_and_titles(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        first = vault.save_draft(DRAFT)
        vault.add_rewrite(first, record())
        second = vault.save_draft("Flu shots do not give you the flu.\nMyth of the week.")
        assert [s.id for s in vault.drafts()] == [second, first]  # newest first
        assert vault.drafts()[1].title.startswith("Marisol Quintanilla, 47")
        assert vault.drafts()[1].rewrites == 1
        assert [s.id for s in vault.drafts("AMBULANCE chest")] == [first]  # found in a rewrite
        assert [s.id for s in vault.drafts("flu myth")] == [second]
        assert vault.drafts("flu ambulance") == []
        # Updating a draft keeps its id and moves it to the top.
        assert vault.save_draft(DRAFT + " Edited.", first) == first
        assert vault.drafts()[0].id == first
        assert vault.get(first).text.endswith("Edited.")


def test_delete_removes_rewrites_autosave_and_ciphertext(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        keep = vault.save_draft("Sunscreen every day.")
        gone = vault.save_draft(DRAFT)
        vault.add_rewrite(gone, record())
        vault.autosave(DRAFT, gone)
    db = sqlite3.connect(path)
    sealed = [row[0] for row in db.execute("SELECT body FROM drafts WHERE id = ?", (gone,))]
    sealed += [row[0] for row in db.execute("SELECT body FROM rewrites")]
    db.close()
    with Vault.open(path) as vault:
        assert vault.delete(gone)
        assert not vault.delete(gone)
        assert [s.id for s in vault.drafts()] == [keep]
        assert vault.autosaved() is None
        with pytest.raises(KeyError):
            vault.get(gone)
    blob = on_disk(path.parent)
    assert all(s not in blob for s in sealed), "deleted ciphertext is still in the file"


def test_autosave_is_one_slot(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        assert vault.autosaved() is None
        vault.autosave("first", None)
        vault.autosave("second", 7)
        saved = vault.autosaved()
        assert (saved.text, saved.draft_id) == ("second", 7)
        vault.clear_autosave()
        assert vault.autosaved() is None


def test_no_keyring_asks_for_a_passphrase_and_creates_nothing(path: Path, no_keyring) -> None:
    with pytest.raises(NeedsPassphrase) as err:
        Vault.open(path)
    assert err.value.new and "keyring" in str(err.value) and "passphrase" in str(err.value)
    assert not path.parent.exists() or not any(path.parent.iterdir())
    with pytest.raises(ValueError, match="at least 8"):
        Vault.open(path, "short")
    assert not path.exists()


def test_wrong_passphrase_changes_nothing(path: Path, no_keyring) -> None:
    with Vault.open(path, PASS) as vault:
        assert vault.source == "passphrase"
        vault.add_rewrite(vault.save_draft(DRAFT), record())
    before = digest(path.parent)
    with pytest.raises(NeedsPassphrase) as err:
        Vault.open(path)
    assert not err.value.new
    with pytest.raises(WrongPassphrase, match="Nothing was changed"):
        Vault.open(path, "correct horse battery!")
    assert digest(path.parent) == before
    with Vault.open(path, PASS) as vault:
        assert vault.get(1).text == DRAFT


def test_missing_key_is_explained_and_the_data_comes_back(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
    saved = dict(memory_keyring.entries)
    memory_keyring.entries.clear()
    before = digest(path.parent)
    with pytest.raises(KeyMissing) as err:
        Vault.open(path)
    message = str(err.value)
    assert "keyring" in message and "untouched" in message and str(path) in message
    with pytest.raises(KeyMissing):  # a passphrase does not create a new key over it
        Vault.open(path, PASS)
    assert digest(path.parent) == before
    memory_keyring.entries.update(saved)  # the entry is restored (e.g. from a backup)
    with Vault.open(path) as vault:
        assert vault.get(1).text == DRAFT


def test_a_replaced_keyring_entry_does_not_open_it(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
        vault_id = next(iter(memory_keyring.entries))[1].removeprefix("vault-key-")
    keys.store(vault_id, b"\0" * 32)
    with pytest.raises(KeyMissing, match="does not open it"):
        Vault.open(path)


@pytest.mark.parametrize("damage", ["junk", "truncated", "not ours"])
def test_damaged_file_is_left_as_it_is(path: Path, memory_keyring, damage: str) -> None:
    with Vault.open(path) as vault:
        for n in range(40):
            vault.save_draft(f"{DRAFT} {n}" * 20)
    raw = path.read_bytes()
    if damage == "junk":
        path.write_bytes(b"This is not a database. " * 100)
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path.unlink()
        sqlite3.connect(path).execute("CREATE TABLE notes (x)").connection.close()
    before = digest(path.parent)
    with pytest.raises(VaultDamaged) as err:
        Vault.open(path)
    assert str(path) in str(err.value) and "leaves the file" in str(err.value)
    assert digest(path.parent) == before  # not even an empty side file is added


def test_a_damaged_item_does_not_hide_the_others(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        good = vault.save_draft("Sunscreen every day.")
        bad = vault.save_draft(DRAFT)
    db = sqlite3.connect(path)
    body = db.execute("SELECT body FROM drafts WHERE id = ?", (bad,)).fetchone()[0]
    flipped = body[:-1] + bytes([body[-1] ^ 1])
    db.execute("UPDATE drafts SET body = ? WHERE id = ?", (flipped, bad))
    db.commit()
    db.close()
    with Vault.open(path) as vault:
        titles = {s.id: s.title for s in vault.drafts()}
        assert titles == {good: "Sunscreen every day.", bad: None}
        with pytest.raises(VaultDamaged, match=f"Item {bad}"):
            vault.get(bad)
        assert vault.get(good).text == "Sunscreen every day."


def test_rows_cannot_be_swapped(path: Path, memory_keyring) -> None:
    """Each text is sealed to its row: moving ciphertext elsewhere makes it unreadable."""
    with Vault.open(path) as vault:
        a = vault.save_draft("first")
        b = vault.save_draft("second")
    db = sqlite3.connect(path)
    body = db.execute("SELECT body FROM drafts WHERE id = ?", (a,)).fetchone()[0]
    db.execute("UPDATE drafts SET body = ? WHERE id = ?", (body, b))
    db.commit()
    db.close()
    with Vault.open(path) as vault, pytest.raises(VaultDamaged):
        vault.get(b)


def test_forget_removes_files_and_key(path: Path, memory_keyring) -> None:
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
        assert memory_keyring.entries
        forget(path)
    assert not memory_keyring.entries
    assert list(path.parent.iterdir()) == []
    with Vault.open(path) as vault:  # a fresh, empty history with a new key
        assert vault.drafts() == []


def test_an_interrupted_creation_leaves_no_half_vault(path: Path, memory_keyring) -> None:
    path.parent.mkdir(parents=True)
    (path.parent / (path.name + ".new")).write_bytes(b"half written")
    with Vault.open(path) as vault:
        vault.save_draft("ok")
    assert not (path.parent / (path.name + ".new")).exists()


KILLED = r"""
import os, sys
from pathlib import Path
from draftrx.vault.store import Vault

vault = Vault.open(Path(sys.argv[1]), sys.argv[2])
for n in range(20):
    vault.save_draft(f"draft {n} " + "The asthma plan, rewritten. " * 100)
os._exit(0)  # killed: no close, so the newest pages stay in the -wal
"""


def killed_session(path: Path) -> None:
    """A history as a killed session leaves it: main file, -wal and -shm, written by SQLite."""
    subprocess.run([sys.executable, "-c", KILLED, str(path), PASS], check=True, timeout=60)
    assert {p.name for p in path.parent.iterdir()} == {path.name + s for s in ("", "-wal", "-shm")}
    assert path.with_name(path.name + "-wal").stat().st_size > 0


@pytest.mark.parametrize("refusal", ["wrong passphrase", "no passphrase", "damaged file"])
def test_a_refused_open_leaves_all_three_files_as_they_were(path: Path, no_keyring,
                                                            refusal: str) -> None:  # fmt: skip
    """Closing SQLite's last connection checkpoints the log into the main file and deletes
    -wal and -shm; a refused open must not, or a hand recovery loses what the log held."""
    killed_session(path)
    if refusal == "damaged file":  # the pages past the header (the key record among them)
        raw = path.read_bytes()
        path.write_bytes(raw[:100] + os.urandom(len(raw) - 100))
    before = digest(path.parent)
    error = {"wrong passphrase": WrongPassphrase, "no passphrase": NeedsPassphrase,
             "damaged file": VaultDamaged}[refusal]  # fmt: skip
    for _ in range(2):
        with pytest.raises(error):
            Vault.open(path, {"wrong passphrase": "not the passphrase", "no passphrase": None,
                              "damaged file": PASS}[refusal])  # fmt: skip
        assert digest(path.parent) == before
    if refusal != "damaged file":
        with Vault.open(path, PASS) as vault:  # and the log's drafts are all there
            assert len(vault.drafts()) == 20


def test_doctor_reads_a_killed_sessions_history_without_changing_it(
    path: Path, no_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`draftrx doctor` counts the drafts; plain `mode=ro` would rewrite the -shm."""
    from draftrx import doctor

    killed_session(path)
    before = digest(path.parent)
    monkeypatch.setattr(doctor, "default_path", lambda: path)
    assert doctor._history()["state"].startswith("20 drafts")
    assert digest(path.parent) == before


def set_meta(path: Path, name: str, value: bytes | None) -> None:
    """Change one row of the clear key record, as a damaged disk or a bad copy would."""
    db = sqlite3.connect(path)
    if value is None:
        db.execute("DELETE FROM meta WHERE name = ?", (name,))
    else:
        db.execute("UPDATE meta SET value = ? WHERE name = ?", (value, name))
    db.commit()
    db.close()


def meta_row(path: Path, name: str) -> bytes:
    db = sqlite3.connect(path)
    value = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()[0]
    db.close()
    return value


def flipped(value: bytes) -> bytes:
    return value[:-1] + bytes([value[-1] ^ 1])


RECORD_DAMAGE = {
    "no scrypt row": ("scrypt", lambda v: None),
    "no wrapped key": ("wrapped_key", lambda v: None),
    "scrypt n 2^30": ("scrypt", lambda v: v.replace(b'"n": 32768', b'"n": 1073741824')),
    "scrypt r 2^40": ("scrypt", lambda v: v.replace(b'"r": 8', b'"r": 1099511627776')),
    "scrypt n not a power of 2": ("scrypt", lambda v: v.replace(b'"n": 32768', b'"n": 1000')),
    "scrypt not JSON": ("scrypt", lambda v: v[:-3]),
    "scrypt a list": ("scrypt", lambda v: b"[1, 2]"),
    "salt not hex": ("scrypt", lambda v: v.replace(b'"salt": "', b'"salt": "zz')),
    "unknown key source": ("key_source", lambda v: b"post-it"),
    "vault id not text": ("vault_id", lambda v: b"\xff\xfe"),
    "flipped wrapped key": ("wrapped_key", flipped),
    "flipped check": ("check", flipped),
}


@pytest.mark.parametrize("damage", RECORD_DAMAGE)
def test_a_damaged_key_record_is_named_and_left_as_it_is(path: Path, no_keyring,
                                                         damage: str) -> None:  # fmt: skip
    with Vault.open(path, PASS) as vault:
        vault.save_draft(DRAFT)
    name, change = RECORD_DAMAGE[damage]
    set_meta(path, name, change(meta_row(path, name)))
    before = digest(path.parent)
    with pytest.raises(VaultDamaged) as err:
        Vault.open(path, PASS)
    message = str(err.value)
    assert "the history's key record is damaged" in message and str(path) in message
    assert digest(path.parent) == before


@pytest.mark.parametrize("row", ["check", "vault_id"])
def test_a_damaged_record_is_not_blamed_on_the_keyring(path: Path, memory_keyring,
                                                       row: str) -> None:  # fmt: skip
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
    set_meta(path, row, flipped(meta_row(path, row)))
    with pytest.raises(VaultDamaged, match="key record is damaged"):
        Vault.open(path)


def test_a_wrong_passphrase_is_not_called_damage(path: Path, no_keyring) -> None:
    """The record's digest tells the two apart; a history made before it gets one at unlock."""
    with Vault.open(path, PASS) as vault:
        vault.save_draft(DRAFT)
    with pytest.raises(WrongPassphrase):
        Vault.open(path, PASS + "!")
    set_meta(path, "key_digest", None)  # as a history written by an earlier release
    with pytest.raises(WrongPassphrase):
        Vault.open(path, PASS + "!")
    Vault.open(path, PASS).close()
    set_meta(path, "wrapped_key", flipped(meta_row(path, "wrapped_key")))
    with pytest.raises(VaultDamaged, match="key record is damaged"):
        Vault.open(path, PASS)


HOT_JOURNAL = r"""
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=DELETE")
db.execute("BEGIN IMMEDIATE")
db.execute("CREATE TABLE IF NOT EXISTS t (x)")
db.execute("INSERT INTO t VALUES (randomblob(100000))")
os._exit(0)  # killed mid-transaction: SQLite's rollback journal stays behind
"""


def test_forget_removes_rollback_journals(path: Path, memory_keyring) -> None:
    """A kill while a history is being created leaves history.sqlite3.new-journal; a tool
    that wrote to it in rollback mode leaves history.sqlite3-journal. Forget takes both."""
    with Vault.open(path) as vault:
        vault.save_draft(DRAFT)
    fresh = path.with_name(path.name + ".new")
    for target in (path, fresh):
        subprocess.run([sys.executable, "-c", HOT_JOURNAL, str(target)], check=True, timeout=60)
    names = {p.name for p in path.parent.iterdir()}
    assert {path.name + "-journal", fresh.name + "-journal"} <= names
    forget(path)
    assert list(path.parent.iterdir()) == []


def test_a_server_key_is_sealed_bound_to_its_name_and_dropped(path: Path, no_keyring) -> None:
    """Where there is no keyring, a practice server's key is kept in the history, sealed
    with the history's key: never on disk as text, unreadable under another name."""
    secret = "sk-practice-0123456789"
    with Vault.open(path, "correct horse battery") as vault:
        vault.put_secret("server-key-a", secret)
        vault.put_secret("server-key-b", "another")
        vault.autosave("still works beside it", None)  # the history's own writes go on
    assert secret.encode() not in on_disk(path.parent)
    db = sqlite3.connect(path)
    with db:  # swap the two sealed values: each is bound to its own name
        a, b = (db.execute("SELECT value FROM meta WHERE name = ?", (n,)).fetchone()[0]
                for n in ("secret:server-key-a", "secret:server-key-b"))  # fmt: skip
        db.execute("UPDATE meta SET value = ? WHERE name = 'secret:server-key-a'", (b,))
    db.close()
    with Vault.open(path, "correct horse battery") as vault:
        with pytest.raises(VaultDamaged, match="server-key-a"):
            vault.secret("server-key-a")
        vault.put_secret("server-key-a", secret)
        assert vault.secret("server-key-a") == secret
        vault.drop_secret("server-key-a")
        assert vault.secret("server-key-a") is None
    assert a != b
