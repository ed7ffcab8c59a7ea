"""The one place that imports python-escpos, lazily.

``import escpos`` costs about 0.35 s, calls ``logging.basicConfig()`` and makes
a temp dir for its capabilities pickle. So nothing imports it until a slip is
printed, the pickle goes to the user cache folder, and a placeholder handler on
the root logger keeps ``basicConfig`` from taking over the app's logging.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

APP_NAME = "loyalty-pos"
_LOCK = threading.Lock()


def _pickle_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME) / "escpos"


def load() -> ModuleType:
    """Import and return ``escpos.printer`` (with constants, magicencode, exceptions)."""
    loaded = sys.modules.get("escpos.printer")
    if loaded is not None:
        return loaded
    with _LOCK:
        if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
            folder = _pickle_dir()
            try:
                folder.mkdir(parents=True, exist_ok=True)
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
            except OSError:
                pass  # read-only home: python-escpos falls back to a temp dir
        with no_basic_config():
            for name in ("escpos.constants", "escpos.exceptions", "escpos.magicencode"):
                importlib.import_module(name)
            return importlib.import_module("escpos.printer")


@contextmanager
def no_basic_config() -> Iterator[None]:
    """Keep python-escpos's ``logging.basicConfig()`` and module-level
    ``logging.info()`` calls from installing a stderr handler on the root logger."""
    root = logging.getLogger()
    placeholder = None if root.handlers else logging.NullHandler()
    if placeholder is not None:
        root.addHandler(placeholder)
    try:
        yield
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)


def constants() -> Any:
    load()
    return sys.modules["escpos.constants"]


def exceptions() -> Any:
    load()
    return sys.modules["escpos.exceptions"]


def profile(name: str | None) -> Any:
    """A python-escpos profile by name (None = python-escpos's default)."""
    load()
    from escpos.capabilities import get_profile

    try:
        return get_profile(name)
    except KeyError:
        raise ValueError(f"unknown python-escpos printer profile {name!r}") from None


def dummy(profile_name: str | None) -> Any:
    """A fresh ``escpos.printer.Dummy`` for the profile (checked by name first)."""
    profile(profile_name)
    return load().Dummy(profile=profile_name)


def send_image(p: Any, image: Any) -> None:
    """``p.image(image)`` (GS v 0). python-escpos print()s a notice to stdout for
    every image on a profile without a paper width (TEP-200M, RP326, default):
    swallow it, it would corrupt the CLI's --json output."""
    try:
        known = int(p.profile.profile_data["media"]["width"]["pixels"]) > 0
    except (KeyError, TypeError, ValueError):
        known = False
    if known:
        p.image(image)
        return
    with contextlib.redirect_stdout(io.StringIO()):
        p.image(image)
