"""Hostile text on the till (issue 9, break 5): every string of the corpus in
``hostile.py`` goes through the CLI, head office and a pull, the ledger
replica (as an old or compromised head office would send it), the printers and
the counter app. Nothing crashes, no markup or control sequence acts: each
string is shown as text, with the characters a terminal or printer would act
on shown as visible escapes, or it is refused with a message naming it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg import Connection
from textual.widgets import DataTable, Input, OptionList

from config import Settings
from ledger.errors import InvalidInput
from ledger.replica import Replica
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.redeem_confirm import RedeemConfirm
from pos.output import json_text, visible
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.supervisor import SupervisorScreen
from printers import CouponSlip, SaleSlip, build_bytes, thai
from printers.blocks import Line
from printers.layout import sale_blocks
from printers.text import width
from tests.app.conftest import SIZE, screen_text, settle, submit, text_of, until
from tests.conftest import SUPERVISOR, FakeClock
from tests.printers.escpos_decode import _ESC_ARGS, _GS_ARGS, decode
from tests.printers.test_bytes import code_pages
from tests.reliability.hostile import CORPUS, Hostile
from tests.sync.conftest import wait_feed

POS = Path(sys.executable).parent / "pos"
ENROLLED_AT = "2026-01-15T03:00:00.000000Z"

# What a terminal or a printer acts on instead of showing: C0 (newline only as
# the end of an output line), DEL, C1, bidi controls, line/paragraph separators.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def phone(n: int) -> str:
    return f"0810{n:06d}"


def e164(n: int) -> str:
    return "+66" + phone(n)[1:]


def fragments(text: str) -> list[str]:
    """The runs of ``text`` that must show as they are (between unsafe characters)."""
    return [part for piece in text.split("\n") for part in UNSAFE.split(piece) if part.strip()]


def shows(output: str, text: str) -> bool:
    return all(part in output for part in fragments(text))


def member_change(n: int, name: str) -> dict[str, Any]:
    """A member as head office's pull carries it, the name unchecked."""
    return {
        "kind": "member",
        "member": {
            "member_id": str(uuid.uuid4()),
            "phone": e164(n),
            "name": name,
            "wallet_id": str(uuid.uuid4()),
            "consent_at": ENROLLED_AT,
            "enrolled_at": ENROLLED_AT,
            "terminal_id": "T9",
        },
    }


# -- the CLI ---------------------------------------------------------------------

# ``pos`` once per command costs a third of a second: the corpus goes through one
# process that runs the CLI's own entry point for each command, each command's
# output written to the real stdout/stderr pipes and closed with a marker line.
BATCH = """
import json, sys
from pos.cli import run
for argv in json.loads(sys.stdin.read()):
    status = run(argv)
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"\\n@@end {status}@@\\n")
        stream.flush()
"""
END = re.compile(r"\n@@end (-?\d+)@@\n")


@dataclass
class Call:
    status: int
    stdout: str
    stderr: str


class Till:
    """``pos`` against one ledger file, in the test's own dirs."""

    def __init__(self, home: Path) -> None:
        self.db = home / "till.db"
        self.env = {k: v for k, v in os.environ.items() if not k.upper().startswith("POS_")}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            self.env[var] = str(home / var.lower())
        self.env["POS_LOG_FILE"] = str(home / "pos.log")

    def pos(self, *args: str) -> Call:
        """One ``pos`` process, as a user runs it."""
        done = subprocess.run(
            [str(POS), *args, "--db", str(self.db)], capture_output=True, env=self.env, timeout=60
        )
        # Decoded strictly: bytes that are not UTF-8 fail the test too.
        call = Call(done.returncode, done.stdout.decode(), done.stderr.decode())
        assert "Traceback" not in call.stderr, call.stderr
        return call

    def batch(self, commands: list[tuple[str, ...]]) -> list[Call]:
        """Each command through ``pos.cli.run`` in one process (see BATCH)."""
        argvs = [[*args, "--db", str(self.db)] for args in commands]
        done = subprocess.run(
            [sys.executable, "-c", BATCH], input=json.dumps(argvs).encode(),
            capture_output=True, env=self.env, timeout=300,
        )  # fmt: skip
        stderr = done.stderr.decode()
        assert done.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
        out, err = END.split(done.stdout.decode()), END.split(stderr)
        assert len(out) == len(err) == 2 * len(argvs) + 1, "one marker per command"
        return [Call(int(out[2 * i + 1]), out[2 * i], err[2 * i]) for i in range(len(argvs))]


