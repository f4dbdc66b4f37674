"""Why the drafts history cannot be opened, each with a message a physician can act on.

Every one of these leaves the history's files (main, -wal, -shm) exactly as they were.
"""

from __future__ import annotations


class VaultError(Exception):
    """The history cannot be used now; the message says why and what to do."""


class NeedsPassphrase(VaultError):
    """No keyring holds the key: a passphrase must be given (`new`: to create the vault)."""

    def __init__(self, message: str, new: bool) -> None:
        super().__init__(message)
        self.new = new


class WrongPassphrase(VaultError):
    pass


class KeyMissing(VaultError):
    """The vault's key should be in the keyring and is not (or the keyring is gone)."""


class VaultDamaged(VaultError):
    """The file is not a readable DraftRx history."""
