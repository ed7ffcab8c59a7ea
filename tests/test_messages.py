"""The catalogue of refusals (config.messages): every refusal a cashier can meet
is raised by a key the catalogue holds, in English and Thai, naming the same
values; a Thai screen is never handed English the catalogue could have said."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
from pathlib import Path

import pytest

from config.messages import CATALOGUE, say
from config.refusal import Refusal
from ledger.errors import InvalidPhone, NotReversible
from ledger.money import parse_amount
from ledger.phone import normalize_phone
from ledger.text import clean_code, clean_id, clean_text

ROOT = Path(__file__).resolve().parent.parent
# What the counter app reaches on its daily path: every refusal raised here
# must come from the catalogue. Left out, with their reason: ledger.backup,
# rebuild, swap, hqcopy, verify, db, secrets, coupons, stale, pending_secrets
# (an administrator's commands and damaged files: their refusals carry a path
# and a long English procedure, and in Thai the code's text stands in) and
# sync.commands / sync.restore (pos join and restore, run by the owner).
COUNTER = [
    "ledger/money.py", "ledger/phone.py", "ledger/text.py", "ledger/pins.py",
    "ledger/points.py", "ledger/reversal.py", "ledger/coupon_book.py", "ledger/spool.py",
    "ledger/limits.py", "ledger/expiry.py", "ledger/timeguard.py", "ledger/terminal.py",
    "ledger/core.py", "ledger/replica.py", "sync/client.py", "sync/engine.py",
    "ledger/staff.py", "ledger/staffauth.py", "ledger/db.py", "ledger/consent.py",
    "ledger/export.py", "ledger/forget.py", "ledger/renumber.py", "ledger/merge.py",
    "pos/dialogs/approval.py", "pos/dialogs/member_data.py",
]  # fmt: skip
# Damaged or missing files, wherever they are found: a path and an
# administrator's procedure, said in Thai by the code's text (GENERIC).
ADMIN = {"SecretsError", "SecretsMissing", "SecretsUnavailable", "CorruptDatabase",
         "DamagedText", "LedgerMissing", "DatabaseUnavailable", "DiskFull", "ReadOnly",
         "NotALedgerFile"}  # fmt: skip
PLACEHOLDER = re.compile(r"{(\w+)}")


def _refusal_names() -> set[str]:
    for package in ("ledger", "sync", "printers", "pos"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(info.name)
    names: set[str] = set()
    todo = [Refusal]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _refusal_classes() -> list[type[Refusal]]:
    _refusal_names()  # imports every module
    found, todo = [], [Refusal]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_code_has_its_text_in_both_languages() -> None:
    missing = sorted({c.code for c in _refusal_classes()} - set(CATALOGUE))
    assert not missing, f"codes without a catalogue text: {missing}"


def _raises(path: str) -> list[ast.Call]:
    tree = ast.parse((ROOT / path).read_text(), path)
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            calls.append(node.exc)
    return calls


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


@pytest.mark.parametrize("path", COUNTER)
def test_counter_refusals_come_from_the_catalogue(path: str) -> None:
    refusals = _refusal_names()
    ready_made = []
    for call in _raises(path):
        if _name(call) not in refusals or _name(call) in ADMIN:
            continue
        keys = [k for k in call.keywords if k.arg == "key"]
        if call.args or (not keys and not any(k.arg is None for k in call.keywords)):
            ready_made.append(f"{path}:{call.lineno} {_name(call)}")
            continue
        spread = any(k.arg is None for k in call.keywords)  # **values: checked when raised
        if keys and isinstance(keys[0].value, ast.Constant) and not spread:
            key = keys[0].value.value
            assert key in CATALOGUE, f"{path}:{call.lineno}: {key!r} is not in the catalogue"
            named = {k.arg for k in call.keywords if k.arg}
            needed = set(PLACEHOLDER.findall(CATALOGUE[key][0]))
            assert needed <= named, f"{path}:{call.lineno}: {key} needs {needed - named}"
    assert not ready_made, f"raised with a ready English message: {ready_made}"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_name_the_same_values(key: str) -> None:
    english, thai = CATALOGUE[key]
    fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (english, thai)]
    # Thai may leave out a value English names (a raw entry kind), never add one.
    assert fields[1] <= fields[0], key
    assert re.search("[\u0e00-\u0e7f]", thai), f"{key}: the Thai text is not Thai"
    assert not re.search("[\u0e00-\u0e7f]", english), f"{key}: the English text has Thai"


def _refused(job) -> Refusal:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as caught:
        job()
    return caught.value


@pytest.mark.parametrize(
    ("job", "thai"),
    [
        (lambda: normalize_phone("12345"), "ไม่ใช่เบอร์โทรศัพท์ที่ถูกต้อง"),
        (lambda: normalize_phone("08x"), "พิมพ์เฉพาะตัวเลข"),
        (lambda: parse_amount("-5"), "การคืนเงินคือการยกเลิกรายการ"),
        (lambda: parse_amount("1e3"), "ไม่ใช่ยอดเงิน"),
        (lambda: parse_amount("1.234"), "ทศนิยมเกินสองตำแหน่ง"),
        (lambda: parse_amount("9999999", max_minor=100_000_00), "เกินยอดขายสูงสุด"),
        (lambda: clean_text("", "reason", required=True), "ต้องระบุเหตุผล"),
        (lambda: clean_text("x" * 81, "name", required=False, limit=80), "ชื่อต้องไม่เกิน 80"),
        (lambda: clean_id("", "staff_id"), "รหัสพนักงาน"),
        (lambda: clean_code("ร้านป้าแดง", "store"), "รหัสร้าน 'ร้านป้าแดง' ใช้ไม่ได้"),
    ],
)
def test_a_refusal_reads_in_thai_with_what_was_typed(job, thai: str) -> None:  # type: ignore[no-untyped-def]
    error = _refused(job)
    text = error.text("th")
    assert thai in text
    assert not re.search(r"[A-Za-z]{4,}", text.replace("pos reverse", "")), text
    assert error.text("en") == error.message  # scripts and logs keep English


def test_a_ready_english_message_reads_in_thai_by_its_code() -> None:
    # A refusal built from a ready English message (an admin path): in Thai the
    # code's own text, never the English.
    error = NotReversible("Entry e1 cannot be reversed here.")
    assert error.text("en") == "Entry e1 cannot be reversed here."
    assert error.text("th") == say("not_reversible", "th", {}) or error.text("th").isascii()


def test_an_unknown_key_or_missing_value_never_raises() -> None:
    assert "nope" in InvalidPhone(key="nope", value="1").message
    assert "{value}" in InvalidPhone(key="invalid_phone").text("th")


def test_typed_text_in_a_refusal_stays_literal() -> None:
    # A value is put in once: braces or markup in what was typed (or in a name
    # from head office) are neither formatted again nor read as markup here.
    error = InvalidPhone(key="invalid_phone", value="{value}[/]{0}")
    assert "'{value}[/]{0}'" in error.text("th")
    assert "'{value}[/]{0}'" in error.message
