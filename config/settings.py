"""The settings schema: nested sections, one description per field, no floats.

Sources, lowest priority first: ``default.toml`` beside this module, the user's
file (passed in as init kwargs by ``config.load_settings``; deep-merged, and a
list such as ``tiers`` replaces the default list whole), then environment
variables ``POS_<SECTION>__<KEY>``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_TOML = Path(__file__).with_name("default.toml")
_ENV: ContextVar[Mapping[str, str] | None] = ContextVar("_ENV", default=None)


def _whole(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise PydanticCustomError("refused", "")
    return value


def _exact(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise PydanticCustomError("refused", 'write it as a string, e.g. "25.00"')
    return value


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError(
            "must be plain text: no control characters (ESC, NUL, line breaks) or "
            "text-direction overrides"
        )
    return value


Printable = Annotated[str, AfterValidator(_printable)]
"""Text shown on screens and slips (names): printable characters only, as the
``pos`` CLI requires of what a cashier types."""
Whole = Annotated[int, BeforeValidator(_whole)]
"""An int that refuses ``true`` and ``5.0``: points and counts are whole numbers."""
Exact = Annotated[Decimal, BeforeValidator(_exact)]
"""A Decimal that refuses TOML floats (``25.1`` is not exact): write ``"25.10"``."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocaleSettings(_Section):
    region: str = Field(
        default="TH", description="Default region for phone numbers (ISO 3166, e.g. TH)."
    )
    currency: str = Field(
        default="THB", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code."
    )
    language: Literal["th", "en"] = Field(
        default="th", description="Language of screens and slips."
    )
    timezone: str = Field(
        default="",
        description="The shop's time zone (IANA name, e.g. Asia/Bangkok): its day runs from "
        "local midnight. Empty = this computer's zone.",
    )
    buddhist_era: bool = Field(
        default=True,
        description="Thai screens and slips count years in the Buddhist era (2569 for 2026); "
        "false: the Common Era year. English always shows the Common Era.",
    )

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Any:
        code = value.upper() if isinstance(value, str) else value
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError('must be a region code phonenumbers knows, e.g. "TH" or "US"')
        return code

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                # ValueError: a path such as "../x"; OSError: a directory such as "Asia".
                raise ValueError(
                    'must be a time zone name, e.g. "Asia/Bangkok" or "Europe/Berlin", '
                    'or "" for this computer\'s zone'
                ) from None
        return name


class StoreSettings(_Section):
    name: Printable = Field(default="Loyalty POS", min_length=1, description="Store name on slips.")
    branch: Printable = Field(default="", description="Branch name on slips (may be empty).")
    member_url: str = Field(
        default="",
        description="Member page link for the slip's QR, with {member_id} or {token} (the "
        "member's head-office page token); empty = head office's page for the member on a "
        "joined till (no QR before joining, or before head office has the member).",
    )


class PrinterSettings(_Section):
    url: str = Field(
        default="preview",
        description="preview, usb://VID:PID, tcp://HOST:PORT, serial:///dev/ttyUSB0?baudrate="
        "19200, file:///path or cups://QUEUE.",
    )
    profile: str = Field(default="TM-T88V", description="python-escpos printer profile name.")
    paper_mm: Whole = Field(default=80, description="Paper width in mm: 58 or 80.")
    columns: Whole | None = Field(
        default=None, ge=24, le=64, description="Characters per line; unset = from paper width."
    )
    spool_dir: Path | None = Field(
        default=None, description="Where previews are written; unset = the user data folder."
    )
    keep_days: Whole = Field(
        default=30,
        ge=1,
        description="Preview slips older than this many days are removed: they name members.",
    )

    @field_validator("url")
    @classmethod
    def _known_url(cls, url: str) -> str:
        if not _PRINTER_URL.match(url):
            raise ValueError(
                "must be preview, usb://VID:PID (hex), tcp://HOST:PORT, "
                "serial:///dev/ttyUSB0?baudrate=19200, file:///PATH or cups://QUEUE"
            )
        return url

    @field_validator("paper_mm")
    @classmethod
    def _paper(cls, mm: int) -> int:
        if mm not in (58, 80):
            raise ValueError("must be 58 or 80 (mm)")
        return mm


_PRINTER_URL = re.compile(
    r"^(preview|usb://[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}|tcp://[^/:]+:[0-9]{1,5}"
    r"|serial://.+|file://.+|cups://.+)$"
)


class SyncSettings(_Section):
    interval_seconds: Whole = Field(
        default=180, ge=30, description="How often the app syncs in the background when online."
    )
    offline_redeem_limit: Whole = Field(
        default=1000,
        ge=0,
        description="Points a member may redeem per day while head office is unreachable; "
        "above it a supervisor approves.",
    )


class EarnSettings(_Section):
    spend_per_point: Exact = Field(
        default=Decimal("25.00"), gt=0, decimal_places=2, description="Spend that earns one point."
    )
    expiry_days: Whole = Field(
        default=365, ge=1, description="Days after which earned points expire."
    )
    max_sale: Exact = Field(
        default=Decimal("1000000.00"),
        gt=0,
        decimal_places=2,
        description="Largest sale amount accepted.",
    )


