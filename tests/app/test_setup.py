"""The first-run setup wizard: each step checked, Esc goes back, an
interrupted setup resumes where it stopped."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList

from config import Settings
from ledger.service import Ledger
from pos.app import PosApp, make_app
from pos.screens.login import LoginScreen
from pos.screens.setup import SetupScreen
from pos.widgets.text import Tr
from tests.app.conftest import (
    SIZE,
    has_focus,
    message,
    on,
    screen_text,
    submit,
    text_of,
    until,
)
from tests.conftest import FakeClock

# -- first start: the setup wizard -------------------------------------------


def step_title(app: PosApp) -> str:
    return text_of(app.screen.query_one("#setup-title", Tr))


def is_step(app: PosApp, n: int) -> bool:
    title = step_title(app)
    return f"step {n} of 4" in title or f"ขั้นที่ {n} จาก 4" in title


async def test_setup_wizard_validates_each_step_and_finishes(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        assert is_step(app, 1)
        await has_focus(pilot, lambda: app.screen.query_one("#store"))

        # step 1: an empty store id is refused, the wizard stays on step 1
        app.language = "en"  # the English message here; the Thai one in the tests below
        await submit(pilot, "#store", "")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: message(app, "#setup-message"), what="error")
        assert "store id" in message(app, "#setup-message")
        assert app.screen.query_one("#setup-message").has_class("-error")
        assert is_step(app, 1)
        assert not empty_ledger.is_initialized()

        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2), what="step 2")
        assert empty_ledger.terminal() == ("S1", "T1")
        assert message(app, "#setup-message") == ""

        # step 2: language (English, the second option)
        languages = app.screen.query_one("#language", OptionList)
        await has_focus(pilot, lambda: languages)
        languages.highlighted = 1
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3), what="step 3")
        assert app.language == "en"
        assert empty_ledger.pref("language") == "en"
        assert "step 3 of 4" in step_title(app)

        # step 3: printer: what is not a printer address is refused (a network
        # printer is accepted: test_setup_saves_a_network_printer)
        assert "TEST PRINT" in text_of(app.screen.query_one("#test-print"))
        await submit(pilot, "#printer", "fax://10.0.0.9")
        assert "preview" in message(app, "#setup-message")
        assert is_step(app, 3)
        assert empty_ledger.pref("printer_url") is None
        await submit(pilot, "#printer", "preview")
        await until(pilot, lambda: is_step(app, 4), what="step 4")
        assert empty_ledger.pref("printer_url") == "preview"

        # step 4: the PINs must match ...
        app.screen.query_one("#sup-id", Input).value = "boss"
        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2469")
        assert "differ" in message(app, "#setup-message")
        assert not empty_ledger.setup_complete()
        # ... and not be trivial
        app.screen.query_one("#sup-pin", Input).value = "1234"
        await submit(pilot, "#sup-pin2", "1234")
        await until(pilot, lambda: "1234" in message(app, "#setup-message"), what="weak PIN")
        assert is_step(app, 4)
        assert not empty_ledger.setup_complete()

        app.screen.query_one("#sup-pin", Input).value = "2468"
        await submit(pilot, "#sup-pin2", "2468")
        await until(pilot, lambda: on(app, LoginScreen), what="login after setup")
        assert empty_ledger.setup_complete()
        assert empty_ledger.staff("boss").role == "supervisor"
        assert empty_ledger.authenticate("boss", "2468").staff_id == "boss"
        assert empty_ledger.pref("setup_step") == "done"
        assert "Staff login" in screen_text(app)


async def test_setup_escape_goes_back_a_step(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        await pilot.press("escape")
        await until(pilot, lambda: is_step(app, 1))
        assert app.screen.query_one("#store", Input).value == "S1"


async def test_interrupted_setup_resumes_where_it_stopped(
    settings: Settings, db_path: Path, clock: FakeClock
) -> None:
    first = Ledger.open(db_path, settings, clock=clock)
    app = make_app(settings, first, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, "#store", "S1")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        app.screen.query_one("#language", OptionList).highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: is_step(app, 3))
        await pilot.press("ctrl+q")
    first.close()

    again = Ledger.open(db_path, settings, clock=clock)
    try:
        assert not again.setup_complete()
        app = make_app(settings, again, clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: on(app, SetupScreen))
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            assert screen.step >= 2
            assert not is_step(app, 1)
            assert screen.query_one("#store", Input).value == "S1"
            assert app.language == "th"  # chosen at step 2, remembered
    finally:
        again.close()


# -- step 1: ids are codes with an example, the shop's name its own field ------


async def test_setup_refuses_a_shop_name_as_an_id_with_an_example(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        # Thai (the default): the shop's name typed as the store id
        await submit(pilot, "#store", "ร้านกาแฟ บ้านสวน")
        await submit(pilot, "#store-name", "ร้านกาแฟ บ้านสวน")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: message(app, "#setup-message"), what="error")
        text = message(app, "#setup-message")
        assert "รหัสร้าน" in text and "BKK01" in text and "ชื่อร้าน" in text
        await has_focus(pilot, lambda: app.screen.query_one("#store"))
        assert is_step(app, 1)
        assert not empty_ledger.is_initialized()

        # English: a terminal id with a space
        app.language = "en"
        await submit(pilot, "#store", "BKK01")
        await submit(pilot, "#store-name", "Baan Suan Coffee")
        await submit(pilot, "#terminal", "till 1")
        await until(pilot, lambda: "e.g. T1" in message(app, "#setup-message"), what="example")
        assert "'till 1' is not a code" in message(app, "#setup-message")
        await has_focus(pilot, lambda: app.screen.query_one("#terminal"))
        assert app.screen.query_one("#store-name", Input).value == "Baan Suan Coffee"
        assert not empty_ledger.is_initialized()

        # the shop's name is checked too, and kept as the slip's preference
        await submit(pilot, "#store-name", "x" * 49)
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: "shop's name" in message(app, "#setup-message"))
        await has_focus(pilot, lambda: app.screen.query_one("#store-name"))
        await submit(pilot, "#store-name", "Baan Suan Coffee")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2), what="step 2")
        assert empty_ledger.terminal() == ("BKK01", "T1")
        assert empty_ledger.pref("store_name") == "Baan Suan Coffee"


async def test_setup_back_to_step_1_changes_the_ids(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        await submit(pilot, "#store", "BKK1")
        await submit(pilot, "#store-name", "Baan Kafe")
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2))
        await pilot.press("escape")
        await until(pilot, lambda: is_step(app, 1))
        await submit(pilot, "#store", "BKK01")
        await submit(pilot, "#store-name", "Baan Kafe Sukhumvit")
        await submit(pilot, "#terminal", "T2")
        await until(pilot, lambda: is_step(app, 2), what="step 2 with the new ids")
        assert message(app, "#setup-message") == ""
        assert empty_ledger.terminal() == ("BKK01", "T2")
        assert empty_ledger.pref("store_name") == "Baan Kafe Sukhumvit"


async def test_setup_ids_are_fixed_after_a_sale(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    # Set up halfway (step 2), then a sale recorded from the command line.
    empty_ledger.init("BKK1", "T1")
    empty_ledger.set_pref("setup_step", "2")
    empty_ledger.add_staff("cash1", "cashier", "1357")
    empty_ledger.enroll("0812345678", consent=True)
    empty_ledger.earn("0812345678", "100", "BILL-1", "cash1")
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        assert is_step(app, 2)
        await pilot.press("escape")
        await until(pilot, lambda: is_step(app, 1))
        await submit(pilot, "#store-name", "Baan Kafe")
        await submit(pilot, "#terminal", "T2")
        await until(pilot, lambda: message(app, "#setup-message"), what="refusal")
        text = message(app, "#setup-message")
        assert "BKK1 / T1" in text and "มีรายการบันทึกไว้แล้ว" in text
        assert app.screen.query_one("#terminal", Input).value == "T1"  # put back
        assert is_step(app, 1)
        assert empty_ledger.terminal() == ("BKK1", "T1")
        # the same ids go on (the name can still be changed)
        await submit(pilot, "#terminal", "T1")
        await until(pilot, lambda: is_step(app, 2), what="step 2")
        assert empty_ledger.pref("store_name") == "Baan Kafe"


# -- step 3: every printer printers/ opens, paper width, the preview folder ----


async def test_setup_saves_a_network_printer_and_shows_the_preview_folder(
    settings: Settings, empty_ledger: Ledger, clock: FakeClock
) -> None:
    from printers.connect import default_spool_dir

    empty_ledger.init("S1", "T1")
    empty_ledger.set_pref("setup_step", "3")
    app = make_app(settings, empty_ledger, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on(app, SetupScreen))
        assert is_step(app, 3)
        app.language = "en"
        note = text_of(app.screen.query_one("#step-3 .hint"))
        assert "tcp://" in note and "usb://" in note and "serial://" in note
        assert "cups://" in note and "preview" in note
        assert "next version" not in screen_text(app)
        folder = str(settings.printer.spool_dir or default_spool_dir())
        shown = text_of(app.screen.query_one("#preview-dir"))
        assert "Preview slips are saved in" in shown
        assert shown.split("saved in", 1)[1].replace("\n", "").strip() == folder

        # a paper width that is neither 58 nor 80 mm: refused, focus on it
        app.screen.query_one("#paper", Input).value = "60"
        await submit(pilot, "#printer", "tcp://192.168.1.50:9100")
        assert "58 or 80" in message(app, "#setup-message")
        await has_focus(pilot, lambda: app.screen.query_one("#paper"))
        assert empty_ledger.pref("printer_url") is None

        await submit(pilot, "#paper", "58")
        await until(pilot, lambda: is_step(app, 4), what="step 4")
        assert empty_ledger.pref("printer_url") == "tcp://192.168.1.50:9100"
        assert empty_ledger.pref("paper_mm") == "58"
