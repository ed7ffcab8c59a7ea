"""Head office against a hostile client (issue 9): limits that must bite whatever
address the client speaks from."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from hq.app import create_app
from hq.db import Conn, Pool
from hq.settings import HQSettings


async def test_setup_code_guesses_from_one_ipv6_network_count_together(
    hq_settings: HQSettings, pool: Pool, db: Conn
) -> None:
    """Anyone on IPv6 holds a whole /64 (2**64 addresses): counted per address, a
    guesser would never be limited. Guesses count per /64 network."""
    settings = hq_settings.model_copy(update={"join_attempts": 3, "join_window_s": 600})
    app: FastAPI = create_app(settings, pool=pool)
    replies = []
    for n in range(4):
        peer = (f"2001:db8:1:2::{n + 1:x}", 5000)
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="http://hq") as guesser:
            replies.append(await guesser.post("/v1/join", json={"setup_code": f"AAAA-AAA{n}"}))
    assert [r.status_code for r in replies] == [403, 403, 403, 429]
    # Another network is not held back.
    transport = httpx.ASGITransport(app=app, client=("2001:db8:1:3::1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hq") as other:
        assert (await other.post("/v1/join", json={"setup_code": "BBBB-BBBB"})).status_code == 403
