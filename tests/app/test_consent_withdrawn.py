"""At the counter, a member who withdrew consent is said so plainly on the card
(Thai and English, the date in the till's calendar); the sale still goes on.
A member with consent shows no such line."""

from __future__ import annotations

from textual.widgets import Input

from ledger.service import Ledger
from pos.app import PosApp
from pos.screens.lookup import LookupScreen
from tests.app.conftest import PHONE, SIZE, login, on, open_card, settle, submit, text_of, until
from tests.conftest import FakeClock


async def test_the_card_says_consent_was_withdrawn_in_both_languages(
    app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "250", "B-1")
    clock.advance(days=3)  # 18 Jan 2026
    ledger.change_consent(PHONE, give=False)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        card = await open_card(pilot)
        notice = card.query_one("#card-consent")
        assert notice.display
        assert text_of(notice) == (
            "Consent withdrawn on 18 Jan 2026: points can still be redeemed; "
            "left out of reports and campaigns."
        )
        app.language = "th"
        await settle(pilot)
        thai = text_of(notice)
        assert thai.startswith("ถอนความยินยอมเมื่อ 18 ม.ค. 2569") and "แลกแต้ม" in thai
        assert not any("a" <= ch.lower() <= "z" for ch in thai)

        # A sale still earns: the cashier was told, the member asked for the points.
        card.query_one("#amount", Input).focus()
        await submit(pilot, "#amount", "100")
        await until(pilot, lambda: on(app, LookupScreen), what="back at lookup")
    assert ledger.member(PHONE).balance == 14


async def test_a_member_with_consent_shows_no_notice_and_a_yes_again_clears_it(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, consent=True)
    ledger.change_consent(PHONE, give=False)
    ledger.change_consent(PHONE, give=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        card = await open_card(pilot)
        assert not card.query_one("#card-consent").display
        assert "withdrawn" not in text_of(card.query_one("#card-phone"))
