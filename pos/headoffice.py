"""The head office this till joined, reached through ``sync``: what the app
uses unless the caller hands it another (``make_app(hq_client=...)``)."""

from __future__ import annotations

from typing import Any

import httpx

from config import Settings
from ledger.replica import Replica
from ledger.service import Ledger
from pos.spool_files import tidy
from sync.commands import lookup, status, sync
from sync.errors import SyncError


class SyncHeadOffice:
    """The URL and token ``pos join`` stored; ``transport`` lets a test answer
    for head office without a network."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        transport: httpx.BaseTransport | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.ledger = ledger
        self.transport = transport
        self.settings = settings

    def joined(self) -> bool:
        return self.ledger.is_initialized() and bool(Replica(self.ledger).hq_url())

    def state(self) -> dict[str, Any]:
        return status(self.ledger)

    def sync(self) -> dict[str, Any]:
        result = sync(self.ledger, transport=self.transport)
        if self.settings is not None:
            tidy(self.settings, self.ledger)  # the slips of members erased at head office
        return result

    def find_member(self, phone: str) -> bool:
        try:
            found = lookup(self.ledger, phone, transport=self.transport)
        except SyncError:
            return False  # offline or refused: the cashier can still enroll
        return found is not None
