"""A name changed at the counter reaches head office at the next sync, and the
other tills at theirs; a till cannot rename another till's member."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import Settings
from hq.db import Conn
from ledger.errors import NotPermitted
from ledger.replica import Replica
from ledger.service import Ledger
from tests.reliability.test_restore import image, pos
from tests.sync.conftest import Sync

PHONE = "081-234-5678"


def _hq_name(conn: Conn, member_id: str) -> str | None:
    row = conn.execute("SELECT name FROM members WHERE member_id = %s", (member_id,)).fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def test_a_name_changed_at_the_till_reaches_head_office_and_another_till(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S2")
    member, _ = a.enroll(PHONE, consent=True)  # no name at enrolment
    a.earn(PHONE, "250.00", "A-1")
    sync(a)
    sync(b)
    assert _hq_name(hq_db, member.member_id) is None
    assert b.member(PHONE).name is None

    a.rename_member(member.member_id, "สมชาย [@click=app.quit]x[/]")
    assert Replica(a).state()["pending_members"] == 1
    sync(a)
    assert Replica(a).state()["pending_members"] == 0
    assert _hq_name(hq_db, member.member_id) == "สมชาย [@click=app.quit]x[/]"

    sync(b)
    assert b.member(PHONE).name == "สมชาย [@click=app.quit]x[/]"
    assert b.member(PHONE).balance == 10  # the points were not touched

    # Renamed again and removed: the latest wins everywhere.
    a.rename_member(member.member_id, "Somchai")
    a.rename_member(member.member_id, "")
    sync(a)
    sync(b)
    assert _hq_name(hq_db, member.member_id) is None
    assert b.member(PHONE).name is None


def test_the_other_till_is_told_where_to_change_the_name_and_its_sync_goes_on(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    a, b = joined("A", store="S1"), joined("B", store="S1")
    member, _ = a.enroll(PHONE, name="Anan", consent=True)
    sync(a)
    sync(b)
    with pytest.raises(NotPermitted, match="terminal A"):
        b.rename_member(member.member_id, "Someone else")
    b.earn(PHONE, "100.00", "B-1")
    result = sync(b)
    assert result["pushed"] == 1 and result["conflicts"] == 0
    assert _hq_name(hq_db, member.member_id) == "Anan"


def test_a_restored_till_finds_its_members_by_name_once(
    joined: Callable[..., Ledger], sync: Sync, tmp_path: Path, settings: Settings
) -> None:
    """A restore rebuilds the ledger from head office's copy and swaps it in:
    the name index is made again from the members, not copied twice."""
    till = joined("A")
    till.add_staff("sup", "supervisor", "2468")
    member, _ = till.enroll(PHONE, name="Somchai", consent=True)
    till.earn(PHONE, "250", "B1")
    sync(till)
    copy = image(till, tmp_path / "yesterday.db")
    till.rename_member(member.member_id, "Somchai Jaidee")
    till.enroll("0899999999", name="Anan Jaidee", consent=True)
    till.earn(PHONE, "100", "B2")  # the copy is behind head office: restore brings it back
    sync(till)
    till.close()

    status, body = pos("ledger", "restore", "--approver", "sup", db=copy, stdin="2468\n")
    assert status == 0, body
    with Ledger.open(copy, settings) as restored:
        sync(restored)
        found = [m.name for m in restored.find_by_name("jaidee")]
        assert found == ["Anan Jaidee", "Somchai Jaidee"]
        assert restored.find_by_name("somchai")[0].member_id == member.member_id
        assert restored.verify() == []
