"""``pos staff list / deactivate / reactivate / reset-pin`` and ``pos report
day``: what the ledger allows, with PINs on stdin, and a Z report that adds
up and prints (preview) with a Thai name on it."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import PHONE, Shop

ADMIN_PIN = "8642"


def shop_with_admin(tmp_path: Path) -> Shop:
    shop = Shop(tmp_path)
    shop.setup()  # sup (PIN 2468) and cash1 (PIN 1357)
    shop.ok("staff", "add", "owner", "--role", "admin", "--name", "มาลี", stdin=ADMIN_PIN + "\n")
    return shop


def test_an_admin_deactivates_and_reactivates_and_the_list_says_so(tmp_path: Path) -> None:
    shop = shop_with_admin(tmp_path)
    done = shop.ok("staff", "deactivate", "cash1", "--approver", "owner", stdin=ADMIN_PIN + "\n")
    assert done["staff"]["state"] == "deactivated"
    listed = {s["staff_id"]: s for s in shop.ok("staff", "list")["staff"]}
    assert listed["cash1"]["state"] == "deactivated" and listed["owner"]["name"] == "มาลี"
    text = shop.pos("staff", "list", json_out=False).stdout
    assert "deactivated since" in text and "cash1" in text
    refused = shop.fails(1, "staff_deactivated", "earn", PHONE, "100", "--ref", "B1",
                         "--cashier", "cash1")  # fmt: skip
    assert "pos staff reactivate cash1 --approver owner" in refused
    shop.ok("staff", "reactivate", "cash1", "--approver", "owner", stdin=ADMIN_PIN + "\n")
    events = shop.ok("staff", "events", "cash1")["events"]
    assert [(e["event"], e["by"]) for e in events] == [
        ("deactivated", "owner"), ("reactivated", "owner"),
    ]  # fmt: skip


def test_a_cashier_or_supervisor_cannot_deactivate_and_a_supervisor_resets_only_cashiers(
    tmp_path: Path,
) -> None:
    shop = shop_with_admin(tmp_path)
    shop.fails(1, "not_permitted", "staff", "deactivate", "sup", "--approver", "cash1",
               stdin="1357\n")  # fmt: skip
    shop.fails(1, "not_permitted", "staff", "deactivate", "cash1", "--approver", "sup",
               stdin="2468\n")  # fmt: skip
    shop.fails(1, "not_permitted", "staff", "reset-pin", "sup", "--approver", "cash1",
               stdin="1357\n9173\n")  # fmt: skip
    shop.fails(1, "not_permitted", "staff", "reset-pin", "owner", "--approver", "sup",
               stdin="2468\n9173\n")  # fmt: skip
    shop.ok("staff", "reset-pin", "cash1", "--approver", "sup", stdin="2468\n9173\n")
    events = [e["event"] for e in shop.ok("staff", "events", "cash1")["events"]]
    assert events == ["pin_reset"]
    # the old PIN approves nothing any more; the new one is the cashier's
    shop.fails(1, "weak_pin", "staff", "reset-pin", "cash1", "--approver", "owner",
               stdin=ADMIN_PIN + "\n1234\n")  # fmt: skip


def test_the_last_admin_cannot_deactivate_themselves(tmp_path: Path) -> None:
    shop = shop_with_admin(tmp_path)
    message = shop.fails(1, "not_permitted", "staff", "deactivate", "owner", "--approver",
                         "owner", stdin=ADMIN_PIN + "\n")  # fmt: skip
    assert "own id" in message
    assert {s["staff_id"]: s["state"] for s in shop.ok("staff", "list")["staff"]}["owner"] == (
        "active"
    )


def test_report_day_adds_up_and_prints_a_thai_slip_in_preview(tmp_path: Path) -> None:
    shop = shop_with_admin(tmp_path)
    env = {"POS_LOCALE__TIMEZONE": "Asia/Bangkok", "POS_LOCALE__LANGUAGE": "th"}
    shop.ok("member", "enroll", PHONE, "--name", "สมชาย")
    sale = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--cashier", "cash1")
    shop.ok("earn", PHONE, "250", "--ref", "B2", "--cashier", "cash1")
    shop.ok("reverse", sale["entry_id"], "--reason", "wrong", "--approver", "sup", stdin="2468\n")
    z = shop.ok("report", "day", env=env)
    assert z["sales"] == {"count": 2, "reversed": 1, "amount_minor": 25000}
    assert z["points"]["earn"] == 50 and z["points"]["reverse"] == -40 and z["enrolled"] == 1
    (cash1,) = [r for r in z["by_cashier"] if r["cashier_id"] == "cash1"]
    assert (cash1["sales"], cash1["amount_minor"], cash1["points"]) == (2, 25000, 10)
    printed = shop.ok("report", "day", "--print", env=env)["print"]
    assert printed["printed"] and printed["printer"] == "preview"
    files = [Path(f) for f in printed["files"]]
    assert {f.suffix for f in files} == {".bin", ".png"}
    assert all(f.stat().st_size > 0 for f in files)
    assert b"\x1dV" in files[0].read_bytes()[-8:] or b"\x1dV" in files[1].read_bytes()[-8:]
    text = shop.pos("report", "day", "--date", "2026-13-01", json_out=False)
    assert text.status == 2 and "2026-13-01" in text.stderr
    empty = shop.ok("report", "day", "--date", "2020-01-01", env=env)
    assert empty["sales"]["count"] == 0 and empty["by_cashier"] == []


def test_report_day_print_to_a_printer_that_is_off_says_not_printed(tmp_path: Path) -> None:
    from tests.cli.test_print import free_port

    shop = shop_with_admin(tmp_path)
    env = {"POS_PRINTER__URL": f"tcp://127.0.0.1:{free_port()}", "POS_LOCALE__LANGUAGE": "en"}
    message = shop.fails(1, "printer_unavailable", "report", "day", "--print", env=env)
    assert "127.0.0.1" in message and "Printed" not in message
