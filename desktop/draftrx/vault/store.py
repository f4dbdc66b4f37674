"""The drafts history: one SQLite file, every text in it sealed with AES-GCM.

SQLite's write-ahead log makes each save one atomic transaction, so a crash or a kill at
any moment leaves the last committed state readable. Only ids, timestamps and the key's
metadata are stored in clear. Deleted rows are zeroed (secure_delete) and the log is
truncated after a delete, so removed ciphertext does not linger in the file either.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from draftrx import paths
from draftrx.vault import keys
from draftrx.vault.crypto import ScryptParams, Unreadable, new_key, seal, unseal
from draftrx.vault.errors import KeyMissing, NeedsPassphrase, VaultDamaged, WrongPassphrase

SCHEMA_VERSION = 1
MIN_PASSPHRASE = 8
TITLE_CHARS = 80
_SIDE_FILES = ("-wal", "-shm", "-journal", ".new", ".new-journal")
_KEY_ROWS = ("vault_id", "key_source", "scrypt", "wrapped_key", "check")  # the key record

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE drafts (id INTEGER PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL,
                     body BLOB NOT NULL);
CREATE TABLE rewrites (id INTEGER PRIMARY KEY,
                       draft_id INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
                       created REAL NOT NULL, body BLOB NOT NULL);
CREATE TABLE autosave (slot INTEGER PRIMARY KEY CHECK (slot = 1), updated REAL NOT NULL,
                       draft_id INTEGER, body BLOB NOT NULL);
"""


def default_path() -> Path:
    return paths.data_dir() / "history.sqlite3"


@dataclass(frozen=True)
class Summary:
    """One line of the history list. `title` is None when the row cannot be decrypted."""

    id: int
    created: float
    updated: float
    title: str | None
    rewrites: int

    @property
    def shown_title(self) -> str:
        return self.title if self.title is not None else "(damaged: cannot be decrypted)"


@dataclass
class Item:
    """A draft and every rewrite made from it, oldest first."""

    id: int
    created: float
    updated: float
    text: str
    rewrites: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Autosaved:
    updated: float
    draft_id: int | None
    text: str


