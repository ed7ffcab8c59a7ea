"""What the cashier is told came out of the printer (F6, or slips that waited
for a printer fault to clear). A sale's own slip, printed at once, is not
announced: the sale's message says enough."""

from __future__ import annotations

from config.refusal import Refusal
from ledger.coupons import display_code
from ledger.service import Ledger
from pos.i18n import Translator
from pos.printing import Outcome


def what_printed(
    outcomes: list[Outcome], ledger: Ledger, tr: Translator, *, waiting: bool = False
) -> list[str]:
    """Each copy by its sale ref or coupon code, and how many slips that had
    waited printed now: tried before (a printer fault), or all of them when
    ``waiting`` (the cashier asked for what waits). Reads the ledger: call it
    in the print worker."""
    said: list[str] = []
    waited = 0
    for outcome in outcomes:
        job = outcome.job
        if not outcome.printed:
            continue
        if job.copy:
            said.append(_copy_text(job.entry_id, job.kind, ledger, tr))
        elif waiting or job.attempts > 1:
            waited += 1
    if waited:
        one = waited == 1
        said.insert(0, tr("print.waited_one" if one else "print.waited_many", n=waited))
    return said


def _copy_text(entry_id: str, kind: str, ledger: Ledger, tr: Translator) -> str:
    if kind == "coupon":
        coupon = ledger.coupon_of(entry_id)
        if coupon is not None:
            return tr("print.copy_coupon", code=display_code(coupon.code))
    try:
        entry = ledger.entry(entry_id)
    except Refusal:  # printed all the same: say so without its ref
        return tr("print.copy_slip", ref=entry_id)
    key = "print.copy_sale" if entry.kind == "earn" else "print.copy_slip"
    return tr(key, ref=entry.ref or entry_id)
