"""POST /v1/join: a terminal trades its one-time setup code for a token."""

from __future__ import annotations

from fastapi import APIRouter

from hq.deps import PoolDep
from hq.http import error_responses
from hq.terminals import service
from sync.protocol import JoinRequest, JoinResponse

router = APIRouter(tags=["terminals"])


@router.post(
    "/v1/join",
    response_model=JoinResponse,
    responses=error_responses(403, 422, 503),
    summary="Join the chain with a one-time setup code",
)
def join(request: JoinRequest, pool: PoolDep) -> JoinResponse:
    """Single use: a second join with the same code is refused (403)."""
    with pool.connection() as conn:
        return service.join(conn, request.setup_code)
