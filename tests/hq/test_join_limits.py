"""Wrong setup codes are limited per client address; a right code still works
for everyone else, and the limit wears off."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from hq.app import create_app
from hq.db import Conn, Pool
from hq.errors import TooManyAttempts
from hq.settings import HQSettings
from hq.terminals import service as terminals
from hq.terminals.limits import FailureLimiter


def test_limiter_counts_failures_in_a_sliding_window() -> None:
    now = [1000.0]
    limiter = FailureLimiter(3, 60, what="setup codes", clock=lambda: now[0])
    for _ in range(3):
        limiter.check("10.0.0.1")
        limiter.failed("10.0.0.1")
    with pytest.raises(TooManyAttempts, match="wrong setup codes") as refused:
        limiter.check("10.0.0.1")
    assert refused.value.retry_after_s == 60
    limiter.check("10.0.0.2")  # another address is not held back
    now[0] += 30
    with pytest.raises(TooManyAttempts) as later:
        limiter.check("10.0.0.1")
    assert later.value.retry_after_s == 30
    now[0] += 31
    limiter.check("10.0.0.1")  # the failures aged out


async def test_too_many_wrong_codes_get_429_until_the_window_passes(
    hq_settings: HQSettings, pool: Pool, db: Conn
) -> None:
    settings = hq_settings.model_copy(update={"join_attempts": 3, "join_window_s": 600})
    app: FastAPI = create_app(settings, pool=pool)
    terminals.add_store(db, "S1", "Siam")
    code = terminals.add_terminal(db, "S1", "T1")["setup_code"]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hq") as guesser:
        for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
            reply = await guesser.post("/v1/join", json={"setup_code": guess})
            assert reply.status_code == 403
        blocked = await guesser.post("/v1/join", json={"setup_code": code})
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "too_many_attempts"
        assert 0 < int(blocked.headers["Retry-After"]) <= 600
        assert "minute" in blocked.json()["error"]["message"]
    # The right code from another address still joins (and was not used up above).
    other = httpx.ASGITransport(app=app, client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=other, base_url="http://hq") as terminal:
        reply = await terminal.post("/v1/join", json={"setup_code": code})
        assert reply.status_code == 200, reply.text


async def test_successful_joins_do_not_count(hq_settings: HQSettings, pool: Pool, db: Conn) -> None:
    settings = hq_settings.model_copy(update={"join_attempts": 1})
    app: FastAPI = create_app(settings, pool=pool)
    terminals.add_store(db, "S1", "Siam")
    codes = [terminals.add_terminal(db, "S1", f"T{i}")["setup_code"] for i in range(3)]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hq") as shop:
        for code in codes:  # one shop setting up three tills
            assert (await shop.post("/v1/join", json={"setup_code": code})).status_code == 200
