"""POST /v1/join: a terminal trades its one-time setup code for a token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hq.deps import PoolDep
from hq.errors import InvalidSetupCode
from hq.http import error_responses
from hq.terminals import service
from hq.terminals.limits import FailureLimiter
from sync.protocol import JoinRequest, JoinResponse

router = APIRouter(tags=["terminals"])


@router.post(
    "/v1/join",
    response_model=JoinResponse,
    responses=error_responses(403, 422, 429, 503),
    summary="Join the chain with a one-time setup code",
)
def join(body: JoinRequest, pool: PoolDep, request: Request) -> JoinResponse:
    """Single use: a second join with the same code is refused (403). An address
    that sends too many wrong codes is refused for a while (429, Retry-After)."""
    limiter: FailureLimiter = request.app.state.join_limiter
    address = request.client.host if request.client else "unknown"
    limiter.check(address)
    with pool.connection() as conn:
        try:
            expected = (
                (body.store_id, body.terminal_id)
                if body.store_id is not None and body.terminal_id is not None
                else None
            )
            return service.join(conn, body.setup_code, expected)
        except InvalidSetupCode:
            limiter.failed(address)
            raise
