"""``pos-hq member token PHONE [--rotate]``: a member's page token, and a new one.

Rotating is for a link the member no longer wants working (a receipt left
behind, a photo shared): the old token and those of members merged into this
one open nothing from then on; every till prints the new one after its next
sync (until then a slip from a till that has not synced carries the old one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.cli import Result
from hq.errors import NotFound
from hq.member_commands import e164
from hq.memberpage import tokens

if TYPE_CHECKING:
    from hq.cli import Context


def cmd_member_token(ctx: Context) -> Result:
    phone = e164(ctx.args.phone)
    row = ctx.conn.execute(
        "SELECT member_id FROM members WHERE phone = %s AND merged_into IS NULL", (phone,)
    ).fetchone()
    if row is None:
        raise NotFound("No member with that phone at head office (or it was forgotten).")
    member_id = str(row[0])
    if ctx.args.rotate:
        merged = [r[0] for r in ctx.conn.execute(
            "SELECT member_id FROM members WHERE merged_into = %s", (member_id,)
        ).fetchall()]  # fmt: skip
        token: str | None = tokens.rotate(ctx.conn, member_id, merged)
    else:
        token = tokens.current(ctx.conn, member_id)
    path = f"/m/{token}" if token else None
    news = " (new: the old link opens nothing now; tills print it after their next sync)"
    if path:
        lines = [f"Member {member_id}: page {path}" + (news if ctx.args.rotate else "")]
    else:
        lines = [f"Member {member_id} has no page token: run with --rotate to issue one."]
    return Result({"member_id": member_id, "token": token, "path": path,
                   "rotated": bool(ctx.args.rotate)}, lines)  # fmt: skip
