"""Back-office passwords: scrypt with a random salt, compared in constant time.

Stored as ``scrypt$N$r$p$SALT$HASH`` (salt and hash in hex), so the cost can be
raised later and older hashes still check.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
_LENGTH = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024  # scrypt reads the whole password: a megabyte one would be a cheap attack


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=_LENGTH
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, N, R, P)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify(password: str, stored: str) -> bool:
    """True if ``password`` is the one ``stored`` was made from (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_LENGTH:
            return False
        found = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(found, bytes.fromhex(digest))
    except ValueError:
        return False


@functools.cache
def dummy_hash() -> str:
    """Checked when the email is unknown, so that an unknown account takes as long
    to refuse as a wrong password (the time does not tell which emails exist)."""
    return hash_password(secrets.token_hex(16))
