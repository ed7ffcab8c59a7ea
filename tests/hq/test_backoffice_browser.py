"""The back office in a real browser: Debian's chromium driven by Playwright (the
pip package; no browser is ever downloaded). Log in, read the dashboard in Thai,
find a member by phone and open their card, by keyboard where a person would.

``BACKOFFICE_SCREENSHOTS=docs`` also writes the pictures the README shows
(docs/backoffice-dashboard.png, docs/backoffice-member.png); a normal run writes
nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hq.db import Conn
from sync.protocol import entry_row
from tests.hq.backoffice_helpers import PASSWORD, add_user, now_stamp
from tests.sync.conftest import HQServer

CHROMIUM = Path("/usr/bin/chromium")
PHONE = "+66812345601"


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing: sudo apt-get install chromium (or make system-deps)")
    pytest.fail(f"{CHROMIUM} is missing although we are root: run make system-deps")


@pytest.fixture
def server(hq_dsn: str) -> Iterator[HQServer]:
    started = HQServer(hq_dsn)
    yield started
    started.stop()


def _seed(server: HQServer, db: Conn, make_terminal: Any) -> dict[str, Any]:
    """Two stores with a member each, sales today and over the last days."""
    members = {}
    for store, terminal, phone, name in (
        ("S1", "T1", PHONE, "สมชาย ใจดี"),
        ("S2", "T2", "+66812345602", "Somsak"),
    ):
        t = make_terminal(store, terminal)
        m = t.member(phone, name=name, enrolled_at=now_stamp())
        rows = [t.entry(m["wallet_id"], 120, member_id=m["member_id"], created_at=now_stamp())]
        rows.append(t.entry(m["wallet_id"], -50, kind="redeem", created_at=now_stamp()))
        reply = httpx.post(
            f"{server.url}/v1/push",
            json={"members": [m], "entries": [entry_row(r) for r in rows]},
            headers=t.auth,
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        members[store] = m
    # Earlier days, so the chart has more than one day of bars.
    db.execute(
        "INSERT INTO daily_totals (store_id, day, terminal_id, issued, redeemed, net) "
        "SELECT 'S1', current_date - d, 'T1', 40 + 13 * (d % 5), 10 + 7 * (d % 3), 0 "
        "FROM generate_series(1, 29) AS d"
    )
    return members


def test_log_in_read_the_thai_dashboard_and_find_a_member(
    server: HQServer, db: Conn, make_terminal: Any
) -> None:
    chromium = _chromium()
    from playwright.sync_api import expect, sync_playwright

    members = _seed(server, db, make_terminal)
    add_user(db, "owner@example.com", "owner")
    shots = os.environ.get("BACKOFFICE_SCREENSHOTS")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="th-TH")
            page.goto(f"{server.url}/admin/")
            expect(page.get_by_role("heading", name="เข้าสู่ระบบ")).to_be_visible()
            page.get_by_label("อีเมล").fill("owner@example.com")
            page.get_by_label("รหัสผ่าน").fill(PASSWORD)
            page.get_by_label("รหัสผ่าน").press("Enter")

            expect(page.get_by_role("heading", name="ภาพรวม", exact=True)).to_be_visible()
            # The skip link comes first in the tab order, and takes focus to the content.
            page.keyboard.press("Tab")
            skip = page.get_by_role("link", name="ข้ามไปที่เนื้อหา")
            expect(skip).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator("main")).to_be_focused()
            expect(page.get_by_role("img", name="การเคลื่อนไหวของแต้ม 30 วันล่าสุด")).to_be_visible()
            totals = page.locator("section", has=page.locator("#totals-title"))
            expect(totals.get_by_role("row", name="แต้มที่ให้")).to_contain_text("240")
            expect(page.locator(".tile").first).to_contain_text("2")
            if shots:
                page.screenshot(path=str(Path(shots) / "backoffice-dashboard.png"), full_page=True)

            page.get_by_role("link", name="สมาชิก", exact=True).click()
            search = page.get_by_label("ค้นหาสมาชิก")
            search.fill("081-234-5601")
            search.press("Enter")
            page.get_by_role("link", name="สมชาย ใจดี").click()
            expect(page.get_by_role("heading", name="สมชาย ใจดี")).to_be_visible()
            expect(page.locator(".facts")).to_contain_text("70 แต้ม")
            expect(page.locator(".facts")).to_contain_text(PHONE)  # the owner sees it whole
            expect(page.get_by_role("table").first).to_contain_text("แลกแต้ม")
            assert members["S2"]["member_id"] not in page.content()
            if shots:
                page.screenshot(path=str(Path(shots) / "backoffice-member.png"), full_page=True)

            # The same pages on a tablet, in English, after the switch.
            page.set_viewport_size({"width": 820, "height": 1180})
            page.get_by_label("ภาษา").select_option("en")
            page.get_by_role("button", name="เปลี่ยน").click()
            expect(page.get_by_role("heading", name="สมชาย ใจดี")).to_be_visible()
            expect(page.get_by_text("History across stores")).to_be_visible()
            page.get_by_role("button", name="Log out").click()
            expect(page.get_by_text("You are logged out.")).to_be_visible()
        finally:
            browser.close()
