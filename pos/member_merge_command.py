"""``pos member merge KEEP_PHONE OTHER_PHONE --approver STAFF_ID``: two members
who are one customer become one (ledger.merge), a supervisor's PIN on stdin.
The ledger decides; this says the outcome."""

from __future__ import annotations

from config.cli import Result
from pos.context import Context, required_approval


def cmd_member_merge(ctx: Context) -> Result:
    a = ctx.args
    done = ctx.ledger.merge_members(a.keep_phone, a.other_phone, required_approval(a.approver))
    keep = ctx.ledger.mask(done.keep.phone or "")
    other = ctx.ledger.mask(ctx.ledger.normalize(a.other_phone))
    if not done.merged:
        line = f"{other} already counts as {keep}: nothing changed."
        return Result(done.to_dict(), [line])
    lines = [
        f"Merged {other} into {keep}: {done.points} points moved ({done.lots} lots keep their "
        f"expiry), {done.coupons} coupons; {other} now finds {keep}.",
        f"Balance of {keep}: {done.keep.balance} points. Approved by {done.approver_id}; sent "
        "to head office at the next sync.",
    ]
    return Result(done.to_dict(), lines)
