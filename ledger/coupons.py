"""Coupon codes and their signed payloads.

A coupon has a short human code (``K7QM-2XPA``) and a payload for the QR:
``LPC1:K7QM2XPA:COFFEE:20261222:<signature>``. The signature is an HMAC with
the chain's coupon key, which lives outside the database file.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from ledger.db import make_private_dir
from ledger.errors import SecretsError, SecretsMissing, SecretsUnavailable

PREFIX = "LPC1"
# Crockford base32: no I, L, O, U, so codes read aloud are unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str:
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans("OIL", "011"))


def _signature(key: bytes, body: str) -> str:
    mac = hmac.new(key, body.encode(), sha256).digest()[:15]
    return base64.b32encode(mac).decode()


def sign(key: bytes, code: str, reward_id: str, expires_yyyymmdd: str) -> str:
    body = f"{PREFIX}:{code}:{reward_id}:{expires_yyyymmdd}"
    return f"{body}:{_signature(key, body)}"


@dataclass(frozen=True)
class Payload:
    code: str
    reward_id: str
    expires: str
    genuine: bool


def looks_like_payload(text: str) -> bool:
    return text.strip().upper().startswith(PREFIX + ":")


def read_payload(keys: bytes | list[bytes], text: str) -> Payload | None:
    """Parse a scanned payload; ``None`` if it is not one at all. Genuine when
    any of ``keys`` signed it (a terminal that joined a chain keeps the key
    its earlier coupons were signed with)."""
    parts = text.strip().split(":")
    if len(parts) != 5 or parts[0].upper() != PREFIX:
        return None
    _, code, reward_id, expires, signature = parts
    body = ":".join(parts[:4])
    candidates = [keys] if isinstance(keys, bytes) else keys
    genuine = any(
        hmac.compare_digest(_signature(key, body), signature.upper()) for key in candidates
    )
    return Payload(code.upper(), reward_id, expires, genuine)


def previous_keys(path: Path) -> list[bytes]:
    """Keys that signed this terminal's coupons before it joined a chain."""
    try:
        body = json.loads(path.read_text())
        return [bytes.fromhex(k) for k in body.get("previous_keys", [])]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def default_secrets_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".secrets")


def check_secrets_file(path: Path) -> None:
    """Refuse a secrets file that is not a plain file (a folder, a device): a
    clear message instead of a misleading "chmod 600" or a crash later."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SecretsUnavailable(
            f"The secrets file {path} cannot be checked ({exc.strerror}): check the folder's "
            "permissions, then run the command again."
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise SecretsError(
            f"The secrets file {path} is a folder, not a file: something replaced it. Nothing "
            "was changed. Move the folder away and put the secrets file back from a backup "
            "(or, on a terminal that joined head office, get a new setup code and run "
            "'pos join' again)."
        )
    if not stat.S_ISREG(info.st_mode):
        raise SecretsError(
            f"The secrets file {path} is not a plain file: put the secrets file back from a "
            "backup. Nothing was changed."
        )
    if info.st_size > MAX_SECRETS_BYTES:
        raise SecretsError(too_large_message(path, info.st_size))


# A secrets file holds a few keys and a token (a few KB even with every earlier
# key): anything near this is not one, and reading it whole could exhaust memory.
MAX_SECRETS_BYTES = 1024 * 1024


def too_large_message(path: Path, size: int) -> str:
    return (
        f"The secrets file {path} is {size:,} bytes, far more than a secrets file holds: it "
        "is damaged or was replaced. Nothing was changed. Put the secrets file back from a "
        "backup (or, on a terminal that joined head office, get a new setup code and run "
        "'pos join' again)."
    )


def load_or_create_key(path: Path, *, create: bool) -> bytes:
    """Read the coupon key from ``path`` (0600); create it when allowed."""
    check_secrets_file(path)
    if not path.exists():
        if not create:
            raise SecretsMissing(
                f"The coupon key file {path} is missing, so coupons cannot be checked: "
                "restore it from a backup (or from head office)."
            )
        _create_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretsUnavailable(
            f"The coupon key file {path} can be read by other users (mode {mode:o}): "
            f"run 'chmod 600 {path}' and try again."
        )
    try:
        return bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["coupon_key"])
    except OSError as exc:
        raise SecretsUnavailable(
            f"The coupon key file {path} cannot be read ({exc.strerror}): check its "
            "permissions, then run the command again. Nothing was changed."
        ) from None
    except (ValueError, KeyError, TypeError):
        raise SecretsError(
            f"The coupon key file {path} is damaged: restore it from a backup."
        ) from None


def _create_key_file(path: Path) -> None:
    """A new key, 0600 from the first byte whatever the umask; a half-written
    file (disk full) is removed so the next try starts clean."""
    body = json.dumps({"coupon_key": secrets.token_hex(32)})
    try:
        make_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise SecretsUnavailable(
            f"Cannot create the coupon key file {path} ({exc.strerror}): check the disk and "
            "the folder's permissions, then run the command again."
        ) from None
    try:
        with os.fdopen(fd, "w") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise SecretsUnavailable(
            f"Cannot write the coupon key file {path} ({exc.strerror}): free some space (or "
            "fix the folder's permissions), then run the command again."
        ) from None
