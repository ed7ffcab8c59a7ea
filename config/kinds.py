"""The kinds of journal entry, spelled once.

The ledger writes them, the sync protocol carries them and head office stores
them; this is the one list all three read (the bottom layer, importable by
each without importing the others).
"""

from __future__ import annotations

from typing import Literal, get_args

EntryKind = Literal["earn", "redeem", "reverse", "adjust", "expire", "bonus", "transfer"]
ENTRY_KINDS: tuple[EntryKind, ...] = get_args(EntryKind)

# Kinds whose amount is a sale (or a sale taken back): the tiers' 12-month spend.
SPEND_KINDS: tuple[EntryKind, ...] = ("earn", "reverse")
