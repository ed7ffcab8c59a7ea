"""The wire format stays in step with the ledger and depends on nothing of the terminal."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from hq.entries import chain as hq_chain
from ledger import chain as ledger_chain
from ledger import models, schema
from sync import protocol

ROOT = Path(__file__).resolve().parents[2]


def test_entry_columns_match_the_ledger() -> None:
    assert protocol.ENTRY_COLUMNS == models.ENTRY_COLUMNS
    assert tuple(protocol.WireEntry.__annotations__) == models.ENTRY_COLUMNS
    assert protocol.ENTRY_KINDS == schema.ENTRY_KINDS
    assert hq_chain.GENESIS == ledger_chain.GENESIS  # head office checks the same links


def test_push_arrays_carry_the_entry_fields_in_column_order() -> None:
    by_name = typing.get_type_hints(protocol.WireEntry, include_extras=True)
    assert typing.get_args(protocol.WireRow) == tuple(by_name[c] for c in models.ENTRY_COLUMNS)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            whole = node.module in ("sync.protocol", "sync.wire_fields", *_SHARED) or (
                node.module.startswith("config.messages.")
            )
            names.add(node.module if whole else node.module.split(".")[0])
    return names


# What the till and head office share besides the protocol: the words both
# speak (entry kinds), the shape of a refusal and its catalogue of texts, and
# the command-line plumbing. None of them imports anything of the till.
_MESSAGES = (
    "generic",
    "imports",
    "ledger",
    "members",
    "merge",
    "points",
    "reports",
    "staff",
    "sync",
)
_SHARED = (
    "config.kinds", "config.refusal", "config.cli", "config.messages",
    *(f"config.messages.{name}" for name in _MESSAGES),
)  # fmt: skip


def test_the_shared_modules_import_nothing_of_the_till() -> None:
    till = {"ledger", "pos", "printers", "textual", "sync", "hq", "config"}
    for name in _SHARED:
        path = ROOT / name.replace(".", "/")
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        assert not _imports(path) & till, name
    assert sorted(p.stem for p in (ROOT / "config" / "messages").glob("[!_]*.py")) == sorted(
        _MESSAGES
    )


def test_protocol_imports_nothing_of_the_terminal() -> None:
    terminal = {"ledger", "pos", "textual", "sync", "hq", "sync.protocol"}
    assert not _imports(ROOT / "sync" / "protocol.py") & terminal
    assert not _imports(ROOT / "sync" / "wire_fields.py") & (terminal | {"sync.wire_fields"})


@pytest.mark.parametrize(
    "path", sorted((ROOT / "hq").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_hq_imports_only_the_protocol(path: Path) -> None:
    names = _imports(path)
    forbidden = {"ledger", "pos", "textual", "printers", "config", "sync", "sync.wire_fields"}
    assert not names & forbidden, names


def test_a_ledger_row_is_a_valid_wire_entry() -> None:
    row = dict.fromkeys(protocol.ENTRY_COLUMNS)
    row |= {
        "entry_id": "0190f1c2-7b7e-7c1a-9a55-1c2d3e4f5a6b",
        "wallet_id": "w",
        "kind": "earn",
        "points": 10,
        "balance_after": 10,
        "terminal_id": "T1",
        "store_id": "S1",
        "created_at": "2026-01-15T03:00:00.000000Z",
        "seq": 1,
        "prev_hash": "0" * 64,
        "hash": "a" * 64,
    }
    request = protocol.PushRequest.model_validate({"entries": [protocol.entry_row(row)]})
    assert protocol.entry_dict(request.entries[0]) == row
    with pytest.raises(ValidationError):
        protocol.PushRequest.model_validate({"entries": [protocol.entry_row({**row, "seq": 0})]})
    with pytest.raises(ValidationError):
        bad = {**row, "points": True}
        protocol.PushRequest.model_validate({"entries": [protocol.entry_row(bad)]})
