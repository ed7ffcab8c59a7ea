"""The ``pos`` command as a user (or a script) runs it: a real subprocess, a real
SQLite file, config/data/state dirs and the log inside the test's temp folder.

Every call goes through :meth:`Shop.pos`, which checks the contract common to all
commands: never a traceback on stderr and, with ``--json``, stdout is exactly one
JSON object (``{"error": {"code", "message"}}`` when the command fails).
Each call costs about a third of a second, so most tests share one initialised
ledger and keep apart by using their own phone number.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

POS = Path(sys.executable).parent / "pos"
if not POS.exists():  # pragma: no cover - an install whose scripts live elsewhere
    POS = Path(shutil.which("pos") or POS)

OK, REFUSED, USAGE, NOT_FOUND, DAMAGED = 0, 1, 2, 3, 4
PIN = "2468"  # the supervisor's PIN
PHONE = "0812345678"
E164 = "+66812345678"


@dataclass
class Call:
    args: list[str]
    status: int
    stdout: str
    stderr: str
    body: Any = None  # the JSON object on stdout, with --json

    @property
    def error(self) -> dict[str, str]:
        assert set(self.body) == {"error"}, self.body
        return self.body["error"]


class Shop:
    """One terminal: a temp home, an environment and a ledger file."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "shop.db"
        self.env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POS_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            self.env[var] = str(home / var.lower())
        self.env["POS_LOG_FILE"] = str(home / "pos.log")

    def pos(
        self,
        *args: str,
        stdin: str = "",
        json_out: bool = True,
        db: Path | bool = True,
        before: bool = False,
        env: dict[str, str] | None = None,
    ) -> Call:
        """Run ``pos ARGS --db DB --json``: the options after the arguments, as a user
        types them, or ``before`` the command. ``db=False`` leaves ``--db`` out."""
        options = []
        if db is not False:
            options += ["--db", str(self.db if db is True else db)]
        if json_out:
            options.append("--json")
        argv = [*options, *args] if before else [*args, *options]
        done = subprocess.run(
            [str(POS), *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.home,
            timeout=60,
        )
        call = Call(argv, done.returncode, done.stdout, done.stderr)
        where = f"pos {' '.join(argv)}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        assert "Traceback" not in done.stderr, where
        assert "Traceback" not in done.stdout, where
        if json_out:
            try:
                call.body = json.loads(done.stdout)  # the whole of stdout: one value
            except json.JSONDecodeError as exc:
                pytest.fail(f"stdout is not one JSON object ({exc}): {where}")
            assert isinstance(call.body, dict), where
            assert done.stdout.count("\n") == 1, where
            assert done.stderr == "", where
            if done.returncode != OK:
                error = call.error
                assert isinstance(error["code"], str) and error["code"], where
                assert isinstance(error["message"], str) and error["message"], where
        return call

    def ok(self, *args: str, **kwargs: Any) -> dict[str, Any]:
        call = self.pos(*args, **kwargs)
        assert call.status == OK, f"pos {' '.join(call.args)} -> {call.status}: {call.stdout}"
        return dict(call.body)

    def fails(self, status: int, code: str, *args: str, **kwargs: Any) -> str:
        """Run a command that must fail with ``status`` and error ``code``; its message."""
        call = self.pos(*args, **kwargs)
        assert (call.status, call.error["code"]) == (status, code), call.stdout
        return call.error["message"]

    def setup(self) -> None:
        body = self.ok("init", "--store", "S1", "--terminal", "T1")
        assert body["store_id"] == "S1" and body["terminal_id"] == "T1"
        self.ok("staff", "add", "sup", "--role", "supervisor", "--name", "Sup", stdin=PIN + "\n")
        self.ok("staff", "add", "cash1", "--role", "cashier", stdin="1357\n")

    def member(self, phone: str) -> dict[str, Any]:
        return self.ok("member", "show", phone)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """A shared, initialised terminal: supervisor 'sup' (PIN 2468), cashier 'cash1'."""
    terminal = Shop(tmp_path_factory.mktemp("shop"))
    terminal.setup()
    return terminal


@pytest.fixture
def new_shop(tmp_path: Path) -> Callable[[], Shop]:
    """A terminal of the test's own, not yet initialised."""
    return lambda: Shop(tmp_path)


# -- the happy path ---------------------------------------------------------------


def test_enroll_earn_show_history_with_options_before_and_after(shop: Shop) -> None:
    member = shop.ok("member", "enroll", PHONE, "--name", "Ann", "--consent")
    assert member["phone"] == E164
    assert member["name"] == "Ann"
    assert member["tier"] == "member"
    assert member["balance"] == 0
    assert member["created"] is True
    assert member["member_id"]

    # Options before the subcommand: pos --db X --json earn ...
    earn = shop.ok("earn", PHONE, "1000", "--ref", "B1", before=True)
    assert earn["kind"] == "earn"
    assert (earn["points"], earn["balance"], earn["ref"]) == (40, 40, "B1")
    assert earn["duplicate"] is False
    assert earn["member_id"] == member["member_id"]
    assert earn["entry_id"]

    # The same sale again (options after): nothing added, the first entry comes back.
    again = shop.ok("earn", PHONE, "1000", "--ref", "B1", "--cashier", "cash1")
    assert again["duplicate"] is True
    assert (again["entry_id"], again["points"], again["balance"]) == (earn["entry_id"], 40, 40)

    card = shop.member(PHONE)
    assert card["member_id"] == member["member_id"]
    assert (card["phone"], card["name"], card["tier"], card["balance"]) == (E164, "Ann", "member",
                                                                            40)  # fmt: skip
    assert [e["entry_id"] for e in card["recent"]] == [earn["entry_id"]]

    history = shop.ok("member", "history", PHONE, "--limit", "5")
    assert history["member"]["balance"] == 40
    assert [(e["kind"], e["points"], e["balance"]) for e in history["entries"]] == [
        ("earn", 40, 40)
    ]


def test_human_output(shop: Shop) -> None:
    phone = "0812345601"
    enrolled = shop.pos("member", "enroll", phone, json_out=False)
    assert enrolled.status == OK
    assert enrolled.stdout.startswith("Enrolled ")
    earn = shop.pos("earn", phone, "1000", "--ref", "H1", json_out=False)
    assert earn.status == OK
    assert earn.stdout.strip() == "+40 points, balance 40."
    assert earn.stderr == ""


# -- refusals: exit 1 -----------------------------------------------------------


def test_invalid_phone_is_refused(shop: Shop) -> None:
    message = shop.fails(REFUSED, "invalid_phone", "member", "enroll", "12")
    assert "'12'" in message


@pytest.mark.parametrize("amount", ["0", "2.505", "NaN", "1e3", "-5"])
def test_invalid_amount_is_refused(shop: Shop, amount: str) -> None:
    # '-5' looks like a negative number to argparse, so it reaches the ledger as AMOUNT.
    message = shop.fails(REFUSED, "invalid_amount", "earn", PHONE, amount, "--ref", "BAD")
    assert amount in message or "more than zero" in message


def test_redeem_rules_and_approvals(shop: Shop) -> None:
    phone = "0812345602"
    shop.ok("member", "enroll", phone, "--name", "Bea")
    gift = shop.ok("adjust", phone, "700", "--reason", "welcome gift", "--approver", "sup",
                   stdin=PIN + "\n")  # fmt: skip
    assert (gift["kind"], gift["points"], gift["balance"], gift["approver_id"]) == (
        "adjust", 700, 700, "sup")  # fmt: skip

    message = shop.fails(REFUSED, "insufficient_points",
                         "redeem", phone, "--points", "5000", "--ref", "R0")  # fmt: skip
    assert "700" in message and "5000" in message

    message = shop.fails(REFUSED, "approval_required",
                         "redeem", phone, "--points", "600", "--ref", "R1")  # fmt: skip
    assert "500" in message

    shop.fails(REFUSED, "wrong_pin", "redeem", phone, "--points", "600", "--ref", "R1",
               "--approver", "sup", stdin="1111\n")  # fmt: skip
    card = shop.member(phone)
    assert card["balance"] == 700
    assert [e["kind"] for e in card["recent"]] == ["adjust"]  # no redemption was written

    redeemed = shop.ok("redeem", phone, "--points", "600", "--ref", "R1", "--approver", "sup",
                       "--cashier", "cash1", stdin=PIN + "\n")  # fmt: skip
    assert (redeemed["kind"], redeemed["points"], redeemed["balance"]) == ("redeem", -600, 100)
    assert (redeemed["approver_id"], redeemed["cashier_id"]) == ("sup", "cash1")
    assert "coupon" not in redeemed

    # A negative POINTS positional is taken as a number, not an option.
    taken = shop.ok("adjust", phone, "-50", "--reason", "typo", "--approver", "sup",
                    stdin=PIN + "\n")  # fmt: skip
    assert (taken["points"], taken["balance"]) == (-50, 50)
    assert shop.member(phone)["balance"] == 50


# -- not found: exit 3; usage: exit 2 -------------------------------------------


def test_not_found(shop: Shop) -> None:
    shop.fails(NOT_FOUND, "member_not_found", "member", "show", "0899999999")
    shop.fails(NOT_FOUND, "entry_not_found", "reverse", "01900000-0000-7000-8000-000000000000",
               "--reason", "typo", "--approver", "sup", stdin=PIN + "\n")  # fmt: skip
    message = shop.fails(NOT_FOUND, "reward_not_found",
                         "redeem", PHONE, "--reward", "NOPE", "--ref", "R9")  # fmt: skip
    assert "pos rewards list" in message


def test_usage_errors(shop: Shop) -> None:
    message = shop.fails(USAGE, "usage", "earn", PHONE, "100")
    assert "--ref" in message
    message = shop.fails(USAGE, "usage", "frobnicate")
    assert "frobnicate" in message


# -- coupons, reversals, expiry ---------------------------------------------------


def test_reward_coupon_check_forged_use(shop: Shop) -> None:
    phone = "0812345603"
    shop.ok("member", "enroll", phone)
    assert shop.ok("earn", phone, "2500", "--ref", "C1")["balance"] == 100

    redeemed = shop.ok("redeem", phone, "--reward", "COFFEE", "--ref", "C1-R")
    assert (redeemed["points"], redeemed["balance"]) == (-100, 0)
    coupon = redeemed["coupon"]
    assert len(coupon["code"]) == 8
    assert coupon["payload"].startswith(f"LPC1:{coupon['code']}:COFFEE:")
    assert coupon["expires_at"] > redeemed["created_at"]
    assert coupon["status"] == "issued"

    checked = shop.ok("coupon", "check", coupon["payload"])
    assert (checked["status"], checked["usable"]) == ("issued", True)
    assert checked["coupon"]["code"] == coupon["code"]

    # A tampered payload (another expiry date, same signature) is reported, not refused:
    # `coupon check` answers with the status and exits 0; `coupon use` is what refuses.
    head, _expiry, signature = coupon["payload"].rsplit(":", 2)
    forged = shop.ok("coupon", "check", f"{head}:20991231:{signature}")
    assert (forged["status"], forged["usable"]) == ("forged", False)

    used = shop.ok("coupon", "use", coupon["code"][:4] + "-" + coupon["code"][4:].lower(),
                   "--cashier", "cash1")  # fmt: skip
    assert used["coupon"]["status"] == "used"
    assert shop.ok("coupon", "check", coupon["code"])["status"] == "used"
    message = shop.fails(REFUSED, "coupon_unusable", "coupon", "use", coupon["payload"])
    assert "used" in message


def test_reverse_with_approver(shop: Shop) -> None:
    phone = "0812345604"
    shop.ok("member", "enroll", phone)
    earn = shop.ok("earn", phone, "1000", "--ref", "V1")
    undone = shop.ok("reverse", earn["entry_id"], "--reason", "wrong member", "--approver",
                     "sup", stdin=PIN + "\n")  # fmt: skip
    assert (undone["kind"], undone["points"], undone["balance"]) == ("reverse", -40, 0)
    assert (undone["reverses"], undone["approver_id"]) == (earn["entry_id"], "sup")
    shop.fails(REFUSED, "not_reversible", "reverse", earn["entry_id"], "--reason", "again",
               "--approver", "sup", stdin=PIN + "\n")  # fmt: skip


def test_expire_and_verify(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()  # its own ledger: expiring in 2099 empties every wallet
    shop.setup()
    shop.ok("member", "enroll", PHONE)
    shop.ok("earn", PHONE, "1000", "--ref", "E1")
    # After today: a supervisor approves it (tests/reliability/test_till_attacks.py).
    expired = shop.ok("expire", "--as-of", "2099-01-01", "--approver", "sup", stdin=PIN + "\n")
    assert (expired["expired_points"], expired["wallets"]) == (40, 1)
    assert [(e["kind"], e["points"], e["balance"]) for e in expired["entries"]] == [
        ("expire", -40, 0)
    ]
    assert shop.member(PHONE)["balance"] == 0
    assert shop.ok("ledger", "verify") == {"ok": True, "problems": [], "head_office": "not_joined"}


# -- files, configuration and environment ---------------------------------------


def test_corrupt_database(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()
    shop.db.write_bytes(b"\x00\xffnot a database\x13\x37" * 300)
    message = shop.fails(DAMAGED, "corrupt_database", "member", "show", PHONE)
    assert str(shop.db) in message
    human = shop.pos("member", "show", PHONE, json_out=False)
    assert human.status == DAMAGED
    assert human.stdout == ""
    assert str(shop.db) in human.stderr


def test_bad_config_file_names_file_and_key(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()
    config = shop.home / "bad.toml"
    config.write_text('[redeem]\napproval_threshold = "lots"\n', encoding="utf-8")
    message = shop.fails(USAGE, "config_error", "rewards", "list", "--config", str(config))
    assert str(config) in message
    assert "redeem.approval_threshold" in message
    human = shop.pos("rewards", "list", "--config", str(config), json_out=False)
    assert human.status == USAGE
    assert str(config) in human.stderr and "redeem.approval_threshold" in human.stderr


def test_pos_db_environment_variable(shop: Shop) -> None:
    shop.ok("member", "enroll", "0812345605", "--name", "Env")
    body = shop.ok("member", "show", "0812345605", db=False, env={"POS_DB": str(shop.db)})
    assert body["name"] == "Env"


def test_default_database_is_in_the_user_data_dir(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()
    body = shop.ok("init", "--store", "S9", "--terminal", "T9", db=False)
    expected = Path(shop.env["XDG_DATA_HOME"]) / "loyalty-pos" / "ledger.db"
    assert Path(body["db"]) == expected
    assert expected.is_file()
    assert not shop.db.exists()


def test_uninitialised_ledger_says_run_pos_init(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()
    for args in (("member", "enroll", PHONE), ("expire",)):
        message = shop.fails(REFUSED, "not_initialized", *args)
        assert "pos init" in message


def test_uninitialised_ledger_read_commands_say_run_pos_init(
    new_shop: Callable[[], Shop],
) -> None:
    shop = new_shop()
    for args in (("member", "show", PHONE), ("earn", PHONE, "100", "--ref", "U1")):
        message = shop.fails(REFUSED, "not_initialized", *args)
        assert "pos init" in message


def test_database_path_that_cannot_be_opened(new_shop: Callable[[], Shop]) -> None:
    shop = new_shop()
    call = shop.pos("member", "show", PHONE, db=shop.home)
    assert call.status in (REFUSED, USAGE)
    assert str(shop.home) in call.error["message"]
