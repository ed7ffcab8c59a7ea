"""The ``Ledger`` facade's calls about a member's data: consent given again or
withdrawn (``ledger.consent``) and the member's own copy (``ledger.export``)."""

from __future__ import annotations

from ledger import consent, export, forget, import_sales, imports, merge, renumber
from ledger.desk import Desk, serialized
from ledger.models import Credentials, Member


class MemberDesk(Desk):
    @serialized
    def change_consent(self, phone: str, *, give: bool) -> consent.ConsentChange:
        """Record a yes (``give``) or a withdrawal with its time and this terminal;
        sent to head office at the next sync. Refused for a member enrolled at
        another terminal (head office takes it only from there)."""
        return consent.change(self.core, phone, give)

    @serialized
    def consent_withdrawn_at(self, member_id: str) -> str | None:
        """When the member withdrew consent (None: given, or never asked)."""
        return consent.withdrawn_at(self.core, member_id)

    @serialized
    def export_member(self, phone: str, approval: Credentials) -> export.MemberExport:
        """Everything this till holds about the member, read at one moment; a
        supervisor (or admin) approves with their PIN."""
        return export.member_export(self.core, phone, approval)

    @serialized
    def forget_member(self, phone: str, approval: Credentials) -> forget.Forgotten:
        """Erase the member's phone and name (they stay a pseudonym: balance,
        entries and chains intact); a supervisor approves. Sent to head office
        at the next sync. Refused for a member enrolled at another terminal."""
        return forget.forget(self.core, phone, approval)

    @serialized
    def take_erased_jobs(self) -> list[tuple[str, str]]:
        """(kind, job id) of the print jobs of members erased since the last
        call: their preview slips are to be removed (pos.spool_files)."""
        return forget.take_erased(self.core.conn)

    @serialized
    def change_phone(self, old_phone: str, new_phone: str, approval: Credentials) -> Member:
        """The member with ``old_phone`` gets ``new_phone`` (the old one is free);
        a supervisor approves. Refused if the new one is another member's."""
        return renumber.change_phone(self.core, old_phone, new_phone, approval)

    @serialized
    def merge_members(
        self, keep_phone: str, other_phone: str, approval: Credentials
    ) -> merge.MemberMerge:
        """The member with ``other_phone`` becomes the one with ``keep_phone``:
        points (with their expiry), coupons, and the phone, which then finds
        KEEP; a supervisor approves. Sent to head office at the next sync.
        Refused unless OTHER was enrolled here (ledger.merge)."""
        return merge.merge(self.core, keep_phone, other_phone, approval)

    @serialized
    def import_members(
        self,
        path: str,
        *,
        commit: bool,
        approval: Credentials | None = None,
        progress: imports.Progress | None = None,
    ) -> imports.ImportReport:
        """Members from the shop's old system (a CSV file); a dry run unless
        ``commit``. Opening balances need a supervisor's approval (ledger.imports)."""
        return imports.import_members(
            self.core, path, commit=commit, approval=approval, progress=progress
        )

    @serialized
    def import_sales(
        self, path: str, *, commit: bool, progress: imports.Progress | None = None
    ) -> imports.ImportReport:
        """Sales from the shop's old system (a CSV file) as history: no points,
        counted in the tiers' 12-month spend by their own date."""
        return import_sales.import_sales(self.core, path, commit=commit, progress=progress)
