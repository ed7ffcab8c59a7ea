"""Typed FastAPI dependencies: settings, the pool, the bearer token, a raw body.

Endpoints take a connection from the pool *inside* their own body (see
:func:`terminal_connection`), not through a yield dependency: FastAPI enters
a sync yield dependency in one worker thread and runs the endpoint in another,
so under load every worker thread could sit waiting for a connection held by
requests that are themselves waiting for a thread (a deadlock until the pool
times out). Taking, using and returning the connection in one thread cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hq.db import Conn, Pool
from hq.errors import InvalidInput, PayloadTooLarge
from hq.settings import HQSettings
from hq.terminals.service import TerminalIdentity, authenticate
from sync.protocol import MAX_PUSH_BYTES


def get_settings(request: Request) -> HQSettings:
    settings: HQSettings = request.app.state.settings
    return settings


def get_pool(request: Request) -> Pool:
    pool: Pool = request.app.state.pool
    return pool


SettingsDep = Annotated[HQSettings, Depends(get_settings)]
PoolDep = Annotated[Pool, Depends(get_pool)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="TerminalToken",
    description="The token a terminal received from POST /v1/join (or `pos-hq terminal add`).",
)
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@contextmanager
def terminal_connection(
    pool: Pool, credentials: HTTPAuthorizationCredentials | None
) -> Iterator[tuple[Conn, TerminalIdentity]]:
    """A pooled connection and the calling terminal (401 for a missing, forged or
    revoked token). Services open their own transactions on the connection."""
    token = credentials.credentials if credentials is not None else None
    with pool.connection() as conn:
        yield conn, authenticate(conn, token)


async def raw_body(request: Request) -> bytes:
    """The request body, refused with 413 beyond MAX_PUSH_BYTES (read in chunks)."""
    limit = MAX_PUSH_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is over {limit} bytes: send smaller batches.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is over {limit} bytes: send smaller batches.")
        chunks.append(chunk)
    return b"".join(chunks)


RawBody = Annotated[bytes, Depends(raw_body)]


def known_query(request: Request) -> None:
    """422 for a query parameter the route does not declare (a typo such as
    ``?limt=10`` would otherwise be ignored silently)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = {p.alias for p in _all_query_params(dependant)}
    unknown = sorted(k for k in request.query_params if k not in known)
    if unknown:
        raise InvalidInput(
            f"Unknown query parameter '{unknown[0][:40]}': this request takes "
            + (", ".join(sorted(known)) or "none")
            + "."
        )
    # ?after=true&after=5 would be read as its last value: ambiguous, so refused.
    repeated = sorted({k for k, _ in request.query_params.multi_items()
                       if len(request.query_params.getlist(k)) > 1})  # fmt: skip
    if repeated:
        raise InvalidInput(
            f"Query parameter '{repeated[0][:40]}' is given more than once: send it once."
        )


def _all_query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _all_query_params(sub)
    return found
