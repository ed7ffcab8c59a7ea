"""`pos staff events`: the PIN audit trail the ledger keeps (wrong PINs, locks,
unlocks), readable by the owner from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import OK, PIN, REFUSED, Shop


def test_wrong_pins_a_lock_and_its_unlock_are_listed(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.setup()
    shop.ok("staff", "add", "owner", "--role", "admin", "--name", "Malee", stdin="8642\n")
    assert shop.ok("staff", "events")["events"] == []
    shop.ok("member", "enroll", "0812345678")
    shop.ok("earn", "0812345678", "1000", "--ref", "B1")
    for _ in range(5):  # a cashier guessing the supervisor's PIN
        call = shop.pos("adjust", "0812345678", "5", "--reason", "x", "--approver", "sup",
                        stdin="1111\n")  # fmt: skip
        assert call.status == REFUSED
    shop.ok("staff", "unlock", "sup", "--approver", "owner", stdin="8642\n")
    events = shop.ok("staff", "events", "sup")["events"]
    assert [e["event"] for e in events] == ["wrong_pin"] * 5 + ["locked", "unlocked"]
    assert events[-1]["by"] == "owner" and events[5]["until"]
    assert shop.ok("staff", "events", "cash1")["events"] == []
    text = shop.pos("staff", "events", "sup", json_out=False)
    assert text.status == OK and "sup  locked until" in text.stdout and "by owner" in text.stdout
    assert PIN not in text.stdout and "1111" not in text.stdout  # no PIN ever shown
