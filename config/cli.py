"""What the ``pos`` and ``pos-hq`` commands share: the exit statuses, argument
parsing that reports mistakes as usage errors, and printing a command's
result or failure (``--json``: exactly one JSON object on stdout; otherwise
lines for people, errors on stderr).

Exit statuses (each command maps its own exception classes onto them):

====  ===========  ==============================================================
exit  name         meaning
====  ===========  ==============================================================
0     OK           done
1     REFUSED      refused by a rule (not enough points, approval needed, locked,
                   invalid phone or amount, clock wrong); ``verify`` found
                   problems in the books (balances, chain, approvals)
2     USAGE        usage or configuration error (a bad option, ``--db`` names a
                   folder, a bad settings file)
3     NOT_FOUND    not found (member, entry, reward, staff, coupon, store)
4     DAMAGED      a file of the till is damaged, missing or not what it should be
                   (a damaged page or text, an empty or vanished ledger beside its
                   secrets file, a secrets file that is missing or a folder); also
                   ``pos ledger verify`` finding file damage. Nothing was changed:
                   restore the file from a backup, or call head office
5     UNAVAILABLE  a file of the till cannot be written or read right now (disk
                   full, a read-only mount, an immutable file, permissions, busy).
                   Nothing was changed and nothing is lost: fix what the message
                   names and run the command again
70    INTERNAL     a bug (details in the log)
75    TRY_LATER    head office unreachable, or a sync already running: try again
                   later (sysexits.h EX_TEMPFAIL, which cron and systemd read so)
130   INTERRUPTED  interrupted (Ctrl-C)
====  ===========  ==============================================================
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

OK = 0
REFUSED = 1
USAGE = 2
NOT_FOUND = 3
DAMAGED = 4
UNAVAILABLE = 5
INTERNAL = 70  # EX_SOFTWARE: a bug, not the user's fault
TRY_LATER = 75  # EX_TEMPFAIL
INTERRUPTED = 130

EXIT_STATUSES = (OK, REFUSED, USAGE, NOT_FOUND, DAMAGED, UNAVAILABLE, INTERNAL, TRY_LATER,
                 INTERRUPTED)  # fmt: skip


class UsageError(Exception):
    """The command line is wrong (or a value in it): said with exit status 2."""


class Parser(argparse.ArgumentParser):
    # argparse prints and exits on a mistake; raising lets --json answer with JSON.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


@dataclass
class Result:
    """What a command answers: ``body`` for ``--json``, ``lines`` for people."""

    body: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    status: int = OK


def json_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS so a subcommand's copy does not overwrite a value given before it.
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print one JSON object on stdout")  # fmt: skip


class Commands:
    """Subcommands of one program, each taking the ``common`` options too (so
    ``--json`` works before or after the command's name)."""

    def __init__(self, parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
        self.common = common
        self.sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(
        self, parent: Any, name: str, handler: Callable[[Any], Result], text: str
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(
            name, parents=[self.common], help=text, description=text
        )
        p.set_defaults(handler=handler)
        return p

    def group(self, name: str, text: str) -> Any:
        """A command with actions (``pos member show``): add them with :meth:`command`."""
        return self.sub.add_parser(name, help=text).add_subparsers(
            dest="sub", metavar="ACTION", required=True, parser_class=Parser
        )


def status_for(exc: BaseException, statuses: Mapping[type[BaseException], int]) -> int | None:
    """The exit status of ``exc``'s most specific class in ``statuses`` (None: not there)."""
    for cls in type(exc).__mro__:
        if cls in statuses:
            return statuses[cls]
    return None


def _plain_json(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=str)


def _as_is(text: str) -> str:
    return text


@dataclass(frozen=True)
class Cli:
    """How one program prints: its name before error lines, how it writes JSON
    and how it makes text safe for a terminal."""

    prog: str
    log: logging.Logger
    json_text: Callable[[Any], str] = _plain_json
    visible: Callable[[str], str] = _as_is

    def emit(self, as_json: bool, result: Result, *, stream: Any = None) -> None:
        if as_json:
            print(self.json_text(result.body))
        else:
            for line in result.lines:
                print(self.visible(line), file=stream or sys.stdout)

    def fail(self, as_json: bool, code: str, message: str, status: int) -> int:
        if as_json:
            print(self.json_text({"error": {"code": code, "message": message}}))
        else:
            print(f"{self.prog}: {self.visible(message)}", file=sys.stderr)
        return status

    def parse(
        self, parser: argparse.ArgumentParser, argv: Sequence[str]
    ) -> argparse.Namespace | int:
        """The parsed arguments, or the exit status when there is no command to run
        (a usage error, ``--help``, or no command named)."""
        as_json = "--json" in argv
        try:
            args = parser.parse_args(argv)
        except UsageError as exc:
            return self.fail(as_json, "usage", str(exc), USAGE)
        if getattr(args, "handler", None) is None:
            if as_json:
                text = f"{self.prog}: name a command (see '{self.prog} --help')"
                return self.fail(as_json, "usage", text, USAGE)
            parser.print_help()
            return OK if not argv else USAGE
        return args

    def call(
        self,
        argv: Sequence[str],
        command: Callable[[], Result],
        *,
        explain: Callable[[Exception], int | None],
        interrupted: str,
        unexpected: Callable[[], str],
        close: Callable[[], None],
    ) -> int:
        """Run ``command`` and print its result; return its exit status.

        ``explain`` says what went wrong (with :meth:`fail`) and returns the exit
        status, or None for an error nobody foresaw: that one is logged with its
        traceback and said as ``unexpected()`` with status 70. ``close`` runs
        before the result is printed, after a failure is said.
        """
        as_json = "--json" in argv
        try:
            result = command()
        except UsageError as exc:
            return self.fail(as_json, "usage", str(exc), USAGE)
        except KeyboardInterrupt:
            return self.fail(as_json, "interrupted", interrupted, INTERRUPTED)
        except Exception as exc:
            status = explain(exc)
            if status is not None:
                return status
            self.log.exception("unexpected error in %s %s", self.prog, " ".join(argv))
            return self.fail(as_json, "internal_error", unexpected(), INTERNAL)
        finally:
            close()
        self.emit(as_json, result)
        return result.status