class Vault:
    """An unlocked history. Open with Vault.open(); one connection, used by one thread."""

    def __init__(self, db: sqlite3.Connection, path: Path, key: bytes, source: str) -> None:
        self._db = db
        self._key = key
        self.path = path
        self.source = source  # "keyring" or "passphrase"

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, passphrase: str | None = None) -> Vault:
        """Open the history at `path`, creating it when there is none.

        A new vault keeps its key in the OS keyring; without a usable keyring it needs a
        passphrase (NeedsPassphrase). An existing file is only read until it has been
        checked and unlocked, so every error leaves it exactly as it was.
        """
        path = path or default_path()
        if not path.exists():
            return cls._create(path, passphrase)
        db = connect_read_only(path)
        try:
            meta = _read_meta(db, path)
        finally:
            db.close()
        record = _KeyRecord.read(meta, path)
        key = _unlock(record, passphrase, path)
        _check_key(key, record, path)
        db = _connect(path, create=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if not record.intact:  # the key opened it, so the record is sound: (re)write its
                # digest. Only a diagnosis aid: if the file is busy, the next open tries again.
                with contextlib.suppress(sqlite3.OperationalError):
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('key_digest', ?)",
                               (_key_digest(meta),))  # fmt: skip
        except BaseException:
            db.close()
            raise
        return cls(db, path, key, record.source)

    @classmethod
    def _create(cls, path: Path, passphrase: str | None) -> Vault:
        vault_id = uuid.uuid4().hex
        key = new_key()
        meta: dict[str, bytes] = {"schema": str(SCHEMA_VERSION).encode(),
                                  "vault_id": vault_id.encode()}  # fmt: skip
        if passphrase is None:
            if not keys.usable():
                raise NeedsPassphrase(
                    "This computer has no system keyring (such as the macOS Keychain, Windows "
                    "Credential Manager or GNOME Keyring) that DraftRx can use, so it cannot keep "
                    "your history's key there. Choose a passphrase to encrypt the history "
                    "instead; it is never stored.",
                    new=True,
                )
            if not keys.store(vault_id, key):
                raise NeedsPassphrase(
                    f"The system keyring ({keys.friendly_name()}) did not keep the history's "
                    "key. Choose a passphrase to encrypt the history instead.",
                    new=True,
                )
            meta["key_source"] = b"keyring"
        else:
            if len(passphrase) < MIN_PASSPHRASE:
                raise ValueError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
            params = ScryptParams(salt=os.urandom(16))
            meta["key_source"] = b"passphrase"
            meta["scrypt"] = params.to_json()
            meta["wrapped_key"] = seal(params.derive(passphrase), key, f"key:{vault_id}")
        meta["check"] = seal(key, b"draftrx", f"check:{vault_id}")
        meta["key_digest"] = _key_digest(meta)
        # Built beside the target and renamed into place: a kill here leaves no half-made vault.
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(path.name + ".new")
        fresh.unlink(missing_ok=True)
        # Owner-only, like an SSH key: SQLite gives its side files the same permissions.
        os.close(os.open(fresh, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        db = _connect(fresh, create=True)
        try:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.execute("PRAGMA journal_mode=DELETE")
        finally:
            db.close()
        os.replace(fresh, path)
        db = _connect(path, create=False)
        db.execute("PRAGMA journal_mode=WAL")
        return cls(db, path, key, meta["key_source"].decode())

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- drafts -------------------------------------------------------------------------------

    def save_draft(self, text: str, draft_id: int | None = None) -> int:
        """Store the draft's current text; a new draft when `draft_id` is None or gone."""
        now = time.time()
        with self._transaction():
            if draft_id is not None and self._exists(draft_id):
                body = self._seal({"text": text}, "drafts", draft_id)
                self._db.execute("UPDATE drafts SET updated = ?, body = ? WHERE id = ?",
                                 (now, body, draft_id))  # fmt: skip
                return draft_id
            cur = self._db.execute("INSERT INTO drafts VALUES (NULL, ?, ?, x'')", (now, now))
            new_id = int(cur.lastrowid or 0)
            body = self._seal({"text": text}, "drafts", new_id)
            self._db.execute("UPDATE drafts SET body = ? WHERE id = ?", (body, new_id))
            return new_id

    def add_rewrite(self, draft_id: int, record: dict[str, Any]) -> int:
        """Store one rewrite (the draft as sent, settings, variants and their checks)."""
        with self._transaction():
            if not self._exists(draft_id):
                raise KeyError(draft_id)
            cur = self._db.execute(
                "INSERT INTO rewrites VALUES (NULL, ?, ?, x'')", (draft_id, time.time())
            )
            new_id = int(cur.lastrowid or 0)
            body = self._seal(record, "rewrites", new_id)
            self._db.execute("UPDATE rewrites SET body = ? WHERE id = ?", (body, new_id))
            return new_id

    def update_rewrite(self, rewrite_id: int, record: dict[str, Any]) -> None:
        """Replace a stored rewrite (an override reason given after it was saved)."""
        body = self._seal(record, "rewrites", rewrite_id)
        with self._transaction():
            self._db.execute("UPDATE rewrites SET body = ? WHERE id = ?", (body, rewrite_id))

    def drafts(self, query: str = "") -> list[Summary]:
        """Newest first. `query`: words that must all appear (any case) in the draft or in
        one of its rewrites; matched after decryption, since no index may hold the words."""
        words = query.casefold().split()
        rows = self._db.execute(
            "SELECT d.id, d.created, d.updated, d.body, COUNT(r.id) FROM drafts d "
            "LEFT JOIN rewrites r ON r.draft_id = d.id GROUP BY d.id ORDER BY d.updated DESC"
        ).fetchall()
        found = []
        for draft_id, created, updated, body, n in rows:
            text = self._try_open(body, "drafts", draft_id)
            if words and (text is None or not self._matches(draft_id, text, words)):
                continue
            found.append(Summary(draft_id, created, updated,
                                 None if text is None else _title(text), n))  # fmt: skip
        return found

    def get(self, draft_id: int) -> Item:
        row = self._db.execute(
            "SELECT created, updated, body FROM drafts WHERE id = ?", (draft_id,)
        ).fetchone()
        if row is None:
            raise KeyError(draft_id)
        item = Item(draft_id, row[0], row[1], self._open(row[2], "drafts", draft_id)["text"])
        for rid, created, body in self._db.execute(
            "SELECT id, created, body FROM rewrites WHERE draft_id = ? ORDER BY id", (draft_id,)
        ):
            record = self._open(body, "rewrites", rid)
            item.rewrites.append({"id": rid, "created": created, **record})
        return item

    def delete(self, draft_id: int) -> bool:
        with self._transaction():
            gone = self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,)).rowcount
            self._db.execute("DELETE FROM autosave WHERE draft_id = ?", (draft_id,))
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return bool(gone)

    # -- autosave -----------------------------------------------------------------------------

    def autosave(self, text: str, draft_id: int | None) -> None:
        """Keep the editor's text until a clean close; one slot, replaced each time."""
        body = self._seal({"text": text}, "autosave", 1)
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO autosave VALUES (1, ?, ?, ?)",
                             (time.time(), draft_id, body))  # fmt: skip

    def autosaved(self) -> Autosaved | None:
        """What was being written when the app last stopped without closing cleanly."""
        row = self._db.execute("SELECT updated, draft_id, body FROM autosave").fetchone()
        if row is None:
            return None
        text = self._try_open(row[2], "autosave", 1)
        return None if text is None else Autosaved(row[0], row[1], text)

    def clear_autosave(self) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM autosave")

    # -- secrets kept behind the history's key ---------------------------------------------

    def put_secret(self, name: str, value: str) -> None:
        """Keep a secret (a practice server's API key) sealed with the history's key, for
        computers without a keyring; bound to its name, so it cannot be swapped."""
        body = seal(self._key, value.encode(), f"secret:{name}")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"secret:{name}", body))

    def secret(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?",
                               (f"secret:{name}",)).fetchone()  # fmt: skip
        if row is None:
            return None
        try:
            return unseal(self._key, row[0], f"secret:{name}").decode()
        except Unreadable:
            raise VaultDamaged(f"The stored key for '{name}' is damaged; add it again.") from None

    def drop_secret(self, name: str) -> None:
        self._db.execute("DELETE FROM meta WHERE name = ?", (f"secret:{name}",))

    # -- internals ----------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _exists(self, draft_id: int) -> bool:
        return self._db.execute("SELECT 1 FROM drafts WHERE id = ?", (draft_id,)).fetchone() \
            is not None  # fmt: skip

    def _seal(self, value: dict[str, Any], table: str, row: int) -> bytes:
        return seal(self._key, json.dumps(value).encode(), f"{table}:{row}")

    def _open(self, body: bytes, table: str, row: int) -> dict[str, Any]:
        try:
            return json.loads(unseal(self._key, body, f"{table}:{row}"))
        except Unreadable:
            raise VaultDamaged(
                f"Item {row} of the history ({table}) is damaged and cannot be decrypted; "
                "the other items are unaffected."
            ) from None

    def _try_open(self, body: bytes, table: str, row: int) -> str | None:
        try:
            return self._open(body, table, row)["text"]
        except VaultDamaged:
            return None

    def _matches(self, draft_id: int, text: str, words: list[str]) -> bool:
        haystack = self._searchable(draft_id, text)
        return all(w in haystack for w in words)

    def _searchable(self, draft_id: int, text: str) -> str:
        parts = [text]
        for rid, body in self._db.execute(
            "SELECT id, body FROM rewrites WHERE draft_id = ?", (draft_id,)
        ):
            try:
                parts.append(json.dumps(self._open(body, "rewrites", rid), ensure_ascii=False))
            except VaultDamaged:
                continue
        return "\n".join(parts).casefold()


