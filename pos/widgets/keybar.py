"""The footer: every action's key, in the current language, as one line
(two when they do not fit: no key is ever cut off at 80 columns).

Textual's ``Footer`` rebuilds a widget per key whenever focus or bindings
change, which costs most of a screen switch at the counter; one line of text
shows the same and is redrawn in a fraction of a millisecond.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 3;
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

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._render_keys)

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
        self.update(Content("\n").join(key_lines(parts, self._room())))

    def _room(self) -> int:
        """Cells a line of keys may take: the bar's width less its padding."""
        width = self.size.width or self.app.size.width
        return max(width - self.styles.gutter.width, 20)


def key_lines(parts: list[Content], room: int) -> list[Content]:
    """The keys in order, two spaces apart, a new line where the next would not fit
    (a key and its word stay together)."""
    lines: list[list[Content]] = [[]]
    used = 0
    for part in parts:
        width = part.cell_length
        if lines[-1] and used + 2 + width > room:
            lines.append([])
            used = 0
        used += width + (2 if lines[-1] else 0)
        lines[-1].append(part)
    return [Content("  ").join(line) for line in lines]
