"""First-run setup wizard: store and terminal, language, printer, first
supervisor. Each step is checked before the next, Esc goes back, and the
step reached is saved, so an interrupted setup resumes where it stopped."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Input, OptionList
from textual.widgets.option_list import Option

from config.refusal import Refusal
from ledger.errors import WeakPin
from pos.screens.base import PosScreen, call_ledger
from pos.widgets.text import Message, Plain, Tr, TrInput, plain_lines

STEPS = 4


class SetupScreen(PosScreen[None]):
    CSS_PATH = "setup.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="key.back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="setup-box"):
            yield Tr("setup.title", id="setup-title", classes="title", n=1)
            with ContentSwitcher(initial="step-1", id="steps"):
                with Vertical(id="step-1"):
                    yield Tr("setup.ids", classes="subtitle")
                    yield TrInput("setup.store", id="store")
                    yield TrInput("setup.terminal", id="terminal")
                with Vertical(id="step-2"):
                    yield Tr("setup.language_title", classes="subtitle")
                    yield OptionList(
                        Option("ไทย (Thai)", id="th"), Option("English", id="en"), id="language"
                    )
                with Vertical(id="step-3"):
                    yield Tr("setup.printer_title", classes="subtitle")
                    yield TrInput("setup.printer", id="printer", value="preview")
                    yield Tr("setup.printer_note", classes="hint")
                    yield Plain(id="test-print")
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
        ledger = self.pos.ledger
        step = 1
        if ledger.is_initialized():
            store, terminal = ledger.terminal()
            self.query_one("#store", Input).value = store
            self.query_one("#terminal", Input).value = terminal
            step = max(2, int(ledger.pref("setup_step", "2") or 2))
        self.show_step(min(step, STEPS))

    # -- navigation ------------------------------------------------------

    def show_step(self, step: int) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = f"step-{step}"
        self.query_one("#setup-title", Tr).set("setup.title", n=step)
        self.query_one("#setup-message", Message).clear()
        if self.pos.ledger.is_initialized():
            self.pos.ledger.set_pref("setup_step", str(step))
        focus = {1: "#store", 2: "#language", 3: "#printer", 4: "#sup-id"}[step]
        self.query_one(focus).focus()
        if step == 3:
            self.query_one("#test-print", Plain).update(self._test_print())

    def action_back(self) -> None:
        if self.step > 1:
            self.show_step(self.step - 1)

    def _error(self, text: str) -> None:
        self.query_one("#setup-message", Message).show(text, error=True)

    def _refused(self, error: Refusal) -> None:
        self._error(error.message)

    # -- step 1: ids -----------------------------------------------------

    @on(Input.Submitted, "#store")
    def _store_typed(self) -> None:
        self.query_one("#terminal", Input).focus()

    @on(Input.Submitted, "#terminal")
    def _ids_typed(self) -> None:
        store = self.query_one("#store", Input).value
        terminal = self.query_one("#terminal", Input).value
        call_ledger(
            self, lambda: self.pos.ledger.init(store, terminal), lambda _: self.show_step(2),
            self._refused,
        )  # fmt: skip

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
        line = "-" * 32
        return plain_lines(
            [line, f"{store} / {terminal}".center(32), self.pos.tr("setup.test_print"), line]
        )

    @on(Input.Submitted, "#printer")
    def _printer_typed(self) -> None:
        url = self.query_one("#printer", Input).value.strip().lower()
        if url != "preview":
            self._error(self.pos.tr("setup.printer_bad"))
            return
        self.pos.ledger.set_pref("printer_url", url)
        self.show_step(4)

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
