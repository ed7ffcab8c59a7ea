"""The footer: every action's key, in the current language, as one line.

Textual's ``Footer`` rebuilds a widget per key whenever focus or bindings
change, which costs most of a screen switch at the counter; one line of text
shows the same and is redrawn in a fraction of a millisecond.
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self._owner = self.screen
        self._owner.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._render_keys()

    def on_unmount(self) -> None:
        self._owner.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self._owner:
            self.call_after_refresh(self._render_keys)

    def _render_keys(self) -> None:
        if not self.is_attached:
            return
        parts: list[Content] = []
        seen: set[str] = set()
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            style = "$footer-key-foreground" if enabled else "dim"
            parts.append(
                Content.assemble(
                    (f"{key} ", f"bold {style}"), (binding.description, "" if enabled else "dim")
                )
            )
        self.update(Content("  ").join(parts))
