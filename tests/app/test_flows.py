"""Every counter flow driven through the Pilot against a real temp ledger.

Each test asserts on the ledger afterwards (balances, entries, coupons,
staff, prefs), not only on what the screen says. Inputs are filled by setting
``Input.value`` and submitting (``conftest.submit``); the keys a screen handles
itself (F-keys, Esc, Enter on the enroll offer, a dialog, an option list, the
double Enter on the amount) are pressed for real."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, OptionList, TabbedContent

from config import Settings
from ledger.errors import DatabaseUnavailable
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.setup import SetupScreen
from pos.screens.supervisor import SupervisorScreen
from pos.widgets.text import Message, Tr
from tests.app.conftest import E164, PHONE, SIZE, screen_text, settle, submit, text_of, until
from tests.conftest import FakeClock

# -- helpers ----------------------------------------------------------------


def on(app: PosApp, kind: type) -> bool:
    return isinstance(app.screen, kind)


def message(app: PosApp, selector: str) -> str:
    return text_of(app.screen.query_one(selector, Message))


async def login(pilot: Pilot[Any], staff: str = "cash1", pin: str = "1357") -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await until(pilot, lambda: on(app, LoginScreen), what="login screen")
    await submit(pilot, "#staff", staff)
    await submit(pilot, "#pin", pin)
    await until(pilot, lambda: on(app, LookupScreen), what="lookup screen")


async def open_card(pilot: Pilot[Any], phone: str = PHONE) -> MemberScreen:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await submit(pilot, "#phone", phone)
    await until(pilot, lambda: on(app, MemberScreen), what="member card")
    return app.screen  # type: ignore[return-value]


async def has_focus(pilot: Pilot[Any], widget: Callable[[], object]) -> None:
    """Focus moves a moment after the screen changes (``focus()`` is deferred)."""
    await until(pilot, lambda: pilot.app.focused is widget(), what="focus")


def members(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM members").fetchone()[0])


def entries(ledger: Ledger) -> int:
    return int(ledger.conn.execute("SELECT count(*) FROM entries").fetchone()[0])


@pytest.fixture
def member(ledger: Ledger) -> str:
    """A member with 1000 points (a 25,000 THB sale)."""
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "25000", "SEED-1")
    assert ledger.member(PHONE).balance == 1000
    return PHONE


# -- first start: the setup wizard -------------------------------------------


def step_title(app: PosApp) -> str:
    return text_of(app.screen.query_one("#setup-title", Tr))


def is_step(app: PosApp, n: int) -> bool:
    title = step_title(app)
    return f"step {n} of 4" in title or f"ขั้นที่ {n} จาก 4" in title


async def test_setup_wizard_validates_each_step_and_finishes(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        assert is_step(app, 1)
        await has_focus(pilot, lambda: app.screen.query_one("#store"))

        # step 1: an empty store id is refused, the wizard stays on step 1
        await submit(pilot, "#store", "")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: message(app, "#setup-message"), what="error")
        assert "store id" in message(app, "#setup-message")
        assert app.screen.query_one("#setup-message").has_class("-error")
        assert is_step(app, 1)
        assert not empty_ledger.is_initialized()

        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2), what="step 2")
        assert empty_ledger.terminal() == ("S1", "T1")
        assert message(app, "#setup-message") == ""

        # step 2: language (English, the second option)
        languages = app.screen.query_one("#language", OptionList)
        await has_focus(pilot, lambda: languages)
        languages.highlighted = 1
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3), what="step 3")
        assert app.language == "en"
        assert empty_ledger.pref("language") == "en"
        assert "step 3 of 4" in step_title(app)

        # step 3: printer: only 'preview' is accepted for now
        assert "TEST PRINT" in text_of(app.screen.query_one("#test-print"))
        await submit(pilot, "#printer", "tcp://10.0.0.9:9100")
        assert "preview" in message(app, "#setup-message")
        assert is_step(app, 3)
        assert empty_ledger.pref("printer_url") is None
        await submit(pilot, "#printer", "preview")
        await until(pilot, lambda: is_step(app, 4), what="step 4")
        assert empty_ledger.pref("printer_url") == "preview"

        # step 4: the PINs must match ...
        app.screen.query_one("#sup-id", Input).value = "boss"
        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2469")
        assert "differ" in message(app, "#setup-message")
        assert not empty_ledger.setup_complete()
        # ... and not be trivial
        app.screen.query_one("#sup-pin", Input).value = "1234"
        await submit(pilot, "#sup-pin2", "1234")
        await until(pilot, lambda: "1234" in message(app, "#setup-message"), what="weak PIN")
        assert is_step(app, 4)
        assert not empty_ledger.setup_complete()

        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2468")
        await until(pilot, lambda: on(app, LoginScreen), what="login after setup")
        assert empty_ledger.setup_complete()
        assert empty_ledger.staff("boss").role == "supervisor"
        assert empty_ledger.authenticate("boss", "2468").staff_id == "boss"
        assert empty_ledger.pref("setup_step") == "done"
        assert "Staff login" in screen_text(app)


async def test_setup_escape_goes_back_a_step(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        await pilot.press("escape")
        await until(pilot, lambda: is_step(app, 1))
        assert app.screen.query_one("#store", Input).value == "S1"


async def test_interrupted_setup_resumes_where_it_stopped(
    settings: Settings, db_path: Path, clock: FakeClock
) -> None:
    first = Ledger.open(db_path, settings, clock=clock)
    app = make_app(settings, first, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        app.screen.query_one("#language", OptionList).highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3))
        await pilot.press("ctrl+q")
    first.close()

    again = Ledger.open(db_path, settings, clock=clock)
    try:
        assert not again.setup_complete()
        app = make_app(settings, again, clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: on(app, SetupScreen))
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            assert screen.step >= 2
            assert not is_step(app, 1)
            assert screen.query_one("#store", Input).value == "S1"
            assert app.language == "th"  # chosen at step 2, remembered
    finally:
        again.close()


# -- login ------------------------------------------------------------------


async def test_set_up_ledger_goes_straight_to_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        await has_focus(pilot, lambda: app.screen.query_one("#staff"))


async def test_wrong_pin_shows_the_message_and_stays(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#staff", "cash1")
        await submit(pilot, "#pin", "9999")
        await until(pilot, lambda: message(app, "#login-message"), what="refusal")
        assert "Wrong PIN" in message(app, "#login-message")
        assert on(app, LoginScreen)
        assert app.staff is None
        assert app.screen.query_one("#pin", Input).value == ""
        await has_focus(pilot, lambda: app.screen.query_one("#pin"))


async def five_wrong_pins(pilot: Pilot[Any]) -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await submit(pilot, "#staff", "cash1")
    for n in range(5):
        await submit(pilot, "#pin", "9999")
        if n < 4:
            await until(pilot, lambda n=n: f"{4 - n} more" in message(app, "#login-message"))
    await until(pilot, lambda: "locked" in message(app, "#login-message"), what="locked")


async def test_five_wrong_pins_say_the_id_is_locked(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await five_wrong_pins(pilot)
        assert "cash1 is locked" in message(app, "#login-message")
        assert on(app, LoginScreen)
        assert app.staff is None


async def test_a_locked_id_cannot_log_in_with_the_right_pin(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await five_wrong_pins(pilot)
        await submit(pilot, "#pin", "1357")
        await pilot.pause(0.3)
        assert on(app, LoginScreen)
        assert "locked" in message(app, "#login-message")
    locked = ledger.conn.execute("SELECT locked_until FROM staff WHERE staff_id = 'cash1'")
    assert locked.fetchone()[0] is not None


async def test_correct_pin_opens_lookup_with_phone_focused(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        assert app.staff is not None and app.staff.staff_id == "cash1"
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert "cash1" in screen_text(app)  # the status bar


# -- lookup and enroll ------------------------------------------------------


async def test_invalid_phone_keeps_the_text_and_enrolls_nothing(
    app: PosApp, ledger: Ledger
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", "12345")
        await until(pilot, lambda: message(app, "#lookup-message"), what="message")
        assert "not a valid phone number" in message(app, "#lookup-message")
        assert app.screen.query_one("#lookup-message").has_class("-error")
        assert app.screen.query_one("#phone", Input).value.replace(" ", "") == "12345"
        assert not app.screen.query_one("#enroll").display
        assert on(app, LookupScreen)
    assert members(ledger) == 0


async def test_unknown_phone_offers_enrollment_with_consent(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        enroll = app.screen.query_one("#enroll")
        await until(pilot, lambda: enroll.display, what="enroll panel")
        assert "08x-xxx-5678" in text_of(app.screen.query_one("#enroll-question", Tr))
        consent = app.screen.query_one("#consent", Checkbox)
        assert consent.value is False
        await pilot.press("c")
        assert consent.value is True
        assert members(ledger) == 0  # nothing until Enter
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen), what="card")
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        assert "08x-xxx-5678" in screen_text(app)
    member = ledger.member(PHONE)
    assert member.phone == E164
    assert member.consent_at is not None
    assert member.balance == 0
    assert members(ledger) == 1


async def test_enroll_without_consent_records_no_consent(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        await until(pilot, lambda: app.screen.query_one("#enroll").display)
        await pilot.press("c", "c")  # on, then off again
        await pilot.press("enter")
        await until(pilot, lambda: on(app, MemberScreen))
    assert ledger.member(PHONE).consent_at is None


async def test_escape_on_the_enroll_offer_enrolls_nothing(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await submit(pilot, "#phone", PHONE)
        await until(pilot, lambda: app.screen.query_one("#enroll").display)
        await pilot.press("escape")
        await until(pilot, lambda: not app.screen.query_one("#enroll").display)
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert on(app, LookupScreen)
    assert members(ledger) == 0


@pytest.mark.parametrize("typed", ["081-234-5678", "๐๘๑๒๓๔๕๖๗๘", "+66 81 234 5678"])
async def test_known_phone_in_any_form_opens_the_card(
    app: PosApp, ledger: Ledger, typed: str
) -> None:
    ledger.enroll(PHONE, name="Malee")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        card = await open_card(pilot, typed)
        assert card.card.member.phone == E164
        assert "Malee" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        assert app.screen.query_one("#phone", Input).value == ""  # cleared for the next one
    assert members(ledger) == 1


# -- sale ---------------------------------------------------------------------


async def test_sale_adds_points_and_returns_to_lookup(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen), what="back on lookup")
        await until(pilot, lambda: "+40" in message(app, "#lookup-message"))
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
        assert app.screen.query_one("#phone", Input).value == ""
    assert ledger.member(PHONE).balance == 40
    (entry,) = ledger.history(PHONE)
    assert (entry.kind, entry.points, entry.amount_minor) == ("earn", 40, 100000)
    assert entry.cashier_id == "cash1"
    assert entry.ref and entry.ref.startswith("T1-")


async def test_sale_with_a_typed_bill_number_uses_it(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await pilot.press("f3")
        await has_focus(pilot, lambda: app.screen.query_one("#ref"))
        await submit(pilot, "#ref", "INV-0042")
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        await submit(pilot, "#amount", "250.50")
        await until(pilot, lambda: on(app, LookupScreen))
    (entry,) = ledger.history(PHONE)
    assert (entry.ref, entry.points, entry.amount_minor) == ("INV-0042", 10, 25050)


@pytest.mark.parametrize(("amount", "why"), [("-5", "negative"), ("2.505", "decimals")])
async def test_invalid_amount_is_refused_on_the_card(
    app: PosApp, ledger: Ledger, amount: str, why: str
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", amount)
        await until(pilot, lambda: message(app, "#card-message"), what="error")
        assert why in message(app, "#card-message")
        assert app.screen.query_one("#card-message").has_class("-error")
        assert on(app, MemberScreen)
        await has_focus(pilot, lambda: app.screen.query_one("#amount"))
        # the card is usable again after a refusal
        await submit(pilot, "#amount", "100")
        await until(pilot, lambda: on(app, LookupScreen))
    assert [e.points for e in ledger.history(PHONE)] == [4]


async def test_empty_amount_asks_for_one(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        await submit(pilot, "#amount", "")
        assert message(app, "#card-message") == app.tr("error.amount_empty")
        assert on(app, MemberScreen)
    assert ledger.history(PHONE) == []


async def test_double_enter_on_the_amount_adds_points_once(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        field = app.screen.query_one("#amount", Input)
        field.value = "1000"
        await pilot.pause()
        await pilot.press("enter", "enter")
        await until(pilot, lambda: on(app, LookupScreen))
        await pilot.pause(0.1)
    assert ledger.member(PHONE).balance == 40
    assert len(ledger.history(PHONE)) == 1


async def test_a_retried_sale_reuses_the_ref_and_adds_nothing(app: PosApp, ledger: Ledger) -> None:
    """The card makes its ref once: if the first Enter reached the ledger but
    the screen never heard back, the retry is recognised as the same sale."""
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        card = await open_card(pilot)
        ledger.earn(PHONE, "1000", card.sale_ref, "cash1")  # the "lost" first attempt
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen))
        await until(pilot, lambda: card.sale_ref in message(app, "#lookup-message"))
        assert "+40" not in message(app, "#lookup-message")
    assert ledger.member(PHONE).balance == 40
    assert len(ledger.history(PHONE)) == 1


async def test_escape_leaves_the_card_without_a_sale(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        app.screen.query_one("#amount", Input).value = "1000"
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
        assert message(app, "#lookup-message") == ""
    assert ledger.history(PHONE) == []


# -- redeem -------------------------------------------------------------------


async def open_redeem(pilot: Pilot[Any]) -> RedeemScreen:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await open_card(pilot)
    await pilot.press("f2")
    await until(pilot, lambda: on(app, RedeemScreen), what="redeem screen")
    return app.screen  # type: ignore[return-value]


async def test_redeem_a_reward_issues_a_coupon(app: PosApp, ledger: Ledger, member: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_redeem(pilot)
        rewards = screen.query_one("#rewards", OptionList)
        await has_focus(pilot, lambda: rewards)
        shown = [str(rewards.get_option_at_index(i).id) for i in range(rewards.option_count)]
        assert shown == ["COFFEE", "DISC50", "DISC100", "PCT10"]  # affordable with 1000
        assert rewards.highlighted == 0
        await pilot.press("enter")
        await until(pilot, lambda: on(app, CouponDialog), what="coupon dialog")
        dialog = app.screen
        assert isinstance(dialog, CouponDialog)
        code = text_of(dialog.query_one("#coupon-code"))
        assert len(code) == 9 and code[4] == "-"
        assert "กาแฟ" in screen_text(app)  # the reward's name, in the app's language

        # the ledger has it before the dialog closes
        redeem = ledger.history(PHONE)[0]
        assert (redeem.kind, redeem.points, redeem.cashier_id) == ("redeem", -100, "cash1")
        assert redeem.approver_id is None
        coupon = ledger.check_coupon(code)
        assert (coupon.status, coupon.reward_id, coupon.entry_id) == (
            "issued",
            "COFFEE",
            redeem.entry_id,
        )

        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
        assert "900" in message(app, "#lookup-message")
    assert ledger.member(PHONE).balance == 900
    assert ledger.check_coupon(code).status == "issued"  # closing the dialog does not use it


async def test_redeem_above_the_threshold_asks_for_approval_and_esc_cancels(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
        await has_focus(pilot, lambda: app.screen.query_one("#approver"))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, RedeemScreen))
        assert message(app, "#redeem-message") == app.tr("approval.cancelled")
    assert ledger.member(PHONE).balance == 1000
    assert [e.kind for e in ledger.history(PHONE)] == ["earn"]


async def test_redeem_above_the_threshold_with_a_supervisor(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await until(pilot, lambda: on(app, ApprovalDialog))
        await submit(pilot, "#approver", "sup")
        await has_focus(pilot, lambda: app.screen.query_one("#approver-pin"))
        await submit(pilot, "#approver-pin", "2468")
        await until(pilot, lambda: on(app, LookupScreen), what="back to lookup")
        assert "600" in message(app, "#lookup-message")
        assert "400" in message(app, "#lookup-message")
    entry = ledger.history(PHONE)[0]
    assert (entry.kind, entry.points, entry.approver_id, entry.cashier_id) == (
        "redeem",
        -600,
        "sup",
        "cash1",
    )
    assert ledger.member(PHONE).balance == 400


async def test_a_cashier_cannot_approve_a_redemption(
    app: PosApp, ledger: Ledger, member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_redeem(pilot)
        await submit(pilot, "#points", "600")
        await until(pilot, lambda: on(app, ApprovalDialog))
        await submit(pilot, "#approver", "cash1")
        await submit(pilot, "#approver-pin", "1357")
        await until(pilot, lambda: on(app, RedeemScreen))
        await until(pilot, lambda: message(app, "#redeem-message"), what="refusal")
        assert "cannot approve" in message(app, "#redeem-message")
    assert ledger.member(PHONE).balance == 1000
    assert [e.kind for e in ledger.history(PHONE)] == ["earn"]


async def test_redeem_more_than_the_balance_is_refused_and_the_app_keeps_running(
    app: PosApp, ledger: Ledger
) -> None:
    ledger.enroll(PHONE)
    ledger.earn(PHONE, "1000", "SEED-1")  # 40 points
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        screen = await open_redeem(pilot)
        assert not screen.query_one("#rewards").display
        assert screen.query_one("#no-rewards").display
        await has_focus(pilot, lambda: screen.query_one("#points"))
        await submit(pilot, "#points", "300")
        await until(pilot, lambda: message(app, "#redeem-message"))
        # Refused before any supervisor is called over, saying what the member has.
        assert message(app, "#redeem-message") == app.tr("redeem.short", balance="40", cost=300)
        assert on(app, RedeemScreen)
        await submit(pilot, "#points", "40")
        await until(pilot, lambda: on(app, LookupScreen))
        assert app.return_code is None
    assert ledger.member(PHONE).balance == 0


# -- scanning a coupon --------------------------------------------------------


@pytest.fixture
def coupon(ledger: Ledger, member: str) -> Any:
    return ledger.redeem(PHONE, ref="R-SEED", reward_id="COFFEE").coupon


async def scan(pilot: Pilot[Any], text: str) -> CouponDialog:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await submit(pilot, "#phone", text)
    await until(pilot, lambda: on(app, CouponDialog), what="coupon dialog")
    return app.screen  # type: ignore[return-value]


async def test_scan_a_coupon_and_mark_it_used(app: PosApp, ledger: Ledger, coupon: Any) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        dialog = await scan(pilot, coupon.payload)
        assert dialog.offer_use
        status = text_of(dialog.query_one("#coupon-status"))
        assert status == app.tr("coupon.status.issued")
        assert coupon.code[:4] in text_of(dialog.query_one("#coupon-code"))
        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen))
        await until(pilot, lambda: message(app, "#lookup-message"), what="used message")
        assert coupon.code[:4] in message(app, "#lookup-message")
        await has_focus(pilot, lambda: app.screen.query_one("#phone"))
    used = ledger.check_coupon(coupon.code)
    assert used.status == "used"
    by = ledger.conn.execute("SELECT used_by FROM coupons WHERE code = ?", (coupon.code,))
    assert by.fetchone()[0] == "cash1"


async def test_a_used_coupon_scans_as_used_and_cannot_be_used(
    app: PosApp, ledger: Ledger, coupon: Any
) -> None:
    ledger.use_coupon(coupon.code, "cash1")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        dialog = await scan(pilot, coupon.payload)
        assert not dialog.offer_use
        assert text_of(dialog.query_one("#coupon-status")) == app.tr("coupon.status.used")
        assert dialog.query_one("#coupon-status").has_class("-bad")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen))
        assert message(app, "#lookup-message") == ""
    assert ledger.check_coupon(coupon.code).status == "used"


async def test_scan_twice_in_a_row(app: PosApp, ledger: Ledger, coupon: Any) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await scan(pilot, coupon.payload)
        await pilot.press("enter")
        await until(pilot, lambda: message(app, "#lookup-message"))
        dialog = await scan(pilot, coupon.payload)
        assert text_of(dialog.query_one("#coupon-status")) == app.tr("coupon.status.used")
        assert not dialog.offer_use
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.check_coupon(coupon.code).status == "used"


async def test_a_forged_coupon_is_refused(app: PosApp, ledger: Ledger, coupon: Any) -> None:
    body, signature = coupon.payload.rsplit(":", 1)
    forged = f"{body}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        dialog = await scan(pilot, forged)
        assert not dialog.offer_use
        status = text_of(dialog.query_one("#coupon-status"))
        assert status == app.tr("coupon.status.forged")
        await pilot.press("enter")
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.check_coupon(coupon.code).status == "issued"


async def test_a_typed_coupon_code_is_recognised(app: PosApp, ledger: Ledger, coupon: Any) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        dialog = await scan(pilot, f"{coupon.code[:4]}-{coupon.code[4:]}".lower())
        assert dialog.offer_use
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.check_coupon(coupon.code).status == "issued"


# -- supervisor ----------------------------------------------------------------


async def open_supervisor(pilot: Pilot[Any], staff: str = "sup", pin: str = "2468") -> None:
    app: PosApp = pilot.app  # type: ignore[assignment]
    await pilot.press("f9")
    await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
    assert isinstance(app.screen, ApprovalDialog) and app.screen.check
    await submit(pilot, "#approver", staff)
    await submit(pilot, "#approver-pin", pin)


async def test_f9_needs_a_supervisor_pin(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot, "cash1", "1357")
        await until(pilot, lambda: message(app, "#approval-message"), what="refusal")
        assert "cashier" in message(app, "#approval-message")
        assert on(app, ApprovalDialog)
        await submit(pilot, "#approver-pin", "0000")
        await until(pilot, lambda: "Wrong PIN" in message(app, "#approval-message"))
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))


async def test_f9_is_not_offered_before_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert on(app, LoginScreen)


async def test_supervisor_reverses_the_selected_entry(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    newest = ledger.recent_entries(1)[0]
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen), what="supervisor screen")
        table = app.screen.query_one("#entries", DataTable)
        await until(pilot, lambda: table.row_count == 3, what="entries loaded")
        await until(pilot, lambda: app.focused is table, what="entries focused")
        assert table.cursor_row == 0
        await submit(pilot, "#reverse-reason", "wrong bill")
        await until(pilot, lambda: table.row_count == 4, what="reloaded entries")
        assert "-60" in message(app, "#sup-message")
    reverse = ledger.history(rich_member)[0]
    assert (reverse.kind, reverse.reverses, reverse.points) == ("reverse", newest.entry_id, -60)
    assert (reverse.approver_id, reverse.reason) == ("sup", "wrong bill")
    assert ledger.member(rich_member).balance == 300


async def test_reverse_without_a_reason_is_refused(
    app: PosApp, ledger: Ledger, rich_member: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        await pilot.press("f4")
        await until(pilot, lambda: message(app, "#sup-message"))
        assert "reason" in message(app, "#sup-message")
        await has_focus(pilot, lambda: app.screen.query_one("#reverse-reason"))
    assert ledger.member(rich_member).balance == 360
    assert entries(ledger) == 3


async def test_supervisor_adjusts_points(app: PosApp, ledger: Ledger, rich_member: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-adjust"
        await pilot.pause()
        await submit(pilot, "#adjust-phone", rich_member)
        await has_focus(pilot, lambda: app.screen.query_one("#adjust-points"))
        await submit(pilot, "#adjust-points", "+50")
        await has_focus(pilot, lambda: app.screen.query_one("#adjust-reason"))
        await submit(pilot, "#adjust-reason", "goodwill")
        await until(pilot, lambda: "410" in message(app, "#sup-message"))
        assert app.screen.query_one("#adjust-phone", Input).value == ""
    adjust = ledger.history(rich_member)[0]
    assert (adjust.kind, adjust.points, adjust.approver_id, adjust.reason) == (
        "adjust",
        50,
        "sup",
        "goodwill",
    )
    assert ledger.member(rich_member).balance == 410


async def test_supervisor_adds_a_cashier(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-staff"
        await pilot.pause()
        await submit(pilot, "#staff-id", "cash2")
        await submit(pilot, "#staff-name", "Cashier Two")
        assert app.screen.query_one("#staff-role", Input).value == "cashier"
        await submit(pilot, "#staff-role", "cashier")
        await has_focus(pilot, lambda: app.screen.query_one("#staff-pin"))
        await submit(pilot, "#staff-pin", "8642")
        await until(pilot, lambda: "cash2" in message(app, "#sup-message"))
        assert app.screen.query_one("#staff-pin", Input).value == ""
    staff = ledger.staff("cash2")
    assert (staff.role, staff.name) == ("cashier", "Cashier Two")
    assert ledger.authenticate("cash2", "8642").staff_id == "cash2"


async def test_day_summary_lists_todays_entries(app: PosApp, ledger: Ledger, member: str) -> None:
    ledger.redeem(PHONE, ref="R-1", points=100)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        app.screen.query_one("#sup-tabs", TabbedContent).active = "tab-summary"
        await pilot.pause()
        table = app.screen.query_one("#summary", DataTable)
        assert table.row_count > 0
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["∑", "earn", "1", "+1000"] in rows
        assert ["∑", "redeem", "1", "-100"] in rows
        await pilot.press("escape")
        await until(pilot, lambda: on(app, LookupScreen))


# -- language -----------------------------------------------------------------


async def test_f5_switches_language_and_remembers_it(
    settings: Settings, app: PosApp, ledger: Ledger, clock: FakeClock
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, LoginScreen))
        title = app.screen.query_one("#login-box Tr.title", Tr)
        assert app.language == "th"
        assert text_of(title) == "เข้าสู่ระบบพนักงาน"
        await pilot.press("f5")
        await until(pilot, lambda: text_of(title) == "Staff login")
        assert app.screen.query_one("#staff", Input).placeholder == "Staff id"
        assert ledger.pref("language") == "en"
        await login(pilot)
        await pilot.press("f5")
        await until(pilot, lambda: text_of(app.screen.query_one("Tr.title")) == "ค้นหาสมาชิก")
        assert ledger.pref("language") == "th"
        await pilot.press("f5")
        await until(pilot, lambda: text_of(app.screen.query_one("Tr.title")) == "Member lookup")
    # a new app (a restart) starts in the saved language
    again = make_app(settings, ledger, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(again, LoginScreen))
        assert again.language == "en"
        assert "Staff login" in screen_text(again)


# -- errors never end the app ----------------------------------------------------


async def test_a_ledger_refusal_in_a_sale_shows_a_message(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)

    def unavailable(*args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable("The ledger database is locked: try again.")

    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", unavailable)
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: "locked" in message(app, "#card-message"))
        assert on(app, MemberScreen)
        assert app.return_code is None
        monkeypatch.undo()
        await submit(pilot, "#amount", "1000")  # the retry goes through
        await until(pilot, lambda: on(app, LookupScreen))
    assert ledger.member(PHONE).balance == 40


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("disk on fire")


async def workers_done(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: all(w.is_finished for w in pilot.app.workers), what="workers")


async def test_an_unexpected_error_does_not_end_the_app(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        await pilot.pause(0.05)
        assert on(app, MemberScreen)
        assert app.return_code is None
        assert "disk on fire" not in screen_text(app)
        assert "Traceback" not in screen_text(app)
    assert ledger.history(PHONE) == []


async def test_an_unexpected_error_is_shown_as_a_toast(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        await pilot.pause(0.05)
        messages = [n.message for n in app._notifications]
        assert app.tr("error.unexpected") in messages


async def test_the_sale_can_be_retried_after_an_unexpected_error(
    app: PosApp, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.enroll(PHONE)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        monkeypatch.setattr(ledger, "earn", broken)
        await submit(pilot, "#amount", "1000")
        await workers_done(pilot)
        monkeypatch.undo()
        await submit(pilot, "#amount", "1000")
        await until(pilot, lambda: on(app, LookupScreen), timeout=1.5)
    assert ledger.member(PHONE).balance == 40


async def test_log_out_returns_to_login(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: on(app, LoginScreen))
        assert app.staff is None


async def test_f5_relabels_the_member_card(app: PosApp, ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Malee")
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_card(pilot)
        balance = app.screen.query_one("#card-balance")
        assert text_of(balance).startswith("แต้มคงเหลือ")
        await pilot.press("f5")
        await until(pilot, lambda: text_of(balance).startswith("Balance"))
        assert app.screen.query_one("#amount", Input).placeholder == "Sale amount"


async def test_f5_relabels_the_supervisor_screen(app: PosApp, ledger: Ledger) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await open_supervisor(pilot)
        await until(pilot, lambda: on(app, SupervisorScreen))
        assert "รายการ" in screen_text(app)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query_one(Tr).render().plain.startswith("Select"))
        await settle(pilot)
        tabs = app.screen.query_one("#sup-tabs", TabbedContent)
        assert str(tabs.get_tab("tab-entries").label) == "Entries"
        assert str(tabs.get_tab("tab-adjust").label) == "Adjust"
        columns = app.screen.query_one("#entries", DataTable).ordered_columns
        assert str(columns[0].label) == "Time"


async def test_conflicts_head_office_reports_are_shown_as_a_toast(app: PosApp) -> None:
    notices = [
        "Head office: member 08x-xxx-5678 is at -60 points after redemptions at more than "
        "one terminal (recorded as a conflict).",
        "Head office: 1 coupon(s) used here were already used at another terminal "
        "(recorded as a conflict).",
    ]
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        app._synced(False, None, notices)
        await pilot.pause(0.05)
        shown = [(n.title, n.message) for n in app._notifications]
        assert (app.tr("sync.conflicts"), notices[0] + " (+1)") in shown
        app._synced(False, None, [])
        await pilot.pause(0.05)
        assert len(app._notifications) == len(shown)  # nothing new, nothing shown


async def test_sync_warnings_are_shown_once_while_they_last(app: PosApp) -> None:
    """A till clock 2 hours off or rules it cannot load: the cashier hears it
    after the sync that found it, not every few minutes while it lasts."""
    skew = "This terminal's clock is 2 h 0 min behind head office's: set the clock."
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        before = len(app._notifications)
        app._synced(False, None, [], [skew])
        await pilot.pause(0.05)
        assert [n.message for n in app._notifications][before:] == [skew]
        app._synced(False, None, [], [skew])
        await pilot.pause(0.05)
        assert len(app._notifications) == before + 1
        app._synced(False, None, [], [])  # set right
        app._synced(False, None, [], [skew])  # and wrong again
        await pilot.pause(0.05)
        assert len(app._notifications) == before + 2
