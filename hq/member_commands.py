"""``pos-hq member export`` and ``pos-hq member forget``: a member's data
requests across the whole chain, run by the owner at head office
(hq/members/privacy.py does the work)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import phonenumbers

from config.cli import Result
from hq.errors import InvalidInput
from hq.members import privacy

if TYPE_CHECKING:
    from hq.cli import Context

REGION = "TH"  # the chain's phones, as the tills' default region


def e164(typed: str) -> str:
    """The phone as stored (E.164), from what the owner typed (0812345678, +66...)."""
    try:
        number = phonenumbers.parse(typed, REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"{typed!r} is not a valid phone number: type it as on the member's card, "
            "e.g. 081-234-5678 or +66812345678."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cmd_member_export(ctx: Context) -> Result:
    document = privacy.export(ctx.conn, e164(ctx.args.phone))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if ctx.args.out is None:
        return Result(document, text.splitlines())
    path = Path(ctx.args.out).expanduser().absolute()
    try:
        # New and private: it is the member's personal data.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise InvalidInput(f"{path} already exists: name a new file.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path} ({exc.strerror}): name another file.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    counts = {k: len(v) for k, v in document.items() if isinstance(v, list)}
    return Result(
        {"member_id": document["member_id"], "out": str(path), "counts": counts},
        [f"Wrote the member's copy to {path} (private: 0600)."],
    )


def cmd_member_forget(ctx: Context) -> Result:
    done = privacy.forget(ctx.conn, e164(ctx.args.phone))
    merged = len(done["merged_member_ids"])
    lines = [
        f"Forgotten: member {done['member_id']}"
        + (f" and {merged} member(s) merged into it" if merged else "")
        + " have no phone and no name at head office; every till erases its copy at its "
        "next sync. The number can enrol again as a new member.",
    ]
    return Result(done, lines)
