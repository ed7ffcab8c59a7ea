"""Printing wiring: spool jobs in the ledger -> slips -> the configured printer.

The ledger queues a job in the same transaction as the sale; this module
prints it after commit, and records the outcome. ``printers`` gets plain
slip values only; it never sees the ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol

from config import Settings
from config.refusal import Refusal
from config.settings import PrinterSettings
from ledger.clock import parse_iso
from ledger.coupons import display_code
from ledger.localday import shop_zone
from ledger.service import Ledger
from ledger.spool import PrintJob

if TYPE_CHECKING:
    from printers import Printer, PrinterStatus, PrintResult, Slip

log = logging.getLogger("pos.printing")


def member_url(template: str, member_id: str, page: str | None) -> str | None:
    """The sale slip's QR: ``store.member_url`` when the shop set one ({member_id},
    and {token}: the member's head-office token), else head office's page for the
    member on a joined till (``page``); None (no QR) when there is none yet, e.g. a
    member enrolled offline before the till's next sync."""
    if not template:
        return page
    token = page.rsplit("/", 1)[-1] if page else None
    if "{token}" in template and token is None:
        return None
    return template.format(member_id=member_id, token=token or "")


class PrintFailed(Refusal):
    """Carries the printer's message to the CLI and the app."""

    code = "printer_unavailable"


class NotReady(Exception):
    """The printer said it cannot print (paper out, cover open, offline)."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(status.message)
        self.status = status


# The catalogue's words for a printer fault (pos.i18n), by the printer's state.
_FAULT_TEXT = {
    "paper_out": "printer.paper_out",
    "cover_open": "printer.cover_open",
    "offline": "printer.offline",
}


def status_of(printer: object) -> PrinterStatus | None:
    """The printer's own status (``DLE EOT``); None for a stand-in that cannot say."""
    ask = getattr(printer, "status", None)
    return ask() if callable(ask) else None


class Device(Protocol):
    """What printing needs of a printer: a ``printers.Printer``, or a test's stand-in."""

    @property
    def is_open(self) -> bool: ...

    def open(self) -> None: ...

    def print_slip(self, slip: Slip, *, name: str | None = None) -> PrintResult: ...


@dataclass(frozen=True)
class Outcome:
    job: PrintJob
    printed: bool
    message: str
    files: tuple[str, ...] = ()
    reason: str | None = None  # the printer's state when it refused: paper_out, cover_open, ...

    def to_dict(self) -> dict[str, Any]:
        return {**self.job.to_dict(), "printed": self.printed, "message": self.message,
                "files": list(self.files), "reason": self.reason}  # fmt: skip


