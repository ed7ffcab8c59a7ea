"""``pos report rfm|onboarding|flow|top|dormant`` (issue 14; the definitions are
docs/reports.md): the ledger computes, these read the options, say the
outcome and write ``--csv FILE`` (a new 0600 file, phones masked)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from config.cli import Result, UsageError
from ledger import segments
from ledger.report_files import write_csv
from ledger.reports_flow import COLUMNS as FLOW_COLUMNS
from ledger.reports_onboarding import COLUMNS as ONBOARDING_COLUMNS
from ledger.reports_rfm import COLUMNS as RFM_COLUMNS
from pos.context import Context

# Text output lists this many rows; the JSON and the CSV hold them all.
SHOWN = 50


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise UsageError(f"{option} '{shown}' is not a date like 2026-12-31.") from None


def positive(value: int, option: str) -> int:
    if value < 1:
        raise UsageError(f"{option} {value} is not allowed: give a whole number of 1 or more.")
    return value


def check_csv(ctx: Context) -> None:
    """Refuse an existing ``--csv`` file before the report is computed, not after."""
    from pathlib import Path

    from ledger.errors import InvalidInput

    path = getattr(ctx.args, "csv", None)
    if path and (Path(path).exists() or Path(path).is_symlink()):
        raise InvalidInput(key="invalid_input.report_exists", path=str(Path(path).absolute()))


def _csv(ctx: Context, body: dict[str, Any], columns: tuple[str, ...], rows: Any) -> list[str]:
    path = getattr(ctx.args, "csv", None)
    if not path:
        return []
    rows = list(rows)
    written = write_csv(path, columns, rows)
    body["csv"] = {"path": str(written), "rows": len(rows)}
    return [f"Wrote {len(rows):,} rows to {written}."]


def _more(total: int) -> list[str]:
    if total <= SHOWN:
        return []
    return [f"  ... and {total - SHOWN:,} more (all of them with --csv FILE or --json)."]


def cmd_report_rfm(ctx: Context) -> Result:
    check_csv(ctx)
    a = ctx.args
    as_of = parse_day(a.as_of, "--as-of")
    report = ctx.ledger.report_rfm(as_of, positive(a.window_days, "--window-days"))
    body = report.to_dict()
    thai = ctx.settings.locale.language == "th"
    lines = [
        f"RFM as at the end of {report.as_of} ({report.timezone}), window {report.window_days} "
        f"days from {report.window_from}",
        f"Members {report.members:,}: {report.scored:,} with a visit in the window, "
        f"{report.lapsed:,} whose visits are older; {report.hidden:,} not listed "
        "(consent withdrawn or erased).",
    ]
    if 0 < report.scored < 5:
        lines.append("Fewer than 5 members visited in the window: nobody is scored.")
    for name, count in report.segments.items():
        label = f"{name} / {segments.THAI[name]}" if thai else name
        lines.append(f"  {label:<40} {count:>9,}")
    lines += _csv(ctx, body, RFM_COLUMNS, report.rows)
    return Result(body, lines)


def cmd_report_onboarding(ctx: Context) -> Result:
    check_csv(ctx)
    report = ctx.ledger.report_onboarding(parse_day(ctx.args.as_of, "--as-of"))
    body = report.to_dict()
    lines = [
        f"Onboarding by enrolment month, as at the end of {report.as_of} ({report.timezone})",
        "  cohort   enrolled  active30  repeat90  med.1st  med.2nd  avg.gap",
    ]

    def num(value: Any) -> str:
        return "-" if value is None else str(value)

    for c in report.cohorts:
        lines.append(
            f"  {c['cohort']}  {c['enrolled']:>8,}  {c['activated_30d']:>8,}  "
            f"{c['repeat_90d']:>8,}  {num(c['median_days_to_first_visit']):>7}  "
            f"{num(c['median_days_to_second_visit']):>7}  "
            f"{num(c['avg_days_between_visits']):>7}"
        )
    if not report.cohorts:
        lines.append("  No members yet.")
    lines += _csv(ctx, body, ONBOARDING_COLUMNS, report.rows())
    return Result(body, lines)


def cmd_report_flow(ctx: Context) -> Result:
    check_csv(ctx)
    a = ctx.args
    end = parse_day(a.to, "--to") or ctx.ledger.today()
    start = parse_day(a.from_, "--from") or end - timedelta(days=29)
    report = ctx.ledger.report_flow(start, end, a.by)
    body = report.to_dict()
    value = f" ({body['closing_value']} {report.currency})" if body["closing_value"] else ""
    rate = body["breakage_rate"]
    lines = [
        f"Points flow {body['from']} to {body['to']} by {report.by} ({report.timezone})",
        f"Outstanding at the start {report.opening:,}, at the end {body['closing']:,}{value}; "
        f"breakage {'-' if rate is None else f'{rate:.1%}'}",
        "  from        issued  redeemed  expired  reversed  adjusted  outstanding",
    ]
    for p in body["periods"][:SHOWN]:
        lines.append(
            f"  {p['start']}  {p['issued']:>7,}  {p['redeemed']:>8,}  {p['expired']:>7,}  "
            f"{p['reversed']:>8,}  {p['adjusted']:>8,}  {p['outstanding']:>11,}"
        )
    lines += _more(len(body["periods"]))
    lines += _csv(ctx, body, FLOW_COLUMNS, report.rows())
    return Result(body, lines)


def cmd_report_top(ctx: Context) -> Result:
    check_csv(ctx)
    a = ctx.args
    report = ctx.ledger.report_top(parse_day(a.as_of, "--as-of"), positive(a.limit, "--limit"))
    body = report.to_dict()
    t = report.totals
    lines = [
        f"Top members as at the end of {report.as_of} ({report.timezone}): "
        f"{t.get('with_visits', 0):,} of {t.get('members', 0):,} members have visited, "
        f"spend {t.get('spend', '0.00')} {report.currency}",
    ]
    for which, title in (("spend", "By spend"), ("visits", "By visits")):
        lines.append(f"{title}:")
        for row in report.rows:
            if row[0] == which:
                _, rank, _, external, phone, visits, spend, _, last, months, per_month = row
                ext = f" [{external}]" if external else ""
                lines.append(
                    f"  {rank:>3}. {phone}{ext}  {visits:,} visits  {spend}  last {last}  "
                    f"{per_month}/month over {months} month(s)"
                )
    lines += _csv(ctx, body, report.columns, report.rows)
    return Result(body, lines)


def cmd_report_dormant(ctx: Context) -> Result:
    check_csv(ctx)
    a = ctx.args
    report = ctx.ledger.report_dormant(parse_day(a.as_of, "--as-of"), positive(a.days, "--days"))
    body = report.to_dict()
    t = report.totals
    lines = [
        f"Members with no visit in {t['days']} days (last visit on or before "
        f"{t['quiet_since']}), as at the end of {report.as_of}: {t['dormant']:,} of "
        f"{t['members']:,}; {t['hidden']:,} not listed (consent withdrawn or erased).",
    ]
    for row in report.rows[:SHOWN]:
        _, external, phone, _, last, quiet, visits, spend, balance = row
        ext = f" [{external}]" if external else ""
        lines.append(
            f"  {phone}{ext}  last visit {last or 'never'}  {quiet:,} days  "
            f"{visits:,} visits  {spend}  {balance:,} points"
        )
    lines += _more(len(report.rows))
    lines += _csv(ctx, body, report.columns, report.rows)
    return Result(body, lines)


def add_report_commands(report: Any, command: Any) -> None:
    """pos report rfm|onboarding|flow|top|dormant (docs/reports.md)."""
    as_of = {"metavar": "YYYY-MM-DD", "help": "as at the end of this day of the shop's "
             "(default: today)"}  # fmt: skip
    to_csv = {"metavar": "FILE", "help": "also write the rows to a new CSV file (0600)"}
    p = command(report, "rfm", cmd_report_rfm,
                "recency, frequency, money of every member; scores and segments")  # fmt: skip
    p.add_argument("--as-of", **as_of)
    p.add_argument("--window-days", type=int, default=365, metavar="N")
    p.add_argument("--csv", **to_csv)
    p = command(report, "onboarding", cmd_report_onboarding,
                "enrolment-month cohorts: first visits, repeats, retention")  # fmt: skip
    p.add_argument("--as-of", **as_of)
    p.add_argument("--csv", **to_csv)
    p = command(report, "flow", cmd_report_flow,
                "points issued, redeemed, expired, outstanding; breakage")  # fmt: skip
    p.add_argument("--from", dest="from_", metavar="YYYY-MM-DD",
                   help="first day (default: 29 days before --to)")  # fmt: skip
    p.add_argument("--to", metavar="YYYY-MM-DD", help="last day (default: today)")
    p.add_argument("--by", choices=["day", "week", "month"], default="day")
    p.add_argument("--csv", **to_csv)
    p = command(report, "top", cmd_report_top,
                "the best members by spend and by visits, lifetime value")  # fmt: skip
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.add_argument("--as-of", **as_of)
    p.add_argument("--csv", **to_csv)
    p = command(report, "dormant", cmd_report_dormant, "members with no visit in N days")
    p.add_argument("--days", type=int, default=90, metavar="N")
    p.add_argument("--as-of", **as_of)
    p.add_argument("--csv", **to_csv)
