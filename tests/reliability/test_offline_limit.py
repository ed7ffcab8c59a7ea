"""The offline redeem limit is a ledger rule (issue 9, break 11).

``pos redeem`` let 1,350 points go in a day while head office was down,
with the limit at 1,000: only the app checked it. Now the ledger does, for
every caller, with the app's way through: a supervisor approves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.errors import ApprovalRequired
from ledger.service import Ledger
from sync.client import HeadOfficeUnreachable
from tests.conftest import SUPERVISOR
from tests.sync.conftest import Proxy, Sync

POS = Path(sys.executable).parent / "pos"
PHONE = "0812345678"


def _pos(db: Path, *args: str, stdin: str = "") -> tuple[int, dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env["POS_LOG_FILE"] = str(db.parent / "pos.log")
    done = subprocess.run(
        [str(POS), *args, "--db", str(db), "--json"],
        input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def offline_till(joined: Callable[..., Ledger], proxy: Proxy, sync: Sync) -> Ledger:
    """A till that joined head office, has a member with 2,000 points, and
    whose last sync found head office unreachable."""
    book = joined("T1", url=proxy.url)
    book.add_staff("sup", "supervisor", "2468")
    book.enroll(PHONE, consent=True)
    book.adjust(PHONE, 2000, "welcome gift", SUPERVISOR)
    sync(book)
    proxy.down()
    with pytest.raises(HeadOfficeUnreachable):
        sync(book)
    return book


def test_pos_redeem_keeps_to_the_offline_limit(offline_till: Ledger) -> None:
    db = offline_till.path
    assert _pos(db, "redeem", PHONE, "--points", "450", "--ref", "R1")[0] == 0
    assert _pos(db, "redeem", PHONE, "--points", "450", "--ref", "R2")[0] == 0
    status, body = _pos(db, "redeem", PHONE, "--points", "450", "--ref", "R3")
    assert status == 1
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "approval_required"
    assert "offline limit of 1000" in str(error["message"])
    assert offline_till.member(PHONE).balance == 1100  # nothing taken by the refusal

    # The app's way through: a supervisor approves.
    status, body = _pos(db, "redeem", PHONE, "--points", "450", "--ref", "R3",
                        "--approver", "sup", stdin="2468\n")  # fmt: skip
    assert status == 0, body
    assert (body["approver_id"], body["balance"]) == ("sup", 650)


def test_every_caller_gets_the_rule(offline_till: Ledger) -> None:
    offline_till.redeem(PHONE, ref="R1", points=500)
    offline_till.redeem(PHONE, ref="R2", points=500)
    with pytest.raises(ApprovalRequired, match="offline limit"):
        offline_till.redeem(PHONE, ref="R3", points=1)
    entry = offline_till.redeem(PHONE, ref="R3", points=1, approval=SUPERVISOR).entry
    assert entry.approver_id == "sup"
    assert entry.rules_applied["offline_limit"] == 1000


def test_online_the_limit_does_not_apply(
    joined: Callable[..., Ledger], proxy: Proxy, sync: Sync
) -> None:
    book = joined("T1", url=proxy.url)
    book.add_staff("sup", "supervisor", "2468")
    book.enroll(PHONE, consent=True)
    book.adjust(PHONE, 2000, "welcome gift", SUPERVISOR)
    sync(book)
    for ref in ("R1", "R2", "R3"):
        book.redeem(PHONE, ref=ref, points=450)
    assert book.member(PHONE).balance == 650
