"""What the member reports share (docs/reports.md): the visits, the members
counted as another (a merge), who is left out of member lists, and phones
masked fast enough for a million rows.

Every query here is text built from constants; values go in as parameters.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, tzinfo

from ledger.core import Core
from ledger.phone import mask_phone
from ledger.reports_time import AsOf, local_date_sql

# A visit (docs/reports.md): a sale of a member at this store, an earn not
# reversed by the report's end, or a sale imported from the shop's old system.
# Parameters: :store, :end. The NOT IN reads the partial index entries_reversed
# (reversals are few), so the journal is read once. A member merged into
# another counts as that one (wallet_merges; a merge of a merge is flattened
# there), so a customer is one row whichever of their numbers they used.
VISITS_CTE = """
merged_into(member_id, into_id) AS MATERIALIZED (
    SELECT merged_member_id, member_id FROM wallet_merges
    WHERE merged_member_id != member_id),
raw_visits(member_id, at, amount) AS (
    SELECT member_id, created_at, amount_minor FROM entries
    WHERE kind = 'earn' AND store_id = :store AND created_at < :end AND member_id IS NOT NULL
      AND entry_id NOT IN (SELECT reverses FROM entries
                           WHERE reverses IS NOT NULL AND created_at < :end)
    UNION ALL
    SELECT member_id, created_at, amount_minor FROM imported_sales WHERE created_at < :end)
"""

# A member counts as the member they were merged into: two primary-key probes
# (members, then wallet_merges by the member's wallet), as ledger.members finds them.
AS_MEMBER = (
    "coalesce((SELECT wm.member_id FROM members mm JOIN wallet_merges wm "
    "ON wm.merged_wallet_id = mm.wallet_id WHERE mm.member_id = {0} "
    "AND wm.member_id != {0}), {0})"
)

# Left out of member lists, still in totals (issue 15: "no longer shown in
# reports or campaigns"): members whose latest consent answer is a withdrawal
# of an earlier yes (ledger.consent.withdrawn_at), and members whose phone was
# erased (pos member forget): nothing to list but a pseudonym.
HIDDEN_CTE = """
hidden(member_id) AS MATERIALIZED (
    SELECT c.member_id FROM consents c
    WHERE c.given = 0
      AND c.consent_id = (SELECT max(consent_id) FROM consents WHERE member_id = c.member_id)
      AND EXISTS (SELECT 1 FROM consents y WHERE y.member_id = c.member_id
                  AND y.given = 1 AND y.consent_id < c.consent_id)
    UNION
    SELECT member_id FROM members WHERE phone IS NULL)
"""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where and when a report looks: this store, the shop's zone, as at the end of a day."""

    store_id: str
    zone: tzinfo
    as_of: AsOf
    region: str
    currency: str

    def params(self) -> dict[str, str]:
        return {"store": self.store_id, "end": self.as_of.end}

    def local_date(self, column: str) -> str:
        return local_date_sql(column, self.zone, self.as_of.day)


def scope(core: Core, as_of: date | None) -> Scope:
    """This store, as at the end of ``as_of`` (None: today, the shop's date)."""
    from ledger import localday

    store_id, _ = core.terminal()
    day = as_of or localday.day_of(core.clock(), core.zone)
    return Scope(store_id, core.zone, AsOf.of(day, core.zone), core.region, core.currency)


def external_id_column(conn: sqlite3.Connection) -> str:
    """``m.external_id`` when the ledger has it (migration 12), else NULL: a
    report never fails on a ledger from before the import."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(members)")}
    return "m.external_id" if "external_id" in columns else "NULL"


class Masker:
    """``mask_phone`` at a million rows: the masked shape of a number depends on
    its country, leading digits and length only, so it is worked out once per
    shape and the last four digits filled in (``mask_phone`` takes 48 us)."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.shapes: dict[tuple[str, int], tuple[str, str] | None] = {}

    def __call__(self, e164: str | None) -> str:
        if not e164:
            return ""
        key = (e164[:6], len(e164))
        if key not in self.shapes:
            masked = mask_phone(e164, self.region)
            self.shapes[key] = _shape(masked, e164)
            return masked
        shape = self.shapes[key]
        if shape is None:
            return mask_phone(e164, self.region)
        head, tail = shape
        digits = iter(e164[-4:])
        return head + "".join(next(digits) if ch == "#" else ch for ch in tail)


def _shape(masked: str, e164: str) -> tuple[str, str] | None:
    """(the masked text before the last four digits, the rest with '#' for each
    digit), or None when the last four shown are not the number's own."""
    count, index = 0, len(masked)
    while index > 0 and count < 4:
        index -= 1
        if masked[index].isdigit():
            count += 1
    tail = masked[index:]
    if count < 4 or "".join(ch for ch in tail if ch.isdigit()) != e164[-4:]:
        return None
    return masked[:index], "".join("#" if ch.isdigit() else ch for ch in tail)


def money_units(minor: int) -> str:
    """``123450`` -> ``"1234.50"``: currency units with two decimals, no
    separators (a spreadsheet reads it as a number)."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"
