"""The status bar: who is logged in, terminal, printer, sync, clock."""

from __future__ import annotations

from pos.services import counter
from pos.widgets.text import Plain


class StatusBar(Plain):
    """Staff and store ids are typed by people: shown as plain text (``Plain``)."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "language", self.refresh_status, init=True)
        self.set_interval(1, self.refresh_status)

    def refresh_status(self, *_: object) -> None:
        self.update(counter(self).status_text())