class SlipPrinter:
    """``device``: a printer the caller owns (opened here when it is not, never
    closed); without one, each job opens the configured printer and closes it."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        language: str | None = None,
        *,
        device: Device | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.language = language or ledger.pref("language") or settings.locale.language
        self.device = device
        # Slips show the shop's wall clock, not the process's zone (locale.timezone).
        self.zone = shop_zone(settings.locale.timezone, settings.locale.region)

    def _local_day(self, moment: str) -> date:
        """The shop's date at ``moment`` (journal text): a point's or coupon's last day."""
        return parse_iso(moment).astimezone(self.zone).date()

    # -- building slips from the ledger ----------------------------------

    def _tier_name(self, tier_id: str) -> str:
        tier = next(t for t in self.settings.tiers if t.id == tier_id)
        return tier.name_th if self.language == "th" else tier.name_en

    def sale_slip(self, entry_id: str, copy: bool = False) -> Slip:
        from printers import SaleSlip

        ledger, store = self.ledger, self.settings.store
        receipt = ledger.receipt(entry_id)
        entry, member, expiry = receipt.entry, receipt.member, receipt.next_expiry
        rules = entry.rules_applied
        th = self.language == "th"
        base = rules.get("base_rate", "")
        if entry.kind == "redeem":  # a number of points redeemed: no sale, no earning rules
            spent = f"{-entry.points:,}"
            lines = [f"แลก {spent} แต้ม" if th else f"Redeemed {spent} points"]
        else:
            lines = [
                f"1 แต้ม ต่อ {base} บาท: +{rules.get('base_points', 0)}"
                if th
                else f"1 pt per {base}: +{rules.get('base_points', 0)}"
            ]
        if rules.get("tier_bonus"):
            lines.append(
                f"{self._tier_name(str(rules['tier']))} x{rules['multiplier']}: "
                f"+{rules['tier_bonus']}"
            )
        url = member_url(store.member_url, member.member_id, receipt.member_page)
        return SaleSlip(
            store_name=self.store_name(),
            branch=store.branch,
            created_at=parse_iso(entry.created_at).astimezone(self.zone),
            terminal_id=entry.terminal_id,
            cashier=receipt.cashier,
            masked_phone=ledger.mask(member.phone) if member.phone else "-",
            member_name=member.name,
            sale_ref=entry.ref or "",
            amount_minor=entry.amount_minor or 0,
            currency=entry.currency or self.settings.locale.currency,
            points=entry.points,
            rules=tuple(lines),
            balance=entry.balance_after,
            tier=self._tier_name(member.tier),
            next_expiry_points=expiry.points if expiry else None,
            next_expiry_date=self._local_day(expiry.expires_at) if expiry else None,
            member_url=url,
            language="th" if self.language == "th" else "en",
            copy=copy,
            buddhist_era=self.settings.locale.buddhist_era,
        )

    def coupon_slip(self, entry_id: str, copy: bool = False) -> Slip:
        from printers import CouponSlip

        coupon = self.ledger.coupon_of(entry_id)
        if coupon is None:
            raise PrintFailed(key="print_failed.no_coupon", entry_id=entry_id)
        reward = next(r for r in self.settings.rewards if r.id == coupon.reward_id)
        th = self.language == "th"
        value = {
            "discount": f"{'ส่วนลด' if th else 'Discount'} {reward.value} "
            f"{self.settings.locale.currency}",
            "percent_off": f"{'ส่วนลด' if th else 'Discount'} {reward.value:g}%",
            "free_item": "ฟรี" if th else "Free",
            "store_credit": f"{'เครดิต' if th else 'Store credit'} {reward.value}",
            "gift_voucher": f"{'บัตรกำนัล' if th else 'Gift voucher'} {reward.value}",
        }[reward.kind]
        terms = (
            "ใช้ได้ครั้งเดียว ไม่สามารถแลกเป็นเงินสด" if th else "Single use. Not exchangeable for cash."
        )
        return CouponSlip(
            store_name=self.store_name(),
            reward_name_th=reward.name_th,
            reward_name_en=reward.name_en,
            value_text=value,
            code=display_code(coupon.code),
            payload=coupon.payload,
            valid_until=self._local_day(coupon.expires_at),
            terms=terms,
            language="th" if th else "en",
            copy=copy,
            buddhist_era=self.settings.locale.buddhist_era,
        )

    def slip_for(self, job: PrintJob) -> Slip:
        if job.kind == "coupon":
            return self.coupon_slip(job.entry_id, job.copy)
        return self.sale_slip(job.entry_id, job.copy)

    # -- printing --------------------------------------------------------

    def printer_settings(self) -> PrinterSettings:
        """The printer chosen in the setup wizard (saved in the ledger), else the
        settings file's (which the wizard starts from)."""
        cfg = self.settings.printer
        url, paper = self.ledger.pref("printer_url"), self.ledger.pref("paper_mm")
        update: dict[str, Any] = {}
        if url:
            update["url"] = url
        if paper and paper.isdigit():
            update["paper_mm"] = int(paper)
        return cfg.model_copy(update=update) if update else cfg

    def store_name(self) -> str:
        """The shop's name as the setup wizard saved it, else the settings file's."""
        return self.ledger.pref("store_name") or self.settings.store.name

    def open(self) -> Printer:
        from printers import open_printer

        cfg = self.printer_settings()
        return open_printer(
            cfg.url,
            cfg.profile,
            cfg.columns,
            paper_mm=cfg.paper_mm,
            spool_dir=cfg.spool_dir,
        )

    @contextmanager
    def connected(self) -> Iterator[Device]:
        if self.device is None:
            with self.open() as printer:
                yield printer
            return
        if not self.device.is_open:  # never opened, or dropped by a failed write
            self.device.open()
        yield self.device

    def print_job(self, job: PrintJob) -> Outcome:
        """Print one queued job. The printer is asked first where it can say: a
        printer that cannot print gets nothing and the job stays queued with the
        reason; one that stops during the slip leaves the job 'uncertain'."""
        from printers import PrinterError

        claimed = self.ledger.spool.claim(job.job_id)
        if claimed is None:
            current = self.ledger.spool.job(job.job_id)
            said = self._text("print.not_again", status=current.status)
            return Outcome(current, False, said)
        after = None
        try:
            slip = self.slip_for(claimed)
            with self.connected() as printer:
                before = status_of(printer)
                if before is not None and not before.can_print:
                    raise NotReady(before)
                result = printer.print_slip(slip, name=f"{claimed.kind}-{claimed.job_id}")
                if before is not None and before.known:
                    after = status_of(printer)
        except NotReady as fault:
            message = self.fault_text(fault.status)
            log.warning("print job %s not sent: %s", claimed.job_id, message)
            job = self.ledger.spool.finish(claimed.job_id, message)
            return Outcome(job, False, message, reason=fault.status.state)
        except (PrinterError, ValueError, Refusal) as exc:
            message = getattr(exc, "message", None) or str(exc)
            log.warning("print job %s failed: %s", claimed.job_id, message)
            return Outcome(self.ledger.spool.finish(claimed.job_id, message), False, message)
        if after is not None and not after.can_print:
            message = f"{self._text('printer.stopped')} ({self.fault_text(after)})"
            log.warning("print job %s: printer stopped during the slip: %s", claimed.job_id,
                        after.message)  # fmt: skip
            job = self.ledger.spool.finish(claimed.job_id, message, uncertain=True)
            return Outcome(job, False, message, reason=after.state)
        done = self.ledger.spool.finish(claimed.job_id)
        files = tuple(str(f) for f in result.files)
        return Outcome(done, True, "Printed" if not files else f"Preview: {files[-1]}", files)

    def _text(self, key: str, **values: Any) -> str:
        from pos.i18n import Translator  # only on a fault: it loads Textual

        return Translator("th" if self.language == "th" else "en")(key, **values)

    def fault_text(self, status: PrinterStatus) -> str:
        """What the cashier reads about a printer fault, in the till's language."""
        from printers.status import MESSAGES

        key = _FAULT_TEXT.get(status.state)
        if key is None or status.message != MESSAGES[status.state]:
            return status.message  # not the printer's answer: the connection's own words
        return self._text(key)

    def print_pending(self) -> list[Outcome]:
        return [self.print_job(job) for job in self.ledger.spool.jobs(("queued",))]


