"""`pos member enroll --consent`: what the customer agreed to is stored and shown."""

from __future__ import annotations

from tests.cli.test_cli import OK, Shop, shop

__all__ = ["shop"]  # the module's terminal, shared with test_cli


def test_consent_is_stored_with_its_scope_and_shown(shop: Shop) -> None:
    enrolled = shop.ok("member", "enroll", "0812340001", "--consent")
    assert (enrolled["consent_given"], enrolled["consent_scope"]) == (
        True,
        "points-receipts-phone/1",
    )
    assert enrolled["consent_at"]
    shown = shop.member("0812340001")
    assert (shown["consent_given"], shown["consent_scope"], shown["consent_at"]) == (
        True,
        "points-receipts-phone/1",
        enrolled["consent_at"],
    )


def test_without_consent_the_cli_still_enrolls_and_says_none_was_given(shop: Shop) -> None:
    call = shop.pos("member", "enroll", "0812340002", json_out=False)
    assert call.status == OK
    assert call.stdout.strip().endswith(", no consent given.")
    shown = shop.member("0812340002")
    assert (shown["consent_given"], shown["consent_scope"], shown["consent_at"]) == (
        False,
        None,
        None,
    )
