"""Staff PINs: scrypt with a per-PIN salt over an HMAC keyed with a secret
pepper; trivial PINs refused.

A 4-digit PIN has only 10,000 values, so no hash of it survives an offline
guesser on its own: with plain scrypt a copied ledger gave a supervisor's PIN
away in minutes. The pepper lives in the 0600 secrets file beside the ledger
(``<db>.secrets``, never in the database), so the file alone checks no PIN.

Stored forms: ``scrypt-hmac$N$r$p$salt$digest`` (peppered) and the older
``scrypt$N$r$p$salt$digest``, still accepted and upgraded at the next right PIN.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import secrets
from pathlib import Path

from ledger.errors import SecretsError, WeakPin
from ledger.secrets import read_secrets, write_secrets  # one format for the secrets file

# ~16 MiB and a few tens of ms per check: slow for a guesser, quick at the counter.
SCRYPT_N = 2**14
_R, _P = 8, 1
PEPPERED = "scrypt-hmac"
LEGACY = "scrypt"
PEPPER_KEY = "pin_pepper"


def check_pin_strength(pin: str) -> None:
    if not re.fullmatch(r"[0-9]{4,8}", pin or ""):
        raise WeakPin(key="weak_pin.length")
    if len(set(pin)) == 1:
        raise WeakPin(key="weak_pin.repeated")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    if steps in ({1}, {-1}):
        raise WeakPin(key="weak_pin.sequence")
    if pin in {"1212", "6969", "1122", "2580", "0852", "1004", "2000"}:
        raise WeakPin(key="weak_pin.common")


def _peppered(pin: str, pepper: bytes) -> bytes:
    # surrogateescape: a PIN with bytes that are not UTF-8 is a wrong PIN, not a crash.
    return hmac.new(pepper, pin.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()


def hash_pin(pin: str, pepper: bytes) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_peppered(pin, pepper), salt=salt, n=SCRYPT_N, r=_R, p=_P, dklen=32)
    return f"{PEPPERED}${SCRYPT_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def needs_pepper(stored: str) -> bool:
    return stored.startswith(PEPPERED + "$")


def needs_upgrade(stored: str) -> bool:
    """An older form (no pepper, or weaker scrypt): rehash at the next right PIN."""
    parts = stored.split("$")
    return parts[0] != PEPPERED or len(parts) != 6 or int(parts[1]) < SCRYPT_N


def pin_matches(pin: str, stored: str, pepper: bytes | None) -> bool:
    """``pepper`` must be given for a peppered hash (see :func:`needs_pepper`)."""
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme == PEPPERED:
        if pepper is None:
            raise ValueError("a peppered PIN hash needs the pepper")
        secret = _peppered(pin, pepper)
    elif scheme == LEGACY:
        secret = pin.encode("utf-8", "surrogateescape")
    else:
        return False
    candidate = hashlib.scrypt(
        secret,
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(digest) // 2,
    )
    return hmac.compare_digest(candidate.hex(), digest)


def read_pepper(path: Path) -> bytes | None:
    """The pepper from the secrets file, None when the file or the key is absent."""
    value = read_secrets(path).get(PEPPER_KEY)
    if not value:
        return None
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise SecretsError(
            f"The secrets file {path} is damaged (its PIN key is not readable): "
            "restore it from a backup."
        ) from None


def add_pepper(path: Path) -> bytes:
    """Add a new pepper to the secrets file (keeping every other key). The
    caller holds the ledger's write lock, so two processes cannot both add one."""
    body = read_secrets(path)
    if body.get(PEPPER_KEY):
        return bytes.fromhex(str(body[PEPPER_KEY]))
    pepper = secrets.token_bytes(32)
    body[PEPPER_KEY] = pepper.hex()
    write_secrets(path, body)
    return pepper
