"""``pos member export``: everything this till holds about one member, the
member's own copy (the full phone), read at one moment; a supervisor approves.

The member is found by phone; members merged into them (the same phone
enrolled at another till, merged by head office) count as them, so their rows,
wallets and entries are in the copy too. Tables are read whole per member, so a
column added later is exported without a change here.

Files are personal data: each is created new (an existing file is never
replaced, nor a link followed), 0600, in a folder made 0700. In CSV a text
cell that a spreadsheet would run as a formula (``=``, ``@``, or ``+``/``-``
not followed by digits only) starts with an apostrophe; the JSON keeps every
value as stored.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger import members, staff
from ledger.clock import iso
from ledger.core import Core
from ledger.errors import InvalidInput
from ledger.models import Credentials

FORMAT = "loyalty-pos/member-export/1"
# Features this version does not have: said in the copy rather than left out,
# so a member (or an auditor) reads that nothing is held, not that it was missed.
NOTES = (
    {
        "about": "company_links",
        "en": "Company accounts do not exist in this version: no company links are held.",
        "th": "รุ่นนี้ยังไม่มีบัญชีบริษัท จึงไม่มีข้อมูลการเชื่อมกับบริษัท",
    },
    {
        "about": "ratings",
        "en": "Ratings do not exist in this version: no ratings are held.",
        "th": "รุ่นนี้ยังไม่มีการให้คะแนน จึงไม่มีข้อมูลคะแนน",
    },
)
# Each table of the copy and how its rows are chosen: the member ids (the
# member and those merged into them), their wallet ids, as JSON arrays.
_IDS = "(SELECT value FROM json_each(:ids))"
_WALLETS = "(SELECT value FROM json_each(:wallets))"
TABLES: dict[str, str] = {
    "members": f"SELECT * FROM members WHERE member_id IN {_IDS} ORDER BY enrolled_at, member_id",
    "wallets": f"SELECT * FROM wallets WHERE wallet_id IN {_WALLETS} ORDER BY created_at",
    "consents": f"SELECT * FROM consents WHERE member_id IN {_IDS} ORDER BY consent_id",
    "entries": f"SELECT * FROM entries WHERE wallet_id IN {_WALLETS} OR member_id IN {_IDS} "
    "ORDER BY created_at, terminal_id, seq",
    "lots": f"SELECT * FROM lots WHERE wallet_id IN {_WALLETS} ORDER BY expires_at, entry_id",
    "coupons": f"SELECT * FROM coupons WHERE member_id IN {_IDS} ORDER BY issued_at, code",
    "coupon_events": "SELECT * FROM coupon_events WHERE code IN (SELECT code FROM coupons "
    f"WHERE member_id IN {_IDS}) ORDER BY event_id",
    "wallet_merges": f"SELECT * FROM wallet_merges WHERE member_id IN {_IDS} "
    f"OR merged_member_id IN {_IDS} ORDER BY merged_wallet_id",
    "spend_days": f"SELECT * FROM spend_days WHERE wallet_id IN {_WALLETS} ORDER BY day, wallet_id",
    # Sales brought from the shop's old system (ledger.imports).
    "imported_sales": f"SELECT * FROM imported_sales WHERE member_id IN {_IDS} "
    "ORDER BY created_at, sale_key",
    "print_jobs": "SELECT * FROM print_jobs WHERE entry_id IN (SELECT entry_id FROM entries "
    f"WHERE wallet_id IN {_WALLETS} OR member_id IN {_IDS}) ORDER BY created_at, job_id",
}


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class MemberExport:
    header: dict[str, Any]
    """Who, where and when: format, exported_at, store, terminal, approver, member id."""
    tables: dict[str, Table]

    def document(self) -> dict[str, Any]:
        """The JSON copy: the member, their wallet, then every table."""
        rows = {name: table.dicts() for name, table in self.tables.items()}
        member_id = self.header["member_id"]
        member = next(m for m in rows["members"] if m["member_id"] == member_id)
        wallet = next(w for w in rows["wallets"] if w["wallet_id"] == member["wallet_id"])
        merged = [m for m in rows.pop("members") if m["member_id"] != member_id]
        others = [w for w in rows.pop("wallets") if w["wallet_id"] != member["wallet_id"]]
        return {
            **self.header,
            "member": member,
            "wallet": wallet,
            "merged_members": merged,
            "merged_wallets": others,
            **rows,
            "company_links": [],
            "ratings": [],
            "notes": [dict(n) for n in NOTES],
        }

    def counts(self) -> dict[str, int]:
        return {name: len(table.rows) for name, table in self.tables.items()}


@contextlib.contextmanager
def _one_moment(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every table as of the same moment, while the app
    and sync keep writing (WAL readers do not block writers)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def member_export(core: Core, phone: str, approval: Credentials) -> MemberExport:
    """Everything held about the member with ``phone``; a supervisor's PIN first
    (a wrong one counts towards the lock, as every approval does)."""
    e164 = members.normalize(core, phone)
    store_id, terminal_id = core.terminal()
    approver = staff.approver(core, approval)
    conn = core.conn
    with _one_moment(conn):
        member_id, _, _, wallet_id = members.row_by_phone(core, e164)[:4]
        merged = conn.execute(
            "SELECT merged_member_id, merged_wallet_id FROM wallet_merges WHERE member_id = ? "
            "ORDER BY merged_wallet_id",
            (member_id,),
        ).fetchall()
        ids = json.dumps([member_id, *(r[0] for r in merged)])
        wallets = json.dumps([wallet_id, *(r[1] for r in merged)])
        tables: dict[str, Table] = {}
        for name, sql in TABLES.items():
            cursor = conn.execute(sql, {"ids": ids, "wallets": wallets})
            columns = tuple(d[0] for d in cursor.description)
            tables[name] = Table(columns, tuple(tuple(r) for r in cursor.fetchall()))
    header = {
        "format": FORMAT,
        "exported_at": iso(core.clock()),
        "store_id": store_id,
        "terminal_id": terminal_id,
        "approver_id": approver.staff_id,
        "member_id": member_id,
    }
    return MemberExport(header, tables)


# -- files ----------------------------------------------------------------------

_FORMULA = re.compile(r"[=@\t\r]|[+-](?![0-9]+$)")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return "" if value is None else value


def _create(path: Path, data: bytes) -> None:
    """A new file holding ``data``, 0600 whatever the umask; never an existing
    file or a link. Removed again if it cannot be written whole."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise InvalidInput(key="invalid_input.export_exists", path=str(path)) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_json(export: MemberExport, path: str | Path) -> Path:
    target = Path(path).expanduser().absolute()
    if not target.parent.is_dir():
        raise InvalidInput(key="invalid_input.export_folder", path=str(target.parent))
    text = json.dumps(export.document(), ensure_ascii=False, indent=2) + "\n"
    _create(target, text.encode("utf-8"))
    return target


def write_csv(export: MemberExport, folder: str | Path) -> list[Path]:
    """One CSV per table (with its header when it has no rows) in ``folder``,
    made 0700 if it does not exist; every file is new."""
    target = Path(folder).expanduser().absolute()
    if not target.parent.is_dir():
        raise InvalidInput(key="invalid_input.export_folder", path=str(target.parent))
    try:
        os.mkdir(target, 0o700)
    except FileExistsError:
        pass  # a folder of the user's: its files are checked below, its mode kept
    else:
        os.chmod(target, 0o700)  # whatever the umask
    if target.is_symlink() or not target.is_dir():
        raise InvalidInput(key="invalid_input.export_folder", path=str(target))
    paths = [target / f"{name}.csv" for name in export.tables]
    for path in paths:
        if path.exists() or path.is_symlink():
            raise InvalidInput(key="invalid_input.export_exists", path=str(path))
    for path, table in zip(paths, export.tables.values(), strict=True):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(table.columns)
        writer.writerows([_cell(v) for v in row] for row in table.rows)
        # UTF-8 with a BOM: a spreadsheet opened by double-click reads Thai right.
        _create(path, buffer.getvalue().encode("utf-8-sig"))
    return paths
