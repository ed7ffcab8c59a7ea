"""The counter app. ``make_app`` wires it from its collaborators (ledger,
printer, head office); screens reach them through ``pos.services.Counter``,
and talk only to the ``Ledger`` service, never to SQL."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from config import Settings
from config.refusal import Refusal
from ledger.clock import Clock, utc_now
from ledger.db import explain
from ledger.models import Credentials, MemberCard, Staff
from ledger.service import Ledger
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.quit import QuitDialog
from pos.headoffice import SyncHeadOffice
from pos.i18n import LANGUAGES, Translator, translate_bindings
from pos.output import visible
from pos.printing import Device
from pos.screens.base import PosDialog, PosScreen
from pos.screens.help import HelpScreen, key_name, key_rows, place_of
from pos.screens.login import LoginScreen
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.setup import SetupScreen
from pos.screens.supervisor import SupervisorScreen
from pos.services import Counter, HeadOffice
from pos.slip_desk import SlipDesk
from pos.times import clock_time
from pos.typeahead import TypeAhead
from sync.errors import HeadOfficeUnreachable, SyncError

log = logging.getLogger("pos.app")


def settle_heap() -> None:
    """Take the app's own objects out of the garbage collector's way.

    Most of the heap is the app itself (screens, widgets, styles): left in the
    collector's oldest generation, every full collection walks all of it, which
    is 60-100 ms on a till and lands on 3 to 10 cards in a hundred. Frozen, a full
    collection walks only what came since (a few ms). Thawed and collected
    first, so what the last shift left behind (its screens) is freed, not kept.
    Run once the lookup screen is up, as a shift starts."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class PosApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Loyalty POS"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        # F1 is not in the key bar: shown there it would change every screen's
        # last line; the help itself and the README name it.
        Binding("f1", "help", "Help", id="key.help", show=False),
        Binding("f5", "language", "English", id="key.language"),
        Binding("f9", "supervisor", "Supervisor", id="key.supervisor"),
        Binding("ctrl+q", "quit", "Quit", id="key.quit", priority=True),
    ]

    language: reactive[str] = reactive("th", init=False)

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        *,
        clock: Clock = utc_now,
        printer: Device | None = None,
        head_office: HeadOffice | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.printer = printer
        self.head_office: HeadOffice = head_office or SyncHeadOffice(ledger, settings=settings)
        self.slips = SlipDesk(self)
        self.staff: Staff | None = None
        # A text key, worded when the status bar is drawn: F5 rewords it too.
        self.printer_state = (
            "status.printer_preview"
            if settings.printer.url == "preview"
            else "status.printer_unknown"
        )
        self._offline = False
        self._sync_cache: tuple[float, str] = (0.0, "")
        self._warned: set[str] = set()
        # The terminal's language: the one the setup wizard saved, else the
        # settings'. F5 changes it for this session only.
        language = ledger.pref("language") if ledger.is_initialized() else None
        self.tr = Translator.of(settings, language)
        self.set_reactive(PosApp.language, self.tr.language)
        self.typing = TypeAhead(self, self._key, _typing_target)

    # -- keys ------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys typed after an Enter in a field wait (``pos.typeahead``)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self.typing.take(event):
                await self._key(event)
            return
        await super().on_event(event)

    async def _key(self, event: events.Key) -> None:
        focused = self.focused  # Textual hands the key to it (unless a priority binding takes it)
        await super().on_event(event)
        if (
            event.key == "enter"
            and event.is_forwarded
            and isinstance(focused, Input)
            and isinstance(self.screen, (PosScreen, PosDialog))
        ):
            self.typing.hold(self.screen)

    # -- start -----------------------------------------------------------

    def on_mount(self) -> None:
        translate_bindings(self, self.tr)
        if self.ledger.setup_complete():
            self.push_screen(LoginScreen())
        else:
            self.push_screen(SetupScreen())

    def logged_in(self, staff: Staff) -> None:
        self.staff = staff
        log.info("login %s (%s)", staff.staff_id, staff.role)
        self.switch_screen(LookupScreen())
        self.call_after_refresh(settle_heap)
        if self.joined and not getattr(self, "_sync_timer", None):
            self._sync_timer = self.set_interval(
                self.settings.sync.interval_seconds, self.background_sync
            )
            self.background_sync()

    def show_login(self) -> None:
        self.staff = None
        self.switch_screen(LoginScreen())

    def member_screen(self, card: MemberCard) -> MemberScreen:
        """The one member card screen, refilled for each member (installed, so
        it survives being dismissed)."""
        if not self.is_screen_installed("member"):
            self.install_screen(MemberScreen(card), "member")
        screen = self.get_screen("member")
        assert isinstance(screen, MemberScreen)
        screen.load(card)
        return screen

    # -- head office -----------------------------------------------------

    @property
    def joined(self) -> bool:
        return self.head_office.joined()

    @property
    def offline(self) -> bool:
        return self._offline

    def background_sync(self) -> None:
        """Push and pull in a worker thread, so a sale never waits on the network.

        It uses the app's own ledger connection (one per process; each ledger
        call takes the connection's lock): a second connection opened and
        closed beside it is how a process loses its locks on the file."""
        head_office = self.head_office

        def work() -> None:
            notices: list[str] = []
            warnings: list[str] = []
            try:
                result = head_office.sync()
                notices, warnings = result["conflict_notices"], result.get("warnings", [])
                offline, message = False, None
            except HeadOfficeUnreachable as exc:
                offline, message = True, exc.message
            except SyncError as exc:
                offline, message = False, self.tr.refusal(exc).message
            self.call_from_thread(self._synced, offline, message, notices, warnings)

        self.run_worker(work, thread=True, group="sync", exclusive=True, exit_on_error=False)

    def _synced(
        self,
        offline: bool,
        message: str | None,
        notices: list[str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self._offline = offline
        self._sync_cache = (0.0, "")
        if message and not offline:
            self.notify(message, title=self.tr("sync.title"), severity="warning", timeout=8)
        # A wrong clock or rules this till cannot load: said once, and again
        # only when it changes, not every few minutes while it lasts.
        fresh = [w for w in warnings or [] if w not in self._warned]
        self._warned = set(warnings or [])
        for warning in fresh:
            self.notify(warning, title=self.tr("sync.title"), severity="warning", timeout=20)
        if notices:
            more = f" (+{len(notices) - 1})" if len(notices) > 1 else ""
            self.notify(
                notices[0] + more, title=self.tr("sync.conflicts"), severity="warning", timeout=20
            )

    def _sync_text(self) -> str:
        if not self.joined:
            return self.tr("status.sync_none")
        now = time.monotonic()
        if now - self._sync_cache[0] < 2:
            return self._sync_cache[1]
        state = self.head_office.state()
        pending = self.tr("status.pending", n=state["pending_entries"])
        if self.offline:
            text = f"{self.tr('status.offline')} · {pending}"
        elif state["last_sync_at"]:
            synced = self.tr("status.synced", time=clock_time(state["last_sync_at"], self.tr))
            text = f"{synced} · {pending}"
        else:
            text = f"{self.tr('status.never')} · {pending}"
        self._sync_cache = (now, text)
        return text

    # -- language --------------------------------------------------------

    def watch_language(self, language: str) -> None:
        self.tr.language = language
        self._sync_cache = (0.0, "")  # worded in the other language
        translate_bindings(self, self.tr)
        self.refresh_bindings()

    def action_language(self) -> None:
        """F5: the other language for this session. Nothing is saved: the next
        start is in the terminal's language again (the wizard's, else the settings')."""
        index = LANGUAGES.index(self.language)
        self.language = LANGUAGES[(index + 1) % len(LANGUAGES)]

    # -- help and quitting -----------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(key_rows(self.BINDINGS), place_of(self.screen)))

    async def action_quit(self) -> None:
        """Ctrl+Q (and the palette's Quit) ask first: one stray key must not end
        the app with a queue at the counter. Ctrl+Q again while asked quits."""
        if isinstance(self.screen, QuitDialog):
            self.exit()
            return

        def answered(quit: bool | None) -> None:
            if quit:
                self.exit()

        self.push_screen(QuitDialog(), answered)

    # -- supervisor ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "supervisor":
            return self.staff is not None and not isinstance(self.screen, SupervisorScreen)
        return True

    def action_supervisor(self) -> None:
        def opened(credentials: Credentials | None) -> None:
            if credentials is not None:
                self.push_screen(SupervisorScreen(credentials))

        self.push_screen(ApprovalDialog(lambda tr: tr("sup.title"), check=True), opened)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's commands, in the cashier's language. Textual's own
        (theme, screenshot, its key panel) are left out: none is for a till."""
        tr = self.tr
        if self.staff is not None:
            yield SystemCommand(
                tr("palette.supervisor"), tr("palette.supervisor_help"), self.action_supervisor
            )
        yield SystemCommand(tr("palette.language"), tr("palette.language_help"),
                            self.action_language)  # fmt: skip
        yield SystemCommand(tr("palette.help"), tr("palette.help_help"), self.action_help)
        yield SystemCommand(tr("palette.quit"), tr("palette.quit_help"), self.action_quit)

    def action_command_palette(self) -> None:
        """Ctrl+P: Textual's palette, its search line in the cashier's language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            placeholder = self.tr("palette.placeholder")
            self.push_screen(CommandPalette(id="--command-palette", placeholder=placeholder))

    def get_key_display(self, binding: Binding) -> str:
        """Keys in the key bar as on the keyboard and in the help: ``F5``,
        ``Esc``, ``Ctrl+Q`` (Textual's ``f5``, ``esc``, ``^q`` read as words)."""
        return key_name(binding.key_display or binding.key)

    # -- printing --------------------------------------------------------

    # -- printing (pos.slip_desk) -----------------------------------------

    def print_pending(self, *, waiting: bool = False) -> None:
        self.slips.print_pending(waiting=waiting)

    def reprint(self) -> None:
        self.slips.reprint()

    def reprint_last(self) -> None:
        self.slips.reprint_last()

    def print_day_close(
        self,
        day: date | None,
        done: Callable[[dict[str, Any]], None],
        failed: Callable[[Refusal], None],
    ) -> None:
        self.slips.print_day_close(day, done, failed)

    # -- errors and status -----------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain text: messages quote names, refs and head office's
        notices, which are data, never markup or control characters."""
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout,
            markup=False,
        )  # fmt: skip

    def refuse(self, error: Refusal) -> None:
        """The one place a ledger refusal reaches the screen."""
        self.notify(self.tr.refusal(error).message, severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            known = explain(self.ledger.path, error) if error is not None else None
            if known is not None:  # the disk or the file, not a bug: say which and what to do
                log.warning("worker %s: %s", event.worker.name, known.message)
                self.refuse(known)
                return
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self.notify(self.tr("error.unexpected"), severity="error", timeout=10)

    def status_text(self) -> str:
        who = self.staff.staff_id if self.staff else self.tr("status.nobody")
        terminal = "-"
        if self.ledger.is_initialized():
            store, term = self.ledger.terminal()
            terminal = f"{store}/{term}"
        now = clock_time(self.clock(), self.tr)
        parts = [
            who,
            terminal,
            self.tr("status.printer", state=self.tr(self.printer_state)),
            self._sync_text(),
            now,
        ]
        return " │ ".join(parts)


def _typing_target(screen: Screen[Any]) -> Widget | None:
    return screen.typing_target() if isinstance(screen, PosScreen) else screen.focused


def make_app(
    settings: Settings,
    ledger: Ledger,
    *,
    clock: Clock = utc_now,
    printer: Device | None = None,
    hq_client: HeadOffice | None = None,
) -> PosApp:
    """The counter app on ``ledger``. ``printer``: a printer the caller owns
    (default: the one in the settings, opened for each slip); ``hq_client``:
    head office (default: the one ``pos join`` stored, through ``sync``)."""
    return PosApp(settings, ledger, clock=clock, printer=printer, head_office=hq_client)


def _screens_may_ask(app: PosApp) -> Counter:
    """Never called: mypy checks here that the app gives screens all they ask."""
    return app
