"""Letters typed at the lookup find members by a part of their name: a list
to choose from (arrows, Enter opens the card); a phone still goes straight to
the card, and LIKE's wildcards are letters like any other."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, OptionList

from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.name_search import NameSearchDialog
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from tests.app.conftest import SIZE, login, message, on, screen_text, submit, text_of, until


def _says(app: PosApp, line: str) -> Callable[[], bool]:
    return lambda: line in message(app, "#lookup-message")


def _names(app: PosApp) -> list[str]:
    found = app.screen.query_one("#found", OptionList)
    return [str(found.get_option_at_index(n).prompt) for n in range(found.option_count)]


async def _search(pilot, app: PosApp, text: str) -> None:  # type: ignore[no-untyped-def]
    await submit(pilot, "#phone", text)
    await until(pilot, lambda: on(app, NameSearchDialog), what=f"names for {text!r}")


async def test_letters_list_the_members_whose_name_holds_them_and_enter_opens_one(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll("0811111111", name="Somchai Jaidee", consent=True)
    ledger.enroll("0822222222", name="Somsak Rakdee", consent=True)
    ledger.enroll("0833333333", name="Anan", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await _search(pilot, app, "SOM")
        assert _names(app) == ["08x-xxx-1111   Somchai Jaidee", "08x-xxx-2222   Somsak Rakdee"]
        assert "Members whose name holds “SOM”" in screen_text(app)
        assert "0811111111" not in screen_text(app)  # phones masked in a list
        await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen), what="the card")
        assert "Somsak Rakdee" in text_of(app.screen.query_one("#card-name"))


async def test_thai_letters_search_too_and_esc_keeps_what_was_typed(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll("0811111111", name="สมชาย ใจดี", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await _search(pilot, app, "ใจดี")
        assert _names(app) == ["08x-xxx-1111   สมชาย ใจดี"]
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen), what="lookup")
        field = app.screen.query_one("#phone", Input)
        assert field.value == "ใจดี" and app.focused is field


async def test_no_match_says_so_and_wildcards_match_only_themselves(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll("0811111111", name="Anan", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        for text in ("n_", "A%n", "zz"):
            await submit(pilot, "#phone", text)
            await until(pilot, _says(app, f"No member's name holds “{text}”"), what=text)
            assert on(app, LookupScreen)
        await submit(pilot, "#phone", "%")  # no letter: a phone, refused as one
        await until(pilot, lambda: message(app, "#lookup-message") != "", what="a refusal")
        assert "Anan" not in screen_text(app) and on(app, LookupScreen)


async def test_a_name_with_markup_is_listed_literally(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll("0811111111", name="[@click=app.quit]x[/] [b]Noi", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await _search(pilot, app, "noi")
        assert _names(app) == ["08x-xxx-1111   [@click=app.quit]x[/] [b]Noi"]
        assert "[@click=app.quit]x[/] [b]Noi" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen), what="the card")
        assert app.is_running


async def test_at_most_ten_are_listed_and_it_says_there_are_more(
    app: PosApp, ledger: Ledger
) -> None:
    for n in range(12):
        ledger.enroll(f"08100000{n:02d}", name=f"Niran {n:02d}", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await _search(pilot, app, "niran")
        assert len(_names(app)) == 10
        assert "The first 10 only" in message(app, "#search-more")


async def test_eight_letters_no_coupon_has_are_a_name(app: PosApp, ledger: Ledger) -> None:
    """KITTIPON could be a coupon's code (8 letters of its alphabet): no coupon
    has it, so it is searched as a name."""
    ledger.enroll("0811111111", name="Kittipon Srisuk", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await _search(pilot, app, "kittipon")
        assert _names(app) == ["08x-xxx-1111   Kittipon Srisuk"]


async def test_a_phone_still_goes_straight_to_the_card(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll("0811111111", name="Anan 0811111111", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", "081-111-1111")
        await until(pilot, lambda: on(app, MemberScreen), what="the card")
