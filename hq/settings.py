"""Head-office settings: environment variables ``POS_HQ_*`` (or CLI flags)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 8080


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
    direct_copy: bool = True
    """Push entries with one COPY straight into the journal when they are all new,
    falling back to COPY into a temp table + INSERT ... ON CONFLICT DO NOTHING."""
