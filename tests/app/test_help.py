"""Help (F1): every key of the counter app in the cashier's language, and the
README's key table holding the same keys, places and words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import pos.dialogs
import pos.screens
from config import Settings, load_settings
from ledger.models import Staff
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.i18n import TEXT, Translator
from pos.screens.base import PosDialog, PosScreen
from pos.screens.help import PLACES, HelpScreen, key_rows
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import SIZE, login, on, open_card, screen_text, settle, until
from tests.conftest import FakeClock

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_keys() -> list[tuple[str, str, str]]:
    """The rows of the README's "key | where | what" table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| key | where | what |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        key, where, what = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((key, where, what))
    return rows


def help_keys(language: str = "en") -> list[tuple[str, str, str]]:
    tr = Translator(language)
    return [row.shown(tr) for row in key_rows(PosApp.BINDINGS)]


def as_table(rows: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"| {key} | {where} | {what} |" for key, where, what in rows)


def test_the_readme_lists_the_keys_the_help_screen_lists() -> None:
    """Same keys, same places, same words, same order: a key bound on a screen
    without its README line (or the other way round) fails here."""
    expected = help_keys("en")
    assert readme_keys() == expected, (
        "README.md's key table differs from the help screen (pos/screens/help.py); "
        "its rows should read:\n" + as_table(expected)
    )


def test_every_key_is_explained_in_both_languages() -> None:
    for row in key_rows(PosApp.BINDINGS):
        assert row.what.startswith("help."), f"{row.keys} ({row.place}): no help text"
        assert row.what in TEXT and f"help.where.{row.place}" in TEXT
    thai = help_keys("th")
    assert all(re.search("[\u0e00-\u0e7f]", where) for _, where, _ in thai)
    assert sum(bool(re.search("[\u0e00-\u0e7f]", what)) for _, _, what in thai) == len(thai)


def _counter_classes() -> list[type]:
    import importlib
    import pkgutil

    for package in (pos.screens, pos.dialogs):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    found: list[type] = []
    todo: list[type] = [PosScreen, PosDialog]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls not in (PosScreen, PosDialog) and cls.__module__.startswith("pos."):
            found.append(cls)
    return found


def test_every_screen_and_dialog_with_keys_has_a_place_in_the_help() -> None:
    placed = {cls for _, classes in PLACES for cls in classes} | {HelpScreen}
    missing = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in _counter_classes()
        if cls not in placed and vars(cls).get("BINDINGS")
    ]
    assert not missing, f"add them to PLACES in pos/screens/help.py: {missing}"


@pytest.mark.parametrize("language", ["en", "th"])
async def test_f1_shows_every_key_in_the_cashier_language_and_esc_closes_it(
    settings: Settings, ledger: Ledger, clock: FakeClock, language: str
) -> None:
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.language = language
        await login(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: on(app, HelpScreen), what="the help")
        tr = Translator(language)
        shown = [
            (row.query_one(".help-key").render(), row.query_one(".help-what").render())
            for row in app.screen.query(".help-row")
        ]
        assert [(str(k), str(w)) for k, w in shown] == [
            (key, what) for key, _, what in help_keys(language)
        ]
        text = screen_text(app)  # opened where F1 was pressed: the lookup's keys show
        assert tr("help.title") in text and tr("help.where.lookup") in text
        assert "F6" in text and tr("help.lookup.reprint") in text

        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")


async def test_f1_closes_the_help_and_f5_switches_its_language(
    settings: Settings, ledger: Ledger, clock: FakeClock, member: str
) -> None:
    app = make_app(settings, ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot, member)
        await pilot.press("f1")
        await until(pilot, lambda: on(app, HelpScreen), what="the help")
        assert "record the sale: points for the amount typed" in screen_text(app)
        await pilot.press("f5")
        await until(pilot, lambda: "บันทึกยอดขาย" in screen_text(app), what="Thai")
        await pilot.press("f1")
        await until(pilot, lambda: on(app, MemberScreen), what="the card again")


@pytest.mark.parametrize("language", ["th", "en"])
def test_help_screen_snapshot(
    snap_compare: Any, db_path: Path, clock: FakeClock, language: str
) -> None:
    """F1 on the lookup screen at 80x24: the lookup's keys first in view."""
    settings = load_settings(env={"POS_LOCALE__LANGUAGE": language})
    book = Ledger.open(db_path, settings, clock=clock)
    book.init("S1", "T1")
    app = make_app(settings, book, clock=clock)

    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.logged_in(Staff("cash1", "Cashier One", "cashier"))
        await until(pilot, lambda: on(app, LookupScreen), what="lookup")
        await pilot.press("f1")
        await until(pilot, lambda: on(app, HelpScreen), what="the help")
        await settle(pilot)

    try:
        assert snap_compare(app, run_before=open_help, terminal_size=SIZE)
    finally:
        book.close()
