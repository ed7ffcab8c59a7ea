"""Typing ahead: keys typed after an Enter wait until the screen has done what
the Enter asked, then go where they were meant to go.

A barcode scanner or a fast cashier types "phone Enter amount Enter" in one
burst. Textual hands each key to the widget that has focus when the app reads
the key, and the app reads the whole burst before the phone field has even
seen its Enter: the amount went into the phone field. So an Enter in a field
of a counter screen starts a hold; the keys after it wait here, in order, until

- the Enter brought up another counter screen (the card, or back to lookup):
  they go there, to the field that screen starts in;
- the screen handled the Enter and stayed (the next field, an empty amount):
  they go to the field that has focus now;
- the screen said the keys are not for it (an unknown phone, a refusal), or a
  dialog came up (a PIN, a coupon): what was typed is dropped, with the rest
  of the burst, so an amount never lands in a PIN or an enroll offer. Esc and
  the function keys are not text: they still act, in order.

Keys bound with priority (Ctrl+Q) are never held. A hold ends anyway after a
while (a screen that never answers), and a hold costs nothing while nobody
types: no polling, one timer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget

# Textual stamps events with time.monotonic (textual._time.get_time on
# everything but Windows, which a till is not): compare with the same clock.
_event_clock = time.monotonic

# Keys closer together than this are one burst (a scanner sends one every few
# ms, a person types at most every 80 ms or so); after a dropped lookup the
# rest of the burst is dropped too, and the next key after a pause acts.
BURST_GAP = 0.15
# The screen has not said it handled the Enter (it has no counter screen's
# base class): let the keys go as Textual would have.
ANSWER_LIMIT = 1.0
# Waiting for the ledger or head office (a phone asked at head office).
WORK_LIMIT = 10.0

_COMMAND = re.compile(r"escape|((ctrl|shift|alt)\+)*f\d{1,2}|ctrl\+.+")


def is_command(key: str) -> bool:
    """Esc, the function keys and Ctrl combinations: commands, not text for a field."""
    return _COMMAND.fullmatch(key) is not None


class TypeAhead:
    """The app's hold on keys typed after an Enter (one per app).

    ``forward`` hands a key to the app's normal key handling (bindings, then
    the focused widget); ``target(screen)`` names the field a screen's typed
    keys go to once it is up (None: its focused widget)."""

    def __init__(
        self,
        app: App[Any],
        forward: Callable[[events.Key], Awaitable[None]],
        target: Callable[[Screen[Any]], Widget | None],
    ) -> None:
        self._app = app
        self._forward = forward
        self._target = target
        self._held: list[events.Key] = []
        self._origin: Screen[Any] | None = None  # holding while set
        self._hold = 0  # which hold: a late report on an earlier one changes nothing
        self._answered = False
        self._keep = True
        self._work = 0
        self._timer: Timer | None = None
        self._drop_until = 0.0

    @property
    def holding(self) -> bool:
        return self._origin is not None

    # -- the app's key handling ------------------------------------------

    def take(self, event: events.Key) -> bool:
        """True if ``event`` is held or dropped here, not handled by the app now."""
        if self._priority(event.key):
            return False
        if self._origin is not None:
            self._held.append(event)
            return True
        if event.time < self._drop_until and not is_command(event.key):
            self._drop_until = event.time + BURST_GAP
            return True
        return False

    def hold(self, screen: Screen[Any]) -> None:
        """An Enter went to a field of ``screen``: hold what comes after it."""
        self._hold += 1
        self._origin = screen
        self._answered = False
        self._keep = True
        self._work = 0
        self._wait(ANSWER_LIMIT)

    def _priority(self, key: str) -> bool:
        app = self._app
        return any(
            binding.priority
            for node in (app, app.screen)
            for binding in node._bindings.key_to_bindings.get(key, ())
        )

    # -- what the screens report -----------------------------------------

    def submitted(self, screen: Screen[Any]) -> None:
        """``screen`` has handled the Enter (its ``Input.Submitted``)."""
        if screen is self._origin and not self._answered:
            self._answered = True
            self._settle()

    def discard(self, screen: Screen[Any]) -> None:
        """The Enter on ``screen`` did not lead where the keys after it were going."""
        if screen is self._origin:
            self._keep = False

    def work_started(self, screen: Screen[Any]) -> Callable[[], None] | None:
        """``screen`` started a ledger call for the Enter: wait for it. Returns
        what to call (on the app's thread) when it is over, None if no hold."""
        if screen is not self._origin:
            return None
        self._work += 1
        hold = self._hold

        def finished() -> None:
            if hold == self._hold and self._origin is not None:
                self._work -= 1
                self._settle()

        return finished

    def shown(self, screen: Screen[Any]) -> None:
        """``screen`` came up (resumed), its first focus already asked for."""
        if self._origin is None or screen is self._origin:
            return
        # A dialog asks something new (a PIN, a yes or no): the keys typed
        # ahead were not for it.
        keep = self._keep and not isinstance(screen, ModalScreen)
        self._app.call_later(self._release, self._hold, screen, keep)

    # -- ending a hold ---------------------------------------------------

    def _settle(self) -> None:
        if not self._answered or self._work:
            self._wait(WORK_LIMIT if self._answered else ANSWER_LIMIT)
            return
        if self._app.screen is self._origin:
            # Queued behind the focus the screen asked for while handling the Enter.
            self._app.call_later(self._release, self._hold, self._origin, self._keep)
        else:
            self._wait(WORK_LIMIT)  # another screen is coming: ``shown`` ends it

    def _wait(self, seconds: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        hold = self._hold
        self._timer = self._app.set_timer(seconds, lambda: self._expired(hold))

    async def _expired(self, hold: int) -> None:
        if hold == self._hold and self._origin is not None:
            # Never answered: as Textual would have. Answered but never done: drop.
            keep = self._keep and not self._answered
            await self._release(hold, self._app.screen, keep)

    async def _release(self, hold: int, screen: Screen[Any], keep: bool) -> None:
        if hold != self._hold or self._origin is None or self._app.screen is not screen:
            return  # an earlier hold, or the screen changed again: wait for the next
        keys, self._held, self._origin = self._held, [], None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if keep:
            target = self._target(screen)
            if target is not None and screen.focused is not target:
                screen.set_focus(target)
        else:
            last = max((key.time for key in keys), default=0.0)
            self._drop_until = max(last, _event_clock()) + BURST_GAP
            keys = [key for key in keys if is_command(key.key)]
        for index, key in enumerate(keys):
            if self._origin is not None:  # a replayed Enter started the next hold
                self._held.extend(keys[index:])
                return
            await self._forward(key)
