"""The ledger's side of the member's counter needs: a history paged by keyset,
members found by a piece of their name, and a name changed at the counter that
goes to head office again at the next sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings
from ledger.errors import InvalidInput, NotPermitted
from ledger.replica import Replica
from ledger.service import Ledger
from tests.conftest import FakeClock

PHONE = "0812345678"


def _sales(ledger: Ledger, clock: FakeClock, n: int) -> None:
    for i in range(n):
        ledger.earn(PHONE, "25", f"B-{i:04d}", "cash1")
        clock.advance(minutes=1)


def test_pages_walk_the_whole_history_newest_first_each_entry_once(
    ledger: Ledger, clock: FakeClock
) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    _sales(ledger, clock, 23)
    seen: list[str] = []
    before = None
    pages = 0
    while True:
        page = ledger.history_page(member.wallet_id, before, limit=10)
        seen += [e.ref or "" for e in page.entries]
        pages += 1
        if page.older is None:
            break
        before = page.older
    assert pages == 3
    assert seen == [f"B-{i:04d}" for i in reversed(range(23))]


def test_entries_of_one_instant_are_split_across_pages_without_loss(
    ledger: Ledger, clock: FakeClock
) -> None:
    """Several entries at the same second (a fast till, another till's entries):
    the entry id breaks the tie, none shown twice, none skipped."""
    member, _ = ledger.enroll(PHONE, consent=True)
    for i in range(7):
        ledger.earn(PHONE, "25", f"S-{i}", "cash1")  # the clock does not move
    first = ledger.history_page(member.wallet_id, None, limit=3)
    second = ledger.history_page(member.wallet_id, first.older, limit=3)
    third = ledger.history_page(member.wallet_id, second.older, limit=3)
    ids = [e.entry_id for p in (first, second, third) for e in p.entries]
    assert len(ids) == len(set(ids)) == 7
    assert third.older is None


def test_the_last_page_exactly_full_says_there_is_nothing_older(
    ledger: Ledger, clock: FakeClock
) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    _sales(ledger, clock, 4)
    page = ledger.history_page(member.wallet_id, None, limit=4)
    assert len(page.entries) == 4 and page.older is None
    empty = ledger.history_page(member.wallet_id, (page.entries[-1].created_at, ""), limit=4)
    assert empty.entries == () and empty.older is None


def test_a_page_is_an_index_seek_not_a_scan(ledger: Ledger) -> None:
    plan = " ".join(
        str(r[3])
        for r in ledger.conn.execute(
            "EXPLAIN QUERY PLAN SELECT entry_id FROM entries WHERE wallet_id = ? "
            "AND created_at <= ? AND (created_at, entry_id) < (?, ?) "
            "ORDER BY created_at DESC, entry_id DESC LIMIT 21",
            ("w", "t", "t", "e"),
        )
    )
    assert "entries_wallet_time" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", "")


@pytest.mark.parametrize("limit", [0, 501])
def test_a_page_size_out_of_range_is_refused(ledger: Ledger, limit: int) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    with pytest.raises(InvalidInput):
        ledger.history_page(member.wallet_id, None, limit=limit)


# -- search by name -----------------------------------------------------------


def test_a_piece_of_a_name_finds_members_in_any_case_thai_too(ledger: Ledger) -> None:
    ledger.enroll("0811111111", name="Somchai Jaidee", consent=True)
    ledger.enroll("0822222222", name="สมหญิง ใจดี", consent=True)
    ledger.enroll("0833333333", name="Anan", consent=True)
    assert [m.name for m in ledger.find_by_name("SOMCH")] == ["Somchai Jaidee"]
    assert [m.name for m in ledger.find_by_name("ใจดี")] == ["สมหญิง ใจดี"]
    assert ledger.find_by_name("nobody") == []
    assert ledger.find_by_name("   ") == []


@pytest.mark.parametrize("wild", ["%", "_", "\\", "%_%"])
def test_like_wildcards_are_taken_literally(ledger: Ledger, wild: str) -> None:
    ledger.enroll("0811111111", name="Somchai", consent=True)
    ledger.enroll("0822222222", name="100% Anan_x\\y", consent=True)
    found = [m.name for m in ledger.find_by_name(wild)]
    assert "Somchai" not in found
    assert found == (["100% Anan_x\\y"] if wild != "%_%" else [])


def test_at_most_limit_results(ledger: Ledger) -> None:
    for i in range(12):
        ledger.enroll(f"08100000{i:02d}", name=f"Niran {i:02d}", consent=True)
    assert len(ledger.find_by_name("niran", limit=5)) == 5
    with pytest.raises(InvalidInput):
        ledger.find_by_name("niran", limit=51)


# -- a new name -------------------------------------------------------------------


def test_a_new_name_is_cleaned_and_sent_again_at_the_next_sync(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, name="Old", consent=True)
    ledger.enroll("0899999999", consent=True)
    replica = Replica(ledger)
    box = replica.outbox()
    assert {m["name"] for m in box.members} == {"Old", None}
    replica.acknowledge(0, box.members_upto, 0)  # no entries: members only
    assert replica.outbox().members == []

    renamed = ledger.rename_member(member.member_id, "  Somchai [/]  ")
    assert renamed.name == "Somchai [/]"
    again = replica.outbox()
    assert [(m["member_id"], m["name"]) for m in again.members] == [
        (member.member_id, "Somchai [/]")
    ]
    assert replica.state()["pending_members"] == 1
    replica.acknowledge(0, again.members_upto, 0)
    assert replica.outbox().members == []
    assert ledger.member(PHONE).name == "Somchai [/]"


def test_an_empty_name_removes_it_and_a_long_one_is_refused(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, name="Old", consent=True)
    assert ledger.rename_member(member.member_id, "  ").name is None
    with pytest.raises(InvalidInput):
        ledger.rename_member(member.member_id, "x" * 81)
    with pytest.raises(InvalidInput):
        ledger.rename_member(member.member_id, "bell\x07")
    assert ledger.member(PHONE).name is None


def test_a_member_of_another_terminal_is_not_renamed_here(ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Mine", consent=True)
    with ledger.core.locked() as conn:  # as a pull from head office writes it
        conn.execute("UPDATE members SET terminal_id = 'T9' WHERE phone = '+66812345678'")
    member = ledger.member(PHONE)
    with pytest.raises(NotPermitted, match="T9") as refused:
        ledger.rename_member(member.member_id, "Theirs")
    assert "T9" in refused.value.text("th") and "สำนักงานใหญ่" in refused.value.text("th")
    assert ledger.member(PHONE).name == "Mine"


# -- the trigram index (migration 10) ------------------------------------------------


def test_a_renamed_member_is_found_by_the_new_name_only(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, name="Somchai Jaidee", consent=True)
    ledger.enroll("0899999999", name="Anan", consent=True)
    assert [m.name for m in ledger.find_by_name("jaidee")] == ["Somchai Jaidee"]
    ledger.rename_member(member.member_id, "Prasert Rakdee")
    assert ledger.find_by_name("jaidee") == []
    assert [m.name for m in ledger.find_by_name("SERT RAK")] == ["Prasert Rakdee"]
    ledger.rename_member(member.member_id, None)
    assert ledger.find_by_name("rakdee") == []
    grams = ledger.conn.execute("SELECT count(*) FROM member_grams").fetchone()[0]
    assert grams == 2  # "ana", "nan": nothing left of the old names


def test_a_name_from_head_office_is_found(ledger: Ledger) -> None:
    member, _ = ledger.enroll(PHONE, consent=True)
    Replica(ledger).apply(
        [
            {
                "kind": "member",
                "member": {
                    "member_id": member.member_id,
                    "phone": member.phone,
                    "name": "วิไล ใจดี",
                    "wallet_id": member.wallet_id,
                    "consent_at": member.consent_at,
                    "enrolled_at": member.enrolled_at,
                    "terminal_id": "T1",
                },
            }
        ]
    )
    assert [m.name for m in ledger.find_by_name("ไล ใจ")] == ["วิไล ใจดี"]


def test_three_letters_or_more_read_the_index_not_every_name(ledger: Ledger) -> None:
    ledger.enroll(PHONE, name="Somchai", consent=True)
    ran: list[str] = []
    ledger.conn.set_trace_callback(ran.append)
    try:
        assert [m.name for m in ledger.find_by_name("SOMCHA")] == ["Somchai"]
    finally:
        ledger.conn.set_trace_callback(None)
    (search,) = [sql for sql in ran if "CROSS JOIN members" in sql]
    plan = [str(r[3]) for r in ledger.conn.execute(f"EXPLAIN QUERY PLAN {search}")]
    assert "SEARCH member_grams USING PRIMARY KEY (gram=?)" in plan, plan
    assert any(p.startswith("SEARCH m USING INTEGER PRIMARY KEY (rowid=?)") for p in plan), plan
    assert not any(p.startswith(("SCAN m", "SCAN members", "SCAN member_grams")) for p in plan)


def test_an_older_ledger_gets_the_index_of_the_names_it_has(
    db_path: Path, settings: Settings, clock: FakeClock
) -> None:
    book = Ledger.open(db_path, settings, clock=clock)
    book.init("S1", "T1")
    book.enroll(PHONE, name="Kittipon Srisuk", consent=True)
    with book.core.locked() as conn:  # as a ledger from before migration 10 was
        for name in ("member_grams_insert", "member_grams_update", "member_grams_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE member_grams")
        conn.execute("PRAGMA user_version = 9")  # migration 10 made member_grams
    book.close()
    book = Ledger.open(db_path, settings, clock=clock)
    try:
        assert [m.name for m in book.find_by_name("srisuk")] == ["Kittipon Srisuk"]
    finally:
        book.close()


def test_common_trigrams_rare_together_are_still_found(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every trigram counted as common, the first postings read hold no match:
    the search counts further and reads the rarest whole."""
    import ledger.members as members

    monkeypatch.setattr(members, "_COUNTED", (1, 100))
    monkeypatch.setattr(members, "_FIRST_READ", 1)
    for n, name in enumerate(("Somchai Anan", "Somchai Boon", "Anan Somchai", "Boon Anan")):
        ledger.enroll(f"08100000{n:02d}", name=name, consent=True)
    assert [m.name for m in ledger.find_by_name("chai boo")] == ["Somchai Boon"]
    assert [m.name for m in ledger.find_by_name("anan")] == [
        "Anan Somchai",
        "Boon Anan",
        "Somchai Anan",
    ]
    assert ledger.find_by_name("boon boon") == []
