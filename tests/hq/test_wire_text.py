"""What head office accepts on the wire (issue 9, breaks 5 and the spec/behaviour check).

Control characters and bidi overrides in any string a terminal sends are refused
with 422 naming the field, and nothing is stored; a push whose lists are over
their documented ``maxItems`` is a 422 like any other invalid field; ``5.0`` is
an integer as the OpenAPI description says.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hq.db import Conn
from sync.protocol import MAX_PUSH_ENTRIES, PushResponse, entry_row
from tests.hq.conftest import Terminal

HOSTILE = [
    "\x1b[2J",  # ESC CSI: clears a terminal screen
    "Som\x00chai",  # NUL
    "\x1bp\x00\x19\xfa",  # ESC p: opens a cash drawer
    "a\x9bb",  # C1 CSI
    "a\x85b",  # C1 NEL
    "tab\there",
    "line\nbreak",
    "del\x7f",
    "\u202eevil",  # right-to-left override
    "\u2066isolated\u2069",
]


async def push(client: httpx.AsyncClient, t: Terminal, **body: Any) -> httpx.Response:
    return await client.post("/v1/push", json=body, headers=t.auth)


def count(db: Conn, table: str) -> int:
    row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("text", HOSTILE, ids=repr)
async def test_control_characters_in_a_member_name_are_refused(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, text: str
) -> None:
    t = make_terminal()
    reply = await push(client, t, members=[t.member("+66812345678", name=f"Som{text}")])
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert "members.0.name" in error["message"]
    assert "control character" in error["message"]
    assert count(db, "members") == 0


@pytest.mark.parametrize("column", ["ref", "reason", "cashier_id", "wallet_id"])
async def test_control_characters_in_entry_text_are_refused(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn, column: str
) -> None:
    t = make_terminal()
    entry = t.entry("W1", 10)
    entry[column] = "B1\x1b[31m"
    reply = await push(client, t, entries=[entry_row(entry)])
    assert reply.status_code == 422, reply.text
    assert f"entries.0.{column}" in reply.json()["error"]["message"]
    assert count(db, "entries") == 0


async def test_control_characters_in_coupon_events_and_join_are_refused(
    client: httpx.AsyncClient, make_terminal: Any
) -> None:
    t = make_terminal()
    event = {
        "code": "K7QM2XPA",
        "entry_id": "e1",
        "reward_id": "COFFEE\u202e",
        "member_id": "m1",
        "status": "used",
        "at": "2026-01-15T03:00:00.000000Z",
        "terminal_id": t.terminal_id,
    }
    reply = await push(client, t, coupon_events=[event])
    assert reply.status_code == 422
    assert "coupon_events.0.reward_id" in reply.json()["error"]["message"]
    joined = await client.post("/v1/join", json={"setup_code": "K7QM\x1b2XPA"})
    assert joined.status_code == 422
    assert "setup_code" in joined.json()["error"]["message"]


async def test_thai_emoji_and_markup_are_plain_text_and_accepted(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    name = "สมชาย ใจดี 😀 [/] [@click=app.quit]x"  # markup is shown as text, not refused
    reply = await push(client, t, members=[t.member("+66812345678", name=name)])
    assert reply.status_code == 200, reply.text
    row = db.execute("SELECT name FROM members").fetchone()
    assert row is not None and row[0] == name


async def test_too_many_entries_are_a_422_as_the_spec_says(
    client: httpx.AsyncClient, make_terminal: Any
) -> None:
    t = make_terminal()
    row = entry_row(t.entry("W1", 1))
    reply = await push(client, t, entries=[row] * (MAX_PUSH_ENTRIES + 1))
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "too_many_items"
    assert "send smaller batches" in error["message"]


async def test_a_whole_float_is_an_integer_and_a_fraction_is_not(
    client: httpx.AsyncClient, make_terminal: Any, db: Conn
) -> None:
    t = make_terminal()
    row = entry_row(t.entry("W1", 10))
    points, seq = row.index(10), 17  # points and seq columns as 10.0 and 1.0
    as_floats = [*row]
    as_floats[points] = 10.0
    as_floats[seq] = 1.0
    reply = await push(client, t, entries=[as_floats])
    assert reply.status_code == 200, reply.text
    assert PushResponse.model_validate(reply.json()).acked_seq == 1
    stored = db.execute("SELECT points, seq FROM entries").fetchone()
    assert stored == (10, 1)
    for bad in (10.5, "10", True):
        wrong = [*row]
        wrong[points] = bad
        refused = await push(client, t, entries=[wrong])
        assert refused.status_code == 422, (bad, refused.text)
        assert "entries.0.points" in refused.json()["error"]["message"]
