"""The member page through a real head office and two tills: the slip's QR,
scanned from the preview PNG, opens the member's page; a member enrolled
offline has no member QR until the next sync; a rotated token and a forgotten
member reach the tills; a till that does not list the feature never gets one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import zxingcpp
from PIL import Image

from config import Settings
from hq.db import Conn
from hq.memberpage import tokens
from hq.members import privacy
from ledger.replica import Replica
from ledger.service import Ledger
from pos.printing import SlipPrinter
from sync.protocol import FEATURE_MEMBER_PAGE, FEATURES_HEADER, PullResponse
from tests.sync.conftest import HQServer, Sync

PHONE, NAME = "081-234-7788", "Malee Srisuk"


def _printer(settings: Settings, book: Ledger, spool: Path) -> SlipPrinter:
    preview = settings.printer.model_copy(update={"url": "preview", "spool_dir": spool})
    return SlipPrinter(settings.model_copy(update={"printer": preview}), book, "th")


def _scanned(settings: Settings, book: Ledger, spool: Path) -> list[str]:
    """Print the queued slips in preview mode; the QR codes read off their PNGs."""
    found: list[str] = []
    for outcome in _printer(settings, book, spool).print_pending():
        assert outcome.printed, outcome.message
        for name in outcome.files:
            if name.endswith(".png"):
                with Image.open(name) as image:
                    found += [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]
    return found


def _page_token(book: Ledger, member_id: str) -> str | None:
    row = book.conn.execute(
        "SELECT token FROM member_pages WHERE member_id = ?", (member_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def test_the_slip_qr_opens_the_members_page(
    joined: Callable[..., Ledger],
    hq: HQServer,
    hq_db: Conn,
    sync: Sync,
    settings: Settings,
    tmp_path: Path,
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    member, _ = a.enroll(PHONE, name=NAME, consent=True)
    # Enrolled offline: head office has not issued its token yet, the slip has no
    # member QR (nor a generic one: it would lead nowhere).
    a.earn(PHONE, "500.00", "A-1", print_slip=True)
    assert _scanned(settings, a, tmp_path / "a0") == []

    sync(a)  # the push stores the member; head office issues the token
    sync(a)  # ... and the till pulls it (the feed shows it once the push committed)
    token = tokens.current(hq_db, member.member_id)
    assert token is not None and _page_token(a, member.member_id) == token
    url = f"{hq.url}/m/{token}"

    a.earn(PHONE, "250.00", "A-2", print_slip=True)
    assert _scanned(settings, a, tmp_path / "a1") == [url]
    page = httpx.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    # Head office has what the till pushed: the first sale (the second is not synced yet).
    assert "08x-xxx-7788" in page.text and ">20<" in page.text and NAME in page.text
    assert "0812347788" not in page.text and "812347788" not in page.text

    # The other till knows the member's page too (it prints it offline).
    sync(b)
    assert _page_token(b, member.member_id) == token
    b.earn(PHONE, "100.00", "B-1", print_slip=True)
    assert _scanned(settings, b, tmp_path / "b") == [url]

    # Rotated at head office: the old link opens nothing; each till prints the new one.
    new = tokens.rotate(hq_db, member.member_id)
    assert httpx.get(url).status_code == 404
    sync(a)
    a.earn(PHONE, "100.00", "A-3", print_slip=True)
    assert _scanned(settings, a, tmp_path / "a2") == [f"{hq.url}/m/{new}"]

    # Forgotten: no page, and neither till keeps the token.
    privacy.forget(hq_db, "+66812347788")
    assert httpx.get(f"{hq.url}/m/{new}").status_code == 404
    sync(a)
    sync(b)
    assert _page_token(a, member.member_id) is None and _page_token(b, member.member_id) is None


def test_an_older_till_never_receives_a_member_page_change(
    joined: Callable[..., Ledger], hq: HQServer, hq_db: Conn, sync: Sync
) -> None:
    a = joined("A", store="S1")
    a.enroll(PHONE, name=NAME, consent=True)
    sync(a)
    sync(a)
    token = a.conn.execute("SELECT token FROM member_pages").fetchone()
    assert token is not None
    bearer = Replica(a).token()
    auth = {"Authorization": f"Bearer {bearer}"}
    old = httpx.get(f"{hq.url}/v1/pull", params={"after": "0"}, headers=auth)
    assert old.status_code == 200 and token[0] not in old.text
    assert "member_page" not in {c["kind"] for c in old.json()["changes"]}
    new = httpx.get(
        f"{hq.url}/v1/pull",
        params={"after": "0"},
        headers={**auth, FEATURES_HEADER: f"x, {FEATURE_MEMBER_PAGE}"},
    )
    kinds = [c.kind for c in PullResponse.model_validate_json(new.content).changes]
    assert "member_page" in kinds
