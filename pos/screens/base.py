"""What every counter screen shares: status bar, footer, language, and
running ledger calls in a worker thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input

from config.refusal import Refusal
from pos.i18n import translate_bindings
from pos.services import Counter, counter
from pos.widgets.keybar import KeyBar
from pos.widgets.status import StatusBar

T = TypeVar("T")
log = logging.getLogger("pos.app")


class Unexpected(Refusal):
    code = "unexpected"


def call_ledger(
    node: Screen[Any],
    job: Callable[[], T],
    done: Callable[[T], None],
    refused: Callable[[Refusal], None] | None = None,
) -> None:
    """Run ``job`` (a ledger call) off the UI thread; report back on it.

    A refusal goes to ``refused`` (or a toast); anything unexpected is logged
    by the app's worker handler and shown as a plain message, never a traceback.
    """
    app, pos = node.app, counter(node)
    # Keys typed after the Enter that asked for this wait until it is over.
    finished = pos.typing.work_started(node)

    def work() -> None:
        try:
            answer()
        finally:
            if finished is not None:
                app.call_from_thread(finished)

    def answer() -> None:
        try:
            result = job()
        except Refusal as exc:
            # In the cashier's language, whoever refused (config.messages).
            app.call_from_thread(refused or pos.refuse, pos.tr.refusal(exc))
            return
        except Exception:
            # A bug, not the cashier's doing: log it, say so plainly, and let the
            # screen recover (its refused handler re-enables the field).
            log.exception("unexpected error in a ledger call")
            error = Unexpected(pos.tr("error.unexpected"))
            app.call_from_thread(pos.refuse, error)
            if refused is not None:
                app.call_from_thread(refused, error)
            return
        app.call_from_thread(done, result)

    node.run_worker(work, thread=True, group="ledger", exit_on_error=False)


class PosScreen(Screen[T]):
    """A full counter screen."""

    @property
    def pos(self) -> Counter:
        return counter(self)

    def typing_target(self) -> Widget | None:
        """The field keys typed ahead go to once this screen is up (``pos.typeahead``)."""
        return self.focused

    # Handlers run for every class of a screen (subclass first), so these run
    # after the screen's own, whatever it defines.
    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.pos.typing.submitted(self)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.pos.typing.shown(self)

    def compose_chrome(self) -> ComposeResult:
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "language", self._translate_footer, init=True)

    def _translate_footer(self, *_: object) -> None:
        translate_bindings(self, self.pos.tr)
        self.refresh_bindings()


class PosDialog(ModalScreen[T]):
    """A question over a counter screen, with its own footer.

    A modal screen hides the app's bindings (Textual stops the binding chain
    at the modal), so help and language are bound here again: F1 opens the
    help at this dialog's keys and returns to it as it was left (a half-typed
    id included, the dialog stays mounted under the help), F5 relabels it in
    place. The key bar underneath belongs to the screen below and lists that
    screen's keys, so the dialog docks its own over it."""

    BINDINGS = [
        Binding("f1", "app.help", "Help", id="key.help", show=False),
        Binding("f5", "app.language", "English", id="key.language"),
    ]

    @property
    def pos(self) -> Counter:
        return counter(self)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.pos.typing.submitted(self)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.pos.typing.shown(self)
        if self._held is not None:
            (result,), self._held = self._held, None
            self.dismiss(result)

    # An answer that comes while the help is open over the dialog (a PIN checked
    # in a worker) waits for the help to close: Textual's dismiss pops whatever
    # screen is on top, which would close the help and leave the dialog up.
    _held: tuple[T | None] | None = None

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        if self.is_attached and not self.is_active:
            self._held = (result,)
            return AwaitComplete()
        return super().dismiss(result)

    def on_mount(self) -> None:
        self.mount(KeyBar())
        self.watch(self.app, "language", self._translate_footer, init=True)

    def _translate_footer(self, *_: object) -> None:
        translate_bindings(self, self.pos.tr)
        self.refresh_bindings()
