"""``pos import members|sales``: a shop's customers and sales from its old
system or a spreadsheet, so its tiers and reports start from its history.

Without ``commit`` a dry run: every row is checked as the import would (the
file, each value, duplicates in the file and against the ledger) and nothing
is written. With it, the good rows go in by batches of :data:`BATCH`, each
batch one ``BEGIN IMMEDIATE`` transaction (the counter can sell between two),
the checks against the ledger made again inside it. Importing the same file
again adds nothing: a member already imported (same phone, same external id)
is skipped, and so is a sale already imported (same key, below).

Members. A member is enrolled at this terminal (so it is pushed to head
office like any enrolment) with ``external_id`` (its number in the old
system), ``birthday`` and ``imported_at``. The consent the old system recorded
is a yes to its offer, "keep the phone for points" (points-phone/0). An
opening balance is one ``adjust`` entry per member (chained, pushed and
pulled like any entry; ``rules`` ``{"import": "opening_balance"}``), approved
by the supervisor who approves the import: verify requires an approver on
every adjustment, and points made from a file are exactly what a supervisor
should answer for. Its lot expires by the shop's policy from the import.

Sales. A sale of the old system is history, not a journal entry: it earns no
points, and the journal's chain only moves forward in time, so it could not
be dated by its own day. It is a row of ``imported_sales`` (migration 12):
member, wallet, its own time (UTC), amount, the old bill number. The tiers'
rolling 12-month spend reads it beside the journal's daily totals
(ledger.journal.spend_since), and reports read it as visits. Its key: the
bill number (``ref:...``) when the row has one, else a hash of the member,
time and amount and how many identical rows came before it in the file
(``row:...``), so two equal coffees of one day stay two sales and a second
run of the file adds neither. Imported sales stay at this till (head office
takes its own copy with ``pos-hq import sales``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger import import_rows as rows
from ledger.clock import iso, uuid7
from ledger.core import Core
from ledger.errors import ApprovalRequired
from ledger.expiry import credit
from ledger.import_rows import BadValue, CsvFile, RowProblem
from ledger.members import NAME_LIMIT
from ledger.models import Credentials
from ledger.phone import mask_phone
from ledger.schema import NAME_GRAM_SPAN
from ledger.staff import approver

BATCH = 5000
MEMBER_COLUMNS = (
    "phone",
    "name",
    "external_id",
    "birthday",
    "enrolled_at",
    "consent_at",
    "balance",
)
IMPORT_CONSENT_SCOPE = "points-phone/0"
OPENING_RULES = {"import": "opening_balance"}
OPENING_REASON = "opening balance imported from the old system"
Progress = Callable[[int, int], None]
"""Called after each batch with (lines read, lines in the file)."""


@dataclass
class ImportReport:
    """What an import did (``committed``) or would do (a dry run)."""

    kind: str
    path: str
    committed: bool
    rows: int = 0
    good: int = 0
    """Rows written (committed), or that would be."""
    skipped: int = 0
    """Rows already imported before: nothing to do."""
    problems: list[RowProblem] = field(default_factory=list)
    points: int = 0
    """Opening points of the good rows (members)."""
    amount_minor: int = 0
    """Sales amount of the good rows (sales)."""
    ignored_columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind,
            "file": self.path,
            "committed": self.committed,
            "rows": self.rows,
            "good": self.good,
            "skipped": self.skipped,
            "bad": len(self.problems),
            "ignored_columns": list(self.ignored_columns),
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.kind == "members":
            body["opening_points"] = self.points
        else:
            body["amount_minor"] = self.amount_minor
        return body


def batches(file: CsvFile, report: ImportReport) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for line, row in file.rows():
        report.rows += 1
        if isinstance(row, RowProblem):
            report.problems.append(row)
            continue
        batch.append((line, row))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


# -- members -------------------------------------------------------------------


@dataclass(slots=True)
class _Member:
    line: int
    phone: str
    name: str | None
    external_id: str | None
    birthday: str | None
    enrolled_at: str
    consent_at: str | None
    balance: int


def import_members(
    core: Core,
    path: str | Path,
    *,
    commit: bool,
    approval: Credentials | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    file = CsvFile.open(path, ("phone",), MEMBER_COLUMNS)
    try:
        report = ImportReport(
            "members", str(path), commit, ignored_columns=ignored_columns(file, MEMBER_COLUMNS)
        )
        approver_id = None
        if commit and approval is not None and "balance" in file.columns:
            approver_id = approver(core, approval).staff_id
        elif commit and "balance" in file.columns and _has_balances(path):
            raise ApprovalRequired(key="approval_required.import_balances")
        _, terminal_id = core.terminal()
        now = core.now()
        seen_phone: dict[str, int] = {}
        seen_external: dict[str, int] = {}
        for batch in batches(file, report):
            found = []
            for line, row in batch:
                try:
                    member = _member(core, line, row, now)
                except BadValue as bad:
                    report.problems.append(RowProblem(line, bad.column, bad.key, bad.details))
                    continue
                problem = _first_in_file(member, seen_phone, seen_external, core.region)
                if problem is not None:
                    report.problems.append(problem)
                    continue
                found.append(member)
            if commit:
                with core.writing() as conn:
                    fresh = _against_ledger(conn, found, report, core.region)
                    _write_members(core, conn, fresh, terminal_id, approver_id)
            else:
                with core.locked() as conn:
                    fresh = _against_ledger(conn, found, report, core.region)
            report.good += len(fresh)
            report.points += sum(m.balance for m in fresh)
            if progress is not None:
                progress(file.line, file.lines)
        report.problems.sort(key=lambda p: p.line)
        return report
    finally:
        file.close()


def _has_balances(path: str | Path) -> bool:
    """Whether any row brings points (read before anything is written: no
    batch goes in before the one that would need the approval)."""
    file = CsvFile.open(path, ("balance",), MEMBER_COLUMNS)
    try:
        return any(
            not isinstance(row, RowProblem) and row["balance"].strip() not in ("", "0")
            for _, row in file.rows()
        )
    finally:
        file.close()


def ignored_columns(file: CsvFile, known: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in file.columns if c not in known)


def _member(core: Core, line: int, row: dict[str, str], now: datetime) -> _Member:
    e164 = rows.phone(row["phone"], core.region)
    name = rows.name(row.get("name", ""), NAME_LIMIT)
    external_id = rows.identifier(row.get("external_id", ""), "external_id")
    born = rows.birthday(row.get("birthday", ""), now.astimezone(core.zone).date())
    enrolled_at = rows.when(row.get("enrolled_at", ""), "enrolled_at", core.zone, now)
    consent_at = rows.when(row.get("consent_at", ""), "consent_at", core.zone, now)
    points = rows.balance(row.get("balance", ""))
    return _Member(
        line,
        e164,
        name,
        external_id,
        born,
        enrolled_at or consent_at or iso(now),
        consent_at,
        points,
    )


def _first_in_file(
    member: _Member, phones: dict[str, int], externals: dict[str, int], region: str
) -> RowProblem | None:
    """The second line with a phone or an external id is bad (the first is imported)."""
    first = phones.get(member.phone)
    if first is not None:
        return RowProblem(
            member.line,
            "phone",
            "import_row.duplicate_phone",
            {"phone": mask_phone(member.phone, region), "first": first},
        )
    if member.external_id is not None:
        first = externals.get(member.external_id)
        if first is not None:
            return RowProblem(
                member.line,
                "external_id",
                "import_row.duplicate_external_id",
                {"value": member.external_id, "first": first},
            )
        externals[member.external_id] = member.line
    phones[member.phone] = member.line
    return None


def _against_ledger(
    conn: sqlite3.Connection, found: list[_Member], report: ImportReport, region: str
) -> list[_Member]:
    """The members of ``found`` not in the ledger yet. Already imported (the
    phone's member came by an import, with the same external id): skipped. A
    phone or an external id another member holds: a problem."""
    by_phone = {
        phone: (external_id, imported_at)
        for phone, external_id, imported_at in conn.execute(
            "SELECT phone, external_id, imported_at FROM members "
            "WHERE phone IN (SELECT value FROM json_each(?))",
            (json_list([m.phone for m in found]),),
        )
    }
    externals = [m.external_id for m in found if m.external_id is not None]
    by_external = dict(
        conn.execute(
            "SELECT external_id, phone FROM members WHERE external_id IN "
            "(SELECT value FROM json_each(?))",
            (json_list(externals),),
        ).fetchall()
        if externals
        else []
    )
    fresh = []
    for m in found:
        held = by_phone.get(m.phone)
        if held is not None:
            if held[1] is not None and held[0] == m.external_id:
                report.skipped += 1
            else:
                report.problems.append(
                    RowProblem(
                        m.line,
                        "phone",
                        "import_row.phone_held",
                        {"phone": mask_phone(m.phone, region)},
                    )
                )
        elif m.external_id is not None and m.external_id in by_external:
            report.problems.append(
                RowProblem(
                    m.line, "external_id", "import_row.external_id_held", {"value": m.external_id}
                )
            )
        else:
            fresh.append(m)
    return fresh


def _write_members(
    core: Core,
    conn: sqlite3.Connection,
    fresh: list[_Member],
    terminal_id: str,
    approver_id: str | None,
) -> None:
    """One batch of new members (and their opening balances) in the open transaction."""
    if not fresh:
        return
    now = iso(core.now())
    ids = [(uuid7(), uuid7()) for _ in fresh]
    conn.executemany(
        "INSERT INTO wallets (wallet_id, kind, balance, created_at) VALUES (?, 'member', 0, ?)",
        [(wallet_id, now) for wallet_id, _ in ids],
    )
    with _grams_in_bulk(conn):
        _insert_members(conn, fresh, ids, terminal_id, now)
    conn.executemany(
        "INSERT INTO consents (member_id, given, scope, at, terminal_id) VALUES (?, ?, ?, ?, ?)",
        [
            (
                member_id,
                int(m.consent_at is not None),
                IMPORT_CONSENT_SCOPE if m.consent_at is not None else None,
                m.consent_at or m.enrolled_at,
                terminal_id,
            )
            for m, (_, member_id) in zip(fresh, ids, strict=True)
        ],
    )
    opening = [(m, ids) for m, ids in zip(fresh, ids, strict=True) if m.balance > 0]
    if not opening:
        return
    writer = core.writer(conn)
    for m, (wallet_id, member_id) in opening:
        writer.balances[wallet_id] = 0  # a new wallet: no read needed
        entry = writer.append(
            wallet_id=wallet_id,
            member_id=member_id,
            kind="adjust",
            points=m.balance,
            approver_id=approver_id,
            reason=OPENING_REASON,
            rules=OPENING_RULES,
        )
        credit(core, writer, entry)


# Names are found by their trigrams (member_grams, schema migration 10), kept by
# a trigger that reads a 254-position JSON array per member: 0.22 ms a named
# member, most of an import's time. For a batch the trigger is dropped inside
# the batch's transaction (nobody else sees it gone: the write lock is held,
# and a rollback brings it back), the batch's trigrams are made by one
# statement of the trigger's own expression in index order (0.08 ms a member),
# and the trigger is made again from its stored SQL before the commit.
_POSITIONS = "[" + ",".join(str(n) for n in range(1, NAME_GRAM_SPAN - 1)) + "]"
_GRAMS_OF_NEW_MEMBERS = (
    "INSERT OR IGNORE INTO member_grams (gram, member_rowid) "
    "SELECT substr(lower(m.name), p.value, 3), m.rowid "
    f"FROM json_each('{_POSITIONS}') p CROSS JOIN members m "
    "WHERE m.rowid > ? AND m.name IS NOT NULL AND p.value <= length(m.name) - 2 ORDER BY 1, 2"
)


@contextmanager
def _grams_in_bulk(conn: sqlite3.Connection) -> Iterator[None]:
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'member_grams_insert'"
    ).fetchone()
    if row is None:  # not this schema: let the members' own triggers do it
        yield
        return
    (top,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM members").fetchone()
    conn.execute("DROP TRIGGER member_grams_insert")
    yield
    conn.execute(_GRAMS_OF_NEW_MEMBERS, (top,))
    conn.execute(row[0])


def _insert_members(
    conn: sqlite3.Connection,
    fresh: list[_Member],
    ids: list[tuple[str, str]],
    terminal_id: str,
    now: str,
) -> None:
    conn.executemany(
        "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, enrolled_at, "
        "terminal_id, external_id, birthday, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                member_id,
                m.phone,
                m.name,
                wallet_id,
                m.consent_at,
                m.enrolled_at,
                terminal_id,
                m.external_id,
                m.birthday,
                now,
            )
            for m, (wallet_id, member_id) in zip(fresh, ids, strict=True)
        ],
    )
