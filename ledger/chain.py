"""The per-terminal hash chain: each entry's hash covers its fields and the
previous entry's hash, so a changed, deleted or inserted row shows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64
# Fields that the hash covers: every column except the hash itself.
HASHED = 19


def entry_hash(fields: Sequence[Any]) -> str:
    """sha256 over the first 19 entry columns (``prev_hash`` included).

    None and "" must hash differently, so None is written as a lone NUL.
    """
    text = "\x1f".join("\x00" if v is None else str(v) for v in fields[:HASHED])
    return hashlib.sha256(text.encode()).hexdigest()
