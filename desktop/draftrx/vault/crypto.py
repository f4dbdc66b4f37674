"""AES-256-GCM for every stored text, and scrypt for passphrase-protected keys.

Each sealed value is bound to its place (table and row) through the associated data, so
rows cannot be swapped or replayed elsewhere in the file without failing to open.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = b"\x01"  # first byte of every sealed value: the layout below
NONCE_BYTES = 12
KEY_BYTES = 32
SCRYPT_MAX_MEMORY = 2**30  # bytes (128 * n * r): what a stored record may ask of the machine
SCRYPT_MAX_WORK = 2**24  # n * r * p: 64 times today's cost, a few seconds


class Unreadable(Exception):
    """Wrong key, or the bytes were changed."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, plaintext: bytes, place: str) -> bytes:
    """FORMAT + random nonce + ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, place.encode())


def unseal(key: bytes, sealed: bytes, place: str) -> bytes:
    if len(key) != KEY_BYTES or len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT:
        raise Unreadable(place)
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, place.encode())
    except InvalidTag:
        raise Unreadable(place) from None


@dataclass(frozen=True)
class ScryptParams:
    """Stored beside the wrapped key, so a later release can raise the cost."""

    salt: bytes
    n: int = 2**15  # about 32 MB and 0.1 s here: cheap once per start, costly per guess
    r: int = 8
    p: int = 1

    @classmethod
    def from_json(cls, raw: bytes) -> ScryptParams:
        """Read stored parameters. ValueError unless they are well formed and within the
        bounds above: a damaged record must not exhaust the machine's memory or time."""
        try:
            fields = json.loads(raw)
            salt, n, r, p = (fields[k] for k in ("salt", "n", "r", "p"))
            params = cls(bytes.fromhex(salt), n, r, p)
        except (KeyError, TypeError, ValueError, RecursionError):
            raise ValueError("unreadable scrypt parameters") from None
        if not (
            all(type(v) is int and v >= 1 for v in (n, r, p))
            and n >= 2
            and n & (n - 1) == 0
            and 128 * n * r <= SCRYPT_MAX_MEMORY
            and n * r * p <= SCRYPT_MAX_WORK
            and len(params.salt) >= 16
        ):
            raise ValueError("scrypt parameters out of bounds")
        return params

    def to_json(self) -> bytes:
        return json.dumps({"salt": self.salt.hex(), "n": self.n, "r": self.r,
                           "p": self.p}).encode()  # fmt: skip

    def derive(self, passphrase: str) -> bytes:
        kdf = Scrypt(salt=self.salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p)
        return kdf.derive(passphrase.encode("utf-8"))
