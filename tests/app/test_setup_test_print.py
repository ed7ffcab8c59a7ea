"""The setup wizard's test print (F2 on the printer step): the test page of
``pos print test`` goes to the printer typed, at the width typed, before
anything is saved, and the wizard says what came of it in the cashier's
language. Real sockets on 127.0.0.1: a fake ESC/POS printer answering the
real-time status requests, a closed port, and a host that never answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.i18n import Translator
from pos.screens.setup import SetupScreen
from pos.test_print import CONNECT_S, print_test_page
from tests.app.conftest import SIZE, message, on, screen_text, settle, until
from tests.conftest import FakeClock
from tests.printers.test_status import StatusPrinter


@pytest.fixture
def printer() -> Iterator[StatusPrinter]:
    fake = StatusPrinter()
    yield fake
    fake.close()


@pytest.fixture
def wizard(settings: Settings, empty_ledger: Ledger, clock: FakeClock) -> PosApp:
    """A till whose setup stopped at the printer step (ids and language done)."""
    empty_ledger.init("S1", "T1")
    empty_ledger.set_pref("setup_step", "3")
    return make_app(settings, empty_ledger, clock=clock)


async def try_print(pilot: Pilot[None], url: str, paper: str = "80", language: str = "en") -> str:
    """Type the printer and the width, press F2, and return what the wizard says."""
    app = pilot.app
    app.language = language  # type: ignore[attr-defined]
    app.screen.query_one("#printer", Input).value = url
    app.screen.query_one("#paper", Input).value = paper
    await pilot.press("f2")
    busy = Translator(language)("test_print.busy", where=url)
    await until(pilot, lambda: message(app, "#setup-message") not in ("", busy),  # type: ignore[arg-type]
                timeout=CONNECT_S + 5, what="the test print's outcome")  # fmt: skip
    return message(app, "#setup-message")  # type: ignore[arg-type]


async def start(pilot: Pilot[None]) -> None:
    await until(pilot, lambda: on(pilot.app, SetupScreen), what="the setup wizard")  # type: ignore[arg-type]


def footer(app: PosApp) -> str:
    """The key bar, the screen's last line (lower case: how keys are drawn is the app's)."""
    return screen_text(app).splitlines()[-1].lower()


def setup_step(app: PosApp) -> int:
    screen = app.screen
    assert isinstance(screen, SetupScreen)
    return screen.step


def nothing_saved(ledger: Ledger) -> bool:
    return ledger.pref("printer_url") is None and ledger.pref("paper_mm") is None


@pytest.mark.parametrize("language", ["en", "th"])
async def test_a_printer_out_of_paper_is_said_and_gets_nothing(
    wizard: PosApp, empty_ledger: Ledger, printer: StatusPrinter, language: str
) -> None:
    printer.mode = "paper_out"
    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        await try_print(pilot, printer.url, language=language)
        said = message(wizard, "#setup-message")
        tr = Translator(language)
        assert said == tr("test_print.paper_out")
        assert ("out of paper" if language == "en" else "กระดาษหมด") in said
        assert wizard.screen.query_one("#setup-message").has_class("-error")
        assert printer.wait_slips(1, timeout=0.3) == []  # nothing sent into the fault
        assert nothing_saved(empty_ledger)
        assert setup_step(wizard) == 3  # still choosing the printer

        printer.mode = "online"  # a roll loaded: F2 again prints
        await try_print(pilot, printer.url, language=language)
        assert message(wizard, "#setup-message") == tr("test_print.printed",
                                                       where=printer.url[6:])  # fmt: skip
        assert len(printer.wait_slips(1)) == 1
        assert nothing_saved(empty_ledger)


async def test_the_page_is_the_test_page_at_the_width_typed(
    wizard: PosApp, empty_ledger: Ledger, printer: StatusPrinter
) -> None:
    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        await try_print(pilot, printer.url, paper="58")
        assert "Test page printed on 127.0.0.1:" in message(wizard, "#setup-message")
        (page,) = printer.wait_slips(1)
        assert b"PRINTER TEST" in page and b"TM-T88V" in page  # the profile
        assert b"Code pages: " in page
        assert b"\n" + b"-" * 32 + b"\n" in page and b"-" * 33 not in page  # 58 mm: 32 columns
        assert b"\x1dv0" in page  # the Thai line, drawn (TM-T88V has no Thai code page)
        assert b"\x1d(k" in page and b"LOYALTY-POS-TEST" in page  # the QR
        assert b"\x1dV" in page[-8:]  # whole, down to the cut
        assert nothing_saved(empty_ledger)

        # Enter then saves what was tested, and the wizard moves on
        await pilot.press("enter")
        await until(pilot, lambda: setup_step(wizard) == 4, what="step 4")
        assert empty_ledger.pref("printer_url") == printer.url
        assert empty_ledger.pref("paper_mm") == "58"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_closed_port_is_unreachable_at_once(wizard: PosApp, empty_ledger: Ledger) -> None:
    url = f"tcp://127.0.0.1:{closed_port()}"
    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        started = time.monotonic()
        await try_print(pilot, url)
        assert time.monotonic() - started < 2
        said = message(wizard, "#setup-message")
        assert said.startswith("Test page not printed: no printer answers at 127.0.0.1:")
        assert "printed on" not in said
        assert wizard.screen.query_one("#setup-message").has_class("-error")
        assert nothing_saved(empty_ledger)

        await pilot.press("f5")  # the outcome is said again in Thai
        await until(pilot, lambda: "ไม่มีเครื่องพิมพ์ตอบ" in message(wizard, "#setup-message"))


@pytest.fixture
def dead_host() -> Iterator[str]:
    """An address where nothing answers a connect, as a switched-off printer:
    a listening socket whose one-place queue is already full drops new SYNs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    filler = socket.create_connection(server.getsockname(), timeout=1)
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        filler.close()
        server.close()


