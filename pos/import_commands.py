"""``pos import members|sales FILE.csv [--commit]``: a shop's history from its
old system (ledger.imports). Without ``--commit`` a dry run. The ledger
checks and writes; this says the outcome, each bad row by its line, and draws
a progress bar on stderr when stderr is a terminal (never with ``--json``)."""

from __future__ import annotations

import sys
from typing import TextIO

from config.cli import Result
from ledger.imports import ImportReport, Progress
from ledger.money import format_minor
from pos.context import Context, approval

_BAR = 30


def cmd_import_members(ctx: Context) -> Result:
    a = ctx.args
    # Asked only when it is needed: a commit of a file with opening balances.
    given = approval(a.approver) if a.commit and a.approver else None
    with _ProgressBar.for_command(ctx, "members") as bar:
        report = ctx.ledger.import_members(a.file, commit=a.commit, approval=given, progress=bar)
    return _result(report)


def cmd_import_sales(ctx: Context) -> Result:
    a = ctx.args
    with _ProgressBar.for_command(ctx, "sales") as bar:
        report = ctx.ledger.import_sales(a.file, commit=a.commit, progress=bar)
    return _result(report)


def _result(report: ImportReport) -> Result:
    kind = report.kind
    if report.committed:
        head = f"Imported {report.good} {kind} from {report.path}"
    else:
        head = f"Dry run: {report.good} {kind} of {report.path} would be imported"
    if kind == "members" and report.points:
        head += f" (opening balances: {report.points:,} points)"
    if kind == "sales" and report.amount_minor:
        head += f" (sales: {format_minor(report.amount_minor)})"
    lines = [head + "."]
    if report.skipped:
        lines.append(f"{report.skipped} rows were imported before: skipped.")
    if report.ignored_columns:
        lines.append("Columns not used: " + ", ".join(report.ignored_columns) + ".")
    if report.problems:
        lines.append(f"{len(report.problems)} rows cannot be imported (of {report.rows}):")
        for p in report.problems:
            where = f"line {p.line}" + (f", {p.column}" if p.column else "")
            lines.append(f"  {where}: {p.message()}")
    elif report.rows:
        lines.append(f"Every one of the {report.rows} rows is good.")
    if not report.committed and report.good:
        lines.append("Nothing was written: run it again with --commit to import.")
    return Result(report.to_dict(), lines)


class _ProgressBar:
    """``[#####.....] 45%`` on stderr, redrawn after each batch; gone at the end."""

    def __init__(self, stream: TextIO | None, what: str) -> None:
        self.stream = stream
        self.what = what
        self.drawn = False

    @classmethod
    def for_command(cls, ctx: Context, what: str) -> _ProgressBar:
        quiet = getattr(ctx.args, "json", False) or not sys.stderr.isatty()
        return cls(None if quiet else sys.stderr, what)

    def __enter__(self) -> Progress | None:
        return None if self.stream is None else self

    def __call__(self, done: int, total: int) -> None:
        if self.stream is None:
            return
        share = min(1.0, done / max(total, 1))
        filled = int(share * _BAR)
        self.stream.write(
            f"\rImporting {self.what} [{'#' * filled}{'.' * (_BAR - filled)}] "
            f"{share:4.0%} ({done:,} of {total:,} lines)"
        )
        self.stream.flush()
        self.drawn = True

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None and self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
