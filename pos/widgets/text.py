"""Widgets whose text follows the app's language."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static


class Tr(Static):
    """A label shown in the current language; ``key`` is a text key in pos.i18n."""

    def __init__(self, key: str, *, id: str | None = None, classes: str = "", **values: Any):
        super().__init__("", id=id, classes=classes)
        self.key = key
        self.values = values

    def on_mount(self) -> None:
        self.watch(self.app, "language", self._render_text, init=True)

    def set(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        self._render_text()

    def _render_text(self, *_: object) -> None:
        self.update(self.app.tr(self.key, **self.values))  # type: ignore[attr-defined]


class TrInput(Input):
    """An Input whose placeholder follows the app's language."""

    def __init__(self, placeholder_key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.placeholder_key = placeholder_key

    def on_mount(self) -> None:
        self.watch(self.app, "language", self._render_placeholder, init=True)

    def _render_placeholder(self, *_: object) -> None:
        self.placeholder = self.app.tr(self.placeholder_key)  # type: ignore[attr-defined]


class Message(Static):
    """One line of feedback under a field: ok (green) or error (red)."""

    def show(self, text: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(not error, "-ok")
        self.update(text)

    def clear(self) -> None:
        self.update("")
