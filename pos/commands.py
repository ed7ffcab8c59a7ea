"""What each ``pos`` command does: one handler per command, taking the
parsed arguments and the open ledger (``Context``) and returning a ``Result``
(a body for ``--json`` and lines for people). ``pos.cli`` parses, opens and
prints; these only call the ledger, sync and printing."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, time
from typing import Any, Literal

from config.cli import Result, UsageError
from ledger.coupons import display_code
from ledger.errors import CouponChoiceRequired
from pos import output
from pos.context import Context, approval, read_pin, required_approval
from pos.times import Dates

log = logging.getLogger("pos.cli")


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
    staff = ctx.ledger.unlock_staff(ctx.args.staff_id, required_approval(ctx.args.approver))
    return Result({"staff": staff.to_dict(), "unlocked": True},
                  [f"{staff.staff_id} can sign in again."])  # fmt: skip


def cmd_staff_events(ctx: Context) -> Result:
    ctx.ledger.terminal()
    events = ctx.ledger.pin_events(ctx.args.staff_id)
    body = {"events": [dataclasses.asdict(e) for e in events]}
    lines = [
        f"{e.at[:19]}Z  {e.staff_id}  {e.event}"
        + (f" until {e.until[:19]}Z" if e.until else "")
        + (f" by {e.by}" if e.by else "")
        for e in events
    ]
    return Result(body, lines or ["No wrong PINs, locks or unlocks recorded."])


def cmd_member_enroll(ctx: Context) -> Result:
    member, created = ctx.ledger.enroll(ctx.args.phone, ctx.args.name, ctx.args.consent)
    body = {**member.to_dict(), "created": created}
    verb = "Enrolled" if created else "Already a member:"
    line = f"{verb} {ctx.ledger.mask(member.phone or '')} ({member.member_id})"
    if member.consent_given:
        line += f", consent: {member.consent_scope}"
    elif member.consent_given is False:
        line += ", no consent given"
    return Result(body, [line + "."])


def cmd_member_show(ctx: Context) -> Result:
    card = ctx.ledger.card(ctx.args.phone)
    body = card.to_dict()
    dates = Dates.of(ctx.settings)
    lines = output.member_lines(body, ctx.ledger.mask(card.member.phone or ""), dates)
    lines += ["  " + output.entry_line(e, dates) for e in body["recent"]]
    return Result(body, lines)


def cmd_member_history(ctx: Context) -> Result:
    member = ctx.ledger.member(ctx.args.phone)
    entries = [e.to_dict() for e in ctx.ledger.history(ctx.args.phone, ctx.args.limit)]
    dates = Dates.of(ctx.settings)
    lines = [output.entry_line(e, dates) for e in entries] or ["No entries yet."]
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
        approval=approval(a.approver),
        print_slip=a.print,
    )
    body = result.to_dict()
    lines = [f"{result.entry.points} points, balance {result.entry.balance_after}."]
    if result.duplicate:
        lines = [f"Redemption {result.entry.ref} was already recorded: nothing changed."]
    if result.coupon:
        lines += output.coupon_lines(result.coupon.to_dict(), Dates.of(ctx.settings))
    if a.print and not result.duplicate:
        return _print_after(ctx, Result(body, lines), result.entry.entry_id)
    return Result(body, lines)


def cmd_reverse(ctx: Context) -> Result:
    a = ctx.args
    choice: Literal["void", "keep"] | None = (
        "void" if a.void_coupons else "keep" if a.keep_coupons else None
    )
    try:
        done = ctx.ledger.reverse(
            a.entry_id, a.reason, required_approval(a.approver), coupons=choice
        )
    except CouponChoiceRequired as refusal:
        raise CouponChoiceRequired(
            f"{refusal.message} Run it again with --void-coupons or --keep-coupons.",
            **refusal.details,
        ) from None
    lines = [f"Reversed: {done.points:+} points, balance {done.balance_after}."]
    lines += [f"Voided coupon {display_code(c.code)} ({c.reward_id})." for c in done.voided]
    lines += [
        f"Kept coupon {display_code(c.code)} ({c.reward_id}): still valid." for c in done.kept
    ]
    return Result(done.to_dict(), lines)


def cmd_adjust(ctx: Context) -> Result:
    a = ctx.args
    entry = ctx.ledger.adjust(a.phone, a.points, a.reason, required_approval(a.approver))
    return Result(entry.to_dict(), [f"Adjusted {entry.points:+} points, "
                                    f"balance {entry.balance_after}."])  # fmt: skip


def cmd_coupon_check(ctx: Context) -> Result:
    coupon = ctx.ledger.check_coupon(ctx.args.code)
    body = {"coupon": coupon.to_dict(), "status": coupon.status,
            "usable": coupon.status == "issued"}  # fmt: skip
    return Result(body, output.coupon_lines(coupon.to_dict(), Dates.of(ctx.settings)))


def cmd_coupon_use(ctx: Context) -> Result:
    coupon = ctx.ledger.use_coupon(ctx.args.code, ctx.args.cashier)
    lines = output.coupon_lines(coupon.to_dict(), Dates.of(ctx.settings))
    return Result({"coupon": coupon.to_dict()}, lines)


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
    entries = ctx.ledger.expire(as_of, approval(ctx.args.approver))
    total = -sum(e.points for e in entries)
    body = {"expired_points": total, "wallets": len(entries),
            "entries": [e.to_dict() for e in entries]}  # fmt: skip
    return Result(body, [f"Expired {total} points in {len(entries)} wallet(s)."])


def cmd_verify(ctx: Context) -> Result:
    from sync.compare import compare_with_head_office
    from sync.errors import HeadOfficeUnreachable

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
        ctx.ledger.confirm_clock(required_approval(a.approver))
    wrong = ctx.ledger.clock_warning()
    warning = wrong.message if wrong else None
    body = {"clock_warning": warning, "confirmed": bool(a.confirm)}
    return Result(body, [warning or "This till's clock agrees with its journal."])


def cmd_ledger_backup(ctx: Context) -> Result:
    from ledger.backup import backup

    body = backup(ctx.ledger, ctx.args.file, force=ctx.args.force)
    secrets = f" and its secrets to {body['secrets']}" if body["secrets"] else ""
    line = f"Copied the ledger ({body['entries']} entries) to {body['backup']}{secrets}."
    return Result(body, [line, "Keep both files together, somewhere safe."])


def cmd_ledger_restore(ctx: Context) -> Result:
    from sync.commands import sync
    from sync.errors import SyncError
    from sync.restore import restore

    a = ctx.args
    body = restore(ctx.ledger, setup_code=a.as_new_terminal, approval=approval(a.approver))
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
    """The setup wizard's test page (F2), on the saved printer; a printer that
    did not print it is a refusal (exit 1) in the till's language."""
    from pos.printing import PrintFailed, SlipPrinter
    from pos.test_print import print_test_page

    slips = SlipPrinter(ctx.settings, ctx.ledger)
    result = print_test_page(slips.printer_settings(), slips.store_name(), slips.language)
    if not result.printed:
        from pos.i18n import Translator  # it loads Textual: only when there is something to say

        said = result.text(Translator(slips.language))
        raise PrintFailed(said, reason=result.reason, printer=result.printer)
    body = result.to_dict()
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
    from pos.spool_files import tidy
    from sync.commands import status, sync

    if ctx.args.status:
        body = status(ctx.ledger)
        return Result(body, [f"{k}: {v}" for k, v in body.items()])
    body = sync(ctx.ledger)
    body["slips_removed"] = tidy(ctx.settings, ctx.ledger)  # erased members', and old ones
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
SECRETS_NOT_NEEDED = (cmd_verify, cmd_ledger_backup, cmd_join)
