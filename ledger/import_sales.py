"""``pos import sales``: the shop's past sales as history (see ledger.imports
for what an import is, and why a sale of the old system is a row of
``imported_sales`` rather than a journal entry)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from ledger import import_rows as rows
from ledger.clock import iso
from ledger.core import Core
from ledger.import_rows import BadValue, CsvFile, RowProblem
from ledger.imports import ImportReport, Progress, batches, ignored_columns, json_list
from ledger.phone import mask_phone

SALE_COLUMNS = ("phone", "external_id", "date", "amount", "ref")


@dataclass(slots=True)
class _Sale:
    line: int
    phone: str | None
    external_id: str | None
    created_at: str
    amount_minor: int
    ref: str | None
    member: tuple[str, str] | None = None  # (member_id, wallet_id)
    key: str = ""


def import_sales(
    core: Core, path: str | Path, *, commit: bool, progress: Progress | None = None
) -> ImportReport:
    file = CsvFile.open(path, ("date", "amount"), SALE_COLUMNS)
    try:
        if "phone" not in file.columns and "external_id" not in file.columns:
            raise rows.ImportRefused(
                key="import_refused.member_column",
                path=str(path),
                header=",".join(file.columns)[:80],
            )
        report = ImportReport(
            "sales", str(path), commit, ignored_columns=ignored_columns(file, SALE_COLUMNS)
        )
        _, terminal_id = core.terminal()
        now = core.now()
        seen_ref: dict[str, int] = {}
        repeats: dict[tuple[str, str, int], int] = {}
        for batch in batches(file, report):
            found = []
            for line, row in batch:
                try:
                    sale = _sale(core, line, row, now)
                except BadValue as bad:
                    report.problems.append(RowProblem(line, bad.column, bad.key, bad.details))
                    continue
                if sale.ref is not None:
                    first = seen_ref.setdefault(sale.ref, line)
                    if first != line:
                        report.problems.append(
                            RowProblem(
                                line,
                                "ref",
                                "import_row.duplicate_ref",
                                {"value": sale.ref, "first": first},
                            )
                        )
                        continue
                found.append(sale)
            with core.writing() if commit else core.locked() as conn:
                fresh = _sales_against_ledger(
                    conn, found, report, core.region, terminal_id, repeats
                )
                if commit and fresh:
                    conn.executemany(
                        "INSERT INTO imported_sales (terminal_id, sale_key, member_id, wallet_id, "
                        "created_at, amount_minor, currency, ref, imported_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                terminal_id,
                                s.key,
                                *(s.member or ("", "")),
                                s.created_at,
                                s.amount_minor,
                                core.currency,
                                s.ref,
                                iso(now),
                            )
                            for s in fresh
                        ],
                    )
            report.good += len(fresh)
            report.amount_minor += sum(s.amount_minor for s in fresh)
            if progress is not None:
                progress(file.line, file.lines)
        report.problems.sort(key=lambda p: p.line)
        return report
    finally:
        file.close()


def _sale(core: Core, line: int, row: dict[str, str], now: datetime) -> _Sale:
    raw_phone = row.get("phone", "").strip()
    e164 = rows.phone(raw_phone, core.region) if raw_phone else None
    external_id = rows.identifier(row.get("external_id", ""), "external_id")
    if e164 is None and external_id is None:
        raise BadValue(None, "import_row.no_member")
    created_at = rows.when(row["date"], "date", core.zone, now)
    if created_at is None:
        raise BadValue("date", "import_row.date_required")
    amount = rows.amount(row["amount"], core.max_sale)
    ref = rows.identifier(row.get("ref", ""), "ref")
    return _Sale(line, e164, external_id, created_at, amount, ref)


# A phone merged into another member finds that member (as ledger.members.row_by_phone).
_MEMBERS_BY_PHONE = (
    "SELECT m.phone, coalesce(wm.member_id, m.member_id), coalesce(wm.wallet_id, m.wallet_id) "
    "FROM members m LEFT JOIN wallet_merges wm ON wm.merged_wallet_id = m.wallet_id "
    "AND wm.member_id != m.member_id WHERE m.phone IN (SELECT value FROM json_each(?))"
)


def _sales_against_ledger(
    conn: sqlite3.Connection,
    found: list[_Sale],
    report: ImportReport,
    region: str,
    terminal_id: str,
    repeats: dict[tuple[str, str, int], int],
) -> list[_Sale]:
    """The sales of ``found`` whose member is known and that are not imported yet."""
    phones = {
        phone: (member_id, wallet_id)
        for phone, member_id, wallet_id in conn.execute(
            _MEMBERS_BY_PHONE, (json_list([s.phone for s in found if s.phone]),)
        )
    }
    externals = {
        external_id: (member_id, wallet_id)
        for external_id, member_id, wallet_id in conn.execute(
            "SELECT external_id, member_id, wallet_id FROM members WHERE external_id IN "
            "(SELECT value FROM json_each(?))",
            (json_list([s.external_id for s in found if s.external_id]),),
        )
    }
    known = []
    for s in found:
        by_phone = phones.get(s.phone) if s.phone else None
        by_external = externals.get(s.external_id) if s.external_id else None
        problem = None
        if s.phone and by_phone is None:
            problem = RowProblem(
                s.line, "phone", "import_row.unknown_phone", {"phone": mask_phone(s.phone, region)}
            )
        elif s.external_id and by_external is None:
            problem = RowProblem(
                s.line, "external_id", "import_row.unknown_external_id", {"value": s.external_id}
            )
        elif by_phone and by_external and by_phone[0] != by_external[0]:
            problem = RowProblem(s.line, None, "import_row.member_mismatch")
        if problem is not None:
            report.problems.append(problem)
            continue
        s.member = by_phone or by_external
        s.key = _sale_key(s, repeats)
        known.append(s)
    held = {
        key: (created_at, amount)
        for key, created_at, amount in conn.execute(
            "SELECT sale_key, created_at, amount_minor FROM imported_sales "
            "WHERE terminal_id = ? AND sale_key IN (SELECT value FROM json_each(?))",
            (terminal_id, json_list([s.key for s in known])),
        )
    }
    fresh = []
    for s in known:
        before = held.get(s.key)
        if before is None:
            fresh.append(s)
        elif before == (s.created_at, s.amount_minor):  # the member may be merged since
            report.skipped += 1
        else:
            report.problems.append(
                RowProblem(s.line, "ref", "import_row.ref_held", {"value": s.ref})
            )
    return fresh


def _sale_key(sale: _Sale, repeats: dict[tuple[str, str, int], int]) -> str:
    """The sale's idempotency key (see the module)."""
    if sale.ref is not None:
        return "ref:" + sale.ref
    # The member as the file names them, not the member id: a merge later
    # must not make the same row a new sale.
    who = f"{sale.phone or ''}/{sale.external_id or ''}"
    same = (who, sale.created_at, sale.amount_minor)
    repeats[same] = count = repeats.get(same, 0) + 1
    text = f"{who}|{sale.created_at}|{sale.amount_minor}|{count}"
    return "row:" + sha256(text.encode()).hexdigest()[:32]
