"""The shape every foreseeable refusal shares, whoever refuses.

The ledger, sync and printing each keep their own exception hierarchy; they
share only this shape, so a screen or a command can show any refusal the same
way: a stable ``code`` for scripts and JSON, and a ``message`` a cashier can
act on.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    code = "refused"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body
