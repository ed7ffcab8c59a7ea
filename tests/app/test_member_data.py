"""A member's data requests from the card (F8), as ``pos member`` does them:
consent without a PIN, the member's copy, a new phone, a merge and forget with
a supervisor's id and PIN; a cashier's PIN changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs
from textual.pilot import Pilot

from config import APP_NAME
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.member_data import MemberDataDialog
from pos.i18n import Translator
from pos.screens.member import MemberScreen
from tests.app.conftest import (
    E164,
    PHONE,
    SIZE,
    login,
    message,
    on,
    open_card,
    screen_text,
    settle,
    submit,
    text_of,
    until,
)

EN, TH = Translator("en"), Translator("th")


def exports() -> list[Path]:
    folder = platformdirs.user_data_path(APP_NAME) / "exports"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


async def open_data(pilot: Pilot[Any]) -> MemberDataDialog:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await pilot.press("f8")
    await until(pilot, lambda: on(app, MemberDataDialog), what="the member data dialog")
    await settle(pilot)
    return app.screen  # type: ignore[return-value]


async def approve(pilot: Pilot[Any], staff: str = "sup", pin: str = "2468") -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: on(app, ApprovalDialog), what="the PIN dialog")
    await submit(pilot, "#approver", staff)
    await submit(pilot, "#approver-pin", pin)


async def test_withdrawn_consent_is_said_on_the_card_and_given_again_in_thai(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        card = await open_card(pilot)
        assert not card.query_one("#card-consent").display
        await open_data(pilot)
        assert "consent given" in screen_text(app)
        await pilot.press("w")  # no PIN asked: as `pos member consent --withdraw`
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert message(app, "#card-message") == EN("data.withdrawn")
        notice = card.query_one("#card-consent")
        assert notice.display and text_of(notice).startswith("Consent withdrawn on 15 Jan 2026")
        assert app.focused is card.query_one("#amount")

        app.language = "th"
        await open_data(pilot)
        assert TH("data.consent_no") in screen_text(app)
        await pilot.press("g")
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert message(app, "#card-message") == TH("data.given")
        assert not card.query_one("#card-consent").display
    assert ledger.consent_withdrawn_at(ledger.member(PHONE).member_id) is None
    assert ledger.member(PHONE).consent_given is True


async def test_export_writes_the_members_copy_with_the_full_phone_and_says_where(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "250", "B-1")
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        dialog = await open_data(pilot)
        await pilot.press("e")
        await approve(pilot)
        await until(pilot, lambda: dialog.exported is not None, what="the copy written")
        assert app.screen is dialog
        [path] = exports()
        assert dialog.exported == path
        said = message(app, "#data-message")
        assert said.startswith(EN("data.exported")) and path.name in said
        assert PHONE not in path.name and E164 not in path.name  # a listing names no one
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert os.stat(path.parent).st_mode & 0o777 == 0o700
        copy = json.loads(path.read_text(encoding="utf-8"))
        assert copy["member"]["phone"] == E164 and copy["approver_id"] == "sup"
        assert [e["ref"] for e in copy["entries"]] == ["B-1"]

        await pilot.press("f5")  # the outcome is said again in Thai
        await until(pilot, lambda: message(app, "#data-message").startswith(TH("data.exported")))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")


async def test_a_cashiers_pin_is_refused_and_nothing_changes(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        dialog = await open_data(pilot)
        await pilot.press("e")
        await approve(pilot, "cash1", "1357")
        said = "cash1 is a cashier: ask a supervisor."
        await until(pilot, lambda: message(app, "#approval-message") == said, what="refused")
        assert on(app, ApprovalDialog)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dialog, what="back in the dialog")
        assert message(app, "#data-message") == EN("approval.cancelled")
        assert dialog.exported is None
    assert exports() == []
