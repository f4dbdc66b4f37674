"""The OS keyring: where the vault's key lives when the system has one.

keyring picks the backend (macOS Keychain, Windows Credential Locker, Secret Service on
Linux). Headless Linux often has none; then the vault asks for a passphrase instead and
never stores the key beside the data.
"""

from __future__ import annotations

import base64
import contextlib

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "DraftRx"


def backend() -> KeyringBackend:
    return keyring.get_keyring()


def backend_name() -> str:
    b = backend()
    return f"{type(b).__module__}.{type(b).__name__}"


_FRIENDLY = {"macOS": "macOS Keychain", "Windows": "Windows Credential Manager",
             "SecretService": "Secret Service: GNOME Keyring or KWallet", "kwallet": "KWallet",
             "libsecret": "GNOME Keyring"}  # fmt: skip


def friendly_name() -> str:
    """The keyring in words a physician knows; `backend_name()` is for `doctor`."""
    module = type(backend()).__module__.rsplit(".", 1)[-1]
    return _FRIENDLY.get(module, "none found" if not usable() else "a third-party keyring")


def usable() -> bool:
    """False for keyring's fail backend and for a chainer with nothing to chain."""
    b = backend()
    if type(b).__module__ == "keyring.backends.fail":
        return False
    chained = getattr(b, "backends", None)
    return chained is None or bool(chained)


def entry(vault_id: str) -> str:
    return f"vault-key-{vault_id}"


def load(vault_id: str) -> bytes | None:
    """The key, or None when the keyring has no entry (or no backend)."""
    value = load_text(entry(vault_id))
    return base64.b64decode(value) if value else None


def store(vault_id: str, key: bytes) -> bool:
    """Save the key and read it back: some backends accept a write and keep nothing."""
    return store_text(entry(vault_id), base64.b64encode(key).decode())


def delete(vault_id: str) -> None:
    delete_text(entry(vault_id))


def load_text(name: str) -> str | None:
    """A secret kept under `name`, or None when there is none (or no backend)."""
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError:
        return None


def store_text(name: str, value: str) -> bool:
    """Keep a secret under `name` and read it back; False when the keyring did not keep it."""
    try:
        keyring.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError:
        return False
    return load_text(name) == value


def delete_text(name: str) -> None:
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, name)
