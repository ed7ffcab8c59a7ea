"""Schema version 3 on a database that already holds coupons and conflicts."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from hq.conflicts import service as conflicts
from hq.db import Conn, migrate
from sync.protocol import ENTRY_COLUMNS, entry_row


def test_version_3_knows_who_issued_existing_coupons(db: Conn, make_terminal: Any) -> None:
    db.execute("DROP SCHEMA public CASCADE")
    db.execute("CREATE SCHEMA public")
    migrate(db, upto=2)
    t1 = make_terminal("S1", "T1")
    redeem = t1.entry("W1", -10, kind="redeem")
    db.execute(
        f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})",
        entry_row(redeem),
    )
    for code, entry_id in (("C1", redeem["entry_id"]), ("C2", "not-here-yet")):
        db.execute(
            "INSERT INTO coupons (code, entry_id, status) VALUES (%s, %s, 'issued')",
            (code, entry_id),
        )
    db.execute(
        "INSERT INTO conflicts (kind, key, details) VALUES ('phone_merge', 'k', %s)",
        (Jsonb({}),),
    )

    assert migrate(db)[0] == "0003_authority"

    rows = db.execute("SELECT code, issued_terminal_id FROM coupons ORDER BY code").fetchall()
    assert rows == [("C1", "T1"), ("C2", None)]
    (old,) = conflicts.list_conflicts(db)
    assert old["message"] == "A phone merge conflict (recorded before conflicts had messages)."
