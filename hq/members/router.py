"""POST /v1/members/lookup: a member this terminal has never seen.

The phone travels in the body: a URL ends up in access logs and proxies' logs.
The old ``GET /v1/members/{phone}`` answers 410 and says what to use instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from hq.deps import CredentialsDep, PoolDep, terminal_connection
from hq.errors import Gone, MemberNotFound
from hq.http import error_responses
from hq.members import service
from hq.terminals.limits import FailureLimiter
from sync.protocol import MemberInfo, MemberLookup

router = APIRouter(tags=["members"])


@router.post(
    "/v1/members/lookup",
    response_model=MemberInfo,
    responses=error_responses(401, 404, 413, 422, 429, 503),
    summary="Look a member up by E.164 phone (sent in the body)",
)
def member(
    pool: PoolDep, credentials: CredentialsDep, body: MemberLookup, request: Request
) -> MemberInfo:
    """The canonical member for the phone and its balance over all merged wallets.
    A terminal that asks for too many phones head office does not know is refused
    for a while (429, Retry-After): a till asks for the customer at its counter;
    phone after phone is someone reading the member list."""
    limiter: FailureLimiter = request.app.state.lookup_limiter
    with terminal_connection(pool, credentials) as (conn, who):
        limiter.check(who.terminal_id)
        info = service.lookup(conn, body.phone)
    if info is None:
        limiter.failed(who.terminal_id)
        raise MemberNotFound("No member with this phone at head office.")
    return info


@router.get(
    "/v1/members/{phone}",
    responses=error_responses(410),
    status_code=410,
    include_in_schema=False,  # not part of the protocol any more; answers old terminals
)
def member_by_url(phone: str) -> None:
    raise Gone(
        "Looking a member up with the phone in the URL is no longer supported (URLs are "
        "logged): update this terminal's software, which sends POST /v1/members/lookup."
    )
