"""Head office's edges under hostile or unlucky conditions (issue 9: breaks 9, 10,
13, 14 and 15, head-office side), each through the real parts: a real
``pos-hq serve`` process or the head office on uvicorn, real ledgers, the real
``pos`` command.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hq.changes import service as changes
from hq.db import Conn
from hq.rules import service as rules
from hq.terminals import service as terminals
from ledger.replica import K_SETTINGS, K_SETTINGS_VERSION, Replica
from ledger.service import Ledger
from sync import commands
from tests.conftest import SUPERVISOR
from tests.sync.conftest import HQServer, Sync, wait_feed

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PHONE = "081-234-5678"


# -- a real pos-hq serve process ------------------------------------------------


@contextmanager
def serve(dsn: str, tmp: Path, **env: str) -> Iterator[tuple[str, Path]]:
    """``pos-hq serve`` on a free port; yields its URL and its log file."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp / f"hq-{port}.log"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("POS_HQ_")}
    environ |= {"POS_HQ_DSN": dsn, "PYTHONPATH": str(ROOT), **env}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "pos-hq"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("pos-hq serve did not start:\n" + log.read_text())
            time.sleep(0.1)
        yield url, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def wrong_codes(url: str, forwarded: Callable[[int], str], tries: int = 30) -> list[int]:
    """``tries`` wrong setup codes, each with its own X-Forwarded-For."""
    statuses = []
    with httpx.Client(base_url=url, timeout=10) as http:
        for n in range(tries):
            reply = http.post(
                "/v1/join",
                json={"setup_code": f"ZZZZ-{n:04d}"},
                headers={"X-Forwarded-For": forwarded(n)},
            )
            statuses.append(reply.status_code)
    return statuses


def test_forwarded_for_from_anyone_but_a_proxy_does_not_get_past_the_code_limit(
    hq_dsn: str, tmp_path: Path
) -> None:
    rotating = lambda n: f"203.0.113.{n + 1}"  # noqa: E731
    with serve(hq_dsn, tmp_path) as (url, _):
        # 127.0.0.1 is not a configured proxy: its X-Forwarded-For is ignored.
        assert wrong_codes(url, rotating) == [403] * 10 + [429] * 20
    with serve(hq_dsn, tmp_path, POS_HQ_TRUSTED_PROXIES="127.0.0.1") as (url, _):
        # Behind a configured proxy each client is counted on its own ...
        assert wrong_codes(url, rotating) == [403] * 30
        # ... and a client cannot hide behind a hop it writes itself.
        spoofed = lambda n: f"198.51.100.{n + 1}, 192.0.2.9"  # noqa: E731
        assert wrong_codes(url, spoofed) == [403] * 10 + [429] * 20


def test_the_access_log_never_shows_a_phone(hq_dsn: str, tmp_path: Path, db: Conn) -> None:
    terminals.add_store(db, "S1", "Siam")
    token = terminals.add_terminal(db, "S1", "T1")["token"]
    auth = {"Authorization": f"Bearer {token}"}
    with serve(hq_dsn, tmp_path) as (url, log), httpx.Client(base_url=url, headers=auth) as http:
        found = http.post("/v1/members/lookup", json={"phone": "+66812345678"})
        assert found.status_code == 404  # asked in the body: works
        for path in ("/v1/members/%2B66812345678", "/v1/members/+66812345678"):
            old = http.get(path)  # an old terminal: told what to do, phone not logged
            assert old.status_code == 410
            assert "POST /v1/members/lookup" in old.json()["error"]["message"]
        http.get("/v1/pull", params={"phone": "0812345678"})  # even a stray query
    text = log.read_text()
    assert "/v1/members/" in text and "410" in text  # the requests were logged ...
    assert "812345678" not in text  # ... without the phone


async def test_a_join_ends_every_earlier_token_of_the_terminal(
    client: httpx.AsyncClient, db: Conn
) -> None:
    terminals.add_store(db, "S1", "Siam")
    added = terminals.add_terminal(db, "S1", "T1")

    async def works(token: str) -> bool:
        reply = await client.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code in (200, 401), reply.text
        return reply.status_code == 200

    assert await works(added["token"])
    first = await client.post("/v1/join", json={"setup_code": added["setup_code"]})
    assert first.status_code == 200
    assert not await works(added["token"])  # the token 'terminal add' printed
    assert await works(first.json()["token"])
    code = terminals.new_code(db, "S1", "T1")["setup_code"]  # the till is replaced
    second = await client.post("/v1/join", json={"setup_code": code})
    assert second.status_code == 200
    assert not await works(first.json()["token"])
    assert await works(second.json()["token"])


