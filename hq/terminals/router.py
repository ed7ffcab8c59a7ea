"""POST /v1/join: a terminal trades its one-time setup code for a token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hq.deps import PoolDep
from hq.errors import InvalidSetupCode
from hq.http import error_responses, server_time
from hq.terminals import service
from hq.terminals.limits import FailureLimiter, Network, client_address, limit_key
from sync.protocol import JoinRequest, JoinResponse

router = APIRouter(tags=["terminals"])


@router.post(
    "/v1/join",
    response_model=JoinResponse,
    responses=error_responses(403, 413, 422, 429, 503),
    summary="Join the chain with a one-time setup code",
)
def join(body: JoinRequest, pool: PoolDep, request: Request) -> JoinResponse:
    """Single use: a second join with the same code is refused (403). An address
    that sends too many wrong codes is refused for a while (429, Retry-After);
    ``X-Forwarded-For`` counts only from head office's configured proxies."""
    limiter: FailureLimiter = request.app.state.join_limiter
    proxies: tuple[Network, ...] = request.app.state.trusted_proxies
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        proxies,
    )
    address = limit_key(address)  # a whole IPv6 /64 is one guesser
    limiter.check(address)
    with pool.connection() as conn:
        try:
            expected = (
                (body.store_id, body.terminal_id)
                if body.store_id is not None and body.terminal_id is not None
                else None
            )
            reply = service.join(conn, body.setup_code, expected, body.coupon_keys)
        except InvalidSetupCode:
            limiter.failed(address)
            raise
    return reply.model_copy(update={"server_time": server_time(request)})
