"""Shared fixtures. Model tests use the real default GGUF; deselect them with -m 'not model'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties


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


@pytest.fixture(scope="session", autouse=True)
def offline_guard() -> None:
    """The whole suite runs under the app's offline guard: nothing it loads may reach out."""
    from draftrx.vault import guard

    guard.install()


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps entries in a dict: the real `keyring` API, no OS store.

    Its priority raises so keyring never picks it by itself; tests set it explicitly.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("only for tests that ask for it")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError(username)
        del self.entries[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A working keyring for one test (this machine has no OS keyring backend)."""
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No keyring backend, as on headless Linux: the vault must ask for a passphrase."""
    before = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user data folder (drafts history, models) in a fresh folder for each test."""
    folder = tmp_path / "data"
    monkeypatch.setenv("DRAFTRX_DATA_DIR", str(folder))
    return folder
