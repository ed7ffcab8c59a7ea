"""Every conflict says in words what happened, in ``pos-hq report conflicts`` too."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx

from sync.protocol import entry_row
from tests.hq.test_cli import ROOT


async def test_report_conflicts_prints_each_conflicts_message(
    client: httpx.AsyncClient, make_terminal: Any, hq_dsn: str
) -> None:
    t1, x = make_terminal("S1", "T1"), make_terminal("S2", "X")
    entry = t1.entry("W1", 10)
    await client.post("/v1/push", json={"entries": [entry_row(entry)]}, headers=t1.auth)
    tampered = {**entry, "points": 1000}
    await client.post("/v1/push", json={"entries": [entry_row(tampered)]}, headers=t1.auth)
    stolen = {**x.entry("W1", 5), "terminal_id": "T1", "store_id": "S1"}
    refused = await client.post("/v1/push", json={"entries": [entry_row(stolen)]}, headers=x.auth)
    assert refused.status_code == 403

    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_HQ_")}
    done = subprocess.run(
        [sys.executable, "-m", "hq.cli", "report", "conflicts"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "POS_HQ_DSN": hq_dsn},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and lines[-1] == "2 conflict(s)."
    assert lines[0].endswith(
        f"Terminal T1: Entry {entry['entry_id']} is stored at head office with a different "
        "body (points): not overwritten."
    )
    assert "forbidden_push" in lines[1] and lines[1].endswith(
        f"Terminal X of store S2 may only push its own entries; entry {stolen['entry_id']} is "
        "stamped store S1, terminal T1. Nothing from this push was stored."
    )
