"""The ``pos`` command: the scriptable face of the ledger.

Exit status (the table is in ``ledger.errors``): 0 done; 1 refused by a rule
(or verify found problems in the books); 2 usage or configuration error; 3 not
found; 4 a file of the till is damaged, missing or odd (restore it, or call
head office); 5 a file cannot be written or read right now (disk full,
read-only, immutable, permissions, busy: fix that and run again); 70 a bug.
With ``--json`` stdout holds exactly one JSON object.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from config import ConfigError, Settings, default_db_path, load_settings
from ledger import coupons as couponlib
from ledger import db as ledger_db
from ledger.errors import (
    DAMAGED,
    REFUSED,
    UNAVAILABLE,
    USAGE,
    LedgerError,
    NotInitialized,
    SecretsMissing,
)
from ledger.models import Credentials
from ledger.service import Ledger
from pos import output
from pos.logs import setup_logging

log = logging.getLogger("pos.cli")
INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's fault


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


@dataclass
class Result:
    body: dict[str, Any]
    lines: list[str] = field(default_factory=list)


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings
    db_path: Path
    config: str | None = None
    _ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            check = getattr(self.args, "handler", None) not in _SECRETS_NOT_NEEDED
            self.settings, self._ledger = open_ledger(
                self.db_path, self.settings, self.config, check_secrets=check
            )
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()


def open_ledger(
    path: Path, settings: Settings, config: str | None, *, check_secrets: bool = True
) -> tuple[Settings, Ledger]:
    """Open the ledger; a terminal that joined head office uses the chain's
    rules and catalog (under the user's own file and environment). A secrets
    file that is odd or gone is said first (``check_secrets``)."""
    from ledger.replica import Replica

    ledger = Ledger.open(path, settings)
    try:
        if check_secrets:
            _check_secrets(ledger, Replica(ledger).hq_url() if ledger.is_initialized() else None)
    except LedgerError:
        ledger.close()
        raise
    shared = Replica(ledger).hq_settings() if ledger.is_initialized() else None
    if not shared or not shared[1]:
        return settings, ledger
    ledger.close()
    chained = load_settings(config, chain=shared[1])
    return chained, Ledger.open(path, chained)


def secrets_path(db_path: Path, settings: Settings) -> Path:
    """Where the ledger's secrets file is (as ``Ledger.open`` chooses it)."""
    return Path(settings.secrets_file or couponlib.default_secrets_path(db_path))


def _check_secrets(ledger: Ledger, hq_url: str | None) -> None:
    """A secrets file that is a folder, or gone on a terminal that joined head
    office, is said as such (never "has not joined head office yet")."""
    path = ledger.secrets_path
    couponlib.check_secrets_file(path)
    if hq_url and not path.exists():
        raise SecretsMissing(
            f"The secrets file {path} is missing: this terminal joined head office "
            f"({hq_url}) and the file held its token and coupon key, so it can neither sync "
            "nor check coupons. Restore the file from a backup (beside the ledger), or get a "
            "new setup code from head office ('pos-hq terminal code STORE TERMINAL') and run "
            f"'pos join {hq_url} CODE' again."
        )


def read_pin(prompt: str, *, confirm: bool = False) -> str:
    """A PIN from the keyboard (not echoed) or, for scripts, stdin's first line."""
    if sys.stdin is not None and sys.stdin.isatty():
        pin = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat the PIN: ") != pin:
            raise UsageError("The two PINs differ: nothing was changed.")
        return pin
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        line.encode("utf-8")  # stdin keeps bytes that are not UTF-8 as surrogates
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise UsageError("The PIN on stdin is not valid UTF-8 text: nothing was changed.") from None
    if not line:
        raise UsageError("No PIN given: type it at the prompt or pipe it on stdin.")
    return line.rstrip("\r\n")


def _approval(staff_id: str | None) -> Credentials | None:
    if staff_id is None:
        return None
    return Credentials(staff_id, read_pin(f"PIN for {staff_id}: "))


# -- commands -------------------------------------------------------------


def cmd_init(ctx: Context) -> Result:
    ids = ctx.ledger.init(ctx.args.store, ctx.args.terminal)
    body = {**ids, "db": str(ctx.db_path)}
    return Result(body, [f"Ledger {ctx.db_path} is store {ids['store_id']}, "
                         f"terminal {ids['terminal_id']}."])  # fmt: skip


def cmd_staff_add(ctx: Context) -> Result:
    ctx.ledger.terminal()
    pin = read_pin(f"New PIN for {ctx.args.staff_id}: ", confirm=True)
    staff = ctx.ledger.add_staff(ctx.args.staff_id, ctx.args.role, pin, ctx.args.name)
    return Result({"staff": staff.to_dict()}, [f"Added {staff.role} {staff.staff_id}."])


def cmd_staff_unlock(ctx: Context) -> Result:
    staff = ctx.ledger.unlock_staff(ctx.args.staff_id, _required_approval(ctx.args.approver))
    return Result({"staff": staff.to_dict(), "unlocked": True},
                  [f"{staff.staff_id} can sign in again."])  # fmt: skip


def cmd_member_enroll(ctx: Context) -> Result:
    member, created = ctx.ledger.enroll(ctx.args.phone, ctx.args.name, ctx.args.consent)
    body = {**member.to_dict(), "created": created}
    verb = "Enrolled" if created else "Already a member:"
    return Result(body, [f"{verb} {ctx.ledger.mask(member.phone or '')} ({member.member_id})."])


def cmd_member_show(ctx: Context) -> Result:
    card = ctx.ledger.card(ctx.args.phone)
    body = card.to_dict()
    lines = output.member_lines(body, ctx.ledger.mask(card.member.phone or ""))
    lines += ["  " + output.entry_line(e) for e in body["recent"]]
    return Result(body, lines)


def cmd_member_history(ctx: Context) -> Result:
    member = ctx.ledger.member(ctx.args.phone)
    entries = [e.to_dict() for e in ctx.ledger.history(ctx.args.phone, ctx.args.limit)]
    lines = [output.entry_line(e) for e in entries] or ["No entries yet."]
    return Result({"member": member.to_dict(), "entries": entries}, lines)


def _print_after(ctx: Context, result: Result, entry_id: str) -> Result:
    """Print the job the ledger queued with the entry; a failure keeps it queued."""
    from pos.printing import SlipPrinter

    printer = SlipPrinter(ctx.settings, ctx.ledger)
    jobs = [j for j in ctx.ledger.spool.jobs(("queued",)) if j.entry_id == entry_id]
    outcomes = [printer.print_job(job) for job in jobs]
    result.body["print"] = [o.to_dict() for o in outcomes]
    for outcome in outcomes:
        if outcome.printed:
            result.lines.append(outcome.message)
        else:
            result.lines.append(f"Not printed: {outcome.message} (see 'pos print queue').")
    return result


def cmd_earn(ctx: Context) -> Result:
    a = ctx.args
    entry = ctx.ledger.earn(a.phone, a.amount, a.ref, a.cashier, print_slip=a.print)
    body = entry.to_dict()
    if entry.duplicate:
        return Result(body, [f"Sale {entry.ref} was already recorded: nothing added "
                             f"(balance {entry.balance_after})."])  # fmt: skip
    result = Result(body, [f"+{entry.points} points, balance {entry.balance_after}."])
    return _print_after(ctx, result, entry.entry_id) if a.print else result


def cmd_redeem(ctx: Context) -> Result:
    a = ctx.args
    points = None if a.points is None else a.points
    result = ctx.ledger.redeem(
        a.phone,
        ref=a.ref,
        points=points,
        reward_id=a.reward,
        cashier_id=a.cashier,
        approval=_approval(a.approver),
        print_slip=a.print,
    )
    body = result.to_dict()
    lines = [f"{result.entry.points} points, balance {result.entry.balance_after}."]
    if result.entry.duplicate:
        lines = [f"Redemption {result.entry.ref} was already recorded: nothing changed."]
    if result.coupon:
        lines += output.coupon_lines(result.coupon.to_dict())
    if a.print and not result.entry.duplicate:
        return _print_after(ctx, Result(body, lines), result.entry.entry_id)
    return Result(body, lines)


def cmd_reverse(ctx: Context) -> Result:
    a = ctx.args
    entry = ctx.ledger.reverse(a.entry_id, a.reason, _required_approval(a.approver))
    return Result(entry.to_dict(), [f"Reversed: {entry.points:+} points, "
                                    f"balance {entry.balance_after}."])  # fmt: skip


def cmd_adjust(ctx: Context) -> Result:
    a = ctx.args
    entry = ctx.ledger.adjust(a.phone, a.points, a.reason, _required_approval(a.approver))
    return Result(entry.to_dict(), [f"Adjusted {entry.points:+} points, "
                                    f"balance {entry.balance_after}."])  # fmt: skip


def _required_approval(staff_id: str) -> Credentials:
    approval = _approval(staff_id)
    assert approval is not None  # argparse makes --approver required here
    return approval


def cmd_coupon_check(ctx: Context) -> Result:
    coupon = ctx.ledger.check_coupon(ctx.args.code)
    body = {"coupon": coupon.to_dict(), "status": coupon.status,
            "usable": coupon.status == "issued"}  # fmt: skip
    return Result(body, output.coupon_lines(coupon.to_dict()))


def cmd_coupon_use(ctx: Context) -> Result:
    coupon = ctx.ledger.use_coupon(ctx.args.code, ctx.args.cashier)
    return Result({"coupon": coupon.to_dict()}, output.coupon_lines(coupon.to_dict()))


def cmd_rewards_list(ctx: Context) -> Result:
    settings = ctx.ledger.settings  # the chain's catalog once joined
    rewards = [r.model_dump(mode="json") for r in settings.rewards]
    lines = [f"{r['id']:<12} {r['points']:>6} pts  {r['kind']:<13} {r['name_en']} / {r['name_th']}"
             for r in rewards]  # fmt: skip
    return Result({"rewards": rewards}, lines)


def cmd_expire(ctx: Context) -> Result:
    as_of = None
    if ctx.args.as_of:
        try:
            day = datetime.strptime(ctx.args.as_of, "%Y-%m-%d").date()
        except ValueError:
            raise UsageError(f"--as-of '{ctx.args.as_of}' is not a date like 2026-12-31.") from None
        as_of = datetime.combine(day, time.max, tzinfo=UTC)
    entries = ctx.ledger.expire(as_of, _approval(ctx.args.approver))
    total = -sum(e.points for e in entries)
    body = {"expired_points": total, "wallets": len(entries),
            "entries": [e.to_dict() for e in entries]}  # fmt: skip
    return Result(body, [f"Expired {total} points in {len(entries)} wallet(s)."])


def cmd_verify(ctx: Context) -> Result:
    from sync.client import HeadOfficeUnreachable
    from sync.compare import compare_with_head_office

    problems = ctx.ledger.verify(quick=ctx.args.quick)
    notes: list[str] = []
    head_office = "not_joined"
    if ctx.args.local:
        head_office = "skipped"
    else:
        try:
            found = compare_with_head_office(ctx.ledger)
        except HeadOfficeUnreachable as exc:
            head_office = "unreachable"
            notes.append(f"Not compared with head office's copy: {exc.message}")
        else:
            if found is not None:
                head_office = "compared"
                problems += found
    body = {"ok": not problems, "problems": [p.to_dict() for p in problems],
            "head_office": head_office}  # fmt: skip
    if not problems:
        agreed = " and agrees with head office's copy" if head_office == "compared" else ""
        return Result(body, [f"Ledger verified{agreed}: no problems.", *notes])
    lines = [f"{p.check}: {p.message}" + (f" [entry {p.entry_id}]" if p.entry_id else "")
             for p in problems]  # fmt: skip
    raise VerifyFailed(body, lines + notes)


def cmd_ledger_clock(ctx: Context) -> Result:
    """Is this till's clock plausible for its journal? ``--confirm``: a
    supervisor vouches for a clock far past it (a till unused for years)."""
    a = ctx.args
    if a.confirm:
        if not a.approver:
            raise UsageError("--confirm needs --approver STAFF_ID (a supervisor, PIN on stdin).")
        ctx.ledger.confirm_clock(_required_approval(a.approver))
    warning = ctx.ledger.clock_warning()
    body = {"clock_warning": warning, "confirmed": bool(a.confirm)}
    return Result(body, [warning or "This till's clock agrees with its journal."])


def cmd_ledger_backup(ctx: Context) -> Result:
    from ledger.backup import backup

    body = backup(ctx.ledger, ctx.args.file, force=ctx.args.force)
    secrets = f" and its secrets to {body['secrets']}" if body["secrets"] else ""
    line = f"Copied the ledger ({body['entries']} entries) to {body['backup']}{secrets}."
    return Result(body, [line, "Keep both files together, somewhere safe."])


def cmd_ledger_restore(ctx: Context) -> Result:
    from sync.client import SyncError
    from sync.commands import sync
    from sync.restore import restore

    a = ctx.args
    body = restore(ctx.ledger, setup_code=a.as_new_terminal, approval=_approval(a.approver))
    lines = [f"Rebuilt terminal {body['terminal_id']}'s journal from head office "
             f"({body['head_office_entries']} entries); carried over {body['carried_over']} "
             f"entry(ies) made on this copy ({body['already_at_head_office']} were already "
             "there)."]  # fmt: skip
    lines += [f"  entry {c['old_seq']} -> {c['seq']}: {c['kind']} {c['points']:+} points"
              f" ({c['ref'] or '-'})" for c in body["carried"]]  # fmt: skip
    try:
        body["sync"] = sync(ctx.ledger)
        lines.append("Synced with head office: this till can sell again.")
    except SyncError as exc:
        body["sync_error"] = exc.message
        lines.append(f"Not synced yet ({exc.message}); run 'pos sync' later.")
    return Result(body, lines)


# Problems that mean the file itself is damaged (exit 4), not the books (exit 1).
DAMAGE_CHECKS = ("integrity", "text")


class VerifyFailed(Exception):
    def __init__(self, body: dict[str, Any], lines: list[str]) -> None:
        super().__init__("verify failed")
        self.result = Result(body, lines)


def cmd_print_test(ctx: Context) -> Result:
    from pos.printing import SlipPrinter

    body = SlipPrinter(ctx.settings, ctx.ledger).test_page()
    where = f" ({body['files'][-1]})" if body["files"] else ""
    return Result(body, [f"Test page sent to {body['printer']}{where}; Thai as {body['thai']}."])


def cmd_print_reprint(ctx: Context) -> Result:
    from pos.printing import SlipPrinter

    job = ctx.ledger.spool.reprint(ctx.args.entry_id)
    outcome = SlipPrinter(ctx.settings, ctx.ledger).print_job(job)
    line = outcome.message if outcome.printed else f"Not printed: {outcome.message}"
    return Result(outcome.to_dict(), [line])


def cmd_print_queue(ctx: Context) -> Result:
    from pos.printing import SlipPrinter

    if ctx.args.retry is not None:
        for job in ctx.ledger.spool.jobs(("uncertain",)):
            if job.job_id in ctx.args.retry:
                ctx.ledger.spool.retry(job.job_id)
        SlipPrinter(ctx.settings, ctx.ledger).print_pending()
    jobs = ctx.ledger.spool.jobs()
    lines = [f"{j.job_id}  {j.kind:<6} {j.status:<9} tries {j.attempts}  {j.last_error or ''}"
             for j in jobs] or ["Nothing waiting to print."]  # fmt: skip
    return Result({"jobs": [j.to_dict() for j in jobs]}, lines)


def cmd_join(ctx: Context) -> Result:
    from sync.commands import join

    body = join(ctx.ledger, ctx.args.hq_url, ctx.args.setup_code)
    return Result(body, [f"Joined {body['hq_url']} as store {body['store_id']}, "
                         f"terminal {body['terminal_id']}."])  # fmt: skip


def cmd_sync(ctx: Context) -> Result:
    from sync.commands import status, sync

    if ctx.args.status:
        body = status(ctx.ledger)
        return Result(body, [f"{k}: {v}" for k, v in body.items()])
    body = sync(ctx.ledger)
    return Result(body, [f"Pushed {body['pushed']}, pulled {body['pulled']}, "
                         f"conflicts {body['conflicts']}.", *body["conflict_notices"],
                         *body.get("warnings", [])])  # fmt: skip


def cmd_run(ctx: Context) -> Result:
    from pos.run import run_app

    ledger = ctx.ledger  # opened first: it may bring head office's settings
    run_app(ctx.settings, ledger)
    return Result({}, [])


CREATES_DB = (cmd_init, cmd_run, cmd_join)
# They work without the secrets file: checking, copying the ledger, joining again.
_SECRETS_NOT_NEEDED = (cmd_verify, cmd_ledger_backup, cmd_join)


# -- parser ---------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    # SUPPRESS so a subcommand's copy does not overwrite a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="ledger database file")
    common.add_argument("--config", default=argparse.SUPPRESS, help="settings file (TOML)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print one JSON object on stdout")  # fmt: skip
    return common


Handler = Callable[[Context], Result]


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="pos",
        description="Loyalty POS: phone-number loyalty points at the counter. "
        "Run a command with --help for its options.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(parent: Any, name: str, handler: Handler, text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=text,
                                                       description=text)  # fmt: skip
        p.set_defaults(handler=handler)
        return p

    command(sub, "run", cmd_run, "open the counter app (the default)")

    p = command(sub, "init", cmd_init, "set up this terminal's store and terminal ids")
    p.add_argument("--store", required=True, metavar="STORE_ID")
    p.add_argument("--terminal", required=True, metavar="TERMINAL_ID")

    staff = sub.add_parser("staff", help="staff and PINs").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = command(staff, "add", cmd_staff_add, "add a staff member (PIN: prompt or stdin)")
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.add_argument("--role", required=True, choices=["cashier", "supervisor", "admin"])
    p.add_argument("--name")
    p = command(staff, "unlock", cmd_staff_unlock,
                "lift a PIN lock (an admin approves, PIN on stdin)")  # fmt: skip
    p.add_argument("staff_id", metavar="STAFF_ID")
    p.add_argument("--approver", required=True, metavar="ADMIN_ID")

    member = sub.add_parser("member", help="members").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = command(member, "enroll", cmd_member_enroll, "enroll a phone number")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--name")
    p.add_argument("--consent", action="store_true", help="the member agreed to data use")
    p = command(member, "show", cmd_member_show, "a member's card: balance, tier, expiry")
    p.add_argument("phone", metavar="PHONE")
    p = command(member, "history", cmd_member_history, "a member's entries, newest first")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--limit", type=int, default=20, metavar="N")

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

    p = command(sub, "adjust", cmd_adjust, "add or remove points by hand (supervisor)")
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("points", metavar="POINTS", help="e.g. 50 or -50")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--approver", required=True, metavar="STAFF_ID")

    coupon = sub.add_parser("coupon", help="coupons").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = command(coupon, "check", cmd_coupon_check,
                "status of a coupon: issued, used, void, expired or forged")  # fmt: skip
    p.add_argument("code", metavar="CODE_OR_PAYLOAD")
    p = command(coupon, "use", cmd_coupon_use, "mark a coupon used")
    p.add_argument("code", metavar="CODE_OR_PAYLOAD")
    p.add_argument("--cashier", metavar="STAFF_ID")

    rewards = sub.add_parser("rewards", help="the reward catalog").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
    command(rewards, "list", cmd_rewards_list, "list the rewards")

    p = command(sub, "expire", cmd_expire, "expire points past their date, oldest first")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="expire what is due by this date "
                   "(after today: a supervisor approves)")  # fmt: skip
    p.add_argument("--approver", metavar="STAFF_ID",
                   help="a supervisor approving an --as-of after today (PIN on stdin)")  # fmt: skip

    ledger = sub.add_parser("ledger", help="the journal").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
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

    printing = sub.add_parser("print", help="printing").add_subparsers(
        dest="sub", metavar="ACTION", required=True, parser_class=_Parser
    )
    command(printing, "test", cmd_print_test, "print a test page (code pages, Thai, QR)")
    p = command(printing, "reprint", cmd_print_reprint, "print a copy of an entry's slip")
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p = command(printing, "queue", cmd_print_queue, "slips waiting to print; --retry prints them")
    p.add_argument("--retry", nargs="*", metavar="JOB_ID",
                   help="print queued jobs now (and these uncertain ones)")  # fmt: skip
    return parser


