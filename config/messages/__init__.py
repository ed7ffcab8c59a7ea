"""The catalogue of refusals: every error a cashier (or a script) can be shown,
keyed by error code, in English and Thai.

A key is the refusal's ``code``, or ``code.case`` where one code covers several
cases (``invalid_amount.negative``). A text names its values in braces; both
languages name the same ones (a test holds them equal). One module per part of
the till keeps each short: the ledger's, sync's, printing's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.messages.generic import FILES, GENERIC
from config.messages.imports import IMPORTS
from config.messages.ledger import LEDGER
from config.messages.members import MEMBERS
from config.messages.merge import MERGE
from config.messages.points import POINTS
from config.messages.reports import REPORTS
from config.messages.staff import STAFF
from config.messages.sync import SYNC

# key: (English, Thai)
CATALOGUE: dict[str, tuple[str, str]] = {
    **GENERIC,
    **FILES,
    **IMPORTS,
    **LEDGER,
    **MERGE,
    **MEMBERS,
    **POINTS,
    **REPORTS,
    **STAFF,
    **SYNC,
}


def say(key: str, language: str, values: Mapping[str, Any]) -> str:
    """The refusal ``key`` in ``language`` with ``values`` filled in.

    An unknown key is a bug in the raiser; it still says something useful (the
    key and its values) rather than raising while a refusal is being made."""
    pair = CATALOGUE.get(key)
    if pair is None:
        shown = ", ".join(f"{name}={value}" for name, value in values.items())
        return f"{key} ({shown})" if shown else key
    text = pair[1] if language == "th" else pair[0]
    return text.format_map(_Values(values))


class _Values(dict[str, Any]):
    """A value the raiser forgot shows as its name, rather than a KeyError raised
    while a refusal is being made (a test checks the raisers)."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"
