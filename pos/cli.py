"""The ``pos`` command: the scriptable face of the ledger.

Exit status (the table is in ``config.cli``; ``pos.exits`` maps the
refusals onto it): 0 done; 1 refused by a rule (or verify found problems in
the books); 2 usage or configuration error; 3 not found; 4 a file of the till
is damaged, missing or odd (restore it, or call head office); 5 a file cannot
be written or read right now (disk full, read-only, immutable, permissions,
busy: fix that and run again); 70 a bug; 75 head office unreachable or a sync
already running (try again later); 130 interrupted. With ``--json`` stdout
holds exactly one JSON object.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from config import ConfigError, default_db_path, load_settings
from config.cli import (
    DAMAGED,
    REFUSED,
    UNAVAILABLE,
    USAGE,
    Cli,
    Commands,
    Parser,
    Result,
    json_option,
)
from config.refusal import Refusal
from ledger import db as ledger_db
from ledger.errors import NotInitialized
from pos import output
from pos.commands import (
    CREATES_DB,
    DAMAGE_CHECKS,
    SECRETS_NOT_NEEDED,
    VerifyFailed,
    cmd_adjust,
    cmd_coupon_check,
    cmd_coupon_use,
    cmd_earn,
    cmd_expire,
    cmd_init,
    cmd_join,
    cmd_ledger_backup,
    cmd_ledger_clock,
    cmd_ledger_restore,
    cmd_member_enroll,
    cmd_member_history,
    cmd_member_show,
    cmd_print_queue,
    cmd_print_reprint,
    cmd_print_test,
    cmd_redeem,
    cmd_reverse,
    cmd_rewards_list,
    cmd_run,
    cmd_staff_add,
    cmd_staff_events,
    cmd_staff_unlock,
    cmd_sync,
    cmd_verify,
)
from pos.context import Context, secrets_path
from pos.exits import exit_status
from pos.import_commands import cmd_import_members, cmd_import_sales
from pos.logs import setup_logging
from pos.member_commands import (
    cmd_member_consent,
    cmd_member_export,
    cmd_member_forget,
    cmd_member_phone,
)
from pos.member_merge_command import cmd_member_merge
from pos.report_commands import add_report_commands
from pos.staff_commands import (
    cmd_report_day,
    cmd_staff_deactivate,
    cmd_staff_list,
    cmd_staff_reactivate,
    cmd_staff_reset_pin,
)

log = logging.getLogger("pos.cli")
# Names, refs and notices may hold ESC, C1 or bidi controls: never raw to a terminal.
CLI = Cli("pos", log, json_text=output.json_text, visible=output.visible)


def _common() -> argparse.ArgumentParser:
    # SUPPRESS so a subcommand's copy does not overwrite a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="ledger database file")
    common.add_argument("--config", default=argparse.SUPPRESS, help="settings file (TOML)")
    json_option(common)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = Parser(
        prog="pos",
        description="Loyalty POS: phone-number loyalty points at the counter. "
        "Run a command with --help for its options.",
        parents=[common],
    )
    commands = Commands(parser, common)
    sub, command, group = commands.sub, commands.command, commands.group

    command(sub, "run", cmd_run, "open the counter app (the default)")

    p = command(sub, "init", cmd_init, "set up this terminal's store and terminal ids")
    p.add_argument("--store", required=True, metavar="STORE_ID")
    p.add_argument("--terminal", required=True, metavar="TERMINAL_ID")

    staff = group("staff", "staff and PINs")
    p = command(staff, "add", cmd_staff_add, "add a staff member (PIN: prompt or stdin)")
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.add_argument("--role", required=True, choices=["cashier", "supervisor", "admin"])
    p.add_argument("--name")
    p = command(staff, "unlock", cmd_staff_unlock,
                "lift a PIN lock (an admin approves, PIN on stdin)")  # fmt: skip
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.add_argument("--approver", required=True, metavar="ADMIN_ID")
    p = command(staff, "events", cmd_staff_events,
                "the PIN audit trail: wrong PINs, locks, unlocks")  # fmt: skip
    p.add_argument("staff_id", metavar="STAFF_ID", nargs="?")
    command(
        staff, "list", cmd_staff_list, "every staff member: role, active, locked or deactivated"
    )
    for verb, handler, says in (
        ("deactivate", cmd_staff_deactivate, "stop an id logging in or approving"),
        ("reactivate", cmd_staff_reactivate, "let a deactivated id log in again"),
    ):
        p = command(staff, verb, handler, f"{says} (an admin approves, PIN on stdin)")
        p.add_argument("staff_id", metavar="STAFF_ID")
        p.add_argument("--approver", required=True, metavar="ADMIN_ID")
    p = command(staff, "reset-pin", cmd_staff_reset_pin,
                "give a staff member a new PIN (an admin, or a supervisor for a cashier); "
                "stdin: the approver's PIN, then the new one")  # fmt: skip
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")

    report = group("report", "reports")
    p = command(report, "day", cmd_report_day,
                "the end-of-day close (Z report): sales, points, new members, "
                "per cashier")  # fmt: skip
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the shop's day (default: today)")
    p.add_argument("--print", action="store_true", help="print it on the slip printer")
    add_report_commands(report, command)

    member = group("member", "members")
    p = command(member, "enroll", cmd_member_enroll, "enroll a phone number")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--name")
    p.add_argument("--consent", action="store_true",
                   help="the customer agreed: points and receipts by phone "
                   "(without it, 'no consent given' is recorded)")  # fmt: skip
    p = command(member, "show", cmd_member_show, "a member's card: balance, tier, expiry")
    p.add_argument("phone", metavar="PHONE")
    p = command(member, "history", cmd_member_history, "a member's entries, newest first")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p = command(member, "consent", cmd_member_consent,
                "record the member's consent given again, or withdrawn")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    answer = p.add_mutually_exclusive_group(required=True)
    answer.add_argument("--give", dest="give", action="store_true",
                        help="the member agrees: points and receipts by phone")  # fmt: skip
    answer.add_argument("--withdraw", dest="give", action="store_false",
                        help="the member withdraws consent")  # fmt: skip
    p = command(member, "export", cmd_member_export,
                "everything held about a member, as JSON (and CSV); a supervisor "
                "approves, PIN on stdin")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")
    p.add_argument("--out", metavar="FILE", help="write the JSON to a new file (0600)")
    p.add_argument("--csv", metavar="DIR", help="also write one CSV per table into DIR")
    p = command(member, "merge", cmd_member_merge,
                "make two members one: OTHER's points (expiry kept) and coupons go to "
                "KEEP, OTHER's phone finds KEEP; a supervisor approves, PIN on stdin")  # fmt: skip
    p.add_argument("keep_phone", metavar="KEEP_PHONE", help="the member who stays")
    p.add_argument("other_phone", metavar="OTHER_PHONE",
                   help="the member merged into KEEP (enrolled at this terminal)")  # fmt: skip
    p.add_argument("--approver", required=True, metavar="STAFF_ID")
    p = command(member, "forget", cmd_member_forget,
                "erase a member's phone and name at their request (they stay a pseudonym); "
                "a supervisor approves, PIN on stdin")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")
    p = command(member, "phone", cmd_member_phone,
                "give a member a new phone number (the old one is free); a supervisor "
                "approves, PIN on stdin")  # fmt: skip
    p.add_argument("old_phone", metavar="OLD_PHONE")
    p.add_argument("new_phone", metavar="NEW_PHONE")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")

    imports = group("import", "a shop's members and sales from its old system (CSV)")
    p = command(imports, "members", cmd_import_members,
                "members: phone, name, external_id, birthday, enrolled_at, consent_at, "
                "balance (a dry run without --commit)")  # fmt: skip
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--commit", action="store_true", help="write the good rows (by batches)")
    p.add_argument("--approver", metavar="STAFF_ID",
                   help="a supervisor approving the opening balances (PIN on stdin)")  # fmt: skip
    p = command(imports, "sales", cmd_import_sales,
                "past sales as history (no points; they count toward tiers): phone or "
                "external_id, date, amount, ref (a dry run without --commit)")  # fmt: skip
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--commit", action="store_true", help="write the good rows (by batches)")

    p = command(sub, "earn", cmd_earn, "add points for a sale")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("amount", metavar="AMOUNT", help="the sale amount, e.g. 250 or 250.50")
    p.add_argument("--ref", required=True, metavar="SALE_REF", help="the bill number")
    p.add_argument("--cashier", metavar="STAFF_ID")
    p.add_argument("--print", action="store_true", help="print the slip")

    p = command(sub, "redeem", cmd_redeem, "spend points (approver PIN: prompt or stdin)")
    p.add_argument("phone", metavar="PHONE")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--points", metavar="N")
    what.add_argument("--reward", metavar="REWARD_ID")
    p.add_argument("--ref", required=True, metavar="REF")
    p.add_argument("--cashier", metavar="STAFF_ID")
    p.add_argument("--approver", metavar="STAFF_ID")
    p.add_argument("--print", action="store_true", help="print the coupon")

    p = command(sub, "reverse", cmd_reverse, "undo an entry (supervisor)")
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")
    # Only asked for when the reversal takes the balance below zero and coupons
    # bought with those points are still unused (ledger.reversal).
    choice = p.add_mutually_exclusive_group()
    choice.add_argument(
        "--void-coupons",
        action="store_true",
        help="void unused coupons paid with the reversed points",
    )
    choice.add_argument("--keep-coupons", action="store_true",
                        help="keep them valid (the balance stays below zero)")  # fmt: skip

    p = command(sub, "adjust", cmd_adjust, "add or remove points by hand (supervisor)")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("points", metavar="POINTS", help="e.g. 50 or -50")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")

    coupon = group("coupon", "coupons")
    p = command(coupon, "check", cmd_coupon_check,
                "status of a coupon: issued, used, void, expired or forged")  # fmt: skip
    p.add_argument("code", metavar="CODE_OR_PAYLOAD")
    p = command(coupon, "use", cmd_coupon_use, "mark a coupon used")
    p.add_argument("code", metavar="CODE_OR_PAYLOAD")
    p.add_argument("--cashier", metavar="STAFF_ID")

    rewards = group("rewards", "the reward catalog")
    command(rewards, "list", cmd_rewards_list, "list the rewards")

    p = command(sub, "expire", cmd_expire, "expire points past their date, oldest first")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="expire what is due by this date "
                   "(after today: a supervisor approves)")  # fmt: skip
    p.add_argument("--approver", metavar="STAFF_ID",
                   help="a supervisor approving an --as-of after today (PIN on stdin)")  # fmt: skip

    ledger = group("ledger", "the journal")
    p = command(ledger, "verify", cmd_verify, "check balances, sequences, hash chains, approvals")
    p.add_argument("--quick", action="store_true",
                   help="SQLite quick_check instead of the full integrity_check")  # fmt: skip
    p.add_argument("--local", action="store_true",
                   help="skip comparing with head office's copy (a joined till does)")  # fmt: skip
    p = command(ledger, "clock", cmd_ledger_clock,
                "does this till's clock fit its journal? (behind it, or years ahead)")  # fmt: skip
    p.add_argument("--confirm", action="store_true",
                   help="the clock is right (the till was unused for years)")  # fmt: skip
    p.add_argument("--approver", metavar="STAFF_ID")
    p = command(ledger, "backup", cmd_ledger_backup,
                "copy the ledger (and its secrets) to FILE, safe while the till runs")  # fmt: skip
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p = command(ledger, "restore", cmd_ledger_restore,
                "rebuild this till's journal from head office's copy; carry over the sales "
                "made since (a till restored from an old copy, or a cloned till)")  # fmt: skip
    p.add_argument("--as-new-terminal", metavar="SETUP_CODE",
                   help="this till is a copy of another: join as the new terminal of this "
                   "code (pos-hq terminal add) and carry its sales over")  # fmt: skip
    p.add_argument("--approver", metavar="STAFF_ID",
                   help="a supervisor approving carried-over debits below zero")  # fmt: skip

    p = command(sub, "join", cmd_join, "connect this terminal to head office (one-time code)")
    p.add_argument("hq_url", metavar="HQ_URL")
    p.add_argument("setup_code", metavar="SETUP_CODE")
    p = command(sub, "sync", cmd_sync, "sync with head office now (push, then pull)")
    p.add_argument("--status", action="store_true", help="show the last sync, pending entries")

    printing = group("print", "printing")
    command(printing, "test", cmd_print_test, "print a test page (code pages, Thai, QR)")
    p = command(printing, "reprint", cmd_print_reprint, "print a copy of an entry's slip")
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p = command(printing, "queue", cmd_print_queue, "slips waiting to print; --retry prints them")
    p.add_argument("--retry", nargs="*", metavar="JOB_ID",
                   help="print queued jobs now (and these uncertain ones)")  # fmt: skip
    return parser


# -- main -----------------------------------------------------------------


def _not_utf8(argv: Sequence[str]) -> str | None:
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            # Bytes that are not UTF-8 (Python keeps them as surrogates): SQLite and
            # head office would fail on them deep inside a command.
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            return (
                f"The argument '{shown[:80]}' is not valid UTF-8 text: type it again "
                "(check the terminal's encoding)."
            )
    return None


class _Command:
    """One run of a parsed command: opens the ledger, calls the handler, and
    says what went wrong with the file's name when it knows it."""

    def __init__(self, args: argparse.Namespace, as_json: bool) -> None:
        self.args = args
        self.as_json = as_json
        self.ctx: Context | None = None
        self.db_path: Path | None = None

    def __call__(self) -> Result:
        args = self.args
        settings = load_settings(getattr(args, "config", None))
        db_path = self.db_path = Path(getattr(args, "db", None) or settings.db or default_db_path())
        creating = args.handler in CREATES_DB
        if db_path == default_db_path():
            ledger_db.tighten_dir(db_path.parent)  # the program's own data folder
        ledger_db.check_files(db_path, secrets_path(db_path, settings), creating=creating)
        if not creating and not db_path.exists():
            # A mistyped --db must not quietly start a new, empty ledger.
            raise NotInitialized(
                f"No ledger at {db_path}: check --db, or set this terminal up with "
                "'pos init --store STORE_ID --terminal TERMINAL_ID'."
            )
        check = args.handler not in SECRETS_NOT_NEEDED
        self.ctx = Context(args, settings, db_path, getattr(args, "config", None), check)
        result: Result = args.handler(self.ctx)
        return result

    def explain(self, exc: Exception) -> int | None:
        as_json = self.as_json
        if isinstance(exc, ConfigError):
            return CLI.fail(as_json, "config_error", str(exc), USAGE)
        if isinstance(exc, VerifyFailed):
            CLI.emit(as_json, exc.result, stream=sys.stderr)
            damaged = any(p["check"] in DAMAGE_CHECKS for p in exc.result.body["problems"])
            return DAMAGED if damaged else REFUSED
        if isinstance(exc, sqlite3.Error):
            error = ledger_db.explain(self.db_path, exc) if self.db_path is not None else None
            if error is None:
                return None
            log.info("refused %s: %s (%s)", error.code, error.message, exc)
            return CLI.fail(as_json, error.code, error.message, exit_status(error) or REFUSED)
        if isinstance(exc, OSError):
            return CLI.fail(as_json, "file_error", *self._file_error(exc))
        status = exit_status(exc)
        if not isinstance(exc, Refusal) or status is None:
            return None
        log.info("refused %s: %s", exc.code, exc.message)
        return CLI.fail(as_json, exc.code, exc.message, status)

    def _file_error(self, exc: OSError) -> tuple[str, int]:
        # A path the system refuses (too long, a loop of links, not a folder) or a
        # file that cannot be read: said with the file's name, never a traceback.
        name = str(exc.filename or self.db_path or "")
        name = name if len(name) <= 120 else name[:120] + "..."
        bad_path = exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR)
        log.info("refused file_error: %s (%s)", name, exc.strerror)
        message = (
            f"Cannot use {name} ({exc.strerror or exc}): check the path (--db, --config) and "
            "the folder's permissions, then run the command again."
        )
        return message, USAGE if bad_path else UNAVAILABLE

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.close()


def run(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    bad = _not_utf8(argv)
    if bad is not None:
        return CLI.fail(as_json, "usage", bad, USAGE)
    args = CLI.parse(build_parser(), argv)
    if isinstance(args, int):
        return args
    setup_logging()
    command = _Command(args, as_json)
    return CLI.call(
        argv,
        command,
        explain=command.explain,
        interrupted="Interrupted: nothing was changed.",
        unexpected=lambda: f"Unexpected error; details are in the log ({setup_logging()}).",
        close=command.close,
    )


def main() -> None:
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``pos ... | head``): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
