"""The member page in a real browser, as a member meets it: a till prints a sale
slip, the QR read off the slip's picture opens the page on a 390x844 phone
(Debian's chromium driven by Playwright; nothing downloaded), in Thai with the
balance, nothing loaded from elsewhere, no sideways scrolling; the switch link
shows it in English.

``MEMBER_PAGE_SCREENSHOTS=docs`` also writes docs/member-page.png for the
README; a normal run writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from config import Settings
from hq.db import Conn
from ledger.service import Ledger
from tests.sync.conftest import HQServer, Sync
from tests.sync.test_member_page_sync import _scanned

CHROMIUM = Path("/usr/bin/chromium")
PHONE, NAME = "081-234-7799", "มาลี ศรีสุข"


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing: sudo apt-get install chromium (or make system-deps)")
    pytest.fail(f"{CHROMIUM} is missing although we are root: run make system-deps")


def test_the_page_from_a_slips_qr_on_a_phone_in_thai(
    joined: Callable[..., Ledger],
    hq: HQServer,
    hq_db: Conn,
    sync: Sync,
    settings: Settings,
    tmp_path: Path,
) -> None:
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    till = joined("A", store="S1")
    till.enroll(PHONE, name=NAME, consent=True)
    till.earn(PHONE, "1000.00", "A-1")
    sync(till)
    sync(till)  # the member's page token comes back with the pull
    till.earn(PHONE, "250.00", "A-2", print_slip=True)
    sync(till)  # head office has both sales: 40 + 10 points
    (url,) = _scanned(settings, till, tmp_path / "spool")
    assert url.startswith(f"{hq.url}/m/")

    shots = os.environ.get("MEMBER_PAGE_SCREENSHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page(
                viewport={"width": 390, "height": 844}, locale="th-TH", is_mobile=True,
                device_scale_factor=2, has_touch=True,
            )  # fmt: skip
            elsewhere: list[str] = []
            page.on(
                "request", lambda r: None if r.url.startswith(hq.url) else elsewhere.append(r.url)
            )
            page.goto(url)
            expect(page.get_by_role("heading", name="แต้มสะสมของฉัน")).to_be_visible()
            expect(page.get_by_test_id("balance")).to_have_text("50")
            expect(page.get_by_text("แต้มคงเหลือ")).to_be_visible()
            expect(page.get_by_test_id("phone")).to_have_text("08x-xxx-7799")
            expect(page.get_by_text(NAME)).to_be_visible()
            expect(page.get_by_test_id("tier")).to_have_text("สมาชิก")
            expect(page.get_by_test_id("expiry")).to_contain_text("แต้มจะหมดอายุวันที่")
            expect(page.get_by_test_id("updated")).to_contain_text("ข้อมูลจากสาขาล่าสุดเมื่อ")
            assert "0812347799" not in page.content()
            # Phone-sized: the stylesheet applied, nothing wider than the screen.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            balance_size = page.get_by_test_id("balance").evaluate(
                "e => parseFloat(getComputedStyle(e.parentElement).fontSize)"
            )
            assert balance_size > 30
            if shots:
                page.screenshot(path=str(Path(shots) / "member-page.png"), full_page=True)

            page.get_by_role("link", name="English").click()
            expect(page.get_by_role("heading", name="My points")).to_be_visible()
            expect(page.get_by_test_id("balance")).to_have_text("50")
            assert elsewhere == []
        finally:
            browser.close()