def forget(path: Path | None = None) -> bool:
    """Delete the history file, its side files and its key in the keyring.

    Works on a damaged or locked file too: the physician asked for everything to go. False
    when the file was too damaged to name its keyring entry, which may then remain.
    """
    path = path or default_path()
    existed = path.exists()
    vault_id = _vault_id(path)
    if vault_id:
        keys.delete(vault_id)
    for p in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        p.unlink(missing_ok=True)
    return vault_id is not None or not existed


def _vault_id(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        db = connect_read_only(path)
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'vault_id'").fetchone()
        finally:
            db.close()
    except (VaultDamaged, sqlite3.DatabaseError):  # no id to read: no keyring entry to find
        return None
    return row[0].decode() if row else None


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that leaves the main file, -wal and -shm byte for byte as they were.

    Until the key is known good, SQLite may not checkpoint the log into the main file (it
    does when its last connection closes) nor rebuild the -shm index (the first one to open
    does): either spoils a hand recovery. Without a -wal the main file is complete and is read
    as immutable; with one, through a read-only index. A -wal copied without its -shm gets a
    new -shm; the main file and the log still stay as they were.
    """
    wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
    if not wal.exists():
        options = "immutable=1"
    elif shm.exists():
        options = "mode=ro&readonly_shm=1"
    else:
        options = "mode=ro"
    try:
        return sqlite3.connect(f"{path.as_uri()}?{options}", uri=True, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise VaultDamaged(_damaged(path, exc)) from None


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    mode = "rwc" if create else "rw"
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across crashes and kills
    except sqlite3.DatabaseError as exc:
        raise VaultDamaged(_damaged(path, exc)) from None
    return db


def _read_meta(db: sqlite3.Connection, path: Path) -> dict[str, bytes]:
    try:
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise VaultDamaged(_damaged(path, exc)) from None
    schema = meta.get("schema", b"0")
    if not (isinstance(schema, bytes) and schema.isdigit()):
        raise VaultDamaged(_damaged(path, "its format version is unreadable"))
    if int(schema) > SCHEMA_VERSION:
        raise VaultDamaged(
            f"The history at {path} was written by a newer DraftRx; update to open it."
        )
    return meta


def _key_digest(meta: dict[str, bytes]) -> bytes:
    """A checksum of the key record, to tell a damaged record from a wrong passphrase (both
    fail AES-GCM alike). Unkeyed: it diagnoses damage; the key's secrecy rests on the rest."""
    rows = {name: meta[name].hex() for name in _KEY_ROWS if name in meta}
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).digest()