# -- main -----------------------------------------------------------------


def _emit(as_json: bool, result: Result, *, stream: Any = None) -> None:
    # Names, refs and notices may hold ESC, C1 or bidi controls: never raw to a terminal.
    if as_json:
        print(output.json_text(result.body))
    else:
        for line in result.lines:
            print(output.visible(line), file=stream or sys.stdout)


def _fail(as_json: bool, code: str, message: str, status: int) -> int:
    if as_json:
        print(output.json_text({"error": {"code": code, "message": message}}))
    else:
        print(f"pos: {output.visible(message)}", file=sys.stderr)
    return status


def _unexpected(as_json: bool, argv: Sequence[str]) -> int:
    log.exception("unexpected error in pos %s", " ".join(argv))
    return _fail(as_json, "internal_error",
                 f"Unexpected error; details are in the log ({setup_logging()}).",
                 INTERNAL)  # fmt: skip


def run(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            # Bytes that are not UTF-8 (Python keeps them as surrogates): SQLite and
            # head office would fail on them deep inside a command.
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            message = (
                f"The argument '{shown[:80]}' is not valid UTF-8 text: type it again "
                "(check the terminal's encoding)."
            )
            return _fail(as_json, "usage", message, USAGE)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return _fail(as_json, "usage", str(exc), USAGE)
    if getattr(args, "handler", None) is None:
        if as_json:
            return _fail(as_json, "usage", "pos: name a command (see 'pos --help')", USAGE)
        parser.print_help()
        return 0 if not argv else USAGE
    setup_logging()
    ctx = None
    db_path: Path | None = None
    try:
        settings = load_settings(getattr(args, "config", None))
        db_path = Path(getattr(args, "db", None) or settings.db or default_db_path())
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
        ctx = Context(args, settings, db_path, getattr(args, "config", None))
        result = args.handler(ctx)
    except UsageError as exc:
        return _fail(as_json, "usage", str(exc), USAGE)
    except ConfigError as exc:
        return _fail(as_json, "config_error", str(exc), USAGE)
    except LedgerError as exc:
        log.info("refused %s: %s", exc.code, exc.message)
        return _fail(as_json, exc.code, exc.message, exc.exit_status)
    except VerifyFailed as exc:
        _emit(as_json, exc.result, stream=sys.stderr)
        damaged = any(p["check"] in DAMAGE_CHECKS for p in exc.result.body["problems"])
        return DAMAGED if damaged else REFUSED
    except sqlite3.Error as exc:
        error = ledger_db.explain(db_path, exc) if db_path is not None else None
        if error is None:
            return _unexpected(as_json, argv)
        log.info("refused %s: %s (%s)", error.code, error.message, exc)
        return _fail(as_json, error.code, error.message, error.exit_status)
    except OSError as exc:
        # A path the system refuses (too long, a loop of links, not a folder) or a
        # file that cannot be read: said with the file's name, never a traceback.
        name = str(exc.filename or db_path or "")
        name = name if len(name) <= 120 else name[:120] + "..."
        bad_path = exc.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.ENOTDIR)
        log.info("refused file_error: %s (%s)", name, exc.strerror)
        return _fail(as_json, "file_error", f"Cannot use {name} ({exc.strerror or exc}): "
                     "check the path (--db, --config) and the folder's permissions, then run "
                     "the command again.", USAGE if bad_path else UNAVAILABLE)  # fmt: skip
    except KeyboardInterrupt:
        return _fail(as_json, "interrupted", "Interrupted: nothing was changed.", 130)
    except Exception:
        return _unexpected(as_json, argv)
    finally:
        if ctx is not None:
            ctx.close()
    _emit(as_json, result)
    return 0


def main() -> None:
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``pos ... | head``): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)
