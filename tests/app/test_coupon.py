"""Scanning or typing a coupon at the lookup screen: used, forged, twice."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from ledger.service import Ledger
from pos.app import PosApp
from pos.dialogs.coupon import CouponDialog
from pos.screens.lookup import LookupScreen
from tests.app.conftest import (
    PHONE,
    SIZE,
    has_focus,
    login,
    message,
    on,
    submit,
    text_of,
    until,
)

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
