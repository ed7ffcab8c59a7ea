"""The secrets file beside the ledger: the coupon key, the PIN pepper, the
head-office token. JSON, 0600, replaced atomically; never in the database."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ledger.coupons import MAX_SECRETS_BYTES, too_large_message
from ledger.errors import SecretsError


def read_secrets(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):  # a FIFO blocks, /dev/zero never ends
        raise SecretsError(
            f"The secrets file {path} is not a plain file: put the secrets file back from a "
            "backup. Nothing was changed."
        )
    if info.st_size > MAX_SECRETS_BYTES:  # never read whole: it could exhaust memory
        raise SecretsError(too_large_message(path, info.st_size))
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise SecretsError(
            f"The secrets file {path} can be read by other users (mode {mode:o}): "
            f"run 'chmod 600 {path}' and try again."
        )
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SecretsError(
            f"The secrets file {path} cannot be read ({exc}): restore it from a backup."
        ) from None
    if not isinstance(body, dict):
        raise SecretsError(f"The secrets file {path} is damaged: restore it from a backup.")
    return body


def write_secrets(path: Path, body: Mapping[str, Any]) -> None:
    """Replace the file atomically, 0600 from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(dict(body), sort_keys=True))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SecretsError(
            f"Cannot write the secrets file {path} ({exc.strerror}): check the folder's "
            "permissions."
        ) from None
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
