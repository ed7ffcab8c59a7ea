"""The ``pos member`` commands about a member's data: ``consent`` (given again
or withdrawn after enrolment) and ``export`` (the member's own copy, approved
by a supervisor). The ledger decides; these say the outcome and write files."""

from __future__ import annotations

import json

from config.cli import Result
from ledger.export import write_csv, write_json
from pos.context import Context, required_approval
from pos.spool_files import tidy


def cmd_member_consent(ctx: Context) -> Result:
    a = ctx.args
    done = ctx.ledger.change_consent(a.phone, give=a.give)
    who = ctx.ledger.mask(done.member.phone or "")
    answer = done.answer
    if not done.changed:
        said = "has consent" if answer.given else "has no consent on record"
        line = f"{who} already {said} (since {answer.at[:10]}): nothing changed."
    elif answer.given:
        line = f"Consent recorded for {who} ({answer.scope}); sent to head office at the next sync."
    else:
        line = (
            f"Consent withdrawn for {who}: the points stay and can be redeemed; the member is "
            "left out of reports and campaigns. Sent to head office at the next sync."
        )
    return Result(done.to_dict(), [line])


def cmd_member_export(ctx: Context) -> Result:
    """The copy as JSON: to --out FILE (else stdout) and, with --csv DIR, a CSV
    per table. Files are new and 0600 (ledger.export)."""
    a = ctx.args
    export = ctx.ledger.export_member(a.phone, required_approval(a.approver))
    document = export.document()
    if a.out is None and a.csv is None:
        # The copy itself is the answer, with --json or without (each line is
        # made safe for the terminal when printed).
        return Result(document, json.dumps(document, ensure_ascii=False, indent=2).splitlines())
    body: dict[str, object] = {"member_id": document["member_id"], "counts": export.counts()}
    lines = []
    if a.out is not None:
        body["out"] = str(write_json(export, a.out))
        lines.append(f"Wrote the member's copy to {body['out']} (private: 0600).")
    if a.csv is not None:
        paths = write_csv(export, a.csv)
        body["csv"] = [str(p) for p in paths]
        lines.append(f"Wrote {len(paths)} CSV files to {paths[0].parent} (private: 0600).")
    counts = ", ".join(f"{n} {name}" for name, n in export.counts().items() if n)
    lines.append(f"Held about this member: {counts}.")
    return Result(body, lines)


def cmd_member_forget(ctx: Context) -> Result:
    """Erase the member's phone and name; their slips in the spool folder go too."""
    a = ctx.args
    done = ctx.ledger.forget_member(a.phone, required_approval(a.approver))
    removed = tidy(ctx.settings, ctx.ledger)
    body = {**done.to_dict(), "slips_removed": removed}
    lines = [
        f"Forgotten: member {done.member_id} has no phone and no name here now; sent to head "
        "office and every till at the next sync. The number can enrol again as a new member.",
    ]
    if done.balance:
        lines.append(f"The {done.balance} points left can no longer be found by phone.")
    if removed:
        lines.append(f"Removed {removed} preview slip files that named them.")
    lines.append("Backups made before now still hold them: replace them with a new backup.")
    return Result(body, lines)


def cmd_member_phone(ctx: Context) -> Result:
    a = ctx.args
    member = ctx.ledger.change_phone(a.old_phone, a.new_phone, required_approval(a.approver))
    who = ctx.ledger.mask(member.phone or "")
    line = (
        f"Member {member.member_id} now has the number {who}, with all their points; the old "
        "number is free. Sent to head office and every till at the next sync."
    )
    return Result({"member": member.to_dict()}, [line])
