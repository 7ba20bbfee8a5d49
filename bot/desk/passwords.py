"""Password hashing with scrypt from the standard library, so the desk needs no extra dependency.

A hash is stored as `scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`: it carries its
own cost, so raising the cost in desk.yml never locks anyone out; old hashes
still verify and `needs_rehash` tells the caller to store a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
SALT_BYTES = 16
HASH_BYTES = 32


class PasswordTooShort(ValueError):
    pass


@dataclass(frozen=True)
class PasswordPolicy:
    """How new passwords are checked and hashed (desk.yml `password`)."""

    min_length: int = 12
    n: int = 2**14
    r: int = 8
    p: int = 1

    def check(self, password: str) -> str:
        """`password` if long enough for a new password, else PasswordTooShort; existing ones are not re-checked."""
        if len(password) < self.min_length:
            raise PasswordTooShort(
                f"the password must be at least {self.min_length} characters long (it has {len(password)})"
            )
        return password

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(SALT_BYTES)
        digest = _scrypt(password, salt, self.n, self.r, self.p)
        return "$".join([SCHEME, str(self.n), str(self.r), str(self.p), _b64(salt), _b64(digest)])

    def needs_rehash(self, encoded: str) -> bool:
        """True when `encoded` was made with other parameters than this policy's (or is not ours at all)."""
        parsed = _parse(encoded)
        return parsed is None or parsed[:3] != (self.n, self.r, self.p)


def verify(password: str, encoded: str) -> bool:
    """Whether `password` matches `encoded`; a malformed hash matches nothing."""
    parsed = _parse(encoded)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(expected)), expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES) -> bytes:
    # OpenSSL's default memory ceiling (32 MiB) is too low for r=8 once n reaches 2**15.
    maxmem = 2 * 128 * r * n * p + 1024 * 1024
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length)


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        return n, r, p, base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:  # binascii.Error is a ValueError
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
