"""A model file's first load runs in a child process, so a file llama.cpp crashes on is
refused in one sentence instead of taking the app down.

llama.cpp answers some bad values with GGML_ASSERT, which aborts the whole process with no
message. gguf.check_hparams refuses the values every architecture asserts on, but each
architecture has asserts of its own (and a new llama.cpp brings more), some of which fire
only when the first token is computed. Only a real load proves a file safe. So a file not
proven before is loaded once in a child, with the settings the app will use: the model, the
context, one decoded token. A stamp in the cache remembers a file that passed (its path,
size and modification time, the settings but threads, and the llama.cpp version), so a
model costs one extra load in its lifetime, not one per start.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import llama_cpp

from draftrx import paths
from draftrx.engine.errors import ModelLoadError

FLAG = "--trial-load"  # how a frozen app (packaging/) is told to be the child
# What the child prints last: proven, or refused by llama.cpp in words (an exception), in
# which case the real load refuses it with its own message. Anything else is a crash;
# exit codes cannot tell, since abort() exits with 3 on Windows.
_RAN, _REFUSED = "trial: ran", "trial: refused"
# The trial itself failed in Python (an uncaught exception exits 1): no verdict on the file,
# whose real load then speaks for itself. An abort exits -6 (POSIX) or 3 (Windows).
_PYTHON_FAILED = 1
# A load reads the weights once; a first decode touches them all. Slow disks read ~100 MB/s.
_BASE_S = 60.0
_PER_GIB_S = 20.0


def ensure_runs(path: Path, settings: dict[str, Any]) -> None:
    """Return if `path` loads and decodes with these `Llama` settings (proven now or
    before); raise ModelLoadError if llama.cpp crashed on it or never finished."""
    stamp = _stamp(path, settings)
    if stamp.exists():
        return
    timeout = _BASE_S + _PER_GIB_S * path.stat().st_size / 2**30
    try:
        child = subprocess.run([*_command(), str(path), json.dumps(settings)],
                               capture_output=True, text=True, timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise ModelLoadError(
            f"llama.cpp did not finish loading {path.name} in {timeout:.0f} seconds on a trial "
            "run; choose another model, or copy this one to a faster disk."
        ) from None
    said = child.stdout.strip().splitlines()[-1:]
    if said == [_RAN]:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    elif said != [_REFUSED] and child.returncode != _PYTHON_FAILED:  # an abort, a crash
        raise ModelLoadError(
            f"llama.cpp crashed on a trial load of {path.name}, whose settings this version "
            "of llama.cpp cannot run; choose another model or a newer DraftRx."
        )


def _command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, FLAG]
    return [sys.executable, "-c", "import sys; from draftrx.engine.trial import main; "
            "main(sys.argv[1:])"]  # fmt: skip


def _stamp(path: Path, settings: dict[str, Any]) -> Path:
    st = path.stat()
    kept = {k: v for k, v in settings.items() if not k.startswith("n_threads")}
    key = json.dumps([str(path.resolve()), st.st_size, st.st_mtime_ns, kept,
                      llama_cpp.__version__], sort_keys=True)  # fmt: skip
    return paths.cache_dir() / "trial-loads" / hashlib.sha256(key.encode()).hexdigest()


def main(args: list[str]) -> None:
    """The child: load, make the app's multi-sequence context, decode one token. It is
    given no draft and llama.cpp opens no sockets (tests/vault/test_guard.py). Its stderr
    (llama.cpp's log and, on an abort, a backtrace) is dropped by the parent, which says
    what happened in words."""
    from draftrx.engine.sequences import unified_context

    path, settings = args[0], json.loads(args[1])
    try:
        llm = llama_cpp.Llama(model_path=path, verbose=False, **settings)
        unified_context(llm)
        llm.eval([max(llm.token_bos(), 0)])
    except Exception:  # llama.cpp refused it in words
        print(_REFUSED, flush=True)
        return
    print(_RAN, flush=True)
