"""GET /v1/members/{phone}: a member this terminal has never seen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from hq.deps import CredentialsDep, PoolDep, terminal_connection
from hq.errors import MemberNotFound
from hq.http import error_responses
from hq.members import service
from sync.protocol import MemberInfo

router = APIRouter(tags=["members"])


@router.get(
    "/v1/members/{phone}",
    response_model=MemberInfo,
    responses=error_responses(401, 404, 422, 503),
    summary="Look a member up by E.164 phone",
)
def member(
    pool: PoolDep,
    credentials: CredentialsDep,
    phone: Annotated[
        str, Path(pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +66812345678")
    ],
) -> MemberInfo:
    """The canonical member for the phone and its balance over all merged wallets."""
    with terminal_connection(pool, credentials) as (conn, _):
        info = service.lookup(conn, phone)
    if info is None:
        raise MemberNotFound("No member with this phone at head office.")
    return info
