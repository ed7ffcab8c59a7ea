"""Text on the counter screens: always plain, and in the app's language.

Textual reads strings given to ``Static``, ``notify``, ``DataTable`` cells and
``Option`` prompts as markup: a member named ``[/]`` would crash the card and
``[@click=app.quit]Sale[/]`` would be a button. Names, refs, reasons, reward
names, ids and head office's notices are data, so every string reaches the
screen through ``plain`` (or a ``Plain`` widget), which also shows ESC, C1 and
bidi controls as escapes instead of sending them to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Input, Static

from pos.output import visible
from pos.services import counter


def plain(text: str) -> Content:
    """``text`` as it is: no markup, nothing the terminal would act on."""
    return Content(visible(text))


def plain_lines(lines: Iterable[str]) -> Content:
    """One line each (a newline inside a line is shown as ``\\x0a``, not obeyed)."""
    return Content("\n").join(plain(line) for line in lines)


def cell(text: str) -> Text:
    """A ``DataTable`` cell (DataTable reads a str as Rich markup)."""
    return Text(visible(text), end="")


def _plain(content: VisualType) -> VisualType:
    return plain(content) if isinstance(content, str) else content


class Plain(Static):
    """A ``Static`` that shows strings as plain text (``Content`` passes through,
    for styled text built with ``Content.assemble``)."""

    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        super().__init__(_plain(content), markup=False, **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(_plain(content), layout=layout)


class Tr(Plain):
    """A label shown in the current language; ``key`` is a text key in pos.i18n.
    A value may be a function of the translator (a date, an amount), so it is
    worded again with the label when F5 switches the language."""

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
        tr = counter(self).tr
        values = {
            name: value(tr) if callable(value) else value for name, value in self.values.items()
        }
        self.update(tr(self.key, **values))


class TrInput(Input):
    """An Input whose placeholder follows the app's language."""

    def __init__(self, placeholder_key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.placeholder_key = placeholder_key

    def on_mount(self) -> None:
        self.watch(self.app, "language", self._render_placeholder, init=True)

    def _render_placeholder(self, *_: object) -> None:
        self.placeholder = counter(self).tr(self.placeholder_key)


class Message(Plain):
    """One line of feedback under a field: ok (green) or error (red)."""

    def show(self, text: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(not error, "-ok")
        self.update(text)

    def clear(self) -> None:
        self.update("")
