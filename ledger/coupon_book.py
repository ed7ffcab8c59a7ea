"""Coupons in the ledger: issued with a redemption, checked, used once.

Codes, signatures and the key file are ledger.coupons; this module is what
the ledger records about each coupon and every change of its status.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ledger import coupons as couponlib
from ledger.clock import iso
from ledger.core import Core
from ledger.db import transaction
from ledger.errors import CouponNotFound, CouponUnusable, InvalidInput
from ledger.journal import Writer
from ledger.models import Coupon, Entry
from ledger.stale import refuse_if_stale

if TYPE_CHECKING:
    from config.settings import Reward

_COUPON = (
    "SELECT code, entry_id, reward_id, member_id, payload, issued_at, expires_at, status "
    "FROM coupons "
)


def issue(core: Core, writer: Writer, entry: Entry, reward: Reward) -> Coupon:
    expires = writer.now + timedelta(days=reward.validity_days)
    code = couponlib.new_code()
    while writer.conn.execute("SELECT 1 FROM coupons WHERE code = ?", (code,)).fetchone():
        code = couponlib.new_code()
    payload = couponlib.sign(core.coupon_key(), code, reward.id, expires.strftime("%Y%m%d"))
    coupon = Coupon(
        code, entry.entry_id, reward.id, entry.member_id or "", payload,
        iso(writer.now), iso(expires), "issued",
    )  # fmt: skip
    writer.conn.execute(
        "INSERT INTO coupons (code, entry_id, reward_id, member_id, payload, issued_at, "
        "expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (code, entry.entry_id, reward.id, coupon.member_id, payload,
         coupon.issued_at, coupon.expires_at, "issued"),
    )  # fmt: skip
    record_event(writer.conn, code, "issued", coupon.issued_at, writer.terminal_id)
    return coupon


def of_entry(core: Core, entry_id: str) -> Coupon | None:
    row = core.conn.execute(_COUPON + "WHERE entry_id = ?", (entry_id,)).fetchone()
    return None if row is None else _with_expiry(core, Coupon(*row))


def void(conn: sqlite3.Connection, code: str, at: str, terminal_id: str) -> None:
    """Its redemption was reversed: the coupon hands out nothing any more."""
    conn.execute("UPDATE coupons SET status = 'void' WHERE code = ?", (code,))
    record_event(conn, code, "void", at, terminal_id)


def _with_expiry(core: Core, coupon: Coupon) -> Coupon:
    if coupon.status == "issued" and coupon.expires_at <= iso(core.now()):
        return replace(coupon, status="expired")
    return coupon


def check(core: Core, text: str) -> Coupon:
    """Status of a coupon from its code or scanned payload: issued, used,
    void, expired, or forged (a payload whose signature does not match)."""
    core.terminal()
    code = _code(core, text)
    if isinstance(code, Coupon):
        return code
    row = core.conn.execute(_COUPON + "WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise CouponNotFound(key="coupon_not_found", code=couponlib.display_code(code))
    coupon = Coupon(*row)
    # A coupon pulled from head office has no payload here: the signature
    # (checked above) is what proves it.
    if couponlib.looks_like_payload(text) and coupon.payload and text.strip() != coupon.payload:
        return _forged(text, code)
    return _with_expiry(core, coupon)


def _code(core: Core, text: str) -> str | Coupon:
    if couponlib.looks_like_payload(text):
        keys = [core.coupon_key(), *couponlib.previous_keys(core.secrets_path)]
        payload = couponlib.read_payload(keys, text)
        if payload is None or not payload.genuine:
            return _forged(text, payload.code if payload else "")
        return payload.code
    code = couponlib.normalize_code(text or "")
    if len(code) != 8 or not code.isalnum():
        raise InvalidInput(key="invalid_input.coupon_code", value=text)
    return code


def use(core: Core, text: str, cashier_id: str | None) -> Coupon:
    """Mark a coupon used (single use); refuses used, void, expired or forged."""
    coupon = check(core, text)
    if coupon.status != "issued":
        raise CouponUnusable(**unusable(coupon))
    _, terminal_id = core.terminal()
    now = iso(core.clock())
    with transaction(core.conn) as conn:
        # A copy that sells nothing (head office may hold this coupon used) hands
        # out no reward either.
        refuse_if_stale(conn, terminal_id)
        changed = conn.execute(
            "UPDATE coupons SET status = 'used', used_at = ?, used_terminal = ?, used_by = ? "
            "WHERE code = ? AND status = 'issued'",
            (now, terminal_id, cashier_id, coupon.code),
        ).rowcount
        if changed:
            record_event(conn, coupon.code, "used", now, terminal_id)
    if changed != 1:
        return use(core, text, cashier_id)  # lost a race: report the new status
    return check(core, coupon.code)


def record_event(conn: sqlite3.Connection, code: str, status: str, at: str, terminal: str) -> None:
    conn.execute(
        "INSERT INTO coupon_events (code, status, at, terminal_id) VALUES (?, ?, ?, ?)",
        (code, status, at, terminal),
    )


def _forged(text: str, code: str) -> Coupon:
    return Coupon(code, "", "", "", text.strip(), "", "", "forged")


def unusable(coupon: Coupon) -> dict[str, Any]:
    """Why a coupon cannot be used: its catalogue key and values."""
    case = coupon.status if coupon.status in ("used", "void", "expired", "forged") else "other"
    return {
        "key": f"coupon_unusable.{case}",
        "status": coupon.status,
        "code": couponlib.display_code(coupon.code) if coupon.code else "",
        "expires": coupon.expires_at[:10],
    }
