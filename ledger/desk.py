"""What every part of the ``Ledger`` facade shares: the core (connection and
lock) and :func:`serialized`, which makes each call one at a time."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from ledger.core import Core
from ledger.db import explain

P = ParamSpec("P")
R = TypeVar("R")


class Desk:
    core: Core
    path: Path


D = TypeVar("D", bound=Desk)


def serialized(method: Callable[Concatenate[D, P], R]) -> Callable[Concatenate[D, P], R]:
    """One connection, several threads (the app's workers): one call at a time,
    so two operations never share a transaction."""

    def wrapper(self: D, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.core.lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                # A full disk, a read-only or damaged file while the app runs:
                # the same message the CLI gives, for every caller. Anything
                # else from SQLite is a bug and surfaces as it is.
                error = explain(self.path, exc)
                if error is None:
                    raise
                raise error from exc

    functools.update_wrapper(wrapper, method)
    return wrapper
