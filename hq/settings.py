"""Head-office settings: environment variables ``POS_HQ_*`` (or CLI flags)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_PORT = 8080
DEFAULT_LOOKUP_MISSES = 60


class HQSettings(BaseSettings):
    """Typed settings; every field can be set as ``POS_HQ_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="POS_HQ_", extra="ignore", frozen=True)

    dsn: str | None = None
    """PostgreSQL connection string, e.g. ``postgresql://hq@db.example/loyalty``."""
    pool_min_size: int = Field(default=2, ge=0, le=1000)
    """Connections the pool keeps open."""
    pool_size: int = Field(default=16, ge=1, le=1000)
    """Most connections the pool opens (requests beyond it wait)."""
    pool_timeout_s: float = Field(default=30.0, gt=0)
    """How long a request waits for a free connection before failing with 503."""
    setup_code_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    """How long a terminal's one-time setup code stays valid."""
    join_attempts: int = Field(default=10, ge=1, le=10_000)
    """Wrong setup codes one client address may try within ``join_window_s``."""
    join_window_s: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    lookup_misses: int = Field(default=DEFAULT_LOOKUP_MISSES, ge=1, le=100_000)
    """Member lookups of phones head office does not know that one terminal may make
    within ``lookup_window_s`` (a till asks for the customer at its counter; more
    is someone reading the member list phone by phone)."""
    lookup_window_s: int = Field(default=600, ge=1, le=7 * 24 * 3600)
    trusted_proxies: Annotated[list[str], NoDecode] = []
    """Addresses or networks of the reverse proxies in front of head office
    (``POS_HQ_TRUSTED_PROXIES=10.0.0.5,10.1.0.0/24``). Only their
    ``X-Forwarded-For`` is believed; by default nobody's is, and limits count
    the connection's own address."""
    direct_copy: bool = True
    """Push entries with one COPY straight into the journal when they are all new,
    falling back to COPY into a temp table + INSERT ... ON CONFLICT DO NOTHING."""

    backoffice_tls: bool = False
    """Head office is reached over HTTPS (directly or behind a TLS proxy): the back
    office's session cookie is then marked Secure, never sent over plain HTTP."""
    backoffice_idle_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    """A back-office session unused for this long is over (log in again)."""
    backoffice_login_attempts: int = Field(default=5, ge=1, le=10_000)
    """Wrong passwords for one account within ``backoffice_login_window_s``."""
    backoffice_login_address_attempts: int = Field(default=20, ge=1, le=100_000)
    """Wrong passwords from one client address (any account) within the window."""
    backoffice_login_window_s: int = Field(default=900, ge=1, le=7 * 24 * 3600)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return items
        cleaned = [str(v).strip() for v in items if str(v).strip()]
        for item in cleaned:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an address or network (write 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return cleaned
