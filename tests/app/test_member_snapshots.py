"""Snapshots of the member's history (F4), the name dialog (F7) and the members
found by name at the lookup, in Thai and English at 80x24 (the shop in
tests/app/test_snapshots.py). Update with
``pytest tests/app/test_member_snapshots.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from pos.dialogs.member_name import NameDialog
from pos.dialogs.name_search import NameSearchDialog
from pos.screens.history import HistoryScreen
from tests.app.conftest import submit, until
from tests.app.test_snapshots import _as_cashier, _card, _shop
from tests.conftest import FakeClock


async def _history(pilot: Pilot[Any]) -> None:
    app = await _card(pilot)
    await pilot.press("f4")
    await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.page)


async def _name(pilot: Pilot[Any]) -> None:
    app = await _card(pilot)
    await pilot.press("f7")
    await until(pilot, lambda: isinstance(app.screen, NameDialog), what="name dialog")


async def _search(pilot: Pilot[Any]) -> None:
    app = await _as_cashier(pilot)
    await submit(pilot, "#phone", "ใจดี")
    await until(pilot, lambda: isinstance(app.screen, NameSearchDialog), what="names")


NAVIGATE = {"history": _history, "name": _name, "search": _search}


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("screen", list(NAVIGATE))
def test_member_screens(
    snap_compare: Any, screen: str, language: str, db_path: Path, clock: FakeClock
) -> None:
    app = _shop(db_path, language, clock, setup_done=True)
    try:
        assert snap_compare(app, run_before=NAVIGATE[screen], terminal_size=(80, 24))
    finally:
        app.ledger.close()
