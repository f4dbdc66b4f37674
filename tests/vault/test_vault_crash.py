"""Killed in the middle of saving (SIGKILL, no cleanup), the history still opens and holds
the last save the process finished."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from draftrx.vault.store import Vault

PASS = "correct horse battery"
WRITER = r"""
import os, sys
from pathlib import Path
from draftrx.vault.store import Vault

vault = Vault.open(Path(sys.argv[1]), os.environ["PASS"])
n, draft_id = int(sys.argv[2]), None
filler = "The patient's asthma plan, rewritten again. " * 300  # spans several pages
while True:
    vault.autosave(f"autosave {n} {filler}", draft_id)
    if n % 3 == 0:
        draft_id = vault.save_draft(f"draft {n} {filler}", draft_id)
    print(n, flush=True)
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_sigkill_during_autosaves_in_a_loop(tmp_path: Path, no_keyring) -> None:
    path = tmp_path / "history.sqlite3"
    Vault.open(path, PASS).close()
    rng = random.Random(6)
    env = {**os.environ, "PASS": PASS}
    n = 0
    for _ in range(12):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)],
                                 stdout=subprocess.PIPE, env=env, text=True)  # fmt: skip
        done = []
        for _ in range(rng.randint(3, 40)):
            line = child.stdout.readline()
            assert line, "the writer stopped by itself"
            done.append(int(line))
        time.sleep(rng.uniform(0, 0.004))  # land anywhere inside the next save
        child.send_signal(signal.SIGKILL)
        child.wait()
        done += [int(line) for line in child.stdout.read().split()]  # printed, not yet read
        child.stdout.close()
        last = done[-1]

        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        with Vault.open(path, PASS) as vault:
            saved = vault.autosaved()
            assert saved is not None
            got = int(saved.text.split()[1])
            assert got in (last, last + 1), (got, last)  # the save in flight may have landed
            newest = vault.drafts()[0]
            assert newest.title.startswith("draft ")
            # Drafts are saved after every third autosave: the newest is at most one behind.
            draft = int(newest.title.split()[1])
            assert draft % 3 == 0 and got - 3 <= draft <= got, (draft, got)
        n = got + 1
