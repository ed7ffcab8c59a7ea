"""Staff PINs: scrypt with a per-PIN salt; trivial PINs refused."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import re

from ledger.errors import WeakPin

# ~16 MiB and a few tens of ms per check: slow for a guesser, quick at the counter.
_N, _R, _P = 2**14, 8, 1


def check_pin_strength(pin: str) -> None:
    if not re.fullmatch(r"[0-9]{4,8}", pin or ""):
        raise WeakPin("A PIN is 4 to 8 digits.")
    if len(set(pin)) == 1:
        raise WeakPin("A PIN of one repeated digit is too easy to guess: choose another.")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    if steps in ({1}, {-1}):
        raise WeakPin("A PIN of consecutive digits (like 1234) is too easy to guess.")
    if pin in {"1212", "6969", "1122", "2580", "0852", "1004", "2000"}:
        raise WeakPin("That PIN is among the most guessed: choose another.")


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(digest) // 2,
    )
    return hmac.compare_digest(candidate.hex(), digest)
