"""What encryption costs a save: the vault's autosave against the same SQLite transaction
with the text in clear, in one process, on the same 1,500-character drafts.

The window saves on its GUI thread, so a save must stay far below a frame's budget; the
in-process plaintext baseline keeps the ratio meaningful on a noisy shared machine.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from draftrx.vault.crypto import ScryptParams
from draftrx.vault.store import Vault

DRAFT_CHARS = 1500
PASS = "benchmark passphrase"


def run_vault_bench(rounds: int = 200) -> dict[str, Any]:
    texts = [(f"Draft {n}: " + "Controller inhalers calm the airways over weeks. " * 40)
             [:DRAFT_CHARS] for n in range(rounds)]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        plain = _plain_db(Path(folder) / "plain.sqlite3")
        t0 = time.perf_counter()
        vault = Vault.open(Path(folder) / "vault.sqlite3", PASS)
        create_s = time.perf_counter() - t0
        plain_ms, sealed_ms = [], []
        for text in texts:  # interleaved, so drift hits both alike
            plain_ms.append(_timed(lambda t=text: _plain_save(plain, t)))
            sealed_ms.append(_timed(lambda t=text: vault.autosave(t, None)))
        vault.close()
        plain.close()
        t0 = time.perf_counter()
        Vault.open(Path(folder) / "vault.sqlite3", PASS).close()
        unlock_s = time.perf_counter() - t0
    kdf = ScryptParams(salt=b"\0" * 16)
    t0 = time.perf_counter()
    kdf.derive(PASS)
    scrypt_s = time.perf_counter() - t0
    p50_plain, p50_sealed = statistics.median(plain_ms), statistics.median(sealed_ms)
    return {
        "draft_chars": DRAFT_CHARS,
        "rounds": rounds,
        "autosave_p50_ms": round(p50_sealed, 3),
        "autosave_max_ms": round(max(sealed_ms), 3),
        "plaintext_save_p50_ms": round(p50_plain, 3),
        "autosave_vs_plaintext": round(p50_sealed / p50_plain, 3),
        "create_s": round(create_s, 3),
        "unlock_passphrase_s": round(unlock_s, 3),
        "scrypt_s": round(scrypt_s, 3),
    }


def format_vault(r: dict[str, Any]) -> str:
    return (
        f"{'history autosave':<22} {r['draft_chars']} chars p50 {r['autosave_p50_ms']:.2f} ms   "
        f"max {r['autosave_max_ms']:.2f} ms   plaintext SQLite {r['plaintext_save_p50_ms']:.2f} ms"
        f"   ratio {r['autosave_vs_plaintext']:.2f}   passphrase unlock "
        f"{r['unlock_passphrase_s'] * 1000:.0f} ms (scrypt {r['scrypt_s'] * 1000:.0f} ms)"
    )


def _timed(save: Any) -> float:
    t0 = time.perf_counter()
    save()
    return (time.perf_counter() - t0) * 1000


def _plain_db(path: Path) -> sqlite3.Connection:
    """The same table shape, pragmas and transaction as the vault, minus the sealing."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA secure_delete=ON")
    db.execute("CREATE TABLE autosave (slot INTEGER PRIMARY KEY, updated REAL, draft_id "
               "INTEGER, body BLOB)")  # fmt: skip
    return db


def _plain_save(db: sqlite3.Connection, text: str) -> None:
    body = json.dumps({"text": text}).encode()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT OR REPLACE INTO autosave VALUES (1, ?, ?, ?)", (time.time(), None, body))
    db.execute("COMMIT")