def check_text_output(call: Call, h: Hostile) -> None:
    for line in (call.stdout + call.stderr).splitlines():
        assert not UNSAFE.search(line), f"{h.label}: raw control character in {line!r}"


def check_enroll(call: Call, h: Hostile) -> None:
    check_text_output(call, h)
    if h.cli == "accepted":
        assert call.status == 0, (h.label, call.stderr)
    else:
        assert call.status == 1, (h.label, call.status, call.stdout, call.stderr)
        assert "name must be at most 80 printable characters" in call.stderr, h.label


def check_show(text: Call, data: Call, h: Hostile, name: str, baseline: int) -> None:
    assert text.status == 0 and data.status == 0, (h.label, text.stderr, data.stderr)
    check_text_output(text, h)
    lines = text.stdout.splitlines()
    assert len(lines) == baseline, f"{h.label}: the name made lines of its own: {lines}"
    assert shows(lines[0], name), f"{h.label}: {lines[0]!r}"
    # JSON: the exact name, escaped so that the terminal sees no control character.
    assert not UNSAFE.search(data.stdout.rstrip("\n")), f"{h.label}: {data.stdout!r}"
    assert json.loads(data.stdout)["name"] == name, h.label


# The corpus strings that also go through a ``pos`` process of their own each.
SAMPLE = ("click quit", "clear screen", "esc p drawer kick", "c1 csi", "nul inside")


