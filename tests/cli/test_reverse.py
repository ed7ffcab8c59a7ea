"""``pos reverse`` when the reversed points bought coupons still unused: a
missing choice is refused (exit 1) with the coupons and both options;
``--void-coupons`` and ``--keep-coupons`` say what was done."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_cli import OK, PIN, REFUSED, USAGE, Shop


@pytest.fixture(scope="module")
def till(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    terminal = Shop(tmp_path_factory.mktemp("till"))
    terminal.setup()
    return terminal


def spent(shop: Shop, phone: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A 690-point sale, 600 spent on PCT10 (unused), 90 as points: (sale, coupon)."""
    shop.ok("member", "enroll", phone)
    sale = shop.ok("earn", phone, "17250", "--ref", f"S-{phone[-2:]}")
    assert sale["points"] == 690
    redeemed = shop.ok("redeem", phone, "--reward", "PCT10", "--ref", f"R-{phone[-2:]}",
                       "--approver", "sup", stdin=PIN + "\n")  # fmt: skip
    shop.ok("redeem", phone, "--points", "90", "--ref", f"P-{phone[-2:]}")
    return sale, redeemed["coupon"]


def reverse(shop: Shop, entry_id: str, *choice: str, **kwargs: Any) -> Any:
    return shop.pos("reverse", entry_id, "--reason", "wrong member", "--approver", "sup",
                    *choice, stdin=PIN + "\n", **kwargs)  # fmt: skip


def test_a_missing_choice_exits_1_with_the_coupons_and_the_options(till: Shop) -> None:
    sale, coupon = spent(till, "0812345671")
    call = reverse(till, sale["entry_id"])
    assert (call.status, call.error["code"]) == (REFUSED, "coupon_choice_required")
    message = call.error["message"]
    assert "PCT10" in message and coupon["code"][:4] in message
    assert "--void-coupons" in message and "--keep-coupons" in message
    assert till.member("0812345671")["balance"] == 0
    assert till.ok("coupon", "check", coupon["code"])["status"] == "issued"
    people = reverse(till, sale["entry_id"], json_out=False)
    assert people.status == REFUSED and "--void-coupons" in people.stderr
    both = reverse(till, sale["entry_id"], "--void-coupons", "--keep-coupons")
    assert both.status == USAGE


def test_void_coupons_reverses_the_redemption_and_says_so(till: Shop) -> None:
    sale, coupon = spent(till, "0812345672")
    done = reverse(till, sale["entry_id"], "--void-coupons")
    assert done.status == OK, done.stdout
    body = done.body
    assert (body["kind"], body["points"], body["balance"]) == ("reverse", -690, -90)
    assert (body["reverses"], body["approver_id"]) == (sale["entry_id"], "sup")
    assert body["rules"]["coupons"] == "voided"
    assert body["voided_coupons"] == [{"code": coupon["code"], "reward_id": "PCT10",
                                       "status": "void"}]  # fmt: skip
    assert body["kept_coupons"] == []
    assert [r["points"] for r in body["coupon_reversals"]] == [600]
    assert till.ok("coupon", "check", coupon["code"])["status"] == "void"
    assert till.member("0812345672")["balance"] == -90


def test_keep_coupons_leaves_them_valid_and_says_so(till: Shop) -> None:
    sale, coupon = spent(till, "0812345673")
    done = reverse(till, sale["entry_id"], "--keep-coupons", json_out=False)
    assert done.status == OK, done.stderr
    assert "Reversed: -690 points, balance -690." in done.stdout
    assert "Kept coupon" in done.stdout and "PCT10" in done.stdout
    assert till.ok("coupon", "check", coupon["code"])["status"] == "issued"
    history = till.ok("member", "history", "0812345673")
    assert history["entries"][0]["rules"]["coupons"] == "kept"
