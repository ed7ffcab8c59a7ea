"""Thai and English text for the counter app, and locale-aware numbers (Babel)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from babel.numbers import format_currency, format_decimal
from textual.dom import DOMNode

from config.refusal import Refusal
from ledger.localday import shop_zone
from pos.i18n.counter import COUNTER
from pos.i18n.help import HELP
from pos.i18n.member_data import MEMBER_DATA
from pos.i18n.setup import SETUP
from pos.i18n.supervisor import SUPERVISOR

if TYPE_CHECKING:
    from config import Settings

R = TypeVar("R", bound=Refusal)

LANGUAGES = ("th", "en")
_LOCALES = {"th": "th_TH", "en": "en_US"}

# key: (English, Thai); one module per part of the app keeps each short.
TEXT: dict[str, tuple[str, str]] = {**COUNTER, **SUPERVISOR, **SETUP, **HELP, **MEMBER_DATA}


class Translator:
    """The cashier's words, numbers and dates: the language (F5 changes it for
    the session), the shop's time zone and whether Thai years are Buddhist era
    (``locale.timezone``, ``locale.buddhist_era``; see ``pos.times``)."""

    def __init__(
        self, language: str = "th", *, zone: tzinfo | None = None, buddhist_era: bool = True
    ) -> None:
        self.language = language if language in LANGUAGES else "th"
        self.zone: tzinfo = zone or shop_zone("", "TH")
        self.buddhist_era = buddhist_era

    @classmethod
    def of(cls, settings: Settings, language: str | None = None) -> Translator:
        """The words for a till with ``settings`` (in ``language``, else the settings')."""
        locale = settings.locale
        return cls(
            language or locale.language,
            zone=shop_zone(locale.timezone, locale.region),
            buddhist_era=locale.buddhist_era,
        )

    @property
    def locale(self) -> str:
        return _LOCALES[self.language]

    def kind(self, kind: str) -> str:
        """An entry kind (``earn``, ``redeem``...) as the cashier reads it."""
        return self(f"kind.{kind}") if f"kind.{kind}" in TEXT else kind

    def role(self, role: str) -> str:
        """A staff role (``cashier``, ``supervisor``, ``admin``) as the cashier reads it."""
        return self(f"role.{role}") if f"role.{role}" in TEXT else role

    def __call__(self, key: str, **values: Any) -> str:
        pair = TEXT.get(key)
        if pair is None:
            return key
        text = pair[1] if self.language == "th" else pair[0]
        return text.format(**values) if values else text

    def refusal(self, error: R) -> R:
        """``error`` with its message in this language, from the catalogue of
        refusals (config.messages); the original keeps its English for the log."""
        text = error.text(self.language)
        if text == error.message:
            return error
        local = copy.copy(error)
        local.message = text
        return local

    def money(self, minor: int, currency: str = "THB") -> str:
        return format_currency(Decimal(minor) / 100, currency, locale=self.locale)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)


def translate_bindings(node: DOMNode, tr: Translator) -> None:
    """Footer labels in the current language: bindings carry an id that is the
    text key (``key.redeem``); descriptions are replaced in place."""
    mapping = node._bindings.key_to_bindings
    for key, bindings in mapping.items():
        mapping[key] = [
            replace(b, description=tr(b.id)) if b.id and b.id.startswith("key.") else b
            for b in bindings
        ]
