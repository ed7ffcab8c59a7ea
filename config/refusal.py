"""The shape every foreseeable refusal shares, whoever refuses.

The ledger, sync and printing each keep their own exception hierarchy; they
share only this shape, so a screen or a command can show any refusal the same
way: a stable ``code`` for scripts and JSON, and a ``message`` a cashier can
act on, in Thai or English.

A refusal is raised by its catalogue key (``config.messages``) and the values
its text names: ``InvalidPhone(key="invalid_phone.digits", value="08x")``.
The English text becomes ``message`` (logs, the CLI, JSON); :meth:`text` gives
the same refusal in another language, so no screen keeps English it was handed.
"""

from __future__ import annotations

from typing import Any

from config.messages import CATALOGUE, say


class Refusal(Exception):
    code = "refused"

    def __init__(self, message: str | None = None, /, *, key: str | None = None, **details: Any):
        if message is None:
            key = key or self.code
            message = say(key, "en", details)
        super().__init__(message)
        self.key = key
        self.message = message
        self.details = details

    def text(self, language: str) -> str:
        """The message in ``language`` ("th" or "en"). A refusal built from a
        ready English message (a wrapped library error, an admin's command) is
        said in another language by its code's text."""
        if self.key is not None:
            return say(self.key, language, self.details)
        # A message already in the cashier's script (a printer fault said in
        # Thai) stays; an English one gives way to its code's text.
        if language != "en" and self.message.isascii() and self.code in CATALOGUE:
            return say(self.code, language, self.details)
        return self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body
