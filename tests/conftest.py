"""Shared fixtures. Model tests use the real default GGUF; deselect them with -m 'not model'."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def default_model_path() -> Path:
    """The default model, assembled into the user cache once (as the app does)."""
    from draftrx.engine.models import default_model

    return default_model().ensure()


@pytest.fixture(scope="session")
def engine(default_model_path: Path):
    """One engine for the session: tests run on the main thread, which owns it."""
    from draftrx.engine import Engine, EngineConfig

    with Engine(EngineConfig(default_model_path, n_ctx=2048)) as eng:
        yield eng


@pytest.fixture
def header_copy(default_model_path: Path, tmp_path: Path):
    """Make a file with the default model's header, sparse-extended to `size` bytes.

    Checks that run before llama.cpp loads anything see a realistic header, and no gigabytes
    are written to disk.
    """
    from draftrx.engine.gguf import read_gguf

    header_len = read_gguf(default_model_path).data_offset

    def make(size: int, patch: tuple[bytes, bytes] | None = None) -> Path:
        path = tmp_path / "copy.gguf"
        with default_model_path.open("rb") as src:
            header = src.read(header_len)
        if patch:
            assert header.count(patch[0]) == 1 and len(patch[0]) == len(patch[1])
            header = header.replace(*patch)
        with path.open("wb") as out:
            out.write(header)
            out.truncate(size)
        return path

    return make


@pytest.fixture
def model_prefix(default_model_path: Path, tmp_path: Path):
    """Copy the first `n` bytes of the default model (a truncated download)."""

    def make(n: int) -> Path:
        path = tmp_path / "truncated.gguf"
        with default_model_path.open("rb") as src, path.open("wb") as out:
            out.write(src.read(n))
        return path

    return make


@pytest.fixture(scope="session")
def scanner():
    """One privacy scanner for the session (loading spaCy and the dictionaries takes a second)."""
    from draftrx.privacy.scanner import Scanner

    s = Scanner()
    s.warm()
    return s