class Tier(_Section):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="Lowercase slug, e.g. silver.")
    name_en: Printable = Field(min_length=1, description="Name in English.")
    name_th: Printable = Field(min_length=1, description="Name in Thai.")
    min_spend: Exact = Field(
        ge=0, decimal_places=2, description="Rolling 12-month spend needed for this tier."
    )
    multiplier: Exact = Field(ge=1, le=10, description="Earn multiplier for members of this tier.")


class RedeemSettings(_Section):
    approval_threshold: Whole = Field(
        default=500, ge=0, description="Redemptions above this many points need a supervisor."
    )


class StaffSettings(_Section):
    max_pin_attempts: Whole = Field(
        default=5, ge=1, description="Wrong PINs in a row before a lock."
    )
    lock_seconds: Whole = Field(
        default=60, ge=1, description="Length of the first PIN lock; doubles on each further lock."
    )


RewardKind = Literal["discount", "percent_off", "free_item", "store_credit", "gift_voucher"]


class Reward(_Section):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,31}$", description="Catalog code, e.g. DISC50.")
    name_en: Printable = Field(min_length=1, description="Name in English.")
    name_th: Printable = Field(min_length=1, description="Name in Thai.")
    points: Whole = Field(gt=0, description="Points the reward costs.")
    kind: RewardKind = Field(description="What the coupon gives.")
    value: Exact = Field(
        ge=0, description="Money for discount/store_credit/gift_voucher, percent for percent_off."
    )
    validity_days: Whole = Field(
        default=30, ge=1, description="Days the issued coupon stays valid."
    )

    @field_validator("value")
    @classmethod
    def _value_fits_kind(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        kind = info.data.get("kind")
        if kind is None:
            return value  # kind itself was bad; that error is reported
        if kind == "free_item" and value != 0:
            raise ValueError('must be "0" for a free_item')
        if kind == "percent_off" and not 0 < value <= 100:
            raise ValueError("must be a percent > 0 and <= 100 for percent_off")
        if kind not in ("free_item", "percent_off") and (value <= 0 or value != round(value, 2)):
            raise ValueError(f"must be an amount > 0 with at most 2 decimals for {kind}")
        return value


def _duplicate(ids: list[str]) -> str | None:
    return next((i for n, i in enumerate(ids) if i in ids[:n]), None)


class _EnvMappingSource(EnvSettingsSource):
    """The usual env source, reading the mapping given to :func:`load_settings`."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        env = _ENV.get()
        # Names are case-insensitive and an empty variable counts as unset.
        return {k.lower(): v for k, v in (os.environ if env is None else env).items() if v}


class Settings(BaseSettings):
    """Everything the terminal is configured with; build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="POS_", env_nested_delimiter="__", case_sensitive=False, extra="forbid"
    )

    db: Path | None = Field(default=None, description="The ledger database file (env POS_DB).")
    secrets_file: Path | None = Field(
        default=None,
        description="File holding the coupon signing key; by default beside the database.",
    )
    locale: LocaleSettings = Field(default_factory=LocaleSettings, description="Region, language.")
    store: StoreSettings = Field(default_factory=StoreSettings, description="Store details.")
    printer: PrinterSettings = Field(default_factory=PrinterSettings, description="Printer.")
    sync: SyncSettings = Field(default_factory=SyncSettings, description="Head-office sync.")
    earn: EarnSettings = Field(default_factory=EarnSettings, description="Earning points.")
    tiers: list[Tier] = Field(description="Member tiers, lowest min_spend first.")
    redeem: RedeemSettings = Field(default_factory=RedeemSettings, description="Redemptions.")
    staff: StaffSettings = Field(default_factory=StaffSettings, description="Staff PINs.")
    rewards: list[Reward] = Field(description="The reward catalog.")

    @field_validator("db", "secrets_file")
    @classmethod
    def _expand_user(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[Tier]) -> list[Tier]:
        if not tiers:
            raise ValueError("must list at least one tier")
        if tiers[0].min_spend != 0:
            raise ValueError('must start with a tier whose min_spend is "0"')
        if any(a.min_spend >= b.min_spend for a, b in pairwise(tiers)):
            raise ValueError("must be sorted by min_spend, lowest first, without ties")
        if dup := _duplicate([t.id for t in tiers]):
            raise ValueError(f'must have unique ids ("{dup}" appears twice)')
        return tiers

    @field_validator("rewards")
    @classmethod
    def _rewards_unique(cls, rewards: list[Reward]) -> list[Reward]:
        if dup := _duplicate([r.id for r in rewards]):
            raise ValueError(f'must have unique ids ("{dup}" appears twice)')
        return rewards

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first; init_settings carries the user's config file.
        defaults = TomlConfigSettingsSource(settings_cls, toml_file=DEFAULT_TOML)
        return _EnvMappingSource(settings_cls), init_settings, defaults
