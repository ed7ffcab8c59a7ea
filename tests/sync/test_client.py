"""The HTTP client's errors and the engine's retries, against fake servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from config import Settings
from ledger.replica import Replica
from ledger.service import Ledger
from pos.exits import exit_status
from sync import commands
from sync.client import (
    Client,
    HeadOfficeUnreachable,
    SyncRefused,
    Unauthorized,
    normalize_url,
)
from sync.engine import Retry, SyncBusy, exclusive, sync_once
from sync.protocol import entry_dict

URL = "http://hq.test"
Handler = Callable[[httpx.Request], httpx.Response]


def error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


def client(handler: Handler) -> Client:
    return Client(URL, "lpt_token", transport=httpx.MockTransport(handler))


def test_errors_a_cashier_can_act_on() -> None:
    down = client(lambda r: error(503, "database_unavailable", "The database is unavailable."))
    with pytest.raises(HeadOfficeUnreachable, match=r"has a problem \(503.*try again later"):
        down.health()
    revoked = client(lambda r: error(401, "unauthorized", "Terminal A was revoked."))
    with pytest.raises(Unauthorized) as caught:
        revoked.pull("0")
    assert caught.value.message == (
        "Head office refused this terminal: Terminal A was revoked. Ask head office for a new "
        "setup code and run 'pos join HQ_URL SETUP_CODE'."
    )
    used = client(lambda r: error(403, "invalid_setup_code", "This setup code was already used."))
    with pytest.raises(Unauthorized, match=r"already used\.$"):
        used.join("K7QM-2XPA")
    portal = client(lambda r: httpx.Response(200, text="<html>Log in to the hotel Wi-Fi</html>"))
    with pytest.raises(HeadOfficeUnreachable, match="Wi-Fi login page"):
        portal.pull("0")
    elsewhere = client(lambda r: httpx.Response(404, text="Not Found"))
    with pytest.raises(SyncRefused, match="does not look like a Loyalty POS head office"):
        elsewhere.push([])
    invalid = client(lambda r: error(422, "invalid_request", "Invalid push: entries.0.seq."))
    with pytest.raises(SyncRefused, match=r"refused the request \(422\): Invalid push"):
        invalid.push([])
    unknown = client(lambda r: error(404, "member_not_found", "No member with this phone."))
    assert unknown.member("+66812345678") is None
    assert caught.value.__context__ is None and caught.value.code == "hq_unauthorized"
    assert exit_status(HeadOfficeUnreachable("x")) == 75  # EX_TEMPFAIL: cron tries again


def test_network_errors_never_show_a_traceback() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with Client(f"http://127.0.0.1:{port}") as refused, pytest.raises(HeadOfficeUnreachable) as c:
        refused.health()
    assert c.value.message.startswith(f"Cannot reach head office at http://127.0.0.1:{port} (")
    assert c.value.__suppress_context__ and c.value.__cause__ is None

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with Client(url, read_timeout=0.2) as slow, pytest.raises(HeadOfficeUnreachable) as c:
            slow.health()
        assert c.value.message.startswith(f"Head office at {url} took too long to answer")
    finally:
        silent.close()


@pytest.mark.parametrize("url", ["hq.example.com", "ftp://hq", "http://", "", "http://hq/?a=1"])
def test_bad_addresses_are_refused(url: str) -> None:
    with pytest.raises(SyncRefused, match="not a head-office address"):
        normalize_url(url)
    assert normalize_url(" https://hq.example.com/ ") == "https://hq.example.com"


class FakeHQ:
    """Answers push and pull; the first ``fail`` requests get ``status``."""

    def __init__(self, fail: int = 0, status: int = 503) -> None:
        self.fail, self.status = fail, status
        self.calls: list[str] = []
        self.acked = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url.path)
        if len(self.calls) <= self.fail:
            return error(self.status, "down", "Down for maintenance.")
        if request.url.path == "/v1/push":
            body = json.loads(request.content)
            if body["entries"]:
                self.acked = entry_dict(body["entries"][-1])["seq"]
            return httpx.Response(200, json={"acked_seq": self.acked, "inserted": 0,
                                             "duplicates": 0, "conflicts": 0})  # fmt: skip
        return httpx.Response(200, json={"changes": [], "next_cursor": "7.7", "more": False})


@pytest.fixture
def book(tmp_path: Path, settings: Settings) -> Iterator[Ledger]:
    ledger = Ledger.open(tmp_path / "t.db", settings)
    ledger.init("S1", "A")
    ledger.enroll("0812345678")
    for n in range(3):
        ledger.earn("0812345678", "100.00", f"E{n}")
    yield ledger
    ledger.close()


def test_transient_errors_are_retried_with_growing_jittered_waits(book: Ledger) -> None:
    hq, waits = FakeHQ(fail=3), []
    retry = Retry(attempts=5, base_s=0.1, cap_s=0.25)
    done = sync_once(book, client_of(hq), retry=retry, sleep=waits.append)
    assert done["pushed"] == 3 and done["retries"] == 3
    assert len(waits) == 3
    for wait, ceiling in zip(waits, (0.1, 0.2, 0.25), strict=True):
        assert ceiling / 2 <= wait <= ceiling
    assert Replica(book).state()["pull_cursor"] == "7.7"


def test_retries_are_bounded_and_auth_errors_not_retried(book: Ledger) -> None:
    hq, waits = FakeHQ(fail=100), []
    with pytest.raises(HeadOfficeUnreachable, match="Down for maintenance"):
        sync_once(book, client_of(hq), retry=Retry(attempts=4, base_s=0.01), sleep=waits.append)
    assert len(hq.calls) == 4 and len(waits) == 3
    state = Replica(book).state()
    assert state["acked_seq"] == 0 and "Down for maintenance" in state["last_error"]
    assert state["last_sync_at"] is None

    hq = FakeHQ(fail=100, status=401)
    with pytest.raises(Unauthorized):
        sync_once(book, client_of(hq), sleep=waits.append)
    assert len(hq.calls) == 1


def test_head_office_ahead_of_the_ledger_is_refused(book: Ledger) -> None:
    """A ledger restored from an old backup: never skip its next entries."""
    hq = FakeHQ()
    assert sync_once(book, client_of(hq))["pushed"] == 3
    hq.acked = 40  # seen on the (empty) first push of the next sync
    with pytest.raises(SyncRefused, match="holds entries of this terminal up to number 40"):
        sync_once(book, client_of(hq))
    assert Replica(book).state()["acked_seq"] == 3


def test_one_sync_at_a_time(book: Ledger) -> None:
    with exclusive(book), pytest.raises(SyncBusy, match="already running"):
        sync_once(book, client_of(FakeHQ()))
    assert sync_once(book, client_of(FakeHQ()))["pushed"] == 3


def test_sync_before_join_says_what_to_do(book: Ledger) -> None:
    with pytest.raises(commands.NotJoined) as caught:
        commands.sync(book)
    assert caught.value.message == (
        "This terminal has not joined head office yet: run pos join HQ_URL SETUP_CODE first."
    )
    assert exit_status(caught.value) == 2


def test_join_and_sync_through_the_commands(book: Ledger, tmp_path: Path) -> None:
    hq = FakeHQ()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/join":
            # The ledger is already S1/A: it says so, so a code for another till is kept.
            assert json.loads(request.content) == {
                "setup_code": "K7QM-2XPA", "store_id": "S1", "terminal_id": "A"
            }  # fmt: skip
            return httpx.Response(200, json={
                "token": "lpt_x", "store_id": "S1", "store_name": "Siam", "terminal_id": "A",
                "coupon_key": "cd" * 32, "settings": {"rate": 1}, "settings_version": 4,
            })  # fmt: skip
        assert request.headers["Authorization"] == "Bearer lpt_x"
        return hq(request)

    transport = httpx.MockTransport(handler)
    done = commands.join(book, URL, "K7QM-2XPA", transport=transport)
    assert done["store_name"] == "Siam" and done["settings_version"] == 4
    assert commands.sync(book, transport=transport)["pushed"] == 3
    status = commands.status(book)
    assert status["joined"] and status["hq_url"] == URL and status["pending_entries"] == 0


def client_of(hq: FakeHQ) -> Client:
    return Client(URL, "lpt_token", transport=httpx.MockTransport(hq))


def test_lookup_needs_a_join_first(book: Ledger) -> None:
    with pytest.raises(commands.NotJoined):
        commands.lookup(book, "0812345678")
