"""``pos-hq user add EMAIL --role ROLE [--store STORE_ID ...]``: a back-office user.

The password is asked for twice (getpass) when standard input is a terminal,
else read from its first line (``printf '%s\\n' "$PW" | pos-hq user add ...``);
it is never an argument, which other users of the machine could read.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Any

from config.cli import Commands, Result, UsageError
from hq.backoffice import accounts

if TYPE_CHECKING:
    from hq.cli import Context


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise UsageError("The two passwords differ: nothing was added.")
        return first
    line = sys.stdin.readline()
    if not line:
        raise UsageError("No password on standard input: nothing was added.")
    return line.rstrip("\r\n")


def cmd_user_add(ctx: Context) -> Result:
    a = ctx.args
    stores: list[str] = a.store or []
    conn = ctx.conn  # a missing or unmigrated database fails before the prompt
    added = accounts.add_user(conn, a.email, _password(), a.role, stores)
    where = f" of store(s) {', '.join(added['stores'])}" if added["stores"] else ""
    return Result(
        added,
        [f"Added {added['role']} {added['email']}{where}: they log in at /admin/login."],
    )


def add_commands(commands: Commands) -> None:
    """Register ``pos-hq user ...`` on the program's parser."""
    user = commands.group("user", "back-office users (the browser pages at /admin)")
    p: Any = commands.command(
        user, "add", cmd_user_add, "add a user; the password is asked for (or read from stdin)"
    )
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument(
        "--store",
        action="append",
        metavar="STORE_ID",
        help="a store a manager sees (repeat for more; managers only)",
    )