@dataclass(frozen=True)
class _KeyRecord:
    """The clear rows that unlock the history, checked before any of them is used."""

    vault_id: str
    check: bytes
    wrap: tuple[ScryptParams, bytes] | None  # None: the key is in the keyring
    intact: bool | None  # the digest matches; None for a history made before digests

    @property
    def source(self) -> str:
        return "keyring" if self.wrap is None else "passphrase"

    @classmethod
    def read(cls, meta: dict[str, bytes], path: Path) -> _KeyRecord:
        try:
            if not all(isinstance(value, bytes) for value in meta.values()):
                raise ValueError("a row is not a blob")
            vault_id, source = meta["vault_id"].decode("ascii"), meta["key_source"]
            digest = meta.get("key_digest")
            intact = None if digest is None else digest == _key_digest(meta)
            if source == b"keyring":
                return cls(vault_id, meta["check"], None, intact)
            if source != b"passphrase":
                raise ValueError("unknown key source")
            wrap = (ScryptParams.from_json(meta["scrypt"]), meta["wrapped_key"])
            return cls(vault_id, meta["check"], wrap, intact)
        except (KeyError, ValueError):  # UnicodeDecodeError is a ValueError
            raise VaultDamaged(_record_damaged(path)) from None


def _unlock(record: _KeyRecord, passphrase: str | None, path: Path) -> bytes:
    if record.wrap is None:
        key = keys.load(record.vault_id)
        if key is None:
            if record.intact is False:  # a damaged id names the wrong keyring entry
                raise VaultDamaged(_record_damaged(path))
            raise KeyMissing(
                f"The key to the history at {path} should be in the system keyring "
                f"(service {keys.SERVICE!r}, entry {keys.entry(record.vault_id)!r}) and is not "
                f"there (keyring: {keys.friendly_name()}). The history is left untouched "
                "and opens again once that entry is back. Forget everything to start afresh."
            )
        return key
    if passphrase is None:
        raise NeedsPassphrase("Enter the passphrase that protects your drafts history.", new=False)
    params, wrapped = record.wrap
    try:
        return unseal(params.derive(passphrase), wrapped, f"key:{record.vault_id}")
    except Unreadable:
        if record.intact is False:
            raise VaultDamaged(_record_damaged(path)) from None
        raise WrongPassphrase(
            "That passphrase does not open the drafts history. Nothing was changed; try again."
        ) from None


def _check_key(key: bytes, record: _KeyRecord, path: Path) -> None:
    try:
        unseal(key, record.check, f"check:{record.vault_id}")
    except Unreadable:
        # A passphrase that unwrapped the key was right: then the check row is what is damaged.
        if record.intact is False or record.wrap is not None:
            raise VaultDamaged(_record_damaged(path)) from None
        raise KeyMissing(
            f"The key found for the history at {path} does not open it (the keyring entry "
            "was replaced, or the file's key record is damaged). The history is left untouched."
        ) from None


def _record_damaged(path: Path) -> str:
    return (
        f"The drafts history at {path} cannot be unlocked because the history's key record is "
        "damaged; DraftRx leaves the file as it is and saves nothing until it is moved away or "
        "you forget everything."
    )


def _damaged(path: Path, why: object) -> str:
    return (
        f"The drafts history at {path} cannot be read ({why}). DraftRx leaves the file as it "
        "is and saves nothing until it is moved away or you forget everything."
    )


def _title(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"
