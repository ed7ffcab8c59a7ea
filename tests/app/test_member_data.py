"""A member's data requests from the card (F8), as ``pos member`` does them:
consent without a PIN, the member's copy, a new phone, a merge and forget with
a supervisor's id and PIN; a cashier's PIN changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from config import APP_NAME
from ledger.errors import InvalidInput, MemberNotFound
from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.member_data import MemberDataDialog
from pos.i18n import Translator
from pos.screens.help import HelpScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.spool_files import spool_dir
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


OTHER = "0891112222"


async def test_a_new_phone_keeps_the_member_and_a_taken_one_is_refused_in_the_dialog(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "25000", "B-1")
    ledger.enroll(OTHER, consent=True)
    member_id = ledger.member(PHONE).member_id
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        card = await open_card(pilot)
        dialog = await open_data(pilot)
        await pilot.press("p")
        await submit(pilot, "#data-phone", OTHER)  # another member's number
        await approve(pilot)
        said = "08x-xxx-2222 belongs to another member"
        await until(pilot, lambda: said in message(app, "#data-message"), what="refused")
        assert app.screen is dialog and dialog.query_one("#data-phone", Input).value == OTHER

        await submit(pilot, "#data-phone", "089-999-9999")
        await approve(pilot)
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert text_of(card.query_one("#card-phone")) == "08x-xxx-9999"
        assert message(app, "#card-message") == EN("data.phone_done", phone="08x-xxx-9999")
        assert "1,000 points" in text_of(card.query_one("#card-balance"))
    moved = ledger.member("0899999999")
    assert moved.member_id == member_id and moved.balance == 1000
    assert ledger.member(OTHER).member_id != member_id  # the other member untouched


async def test_merge_shows_both_members_then_the_card_holds_both_balances(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "25000", "B-1")
    ledger.enroll(OTHER, name="[b]Anan 2", consent=True)
    ledger.earn(OTHER, "2500", "B-2")
    keep_id = ledger.member(PHONE).member_id
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        card = await open_card(pilot)
        dialog = await open_data(pilot)
        await pilot.press("m")
        await submit(pilot, "#data-phone", PHONE)  # this member's own number
        said = TH.refusal(InvalidInput(key="invalid_input.merge_same")).message
        await until(pilot, lambda: message(app, "#data-message") == said, what="refused")
        assert not on(app, ApprovalDialog)  # said before a supervisor is called over

        await submit(pilot, "#data-phone", OTHER)
        await until(pilot, lambda: dialog.stage == "merge_yes", what="both members shown")
        text = screen_text(app)
        assert TH("data.merge_keep", who="08x-xxx-5678 Anan", points="1,000") in text
        assert TH("data.merge_gone", who="08x-xxx-2222 [b]Anan 2", points="100") in text
        assert TH("data.merge_after", points="1,100") in text
        assert ledger.member(OTHER).member_id != keep_id  # nothing yet
        await pilot.press("y")
        await approve(pilot)
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
        assert "1,100" in text_of(card.query_one("#card-balance"))
        assert message(app, "#card-message") == TH(
            "data.merged", other="08x-xxx-2222 [b]Anan 2", points="1,100"
        )
    assert ledger.member(PHONE).balance == 1100
    assert ledger.member(OTHER).member_id == keep_id  # the other number finds the one kept


async def test_forget_warns_asks_f_twice_and_closes_the_card(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Anan", consent=True)
    ledger.earn(PHONE, "250.00", "F-1", print_slip=True)
    (job,) = ledger.conn.execute("SELECT kind, job_id FROM print_jobs").fetchall()
    slip = spool_dir(app.settings) / f"{job[0]}-{job[1]}.bin"  # as a preview printer names it
    slip.parent.mkdir(parents=True, exist_ok=True)
    slip.write_bytes(b"Anan 08x-xxx-5678")
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await open_card(pilot)
        dialog = await open_data(pilot)
        await pilot.press("f")
        await until(pilot, lambda: dialog.stage == "forget", what="the warning")
        warning = text_of(dialog.query_one("#data-body"))
        assert warning.startswith("Forget 08x-xxx-5678 Anan?") and "cannot be undone" in warning
        assert not on(app, ApprovalDialog)
        await pilot.press("escape")  # changed their mind: nothing happens
        await until(pilot, lambda: dialog.stage == "menu", what="back to the list")

        await pilot.press("f")
        await until(pilot, lambda: dialog.stage == "forget", what="the warning again")
        await pilot.press("f")
        await approve(pilot)
        await until(pilot, lambda: on(app, LookupScreen), what="the card closed")
        said = EN("data.forgotten", who="08x-xxx-5678 Anan")
        await until(pilot, lambda: message(app, "#lookup-message") == said, what="said")
    with pytest.raises(MemberNotFound):
        ledger.member(PHONE)
    assert not slip.exists()  # the slip that named them went with them


async def test_f5_relabels_the_dialog_and_f1_opens_the_help_at_its_keys(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE, consent=True)
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await open_card(pilot)
        dialog = await open_data(pilot)
        keys = ("key.data_withdraw", "key.data_export", "key.data_forget", "key.back")

        def bar() -> str:  # the dialog's own keys, on two lines at 80 columns
            return " ".join(screen_text(app).splitlines()[-2:])

        assert all(TH(key) in bar() for key in keys) and "English" in bar()
        assert TH("data.do_forget") in screen_text(app)
        await pilot.press("f5")
        await until(pilot, lambda: EN("data.title") in screen_text(app), what="in English")
        assert app.screen is dialog and all(EN(key) in bar() for key in keys)
        assert EN("data.do_forget") in screen_text(app) and TH("data.do_forget") not in bar()

        await pilot.press("f1")
        await until(pilot, lambda: on(app, HelpScreen), what="the help")
        assert isinstance(app.screen, HelpScreen) and app.screen.start == "data"
        await until(pilot, lambda: EN("help.data.data_withdraw") in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dialog, what="back to the dialog")
        await pilot.press("escape")
        await until(pilot, lambda: on(app, MemberScreen), what="back on the card")
