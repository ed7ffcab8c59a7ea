"""Exit statuses are the commands' business: every refusal anywhere in the code
maps to a documented status, the ones scripts rely on stay what they were, and
each family of errors is its own (a failed sync is never a ledger refusal)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from config.cli import EXIT_STATUSES, status_for
from config.refusal import Refusal
from hq import cli as hq_cli
from hq.errors import HQError
from ledger.errors import LedgerError
from pos.exits import exit_status
from sync.errors import HeadOfficeUnreachable, SyncError

# What ``pos`` answered for each before the table moved out of the error classes.
POS_STATUSES = {
    "ledger.errors.LedgerError": 1,
    "ledger.errors.InsufficientPoints": 1,
    "ledger.errors.NotInitialized": 1,
    "ledger.errors.MemberNotFound": 3,
    "ledger.spool.JobNotFound": 3,
    "ledger.errors.NotALedgerFile": 2,
    "ledger.backup.BackupError": 2,
    "ledger.errors.CorruptDatabase": 4,
    "ledger.errors.DamagedText": 4,
    "ledger.errors.LedgerMissing": 4,
    "ledger.errors.SecretsError": 4,
    "ledger.errors.SecretsMissing": 4,
    "ledger.errors.DatabaseUnavailable": 5,
    "ledger.errors.DiskFull": 5,
    "ledger.errors.ReadOnly": 5,
    "ledger.errors.SecretsUnavailable": 5,
    "sync.errors.SyncError": 1,
    "sync.errors.SyncRefused": 1,
    "sync.errors.Unauthorized": 1,
    "sync.errors.HeadOfficeUnreachable": 75,
    "sync.errors.SyncBusy": 75,
    "sync.errors.NotJoined": 2,
    "pos.run.NoTerminal": 1,
    "pos.printing.PrintFailed": 1,
    "pos.screens.base.Unexpected": 1,
}

HQ_STATUSES = {
    "hq.errors.HQError": 1,
    "hq.errors.StoreExists": 1,
    "hq.errors.NotMigrated": 1,
    "hq.errors.InvalidInput": 1,
    "hq.errors.ConfigError": 2,
    "hq.errors.InvalidRules": 2,
    "hq.errors.StoreNotFound": 3,
    "hq.errors.TerminalNotFound": 3,
}


def _import_all(*packages: str) -> None:
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)


def _subclasses(root: type) -> list[type]:
    found: list[type] = []
    todo: list[type] = [root]
    while todo:
        subs: list[type] = todo.pop().__subclasses__()
        for sub in subs:
            if sub.__module__.split(".")[0] != "tests":
                found.append(sub)
                todo.append(sub)
    return found


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _pos_status(cls: type[BaseException]) -> int | None:
    return exit_status(cls.__new__(cls))  # the status depends on the class only


def _hq_status(cls: type[BaseException]) -> int | None:
    return status_for(cls.__new__(cls), hq_cli.EXIT_STATUS)


def test_every_refusal_has_a_documented_exit_status() -> None:
    _import_all("config", "ledger", "sync", "printers", "pos")
    refusals = [Refusal, *_subclasses(Refusal)]
    assert len(refusals) > 40
    undocumented = {_name(c): _pos_status(c) for c in refusals}
    undocumented = {n: s for n, s in undocumented.items() if s not in EXIT_STATUSES}
    assert undocumented == {}
    statuses = {_name(c): _pos_status(c) for c in refusals}
    assert {n: statuses.get(n) for n in POS_STATUSES} == POS_STATUSES


def test_every_head_office_error_has_a_documented_exit_status() -> None:
    _import_all("hq")
    errors = [HQError, *_subclasses(HQError)]
    statuses = {_name(c): _hq_status(c) for c in errors}
    assert {n: s for n, s in statuses.items() if s not in EXIT_STATUSES} == {}
    assert {n: statuses.get(n) for n in HQ_STATUSES} == HQ_STATUSES


def test_ledger_errors_carry_no_exit_status() -> None:
    """The numbers are the CLI's: a ledger refusal says what, not how to exit."""
    carrying = [_name(c) for c in [LedgerError, *_subclasses(LedgerError)]
                if c.__module__ == "ledger.errors" and "exit_status" in vars(c)]  # fmt: skip
    assert carrying == []


def test_a_failed_sync_is_not_a_ledger_refusal() -> None:
    """Ledger code that catches its own refusals must not swallow a sync failure."""
    assert not issubclass(SyncError, LedgerError)
    assert issubclass(SyncError, Refusal)
    with pytest.raises(HeadOfficeUnreachable):
        try:
            raise HeadOfficeUnreachable("Cannot reach head office.")
        except LedgerError:  # pragma: no cover - the point is that this does not catch it
            pytest.fail("a sync failure was caught as a ledger refusal")


def test_printing_errors_are_their_own_family() -> None:
    from printers.errors import PrinterError

    assert not issubclass(PrinterError, LedgerError)
    assert not issubclass(PrinterError, SyncError)