@pytest.mark.slow
def test_cli_enrolls_or_refuses_each_name_and_member_show_writes_no_control_characters(
    tmp_path: Path, settings: Settings
) -> None:
    till = Till(tmp_path)
    assert till.pos("init", "--store", "S1", "--terminal", "T1").status == 0

    # Enroll every name a command line can carry (NUL cannot be an argument).
    typed = [(n, h) for n, h in enumerate(CORPUS) if h.argv_ok]
    enrolls = till.batch([("member", "enroll", phone(n), f"--name={h.text}") for n, h in typed])
    for (_, h), call in zip(typed, enrolls, strict=True):
        check_enroll(call, h)
    accepted = {n for n, h in typed if h.cli == "accepted"}
    with sqlite3.connect(till.db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM members").fetchone()
    assert count == len(accepted), "a refused enroll changed nothing"

    # What the CLI refused arrives from head office instead (unchecked there).
    book = Ledger.open(till.db, settings)
    try:
        rest = [member_change(n, h.text) for n, h in enumerate(CORPUS) if n not in accepted]
        Replica(book).apply(rest)
    finally:
        book.close()

    baseline = len(till.pos("member", "show", phone(0)).stdout.splitlines())
    shown = till.batch([("member", "show", phone(n)) for n in range(len(CORPUS))])
    as_json = till.batch([("member", "show", phone(n), "--json") for n in range(len(CORPUS))])
    for n, h in enumerate(CORPUS):
        name = h.text.strip() if n in accepted else h.text
        check_show(shown[n], as_json[n], h, name, baseline)

    # A few through ``pos`` processes of their own, enroll included.
    sample = [(n, h) for n, h in enumerate(CORPUS) if h.label in SAMPLE]
    assert len(sample) == len(SAMPLE)
    for n, h in sample:
        if h.argv_ok:
            check_enroll(till.pos("member", "enroll", phone(n), f"--name={h.text}"), h)
        name = h.text.strip() if n in accepted else h.text
        text, data = (
            till.pos("member", "show", phone(n)),
            till.pos("member", "show", phone(n), "--json"),
        )
        check_show(text, data, h, name, baseline)


def test_cli_names_the_wrong_ref_and_writes_no_control_character(tmp_path: Path) -> None:
    """A refusal quoting what was typed must not replay it to the terminal either."""
    till = Till(tmp_path)
    till.pos("init", "--store", "S1", "--terminal", "T1")
    till.pos("member", "enroll", phone(1))
    call = till.pos("earn", phone(1), "100", "--ref", "\x1b]0;owned\x07\x1b[2J")
    assert call.status != 0
    assert "ref" in call.stderr.lower()
    assert not UNSAFE.search(call.stderr.rstrip("\n")), call.stderr
    call = till.pos("member", "show", "\x1b[2J\u202e0812345678")
    assert call.status != 0
    assert not UNSAFE.search(call.stderr.rstrip("\n")), call.stderr


def test_text_and_json_output_escape_what_a_terminal_acts_on() -> None:
    """The two functions every CLI line goes through, on what the corpus cannot
    carry: a lone surrogate (JSON may hold one; stdout cannot encode it)."""
    hostile = "a\ud800b\x1b[2J\x9b\u202e\u2028\x7f"
    shown = visible(hostile)
    assert shown == "a\\ud800b\\x1b[2J\\x9b\\u202e\\u2028\\x7f"
    assert shown.encode("utf-8")
    text = json_text({"name": hostile, "thai": "ก้", "emoji": "👨\u200d👩"})
    assert not UNSAFE.search(text)
    text.encode("utf-8")  # no lone surrogate left to fail the write
    assert json.loads(text) == {"name": hostile, "thai": "ก้", "emoji": "👨\u200d👩"}
    assert "ก้" in text and "\u200d" in text, "printable text stays as it is"


# -- printing ----------------------------------------------------------------------

BANGKOK = timezone(timedelta(hours=7))
ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D


def commands(data: bytes) -> list[bytes]:
    """Every command in an ESC/POS stream, and any stray control byte, in order
    (text and the payloads of images and QR codes skipped by their lengths)."""
    found: list[bytes] = []
    i = 0
    while i < len(data):
        b = data[i]
        if b in (LF, CR) or b >= 0x20:
            i += 1
        elif b == ESC:
            cmd = data[i + 1]
            n = {ord("@"): 0, ord("t"): 1, ord("d"): 1}.get(cmd, _ESC_ARGS.get(cmd))
            assert n is not None, f"unknown ESC {data[i : i + 4]!r}"
            found.append(data[i : i + 2])
            i += 2 + n
        elif b == GS:
            cmd = data[i + 1]
            if cmd == ord("V"):
                n = 1 if data[i + 2] in (0, 1, 48, 49) else 2
            elif cmd == ord("v"):  # GS v 0 m xL xH yL yH data
                n = 6 + (data[i + 4] + 256 * data[i + 5]) * (data[i + 6] + 256 * data[i + 7])
            elif cmd == ord("("):
                n = 3 + data[i + 3] + 256 * data[i + 4]
            else:
                n = _GS_ARGS[cmd]
            found.append(data[i : i + 2])
            i += 2 + n
        else:
            found.append(data[i : i + 1])  # DLE or any other control byte
            i += 1
    return found


def sale(text: str) -> SaleSlip:
    return SaleSlip(
        store_name=text, branch=text, created_at=datetime(2026, 1, 15, 10, 3, tzinfo=BANGKOK),
        terminal_id="T1", cashier=text, masked_phone="08x-xxx-5678", member_name=text,
        sale_ref=text, amount_minor=125_050, currency="THB", points=62, rules=(text,),
        balance=1234, tier=text, next_expiry_points=120, next_expiry_date=date(2026, 6, 30),
        member_url=None, language="en",
    )  # fmt: skip


def coupon(text: str) -> CouponSlip:
    return CouponSlip(
        store_name=text, reward_name_th=text, reward_name_en=text, value_text=text,
        code="K7QM-2XPA", payload="LP1.K7QM2XPA.20260630.c2ln", valid_until=date(2026, 6, 30),
        terms=text, language="th",
    )  # fmt: skip


@pytest.mark.parametrize("profile", ["TM-P80", "TM-T88V"])  # with and without CP874
def test_no_string_reaches_the_printer_as_a_command(profile: str) -> None:
    columns, pages = 42, code_pages(profile)
    # Thai without CP874 is drawn with a Thai font (fonts-thai-tlwg), if installed here.
    raster_thai = (
        "cp874" in pages.values() or thai.find_font(None, need_thai=False).thai is not None
    )
    for h in CORPUS:
        # The very long strings in one field each: a slip is not a novel.
        slips: list[SaleSlip | CouponSlip] = [sale(h.text), coupon(h.text)]
        if len(h.text) > 1000:
            slips = [replace(sale("Somchai"), member_name=h.text)]
        if not raster_thai:
            slips = [s for s in slips if isinstance(s, SaleSlip) and not thai.has_thai(h.text)]
        for slip in slips:
            data = build_bytes(slip, profile, columns)
            found = commands(data)
            assert b"\x1bp" not in found, f"{h.label}: a cash-drawer kick"
            assert found[0] == b"\x1b@" and found.count(b"\x1b@") == 1, h.label
            assert found[-1] == b"\x1dV" and found.count(b"\x1dV") == 1, h.label
            stray = [c for c in found if len(c) == 1]
            assert not stray, f"{h.label}: control bytes {stray!r} on the wire"
            decode(data, pages)  # a strict printer reads it through


def test_a_drawer_kick_in_a_name_prints_the_name_around_it() -> None:
    slip = replace(sale("Somchai"), member_name="Somchai \x1bp0\x19 Jaidee")
    data = build_bytes(slip, "TM-P80", 42)
    assert b"\x1bp" not in commands(data)
    text = decode(data, code_pages("TM-P80")).text
    assert "Somchai" in text and "Jaidee" in text


def test_a_name_of_any_length_takes_two_lines_of_the_slip() -> None:
    for name in ("A" * 10_000, "ก้" * 5_000, "Supercalifragilistic" * 20):
        blocks = sale_blocks(replace(sale("Somchai"), member_name=name), 32)
        lines = [b.text for b in blocks if isinstance(b, Line) and b.align == "right"]
        assert len(lines) == 2 and lines[1].endswith("..."), lines
        assert all(width(line) <= 32 for line in lines)
    blocks = sale_blocks(replace(sale("Somchai"), member_name="Somchai Jaidee"), 32)
    assert [b.text for b in blocks if isinstance(b, Line) and b.align == "right"] == [
        "Somchai Jaidee"
    ]


# -- head office and the pull ----------------------------------------------------------


async def test_head_office_refuses_control_characters_and_passes_the_rest_on_as_data(
    client: httpx.AsyncClient, make_terminal: Any, db: Connection[Any], ledger: Ledger
) -> None:
    t1, t2 = make_terminal("S1", "T1"), make_terminal("S2", "T2")
    for n, h in enumerate(CORPUS):
        member = t1.member(e164(n), name=h.text)
        reply = await client.post("/v1/push", json={"members": [member]}, headers=t1.auth)
        expected = 422 if h.hq == "refused" else 200
        assert reply.status_code == expected, (h.label, reply.status_code, reply.text[:300])
        if expected == 422:
            assert "name" in reply.text, (h.label, reply.text[:300])
    wait_feed(db)
    reply = await client.get("/v1/pull", headers=t2.auth, params={"limit": 1000})
    assert reply.status_code == 200
    changes = reply.json()["changes"]
    names = {c["member"]["name"] for c in changes if c["kind"] == "member"}
    assert names == {h.text for h in CORPUS if h.hq == "accepted"}, "exactly, byte for byte"
    Replica(ledger).apply(changes)  # and another till takes them in
    for n, h in enumerate(CORPUS):
        if h.hq == "accepted":
            assert ledger.member(phone(n)).name == h.text


# -- the counter app (Pilot) -----------------------------------------------------------


WAIT = 30.0  # seconds for a screen to come: sales print in a worker, on a busy CI machine


@pytest.fixture
def tz_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def hostile_settings(settings: Settings) -> Settings:
    """Reward names from head office's rules, hostile too."""
    rewards = [
        r.model_copy(
            update={
                "name_en": f"[@click=app.quit]{r.name_en}[/]",
                "name_th": f"[@click=app.quit]{r.name_th}[/]\x1b[2J",
            }
        )
        for r in settings.rewards
    ]
    return settings.model_copy(update={"rewards": rewards})


@pytest.mark.slow
async def test_app_shows_every_name_ref_and_notice_as_text(
    settings: Settings, ledger: Ledger, clock: FakeClock, tz_utc: None
) -> None:
    Replica(ledger).apply([member_change(n, h.text) for n, h in enumerate(CORPUS)])
    ledger.earn(phone(1), "25000", "BIG-1", "cash1")  # enough to see every reward
    ledger.add_staff("[/]", "cashier", "1357", "[@click=app.quit]x[/]")

    app: PosApp = make_app(hostile_settings(settings), ledger, clock=clock)
    ran: list[str] = []
    for action in ("quit", "bell"):
        setattr(app, f"action_{action}", lambda action=action: ran.append(action))

    sales: list[str] = []  # each sale's typed ref ("": the screen made one)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query("#staff"), WAIT, "login")
        await submit(pilot, "#staff", "[/]")  # a staff id that is markup: the status bar
        await submit(pilot, "#pin", "1357")
        await until(pilot, lambda: isinstance(app.screen, LookupScreen), WAIT, "lookup")

        for n, h in enumerate(CORPUS):
            await submit(pilot, "#phone", phone(n))
            await until(pilot, lambda: isinstance(app.screen, MemberScreen), WAIT, h.label)
            card = app.screen
            name = text_of(card.query_one("#card-name"))
            assert not UNSAFE.search(name), f"{h.label}: {name!r}"
            assert shows(name, h.text), f"{h.label}: {name[:200]!r}"
            on_screen = screen_text(app)
            assert not UNSAFE.search(on_screen), h.label
            assert app.tr("card.balance") in on_screen, f"{h.label}: the name hides the balance"
            if "@click" in h.text:
                await pilot.click("#card-name")
            if len(h.text) <= 100:
                # A sale (the string as its ref too, where a ref may hold it): the
                # line back on the lookup screen names the member.
                ref = h.text if h.text.isprintable() and len(h.text) <= 64 else ""
                card.query_one("#ref", Input).value = ref
                sales.append(ref)
                await submit(pilot, "#amount", "50")
                await until(
                    pilot,
                    lambda: isinstance(app.screen, LookupScreen),
                    timeout=WAIT,
                    what=f"{h.label}: {text_of(card.query_one('#card-message'))}",
                )
                line = text_of(app.screen.query_one("#lookup-message"))
                assert shows(line, h.text) and not UNSAFE.search(line), f"{h.label}: {line!r}"
            else:
                card.action_back()  # type: ignore[attr-defined]
                await until(pilot, lambda: isinstance(app.screen, LookupScreen), WAIT, h.label)

        # Rewards named by head office, on the redeem screen.
        await submit(pilot, "#phone", phone(1))
        await until(pilot, lambda: isinstance(app.screen, MemberScreen), WAIT, "rich card")
        app.screen.action_redeem()  # type: ignore[attr-defined]
        await until(pilot, lambda: isinstance(app.screen, RedeemScreen), WAIT, "redeem")
        options = app.screen.query_one("#rewards", OptionList)
        assert options.option_count > 0
        prompt = str(options.get_option_at_index(0).prompt)
        assert "[@click=app.quit]" in prompt and not UNSAFE.search(prompt), prompt
        # A click (where markup would act) chooses the first reward: a 100-point coupon.
        await pilot.click("#rewards", offset=(30, 1))
        await until(pilot, lambda: isinstance(app.screen, RedeemConfirm), WAIT, "confirmation")
        assert "[@click=app.quit]" in screen_text(app) and not UNSAFE.search(screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CouponDialog), WAIT, "coupon")
        reward = text_of(app.screen.query_one("#coupon-reward"))
        assert "[@click=app.quit]" in reward and not UNSAFE.search(reward), reward
        await pilot.click("#coupon-reward")
        assert not UNSAFE.search(screen_text(app))
        app.screen.action_close()  # type: ignore[attr-defined]
        await until(pilot, lambda: isinstance(app.screen, LookupScreen), WAIT, "back")

        # Refs and staff ids in the supervisor's table.
        app.push_screen(SupervisorScreen(SUPERVISOR))
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen), WAIT, "supervisor")
        table = app.screen.query_one("#entries", DataTable)
        cells = "\n".join(str(c) for row in range(table.row_count) for c in table.get_row_at(row))
        shown = [ref for ref in sales[-50:] if ref]  # the table shows the latest 50
        assert len(shown) >= 15
        for ref in shown:
            assert shows(cells, ref), ref
        assert not UNSAFE.search(screen_text(app))

        # Refusals and head office's conflict notices as toasts.
        app.refuse(InvalidInput("[/] [@click=app.quit]x[/] \x1b[2J \u202eevil"))
        app._synced(False, "[bold \x9b2J", ["[/]\x1bp0 notice", "[@click=app.quit]q[/]"])
        await settle(pilot)
        assert not UNSAFE.search(screen_text(app))
        assert app.is_running

    assert ran == [], f"markup ran actions: {ran}"
    assert app.return_code in (None, 0)
