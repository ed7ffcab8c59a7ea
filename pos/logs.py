"""Logging goes to a file, never onto a cashier's screen or a script's stdout."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs


def log_path() -> Path:
    override = os.environ.get("POS_LOG_FILE")
    if override:
        return Path(override)
    return platformdirs.user_log_path("loyalty-pos") / "pos.log"


def setup_logging() -> Path:
    """Configure the root logger before anything (python-escpos) calls
    ``logging.basicConfig()``, which would then do nothing."""
    path = log_path()
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
