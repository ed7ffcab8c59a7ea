"""The ``pos-hq`` command, run as a subprocess with --json, and joining with its codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from hq.db import Conn, migrations
from ledger.chain import entry_hash
from sync.protocol import ENTRY_COLUMNS, JoinResponse, PullResponse, entry_row

ROOT = Path(__file__).resolve().parents[2]


def hq(dsn: str | None, *args: str) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_HQ_")}
    if dsn is not None:
        env["POS_HQ_DSN"] = dsn
    done = subprocess.run(
        [sys.executable, "-m", "hq.cli", *args, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.stdout.count("\n") == 1, (done.stdout, done.stderr)
    return done.returncode, json.loads(done.stdout)


async def test_store_terminal_join_and_second_join_refused(
    hq_dsn: str, client: httpx.AsyncClient, db: Conn
) -> None:
    assert hq(hq_dsn, "store", "add", "S1", "--name", "Siam Paragon") == (
        0,
        {"store": {"store_id": "S1", "name": "Siam Paragon"}},
    )
    status, added = hq(hq_dsn, "terminal", "add", "S1", "T1")
    assert status == 0
    assert added["token"].startswith("lpt_") and len(added["setup_code"]) == 9
    # Nothing secret is stored in the clear.
    stored = db.execute("SELECT token_hash FROM terminal_tokens").fetchall()
    assert stored and all(added["token"] not in row[0] for row in stored)
    codes = db.execute("SELECT code_hash FROM setup_codes").fetchall()
    assert codes and all(added["setup_code"].replace("-", "") not in row[0] for row in codes)

    typed = added["setup_code"].lower().replace("-", " ")  # case, dashes and spaces do not matter
    reply = await client.post("/v1/join", json={"setup_code": typed})
    assert reply.status_code == 200, reply.text
    joined = JoinResponse.model_validate(reply.json())
    assert (joined.store_id, joined.terminal_id, joined.store_name) == ("S1", "T1", "Siam Paragon")
    assert len(bytes.fromhex(joined.coupon_key)) == 32
    assert (joined.settings, joined.settings_version) == ({}, 0)
    again = await client.post("/v1/join", json={"setup_code": added["setup_code"]})
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "invalid_setup_code"
    assert "already used" in again.json()["error"]["message"]
    unknown = await client.post("/v1/join", json={"setup_code": "0000-0000"})
    assert unknown.status_code == 403
    # The join ended the printed token; the joined one works; after revoke, neither does.
    printed = await client.get("/v1/pull", headers={"Authorization": f"Bearer {added['token']}"})
    assert printed.status_code == 401
    pulled = await client.get("/v1/pull", headers={"Authorization": f"Bearer {joined.token}"})
    assert pulled.status_code == 200
    PullResponse.model_validate(pulled.json())
    assert hq(hq_dsn, "terminal", "revoke", "S1", "T1")[0] == 0
    for token in (added["token"], joined.token):
        pulled = await client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
        assert pulled.status_code == 401


async def test_expired_setup_code_is_refused(
    hq_dsn: str, client: httpx.AsyncClient, db: Conn
) -> None:
    hq(hq_dsn, "store", "add", "S1", "--name", "One")
    _, added = hq(hq_dsn, "terminal", "add", "S1", "T1")
    db.execute("UPDATE setup_codes SET expires_at = now() - interval '1 second'")
    reply = await client.post("/v1/join", json={"setup_code": added["setup_code"]})
    assert reply.status_code == 403 and "expired" in reply.json()["error"]["message"]


def test_errors_and_exit_statuses(hq_dsn: str, tmp_path: Path) -> None:
    assert hq(hq_dsn, "store", "add", "S1", "--name", "One")[0] == 0
    status, body = hq(hq_dsn, "store", "add", "S1", "--name", "Again")
    assert (status, body["error"]["code"]) == (1, "store_exists")
    status, body = hq(hq_dsn, "terminal", "add", "S9", "T1")
    assert (status, body["error"]["code"]) == (3, "store_not_found")
    assert hq(hq_dsn, "terminal", "add", "S1", "T1")[0] == 0
    status, body = hq(hq_dsn, "terminal", "add", "S1", "T1")
    assert (status, body["error"]["code"]) == (1, "terminal_exists")
    status, body = hq(hq_dsn, "terminal", "revoke", "S1", "T9")
    assert (status, body["error"]["code"]) == (3, "terminal_not_found")
    status, body = hq(hq_dsn, "store", "add")
    assert (status, body["error"]["code"]) == (2, "usage")
    status, body = hq(None, "report", "balances")
    assert (status, body["error"]["code"]) == (2, "config_error")
    assert "POS_HQ_DSN" in body["error"]["message"]
    status, body = hq(hq_dsn, "rules", "set", str(tmp_path / "missing.json"))
    assert (status, body["error"]["code"]) == (2, "usage")
    (tmp_path / "list.json").write_text("[1, 2]")
    status, body = hq(hq_dsn, "rules", "set", str(tmp_path / "list.json"))
    assert (status, body["error"]["code"]) == (1, "invalid_request")


def test_migrate_report_and_rules(hq_dsn: str, tmp_path: Path) -> None:
    assert hq(hq_dsn, "migrate") == (0, {"applied": [], "version": len(migrations())})
    assert hq(hq_dsn, "report", "balances") == (0, {"wallets": [], "total": 0, "points_total": 0})
    assert hq(hq_dsn, "report", "conflicts") == (0, {"conflicts": [], "total": 0})
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps({"earn": {"spend_per_point": "25.00"}, "catalog": []}))
    status, body = hq(hq_dsn, "rules", "set", str(rules_file))
    assert (status, body["version"]) == (0, 1)
    assert hq(hq_dsn, "rules", "show")[1] == {
        "version": 1,
        "settings": json.loads(rules_file.read_text()),
    }


def test_not_migrated_database_is_refused(admin_dsn: str) -> None:
    status, body = hq(admin_dsn, "report", "balances")
    assert (status, body["error"]["code"]) == (1, "not_migrated")


async def test_a_new_code_after_a_lost_join_reply(
    hq_dsn: str, client: httpx.AsyncClient, db: Conn
) -> None:
    """The first join's reply never arrived (or the code expired, or the till was
    replaced): head office prints a new code; joining with it ends the lost token."""
    hq(hq_dsn, "store", "add", "S1", "--name", "Siam")
    first_code = hq(hq_dsn, "terminal", "add", "S1", "T1")[1]["setup_code"]
    lost = await client.post("/v1/join", json={"setup_code": first_code})
    assert lost.status_code == 200  # ... but the terminal never saw this
    status, made = hq(hq_dsn, "terminal", "code", "S1", "T1")
    assert status == 0 and made["setup_code"] != first_code
    joined = await client.post("/v1/join", json={"setup_code": made["setup_code"]})
    assert joined.status_code == 200, joined.text
    for token, works in ((lost.json()["token"], False), (joined.json()["token"], True)):
        pulled = await client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
        assert (pulled.status_code == 200) is works
    # A second new code makes the unused one before it worthless.
    older = hq(hq_dsn, "terminal", "code", "S1", "T1")[1]["setup_code"]
    newer = hq(hq_dsn, "terminal", "code", "S1", "T1")[1]["setup_code"]
    assert (await client.post("/v1/join", json={"setup_code": older})).status_code == 403
    assert (await client.post("/v1/join", json={"setup_code": newer})).status_code == 200
    # No code for a terminal that does not exist or was revoked.
    assert hq(hq_dsn, "terminal", "code", "S1", "T9")[0] == 3
    hq(hq_dsn, "terminal", "revoke", "S1", "T1")
    status, refused = hq(hq_dsn, "terminal", "code", "S1", "T1")
    assert status == 1 and "revoked" in refused["error"]["message"]


async def test_verify_recomputes_every_hash_and_link(
    hq_dsn: str, client: httpx.AsyncClient, db: Conn, make_terminal: Any
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S1", "T2")
    for t in (t1, t2):  # real chains, with NULLs and numbers in them
        entries = [t.entry("W1", 10), t.entry("W1", -3, kind="redeem"), t.entry("W2", 7)]
        reply = await client.post(
            "/v1/push", json={"entries": [entry_row(e) for e in entries]}, headers=t.auth
        )
        assert reply.json()["acked_seq"] == 3
    assert hq(hq_dsn, "verify") == (0, {"entries": 6, "terminals": 2, "problems": []})

    # Someone with database access edits T2's second entry (the triggers are bypassed).
    db.execute("ALTER TABLE entries DISABLE TRIGGER entries_append_only")
    db.execute("UPDATE entries SET points = 300 WHERE terminal_id = 'T2' AND seq = 2")
    db.execute("DELETE FROM entries WHERE terminal_id = 'T1' AND seq = 2")
    db.execute("ALTER TABLE entries ENABLE TRIGGER entries_append_only")
    status, found = hq(hq_dsn, "verify")
    assert status == 1
    assert [(p["terminal_id"], p["seq"], p["problem"]) for p in found["problems"]] == [
        ("T1", 3, "gap"),
        ("T2", 2, "hash"),
    ]
    assert "was changed" in found["problems"][1]["message"]
    status, only = hq(hq_dsn, "verify", "--terminal", "T2")
    assert status == 1 and [p["terminal_id"] for p in only["problems"]] == ["T2"]
    # A forger who also recomputes the edited entry's hash breaks the next link.
    row = db.execute(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries WHERE terminal_id = 'T2' AND seq = 2"
    ).fetchone()
    assert row is not None
    db.execute("ALTER TABLE entries DISABLE TRIGGER entries_append_only")
    db.execute(
        "UPDATE entries SET hash = %s WHERE terminal_id = 'T2' AND seq = 2", (entry_hash(row),)
    )
    db.execute("ALTER TABLE entries ENABLE TRIGGER entries_append_only")
    status, only = hq(hq_dsn, "verify", "--terminal", "T2")
    assert [(p["seq"], p["problem"]) for p in only["problems"]] == [(3, "link")]
