"""First-run setup wizard: store and terminal, language, printer, first
supervisor. Each step is checked before the next, Esc goes back, and the
step reached is saved, so an interrupted setup resumes where it stopped.

The ids stay editable until the first entry or the join (the ledger refuses
after, ``Ledger.change_ids``); the shop's name, the printer and the paper width
are terminal preferences (``store_name``, ``printer_url``, ``paper_mm``).

The printer step prints a test page (F2) on the printer typed, at the width
typed, before anything is saved, and says what came of it: printed, saved as a
picture (preview, with its path), or the printer's fault (``pos.test_print``,
the same page as ``pos print test``)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Input, OptionList
from textual.widgets.option_list import Option

from config import APP_NAME
from config.refusal import Refusal
from config.settings import PrinterSettings
from ledger.errors import InvalidInput, NotPermitted, WeakPin
from pos.screens.base import PosScreen, call_ledger
from pos.test_print import TestResult, print_test_page
from pos.widgets.text import Message, Plain, Tr, TrInput, plain_lines

STEPS = 4
NAME_LIMIT = 48  # a 58 mm slip's double-width title, roughly
PATH_WIDTH = 26  # the preview folder's column beside the test print (setup.tcss)
MESSAGE_WIDTH = 64  # the setup box's text width (setup.tcss: 70 less border and padding)


def path_lines(path: str, width: int) -> list[str]:
    """``path`` in lines of at most ``width``, broken after a ``/``: a path has
    no spaces to wrap at, and a cut path is no use."""
    lines = [""]
    for part in path.replace("/", "/\0").split("\0"):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return lines


class SetupScreen(PosScreen[None]):
    CSS_PATH = "setup.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="key.back"),
        Binding("f2", "test_print", "Test print", id="key.test_print"),
    ]
    tested: TestResult | None = None  # the last test page's outcome, said again on F5
    testing = False  # a test page is on its way: F2 again waits for it

    def compose(self) -> ComposeResult:
        with Vertical(id="setup-box"):
            yield Tr("setup.title", id="setup-title", classes="title", n=1)
            with ContentSwitcher(initial="step-1", id="steps"):
                with Vertical(id="step-1"):
                    yield Tr("setup.ids", classes="subtitle")
                    yield TrInput("setup.store", id="store")
                    yield TrInput("setup.store_name", id="store-name")
                    yield TrInput("setup.terminal", id="terminal")
                with Vertical(id="step-2"):
                    yield Tr("setup.language_title", classes="subtitle")
                    yield OptionList(
                        Option("ไทย (Thai)", id="th"), Option("English", id="en"), id="language"
                    )
                with Vertical(id="step-3"):
                    yield Tr("setup.printer_title", classes="subtitle")
                    yield Plain(id="printer-note", classes="hint")
                    with Horizontal(id="printer-row"):
                        yield TrInput("setup.printer", id="printer", value="preview")
                        yield TrInput("setup.paper", id="paper", value="80", restrict=r"[0-9]*")
                    with Horizontal(id="print-row"):
                        yield Plain(id="test-print")
                        yield Plain(id="preview-dir", classes="hint")
                    yield Tr("setup.test_hint", id="test-hint", classes="hint")
                with Vertical(id="step-4"):
                    yield Tr("setup.supervisor_title", classes="subtitle")
                    yield TrInput("setup.sup_id", id="sup-id")
                    yield TrInput("setup.sup_pin", id="sup-pin", password=True, restrict=r"[0-9]*")
                    yield TrInput(
                        "setup.sup_pin2", id="sup-pin2", password=True, restrict=r"[0-9]*"
                    )
            yield Message(id="setup-message")
            yield Tr("setup.hint", classes="hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._printer_texts, init=False)
        ledger, settings = self.pos.ledger, self.pos.settings
        step = 1
        # A name configured (or sent by head office) is offered; the built-in
        # placeholder is not a shop's name.
        name = settings.store.name if settings.store.name != "Loyalty POS" else ""
        printer, paper = settings.printer.url, str(settings.printer.paper_mm)
        if ledger.is_initialized():
            store, terminal = ledger.terminal()
            self.query_one("#store", Input).value = store
            self.query_one("#terminal", Input).value = terminal
            name = ledger.pref("store_name", name) or name
            printer = ledger.pref("printer_url", printer) or printer
            paper = ledger.pref("paper_mm", paper) or paper
            step = max(2, int(ledger.pref("setup_step", "2") or 2))
        self.query_one("#store-name", Input).value = name
        self.query_one("#printer", Input).value = printer
        self.query_one("#paper", Input).value = paper
        self.show_step(min(step, STEPS))

    # -- navigation ------------------------------------------------------

    def show_step(self, step: int) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = f"step-{step}"
        self.query_one("#setup-title", Tr).set("setup.title", n=step)
        self.query_one("#setup-message", Message).clear()
        self.tested = None
        self.refresh_bindings()  # F2 is the printer step's
        if self.pos.ledger.is_initialized():
            self.pos.ledger.set_pref("setup_step", str(step))
        focus = {1: "#store", 2: "#language", 3: "#printer", 4: "#sup-id"}[step]
        self.query_one(focus).focus()
        if step == 3:
            self.query_one("#test-print", Plain).update(self._test_print())
            self._printer_texts()

    def action_back(self) -> None:
        if self.step > 1:
            self.show_step(self.step - 1)

    def _error(self, text: str) -> None:
        self.query_one("#setup-message", Message).show(text, error=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "test_print":
            return getattr(self, "step", 0) == 3
        return True

    # -- step 1: ids -----------------------------------------------------

    @on(Input.Submitted, "#store")
    def _store_typed(self) -> None:
        self.query_one("#store-name", Input).focus()

    @on(Input.Submitted, "#store-name")
    def _name_typed(self) -> None:
        self.query_one("#terminal", Input).focus()

    @on(Input.Submitted, "#terminal")
    def _ids_typed(self) -> None:
        store = self.query_one("#store", Input).value.strip()
        terminal = self.query_one("#terminal", Input).value.strip()
        name = self.query_one("#store-name", Input).value.strip()
        call_ledger(self, lambda: self._save_ids(store, terminal, name), self._ids_saved,
                    self._ids_refused)  # fmt: skip

    def _save_ids(self, store: str, terminal: str, name: str) -> None:
        """In a worker: the name is checked, then the ids (set, kept, or
        changed while the ledger allows it), then the name is saved. A blank
        name leaves the settings' ``store.name``."""
        if len(name) > NAME_LIMIT or not name.isprintable():
            raise InvalidInput(self.pos.tr("setup.store_name_bad"), field="store-name")
        ledger = self.pos.ledger
        if not ledger.is_initialized():
            ledger.init(store, terminal)
        elif ledger.terminal() != (store, terminal):
            ledger.change_ids(store, terminal)
        if name:
            ledger.set_pref("store_name", name)

    def _ids_saved(self, _: None) -> None:
        self.show_step(2)

    def _ids_refused(self, error: Refusal) -> None:
        """Say it in the till's language with the example, and focus the field
        to fix (the name, or the id that is not a code)."""
        field = error.details.get("field")
        value = self.query_one(f"#{field}", Input).value.strip() if field else ""
        text = error.message
        if isinstance(error, InvalidInput) and field in ("store", "terminal"):
            text = self.pos.tr(f"setup.id_bad_{field}", value=value,
                               example=error.details.get("example", ""))  # fmt: skip
        elif isinstance(error, NotPermitted) and error.details.get("reason") in (
            "entries", "joined",
        ):  # fmt: skip
            store, terminal = self.pos.ledger.terminal()
            text = self.pos.tr(f"setup.ids_fixed_{error.details['reason']}", store=store,
                               terminal=terminal)  # fmt: skip
            self.query_one("#store", Input).value = store
            self.query_one("#terminal", Input).value = terminal
        self._error(text)
        self.query_one(f"#{field}" if field else "#store", Input).focus()

    # -- step 2: language ------------------------------------------------

    @on(OptionList.OptionSelected, "#language")
    def _language_chosen(self, event: OptionList.OptionSelected) -> None:
        language = event.option.id or "th"
        self.pos.ledger.set_pref("language", language)
        self.pos.language = language
        self.show_step(3)

    # -- step 3: printer -------------------------------------------------

    def _test_print(self) -> Content:
        store, terminal = self.pos.ledger.terminal()
        name = self.pos.ledger.pref("store_name") or self.pos.settings.store.name
        return plain_lines(  # the box's dashed border is the paper's edge
            [name[:32].center(32), f"{store} / {terminal}".center(32),
             self.pos.tr("setup.test_print")]
        )  # fmt: skip

    def preview_dir(self) -> Path:
        """Where preview slips go: the setting, else the printers' default
        (``printers.connect.default_spool_dir``, which a screen may not import)."""
        folder = self.pos.settings.printer.spool_dir
        return folder or platformdirs.user_data_path(APP_NAME) / "spool"

    def _printer_texts(self, *_: object) -> None:
        """The printer forms (one per line) and the preview folder, in the
        current language. The folder goes on lines of its own, broken after a
        ``/``: a path has no spaces to wrap at, and a cut path is no use."""
        tr = self.pos.tr
        self.query_one("#printer-note", Plain).update(
            plain_lines(tr("setup.printer_note").split("\n"))
        )
        lines = path_lines(str(self.preview_dir()), PATH_WIDTH)
        said = tr("setup.preview_dir", path="").rstrip()  # the folder ends the sentence
        self.query_one("#preview-dir", Plain).update(plain_lines([said, *lines]))
        if self.tested is not None:
            self._say_tested(self.tested)

    def _printer_chosen(self) -> tuple[str, str] | None:
        """The printer and width typed, checked (None: refused, the field to fix focused)."""
        printer, paper = self.query_one("#printer", Input), self.query_one("#paper", Input)
        url = printer.value.strip()
        url = "preview" if url.lower() == "preview" else url
        try:
            PrinterSettings(url=url)  # the forms printers/ opens, as the settings check them
        except ValidationError:
            self._error(self.pos.tr("setup.printer_bad", url=url))
            printer.focus()
            return None
        if paper.value.strip() not in ("58", "80"):
            self._error(self.pos.tr("setup.paper_bad"))
            paper.value = ""
            paper.focus()
            return None
        return url, paper.value.strip()

    @on(Input.Submitted, "#printer, #paper")
    def _printer_typed(self) -> None:
        """Enter in either field saves both (the width is filled in already)."""
        chosen = self._printer_chosen()
        if chosen is None:
            return
        self.pos.ledger.set_pref("printer_url", chosen[0])
        self.pos.ledger.set_pref("paper_mm", chosen[1])
        self.show_step(4)

    def action_test_print(self) -> None:
        """F2: the test page on the printer typed, at the width typed, nothing
        saved; in a worker (a dead host takes seconds to give up)."""
        chosen = self._printer_chosen() if not self.testing else None
        if chosen is None:
            return
        url, paper = chosen
        cfg = self.pos.settings.printer.model_copy(update={"url": url, "paper_mm": int(paper)})
        if cfg.spool_dir is None:
            cfg = cfg.model_copy(update={"spool_dir": self.preview_dir()})
        name = self.pos.ledger.pref("store_name") or self.pos.settings.store.name
        language = self.pos.language
        self.testing, self.tested = True, None
        self.query_one("#setup-message", Message).show(self.pos.tr("test_print.busy", where=url))
        call_ledger(self, lambda: print_test_page(cfg, name, language), self._test_printed,
                    self._test_refused)  # fmt: skip

    def _test_printed(self, result: TestResult) -> None:
        self.testing = False
        if self.is_attached and self.step == 3:
            self.tested = result
            self._say_tested(result)

    def _test_refused(self, error: Refusal) -> None:
        """Not a printer's fault: a profile python-escpos does not know (the
        settings file's), or a bug (already logged and said)."""
        self.testing = False
        if self.is_attached and self.step == 3:
            self._error(error.message)

    def _say_tested(self, result: TestResult) -> None:
        """The outcome in the current language; a picture's path on lines of
        its own, broken after a ``/`` (a path has no spaces to wrap at)."""
        text = result.text(self.pos.tr)
        message = self.query_one("#setup-message", Message)
        message.show(text, error=not result.printed)
        if result.reason == "saved" and result.files:
            head = text.removesuffix(result.files[-1]).rstrip()
            message.update(plain_lines([head, *path_lines(result.files[-1], MESSAGE_WIDTH)]))

    # -- step 4: first supervisor ----------------------------------------

    @on(Input.Submitted, "#sup-id")
    def _sup_id_typed(self) -> None:
        self.query_one("#sup-pin", Input).focus()

    @on(Input.Submitted, "#sup-pin")
    def _sup_pin_typed(self) -> None:
        self.query_one("#sup-pin2", Input).focus()

    @on(Input.Submitted, "#sup-pin2")
    def _sup_done(self) -> None:
        staff_id = self.query_one("#sup-id", Input).value
        pin = self.query_one("#sup-pin", Input).value
        again = self.query_one("#sup-pin2", Input).value
        self.query_one("#sup-pin2", Input).value = ""
        if pin != again:
            self._error(self.pos.tr("setup.pin_mismatch"))
            self.query_one("#sup-pin", Input).value = ""
            self.query_one("#sup-pin", Input).focus()
            return
        call_ledger(
            self,
            lambda: self.pos.ledger.add_staff(staff_id, "supervisor", pin),
            lambda staff: self._finished(staff.staff_id),
            self._supervisor_refused,
        )

    def _supervisor_refused(self, error: Refusal) -> None:
        """Focus the field to fix, keeping the id: a weak PIN is typed again
        from the first PIN field; anything else is about the id."""
        self._error(error.message)
        if isinstance(error, WeakPin):
            self.query_one("#sup-pin", Input).value = ""
            self.query_one("#sup-pin", Input).focus()
        else:
            self.query_one("#sup-id", Input).focus()

    def _finished(self, staff_id: str) -> None:
        self.pos.ledger.set_pref("setup_step", "done")
        self.notify(self.pos.tr("setup.done", staff=staff_id), timeout=8)
        self.pos.show_login()