# -- rules a terminal cannot load ---------------------------------------------------


def pos(book: Ledger, *args: str) -> tuple[int, Any]:
    """The real ``pos`` command on ``book``'s file, with no user config."""
    home = book.path.parent
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POS_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(home / var.lower())
    env["PYTHONPATH"] = str(ROOT)  # this tree's code, whatever the venv points at
    done = subprocess.run(
        [str(BIN / "pos"), *args, "--db", str(book.path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None


def publish_unchecked(conn: Conn, body: dict[str, Any]) -> int:
    """Rules stored the way head office did before it checked them."""
    with conn.transaction():
        row = conn.execute("SELECT max(version) + 1 FROM settings").fetchone()
        assert row is not None
        version = int(row[0])
        conn.execute(
            "INSERT INTO settings (version, body) VALUES (%s, %s)", (version, json.dumps(body))
        )
        changes.publish(
            conn, [("settings", None, {"kind": "settings", "version": version, "settings": body})]
        )
    return version


def reward(**changes: Any) -> dict[str, Any]:
    base = {"id": "COFFEE", "name_en": "Coffee", "name_th": "กาแฟ", "points": 100}
    return {**base, "kind": "free_item", "value": "0", **changes}


BAD_RULES: list[tuple[dict[str, Any], str]] = [
    ({"earn": {"spend_per_point": 25.5}}, "earn.spend_per_point"),  # a float for money
    ({"rewards": [reward(id="FREE COFFEE")]}, "rewards[0].id"),  # an id with a space
    ({"rewards": [reward(points=-5)]}, "rewards[0].points"),  # negative points
    ({"rewards": [reward(name_en="\x1b[2JCoffee")]}, "rewards[0].name_en"),  # ESC CSI
    ({"printer": {"url": "tcp://10.0.0.1:9100"}}, "printer"),  # not head office's to set
]


@pytest.mark.parametrize(("body", "key"), BAD_RULES, ids=[k for _, k in BAD_RULES])
def test_pos_hq_rules_set_refuses_rules_a_terminal_could_not_load(
    hq_dsn: str, db: Conn, tmp_path: Path, body: dict[str, Any], key: str
) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(body, ensure_ascii=False))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("POS_HQ_")}
    done = subprocess.run(
        [str(BIN / "pos-hq"), "rules", "set", str(path), "--json"],
        capture_output=True,
        text=True,
        env={**environ, "POS_HQ_DSN": hq_dsn, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "invalid_rules"
    assert key in error["message"]
    assert rules.current(db) == (0, {})  # nothing stored, nothing published


def test_a_terminal_keeps_its_last_good_rules_and_takes_the_corrected_ones(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    book = joined("A")
    book.enroll(PHONE)
    good = rules.set_settings(hq_db, {"redeem": {"approval_threshold": 800}})
    assert sync(book)["warnings"] == []
    bad = publish_unchecked(hq_db, {"earn": {"spend_per_point": 25.5}})

    done = sync(book)
    assert done["settings_version"] == good
    (warning,) = done["warnings"]
    assert f"version {bad}" in warning and "earn.spend_per_point" in warning
    assert "25.5" in warning and f"keeps using version {good}" in warning
    status, sold = pos(book, "earn", PHONE, "100.00", "--ref", "B1")  # still selling
    assert status == 0, sold
    status, state = pos(book, "sync", "--status")
    assert status == 0 and state["settings_version"] == good
    assert state["settings_refused"]["version"] == bad

    fixed = rules.set_settings(hq_db, {"earn": {"spend_per_point": "20.00"}})
    done = sync(book)
    assert done["settings_version"] == fixed and done["warnings"] == []
    assert Replica(book).hq_settings() == (fixed, {"earn": {"spend_per_point": "20.00"}})
    status, sold = pos(book, "earn", PHONE, "100.00", "--ref", "B2")
    assert status == 0 and sold["points"] == 5  # 100.00 at one point per 20.00


def test_a_terminal_that_stored_bad_rules_before_still_starts_and_syncs(
    joined: Callable[..., Ledger], hq_db: Conn, sync: Sync
) -> None:
    book = joined("A")
    book.enroll(PHONE)
    with book.conn:  # as an older version of the terminal stored them
        book.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?), (?, ?)",
            (K_SETTINGS, '{"earn": {"spend_per_point": 25.5}}', K_SETTINGS_VERSION, "7"),
        )
    status, sold = pos(book, "earn", PHONE, "100.00", "--ref", "B1")
    assert status == 0, sold
    status, state = pos(book, "sync", "--status")
    assert state["settings_refused"]["version"] == 7
    fixed = rules.set_settings(hq_db, {"earn": {"spend_per_point": "20.00"}})
    wait_feed(hq_db)
    status, done = pos(book, "sync")
    assert status == 0, done
    assert done["settings_version"] == fixed


# -- coupons signed before a terminal joined ---------------------------------------


def test_a_coupon_issued_before_joining_is_genuine_at_every_terminal(
    joined: Callable[..., Ledger],
    add_terminal: Callable[[str, str], str],
    open_ledger: Callable[[str], Ledger],
    hq: HQServer,
    sync: Sync,
) -> None:
    early = joined("B")  # joined before A: learns A's old key at a sync
    a = open_ledger("A")
    a.init("S1", "A")
    a.add_staff("sup", "supervisor", SUPERVISOR.pin)
    a.enroll(PHONE)
    a.earn(PHONE, "2500.00", "A-1")
    coupon = a.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    commands.join(a, hq.url, add_terminal("S1", "A"))
    sync(a)
    sync(early)
    assert early.check_coupon(coupon.payload).status == "issued"
    late = joined("C")  # joins after: gets the key with its join
    sync(late)
    assert late.check_coupon(coupon.payload).status == "issued"
    forged = coupon.payload[:-4] + ("AAAA" if not coupon.payload.endswith("AAAA") else "BBBB")
    assert late.check_coupon(forged).status == "forged"  # a real forgery still is one


# -- a till whose clock is wrong -----------------------------------------------------


def test_a_till_clock_far_from_head_office_is_warned_at_sync(
    joined: Callable[..., Ledger], hq: HQServer, sync: Sync
) -> None:
    book = joined("A")
    app: Any = hq.server.config.app
    app.state.clock = lambda: datetime.now(UTC) + timedelta(hours=2)  # the till is 2 h behind
    done = sync(book)
    assert isinstance(done["clock_skew_s"], int)  # whole seconds: no float in the ledger
    assert 7100 < done["clock_skew_s"] < 7300
    (warning,) = done["warnings"]
    assert "120 minute(s) behind" in warning
    state = commands.status(book)
    assert state["clock_skew_warning"] == warning
    app.state.clock = lambda: datetime.now(UTC) + timedelta(minutes=2)  # within 5 minutes
    done = sync(book)
    assert done["warnings"] == [] and commands.status(book)["clock_skew_warning"] is None


def test_a_till_that_joined_before_keys_were_shared_sends_its_old_key_at_sync(
    joined: Callable[..., Ledger],
    add_terminal: Callable[[str, str], str],
    open_ledger: Callable[[str], Ledger],
    hq: HQServer,
    hq_db: Conn,
    sync: Sync,
) -> None:
    a = open_ledger("A")
    a.init("S1", "A")
    a.enroll(PHONE)
    a.earn(PHONE, "2500.00", "A-1")
    coupon = a.redeem(PHONE, ref="R1", reward_id="COFFEE").coupon
    assert coupon is not None
    commands.join(a, hq.url, add_terminal("S1", "A"))
    # As head office was before it kept keys: it never heard of A's old key.
    hq_db.execute("DELETE FROM secrets WHERE name LIKE 'coupon_key.prior.%'")
    secrets = json.loads(a.secrets_path.read_text())
    secrets.pop("shared_keys", None)  # nor did A hear it shared
    a.secrets_path.write_text(json.dumps(secrets))  # (the file stays 0600)
    b = joined("B")
    sync(b)
    assert b.check_coupon(coupon.payload).status == "forged"  # the break, as it was
    sync(a)  # A's first push carries its old key
    sync(b)
    assert b.check_coupon(coupon.payload).status == "issued"
    assert sync(a)["pushed"] == 0 and Replica(a).signing_keys() == []  # sent once, not again
