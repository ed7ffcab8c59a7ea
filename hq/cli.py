"""The ``pos-hq`` command: run and administer head office.

Exit status: 0 done; 1 refused; 2 usage or configuration error; 3 not found.
With ``--json`` stdout holds exactly one JSON object (errors too:
``{"error": {"code", "message"}}``). The database comes from ``--dsn`` or
``POS_HQ_DSN``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.cli import (
    NOT_FOUND,
    REFUSED,
    USAGE,
    Cli,
    Commands,
    Parser,
    Result,
    UsageError,
    json_option,
    status_for,
)
from hq.backoffice.commands import add_commands as add_user_commands
from hq.conflicts import service as conflicts
from hq.db import Conn, check_migrated, connect, migrate, require_dsn, schema_version
from hq.entries import audit
from hq.errors import ConfigError, HQError, InvalidRules, NotFound
from hq.member_commands import cmd_member_export, cmd_member_forget
from hq.memberpage.commands import cmd_member_token
from hq.members import service as members
from hq.rules import service as rules
from hq.settings import DEFAULT_PORT, HQSettings
from hq.terminals import service as terminals
from sync.protocol import CONFLICT_KINDS

log = logging.getLogger("hq.cli")
CLI = Cli("pos-hq", log)

# Each refusal's exit status: its most specific class here wins.
EXIT_STATUS: dict[type[BaseException], int] = {
    HQError: REFUSED,
    ConfigError: USAGE,
    InvalidRules: USAGE,  # a rules file terminals could not load
    NotFound: NOT_FOUND,
}


@dataclass
class Context:
    args: argparse.Namespace
    settings: HQSettings
    _conn: Conn | None = None

    @property
    def conn(self) -> Conn:
        """A connection to a migrated database (``migrate`` uses :meth:`raw_conn`)."""
        if self._conn is None:
            self._conn = self.raw_conn()
            check_migrated(self._conn)
        return self._conn

    def raw_conn(self) -> Conn:
        if self._conn is None:
            self._conn = connect(require_dsn(self.settings))
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


# -- commands -------------------------------------------------------------------


def cmd_migrate(ctx: Context) -> Result:
    conn = ctx.raw_conn()
    applied = migrate(conn)
    version = schema_version(conn)
    lines = [f"Applied {name}." for name in applied] or ["Nothing to do."]
    lines.append(f"Schema version {version}.")
    return Result({"applied": applied, "version": version}, lines)


def cmd_serve(ctx: Context) -> Result:
    import os

    import uvicorn

    from hq.app import create_app

    # Fail here, with a clear message and exit status, if unreachable or not migrated.
    check_migrated(ctx.raw_conn())
    ctx.close()
    a = ctx.args
    options: dict[str, Any] = {
        "host": a.host,
        "port": a.port,
        "log_level": a.log_level,
        "access_log": not a.no_access_log,
        # Longer than clients keep idle connections (httpx: 5 s), so a client never
        # sends on a connection the server is closing at that moment.
        "timeout_keep_alive": a.keep_alive,
        # The app reads X-Forwarded-For itself, and only from POS_HQ_TRUSTED_PROXIES:
        # uvicorn would believe it from 127.0.0.1 (or FORWARDED_ALLOW_IPS) and rewrite
        # the client address before the app sees the real peer.
        "proxy_headers": False,
    }
    if a.workers > 1:
        # Worker processes build their own app (and pool) from the environment.
        os.environ["POS_HQ_DSN"] = require_dsn(ctx.settings)
        uvicorn.run("hq.app:create_app", factory=True, workers=a.workers, **options)
    else:
        uvicorn.run(create_app(ctx.settings), **options)
    return Result({"stopped": True}, [])


def cmd_store_add(ctx: Context) -> Result:
    store = terminals.add_store(ctx.conn, ctx.args.store_id, ctx.args.name)
    return Result({"store": store}, [f"Added store {store['store_id']} ({store['name']})."])


def cmd_store_list(ctx: Context) -> Result:
    stores = terminals.list_stores(ctx.conn)
    lines = [f"{s['store_id']:<16} {s['terminals']:>3} terminal(s)  {s['name']}" for s in stores]
    return Result({"stores": stores, "total": len(stores)}, lines or ["No stores yet."])


def cmd_terminal_add(ctx: Context) -> Result:
    added = terminals.add_terminal(
        ctx.conn,
        ctx.args.store_id,
        ctx.args.terminal_id,
        ttl_hours=ctx.settings.setup_code_ttl_hours,
    )
    lines = [
        f"Added terminal {added['terminal_id']} to store {added['store_id']}.",
        f"Setup code (one use, until {added['setup_code_expires_at']}): {added['setup_code']}",
        f"Token (shown once; keep it secret): {added['token']}",
    ]
    return Result(added, lines)


def cmd_terminal_code(ctx: Context) -> Result:
    made = terminals.new_code(
        ctx.conn,
        ctx.args.store_id,
        ctx.args.terminal_id,
        ttl_hours=ctx.settings.setup_code_ttl_hours,
    )
    lines = [
        f"New setup code for terminal {made['terminal_id']} of store {made['store_id']} "
        f"(one use, until {made['setup_code_expires_at']}): {made['setup_code']}",
        "Older unused codes no longer work; joining with this one ends earlier joins' tokens.",
    ]
    return Result(made, lines)


def cmd_terminal_revoke(ctx: Context) -> Result:
    done = terminals.revoke_terminal(ctx.conn, ctx.args.store_id, ctx.args.terminal_id)
    verb = "Revoked" if done["changed"] else "Already revoked:"
    return Result(done, [f"{verb} terminal {done['terminal_id']} of store {done['store_id']}."])


def cmd_report_balances(ctx: Context) -> Result:
    wallets = members.balances(ctx.conn)
    points = sum(w["balance"] for w in wallets)
    body = {"wallets": wallets, "total": len(wallets), "points_total": points}
    lines = [f"{w['wallet_id']:<38} {w['balance']:>10}  {w['phone'] or '-'}" for w in wallets]
    lines.append(f"{len(wallets)} wallet(s), {points} points in all.")
    return Result(body, lines)


def cmd_verify(ctx: Context) -> Result:
    done = audit.verify(ctx.conn, ctx.args.terminal)
    lines = [p["message"] for p in done["problems"]]
    held = sum(1 for p in done["problems"] if p["problem"] == "unverified")
    broken = len(done["problems"]) - held
    found = [f"{broken} with a problem"] if broken else []
    found += [f"{held} with unverified entries above a gap"] if held else []
    lines.append(
        f"{done['entries']} entries of {done['terminals']} terminal(s) checked: "
        + (", ".join(found) + "." if found else "all intact.")
    )
    return Result(done, lines, REFUSED if done["problems"] else 0)


def cmd_report_conflicts(ctx: Context) -> Result:
    found = conflicts.list_conflicts(ctx.conn, ctx.args.kind, ctx.args.limit)
    total = conflicts.count(ctx.conn, ctx.args.kind)
    lines = [
        f"#{c['id']} {c['at'][:19]} {c['kind']:<20} {c['terminal_id'] or '-':<10} "
        f"{c['message']}"  # (the details are in --json)
        for c in found
    ]
    lines.append(f"{total} conflict(s).")
    return Result({"conflicts": found, "total": total}, lines)


def cmd_rules_set(ctx: Context) -> Result:
    path = Path(ctx.args.file)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from None
    body = rules.parse(text, str(path))
    version = rules.set_settings(ctx.conn, body)
    return Result(
        {"version": version, "settings": body},
        [f"Rules and catalog version {version} stored; terminals get it on their next sync."],
    )


def cmd_rules_show(ctx: Context) -> Result:
    version, body = rules.current(ctx.conn)
    return Result(
        {"version": version, "settings": body},
        [f"Version {version}:", json.dumps(body, ensure_ascii=False, indent=2)],
    )


# -- parser -----------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    # SUPPRESS so a subcommand's copy does not overwrite a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dsn", default=argparse.SUPPRESS, help="PostgreSQL DSN (or POS_HQ_DSN)")
    json_option(common)
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = Parser(
        prog="pos-hq",
        description="Loyalty POS head office: the sync service and its administration. "
        "Run a command with --help for its options.",
        parents=[common],
    )
    commands = Commands(parser, common)
    sub, command, group = commands.sub, commands.command, commands.group

    command(sub, "migrate", cmd_migrate, "create or upgrade the database schema")

    p = command(sub, "serve", cmd_serve, "run the HTTP service (uvicorn)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes (each with its own pool of POS_HQ_POOL_SIZE connections; default 1)",
    )
    p.add_argument(
        "--keep-alive",
        type=int,
        default=30,
        metavar="SECONDS",
        help="close idle client connections after this long (default 30)",
    )

    store = group("store", "stores")
    p = command(store, "add", cmd_store_add, "add a store")
    p.add_argument("store_id", metavar="STORE_ID")
    p.add_argument("--name", required=True)
    command(store, "list", cmd_store_list, "list the stores")

    terminal = group("terminal", "terminals, tokens and setup codes")
    p = command(
        terminal,
        "add",
        cmd_terminal_add,
        "add a terminal: prints its token and a one-time setup code",
    )
    p.add_argument("store_id", metavar="STORE_ID")
    p.add_argument("terminal_id", metavar="TERMINAL_ID")
    p = command(
        terminal,
        "code",
        cmd_terminal_code,
        "a new one-time setup code for a terminal (expired code, lost reply, new till)",
    )
    p.add_argument("store_id", metavar="STORE_ID")
    p.add_argument("terminal_id", metavar="TERMINAL_ID")
    p = command(terminal, "revoke", cmd_terminal_revoke, "revoke a terminal's tokens")
    p.add_argument("store_id", metavar="STORE_ID")
    p.add_argument("terminal_id", metavar="TERMINAL_ID")

    report = group("report", "reports")
    command(
        report,
        "balances",
        cmd_report_balances,
        "balance of every canonical wallet (merged wallets included)",
    )
    p = command(report, "conflicts", cmd_report_conflicts, "recorded sync conflicts")
    p.add_argument("--kind", choices=CONFLICT_KINDS)
    p.add_argument("--limit", type=int, default=1000, metavar="N")

    p = command(
        sub,
        "verify",
        cmd_verify,
        "recompute every entry's hash and check every terminal's chain",
    )
    p.add_argument("--terminal", metavar="TERMINAL_ID", help="only this terminal")

    member = group("member", "a member's data requests across the chain")
    p = command(member, "export", cmd_member_export,
                "everything head office holds about a member, as JSON")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--out", metavar="FILE", help="write the JSON to a new file (0600)")
    p = command(member, "forget", cmd_member_forget,
                "erase a member's phone and name chain-wide (they stay a pseudonym)")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    p = command(member, "token", cmd_member_token,
                "the member's page token (GET /m/TOKEN); --rotate issues a new one")  # fmt: skip
    p.add_argument("phone", metavar="PHONE")
    p.add_argument("--rotate", action="store_true", help="new token; the old link stops working")

    rules_group = group("rules", "rules and catalog sent to terminals")
    p = command(rules_group, "set", cmd_rules_set, "store a new version from a JSON file")
    p.add_argument("file", metavar="FILE.json")
    command(rules_group, "show", cmd_rules_show, "print the current version")
    add_user_commands(commands)  # pos-hq user add (hq/backoffice/commands.py)
    return parser


# -- main ---------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> HQSettings:
    try:
        settings = HQSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "POS_HQ_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"{name}: {first['msg']}.") from None
    dsn = getattr(args, "dsn", None)
    return settings.model_copy(update={"dsn": dsn}) if dsn else settings


def _explain(as_json: bool, exc: Exception) -> int | None:
    status = status_for(exc, EXIT_STATUS)
    if not isinstance(exc, HQError) or status is None:
        return None
    return CLI.fail(as_json, exc.code, exc.message, status)


def run(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = CLI.parse(build_parser(), argv)
    if isinstance(args, int):
        return args
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    as_json = "--json" in argv
    ctx: Context | None = None

    def command() -> Result:
        nonlocal ctx
        ctx = Context(args, _settings(args))
        result: Result = args.handler(ctx)
        return result

    return CLI.call(
        argv,
        command,
        explain=lambda exc: _explain(as_json, exc),
        interrupted="Interrupted.",
        unexpected=lambda: "Unexpected error; see the message above.",
        close=lambda: ctx.close() if ctx is not None else None,
    )


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