def print_day_close(printer: SlipPrinter, day: date | None = None) -> dict[str, Any]:
    """Print the end-of-day close (Z report) of ``day`` (the shop's date;
    None: today) now, not through the spool (the spool holds entries' slips).
    Like the test page, a printer that says it cannot print gets nothing, and
    one that stops during the slip is said: ``PrintFailed`` either way, so
    nobody is told "printed" when nothing came out."""
    from printers import DaySummary, PrinterError

    ledger = printer.ledger
    language: Literal["th", "en"] = "th" if printer.language == "th" else "en"
    summary = ledger.day_summary(day)
    staff = tuple(
        (f"{row['name']} ({row['cashier_id']})" if row["name"] else row["cashier_id"],
         row["sales"], row["amount_minor"], row["points"])
        for row in summary["by_cashier"]
    )  # fmt: skip
    slip = DaySummary(
        store_name=printer.store_name(),
        terminal_id=summary["terminal_id"],
        day=date.fromisoformat(summary["day"]),
        kinds=tuple((k, v["count"], v["points"]) for k, v in summary["kinds"].items()),
        cashiers=(),
        language=language,
        currency=summary["currency"],
        sales=summary["sales"]["count"],
        sales_reversed=summary["sales"]["reversed"],
        amount_minor=summary["sales"]["amount_minor"],
        enrolled=summary["enrolled"],
        staff=staff,
        printed_at=ledger.clock().astimezone(ledger.zone),
        buddhist_era=printer.settings.locale.buddhist_era,
    )
    try:
        with printer.connected() as device:
            before = status_of(device)
            if before is not None and not before.can_print:
                raise PrintFailed(printer.fault_text(before))
            result = device.print_slip(slip, name=f"day-close-{summary['day']}")
            after = status_of(device) if before is not None and before.known else None
    except (PrinterError, ValueError) as exc:
        raise PrintFailed(getattr(exc, "message", None) or str(exc)) from None
    if after is not None and not after.can_print:
        raise PrintFailed(f"{printer._text('printer.stopped')} ({printer.fault_text(after)})")
    files = [str(f) for f in result.files]
    log.info("day close %s printed%s", summary["day"], f" ({files[-1]})" if files else "")
    return {"printed": True, "day": summary["day"], "printer": printer.printer_settings().url,
            "files": files}  # fmt: skip
