"""The ``Ledger`` facade's reports of issue 14 (docs/reports.md): RFM,
onboarding, points flow, top and dormant members. Each reads one consistent
moment of this till's file; none writes the journal."""

from __future__ import annotations

from datetime import date

from ledger import reports_flow, reports_members, reports_onboarding, reports_rfm
from ledger.desk import Desk, serialized


class ReportDesk(Desk):
    @serialized
    def report_rfm(
        self, as_of: date | None = None, window_days: int = reports_rfm.DEFAULT_WINDOW_DAYS
    ) -> reports_rfm.RfmReport:
        """Every member's recency, frequency and money over the window, scored and named."""
        return reports_rfm.rfm(self.core, as_of, window_days)

    @serialized
    def report_onboarding(self, as_of: date | None = None) -> reports_onboarding.OnboardingReport:
        """Enrolment-month cohorts: activation, repeat, days to visits, retention."""
        return reports_onboarding.onboarding(self.core, as_of)

    @serialized
    def report_flow(
        self, start: date, end: date, by: reports_flow.By = "day"
    ) -> reports_flow.FlowReport:
        """Points issued, redeemed, expired, reversed, adjusted; outstanding; breakage."""
        return reports_flow.flow(self.core, start, end, by)

    @serialized
    def report_top(
        self, as_of: date | None = None, limit: int = reports_members.DEFAULT_LIMIT
    ) -> reports_members.MemberList:
        """The best members by spend and by visits, with their lifetime value."""
        return reports_members.top(self.core, as_of, limit)

    @serialized
    def report_dormant(
        self, as_of: date | None = None, days: int = reports_members.DEFAULT_DORMANT_DAYS
    ) -> reports_members.MemberList:
        """Members with no visit in the last ``days`` days."""
        return reports_members.dormant(self.core, as_of, days)

    @serialized
    def today(self) -> date:
        """The shop's date now."""
        from ledger import localday

        return localday.day_of(self.core.clock(), self.core.zone)