async def test_a_dead_host_answers_within_seconds_and_the_wizard_stays_usable(
    wizard: PosApp, empty_ledger: Ledger, dead_host: str
) -> None:
    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        wizard.language = "en"
        field = wizard.screen.query_one("#printer", Input)
        field.value = dead_host
        started = time.monotonic()
        await pilot.press("f2")
        await until(pilot, lambda: "Printing the test page" in message(wizard, "#setup-message"))
        await pilot.press("f5")  # the app answers keys while the worker waits
        await until(pilot, lambda: wizard.language == "th", what="F5 while printing")
        assert "no printer" not in message(wizard, "#setup-message")
        await until(pilot, lambda: "ไม่มีเครื่องพิมพ์ตอบ" in message(wizard, "#setup-message"),
                    timeout=CONNECT_S + 5, what="unreachable")  # fmt: skip
        assert CONNECT_S - 0.5 < time.monotonic() - started < CONNECT_S + 3
        assert nothing_saved(empty_ledger)


async def test_preview_saves_a_picture_and_shows_where(
    wizard: PosApp, empty_ledger: Ledger, settings: Settings
) -> None:
    from printers.connect import default_spool_dir

    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        await try_print(pilot, "preview")
        said = message(wizard, "#setup-message")
        assert said.startswith("Preview: the test page is saved as a picture:")
        shown = said.split("picture:", 1)[1].replace("\n", "").strip()
        picture = Path(shown)
        assert picture.parent == (settings.printer.spool_dir or default_spool_dir())
        assert picture.suffix == ".png" and picture.stat().st_size > 0
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert picture.with_suffix(".bin").read_bytes().startswith(b"\x1b@")
        assert not wizard.screen.query_one("#setup-message").has_class("-error")
        assert nothing_saved(empty_ledger)
        for line in said.splitlines():  # every line of the path on screen, none cut
            assert line.strip() in screen_text(wizard)


async def test_f2_checks_the_fields_first_and_belongs_to_the_printer_step(
    wizard: PosApp, empty_ledger: Ledger
) -> None:
    async with wizard.run_test(size=SIZE) as pilot:
        await start(pilot)
        wizard.language = "en"
        await settle(pilot)
        assert "f2 test print" in footer(wizard)
        screen = wizard.screen
        screen.query_one("#printer", Input).value = "fax://10.0.0.9"
        await pilot.press("f2")
        await settle(pilot)
        assert "is not a printer address" in message(wizard, "#setup-message")
        screen.query_one("#printer", Input).value = "preview"
        screen.query_one("#paper", Input).value = "60"
        await pilot.press("f2")
        await settle(pilot)
        assert "58 or 80" in message(wizard, "#setup-message")
        assert nothing_saved(empty_ledger)

        await pilot.press("escape")  # step 2: no test print there
        await until(pilot, lambda: setup_step(wizard) == 2, what="step 2")
        assert "f2" not in footer(wizard) and "test print" not in footer(wizard)
        await pilot.press("f2")
        await settle(pilot)
        assert message(wizard, "#setup-message") == ""


# -- the shared test page without the wizard ------------------------------------


def test_a_printer_that_cannot_say_is_sent_to_never_called_printed(
    settings: Settings, tmp_path: Path
) -> None:
    """A file device (like a CUPS queue) takes the page but cannot report its
    status: "sent, check the paper", not "printed"."""
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    cfg = settings.printer.model_copy(update={"url": f"file://{device}", "paper_mm": 58})
    result = print_test_page(cfg, "ร้านทดสอบ", "th")
    assert result.reason == "sent" and result.printed
    assert b"\x1d(k" in device.read_bytes()  # the QR went out
    said = result.text(Translator("en"))
    assert said.startswith(f"Test page sent to {device}") and "printed" not in said


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_missing_device_is_not_found(settings: Settings, tmp_path: Path, language: str) -> None:
    missing = tmp_path / "unplugged" / "lp0"
    cfg = settings.printer.model_copy(update={"url": f"file://{missing}"})
    result = print_test_page(cfg, "Shop", language)
    assert result.reason == "not_found" and not result.printed
    tr = Translator(language)
    assert result.text(tr) == tr("test_print.not_found", where=str(missing))


def test_paper_running_out_during_the_page_is_not_called_printed(
    settings: Settings, printer: StatusPrinter
) -> None:
    printer.then = "paper_out"
    cfg = settings.printer.model_copy(update={"url": printer.url})
    result = print_test_page(cfg, "Shop", "en")
    assert result.reason == "stopped" and not result.printed
    assert len(printer.wait_slips(1)) == 1  # it went out, maybe half of it
    assert result.text(Translator("en")) == (
        "The printer stopped during the test page (out of paper): check what came out."
    )
    assert "กระดาษหมด" in result.text(Translator("th"))
