"""The ``pos staff`` commands that care for the staff list (list, deactivate,
reactivate, reset-pin) and ``pos report day``, the end-of-day close. The
ledger decides who may do what; these only read PINs and say the outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from config.cli import Result, UsageError
from ledger.clock import parse_iso
from ledger.staff import StaffMember
from pos.context import Context, read_pin, required_approval


def _state_text(member: StaffMember, zone: Any) -> str:
    if member.state == "locked" and member.locked_until:
        return f"locked until {parse_iso(member.locked_until).astimezone(zone):%H:%M}"
    if member.state == "deactivated" and member.deactivated_at:
        return f"deactivated since {parse_iso(member.deactivated_at).astimezone(zone):%Y-%m-%d}"
    return member.state


def cmd_staff_list(ctx: Context) -> Result:
    ctx.ledger.terminal()
    zone = ctx.ledger.zone
    listed = ctx.ledger.staff_list()
    lines = [
        f"{m.staff_id:<12} {m.role:<10} {_state_text(m, zone):<28} {m.name or ''}".rstrip()
        for m in listed
    ]
    return Result({"staff": [m.to_dict() for m in listed]}, lines or ["No staff yet."])


def cmd_staff_deactivate(ctx: Context) -> Result:
    done = ctx.ledger.deactivate_staff(ctx.args.staff_id, required_approval(ctx.args.approver))
    return Result(
        {"staff": done.to_dict()},
        [f"{done.staff_id} is deactivated: no more log-ins or approvals "
         f"(pos staff reactivate {done.staff_id} undoes it)."],
    )  # fmt: skip


def cmd_staff_reactivate(ctx: Context) -> Result:
    done = ctx.ledger.reactivate_staff(ctx.args.staff_id, required_approval(ctx.args.approver))
    return Result({"staff": done.to_dict()},
                  [f"{done.staff_id} is active again and logs in with their PIN."])  # fmt: skip


def cmd_staff_reset_pin(ctx: Context) -> Result:
    a = ctx.args
    credentials = required_approval(a.approver)
    pin = read_pin(f"New PIN for {a.staff_id}: ", confirm=True)
    done = ctx.ledger.reset_pin(a.staff_id, pin, credentials)
    line = f"{done.staff_id} has a new PIN."
    if done.state == "locked":
        line += f" The id stays {_state_text(done, ctx.ledger.zone)}: an admin can lift it."
    return Result({"staff": done.to_dict()}, [line])


def cmd_report_day(ctx: Context) -> Result:
    """The end-of-day close (Z report) of one of the shop's days; ``--print``
    prints it too (a printer that prints nothing is an error, exit 1)."""
    from printers.labels import money_text

    a = ctx.args
    day = None
    if a.date:
        try:
            day = datetime.strptime(a.date, "%Y-%m-%d").date()
        except ValueError:
            raise UsageError(f"--date '{a.date}' is not a date like 2026-12-31.") from None
    body = ctx.ledger.day_summary(day)
    lines = _report_lines(body, lambda minor: money_text(minor, body["currency"], "en"))
    if a.print:
        from pos.printing import SlipPrinter, print_day_close

        printed = print_day_close(SlipPrinter(ctx.settings, ctx.ledger), _date(body["day"]))
        body["print"] = printed
        where = f" ({printed['files'][-1]})" if printed["files"] else ""
        lines.append(f"Printed on {printed['printer']}{where}.")
    return Result(body, lines)


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _report_lines(body: dict[str, Any], money: Any) -> list[str]:
    sales, points = body["sales"], body["points"]
    lines = [
        f"Day close {body['day']} ({body['timezone']}), terminal {body['terminal_id']}",
        f"Sales {sales['count']}, reversed {sales['reversed']}, net {money(sales['amount_minor'])}",
        f"New members enrolled here: {body['enrolled']}",
        "Points: " + ", ".join(f"{kind} {pts:+,}" for kind, pts in points.items()),
    ]
    for row in body["by_cashier"]:
        who = row["cashier_id"] if row["cashier_id"] != "-" else "(no cashier)"
        name = f" {row['name']}" if row["name"] else ""
        lines.append(f"  {who}{name}: {row['sales']} sale(s), "
                     f"{money(row['amount_minor'])}, {row['points']:+,} points")  # fmt: skip
    return lines
