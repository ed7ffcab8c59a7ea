"""One exception hierarchy for everything head office refuses.

Each error has a stable ``code`` (JSON, scripts), a ``message`` an operator can
act on and the HTTP status the API answers with; ``pos-hq`` gives each its exit
status (``hq.cli``).
"""

from __future__ import annotations

from typing import Any


class HQError(Exception):
    code = "hq_error"
    http_status = 400

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class ConfigError(HQError):
    code = "config_error"


class InvalidInput(HQError):
    code = "invalid_request"
    http_status = 422


class TooManyItems(InvalidInput):
    """A list over its documented ``maxItems``: invalid like any other field (422)."""

    code = "too_many_items"


class InvalidRules(InvalidInput):
    """Rules a terminal could not load: refused before any terminal gets them."""

    code = "invalid_rules"


class PayloadTooLarge(HQError):
    code = "payload_too_large"
    http_status = 413


class Unauthorized(HQError):
    code = "unauthorized"
    http_status = 401


class Forbidden(HQError):
    code = "forbidden"
    http_status = 403


class Conflict(HQError):
    code = "conflict"
    http_status = 409


class StoreExists(Conflict):
    code = "store_exists"


class TerminalExists(Conflict):
    code = "terminal_exists"


class InvalidSetupCode(HQError):
    code = "invalid_setup_code"
    http_status = 403


class TooManyAttempts(HQError):
    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class WrongTerminal(HQError):
    code = "wrong_terminal"
    http_status = 403


class NotFound(HQError):
    code = "not_found"
    http_status = 404


class StoreNotFound(NotFound):
    code = "store_not_found"


class TerminalNotFound(NotFound):
    code = "terminal_not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class Gone(HQError):
    code = "gone"
    http_status = 410


class DatabaseUnavailable(HQError):
    code = "database_unavailable"
    http_status = 503


class NotMigrated(HQError):
    code = "not_migrated"
    http_status = 503


_MAX_DETAILS = 20


# The wire models' "no control characters" pattern (sync.protocol.CONTROL_CHARACTERS),
# as pydantic quotes it in its message.
_CONTROL_PATTERN = "\\x00-\\x1f\\x7f-\\x9f"
_CONTROL_MESSAGE = (
    "holds a control character (NUL, ESC, a line break, C1) or a text-direction override: "
    "send plain text"
)


def _msg(error: Any) -> str:
    msg = str(error.get("msg", "invalid"))
    if error.get("type") == "string_pattern_mismatch" and _CONTROL_PATTERN in msg:
        return _CONTROL_MESSAGE
    return msg


def from_validation(errors: list[Any], what: str = "request") -> HQError:
    """A pydantic error list as one 422 naming the first field that is wrong."""
    details = [
        {"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type"), "msg": _msg(e)}
        for e in errors[:_MAX_DETAILS]
    ]
    for e in errors:
        if e.get("type") == "too_long" and len(e.get("loc", ())) == 1:
            field = e["loc"][0]
            return TooManyItems(
                f"Too many {field} in one {what} ({e.get('msg', '')}): send smaller batches.",
                details,
            )
    first = details[0] if details else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"]) or what
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return InvalidInput(f"Invalid {what}: {where}: {first['msg']}{more}.", details)
