"""Loyalty POS settings: :func:`load_settings` returns one typed :class:`Settings`.

A bad value raises :class:`ConfigError`, which names the file or environment
variable that supplied it, the dotted key and what is allowed, e.g.
``/home/x/config.toml: redeem.approval_threshold: must be a whole number >= 0 (got "lots")``.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import platformdirs
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from config.settings import (
    _ENV,
    DEFAULT_TOML,
    EarnSettings,
    LocaleSettings,
    PrinterSettings,
    RedeemSettings,
    Reward,
    RewardKind,
    Settings,
    StaffSettings,
    StoreSettings,
    SyncSettings,
    Tier,
)

__all__ = [
    "DEFAULT_TOML",
    "ConfigError",
    "EarnSettings",
    "LocaleSettings",
    "PrinterSettings",
    "RedeemSettings",
    "Reward",
    "RewardKind",
    "Settings",
    "StaffSettings",
    "StoreSettings",
    "SyncSettings",
    "Tier",
    "check_chain",
    "default_config_path",
    "default_db_path",
    "load_settings",
]

APP_NAME = "loyalty-pos"


class ConfigError(Exception):
    """A setting is missing or wrong. ``source`` is a file path or ``environment variable X``;
    ``key`` is dotted (``redeem.approval_threshold``, ``tiers[1].multiplier``) or ``""`` for
    the whole file; ``message`` says what is allowed."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        super().__init__(": ".join(part for part in (source, key, message) if part))


def default_db_path() -> Path:
    """Where the ledger lives when ``db`` is not set (not created here)."""
    return platformdirs.user_data_path(APP_NAME) / "ledger.db"


def default_config_path() -> Path:
    """The user's config file, read when it exists and no other file is named."""
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


# What head office may set for its terminals; the printer, the database and
# secrets stay the terminal's own.
CHAIN_SECTIONS = ("store", "locale", "earn", "tiers", "redeem", "rewards", "staff", "sync")


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    chain: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then ``chain`` (the rules and catalog head office sent), then
    the user file (``config_path``, else ``$POS_CONFIG``, else
    :func:`default_config_path` if present), then ``POS_<SECTION>__<KEY>``
    from ``env`` (default ``os.environ``)."""
    env = os.environ if env is None else env
    path = _user_file(config_path, env)
    user = _read_toml(path) if path is not None else {}
    shared = {k: v for k, v in (chain or {}).items() if k in CHAIN_SECTIONS}
    token = _ENV.set(env)
    try:
        return Settings(**_merge(shared, user))
    except ValidationError as exc:
        err = exc.errors()[0]
        if _supplied(shared, err["loc"]) and not _supplied(user, err["loc"]):
            found = _explain(err, {}, None, shared)
            raise ConfigError(CHAIN_SOURCE, found.key, found.message) from None
        raise _explain(err, env, path, user) from None
    except SettingsError as exc:  # a JSON value in the environment that does not parse
        match = re.search(r'field "([^"]+)"', str(exc))
        field = match.group(1) if match else ""
        var = _env_var((field,), env) or "POS_" + field.upper()
        raise ConfigError(f"environment variable {var}", field, "must be valid JSON") from None
    finally:
        _ENV.reset(token)


CHAIN_SOURCE = "head office settings"


def check_chain(chain: Mapping[str, Any]) -> Settings:
    """The settings a terminal gets from ``chain`` (head office's rules and catalog)
    over the shipped defaults, or ConfigError naming the key and the value that no
    terminal could load. Head office checks rules with this before storing them;
    a terminal checks what it receives before using it."""
    if not isinstance(chain, Mapping):
        raise ConfigError(CHAIN_SOURCE, "", "must be a JSON object ({...})")
    # The terminal's own sections (the database, secrets, the printer) are not head
    # office's to set. Keys no terminal knows are left out, as load_settings does
    # (a newer head office may send sections an older terminal does not have).
    own = sorted(str(k) for k in chain if k in Settings.model_fields and k not in CHAIN_SECTIONS)
    if own:
        raise ConfigError(
            CHAIN_SOURCE,
            own[0],
            "is the terminal's own setting, not head office's (it may set "
            + ", ".join(CHAIN_SECTIONS)
            + ")",
        )
    shared = {k: v for k, v in chain.items() if k in CHAIN_SECTIONS}
    token = _ENV.set({})  # the checking process's own POS_* variables play no part
    try:
        return Settings(**shared)
    except ValidationError as exc:
        found = _explain(exc.errors()[0], {}, None, shared)
        raise ConfigError(CHAIN_SOURCE, found.key, found.message) from None
    except (TypeError, ValueError) as exc:  # e.g. a key that is not a string
        raise ConfigError(CHAIN_SOURCE, "", f"cannot be read: {exc}") from None
    finally:
        _ENV.reset(token)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; anything else (a list too) in ``over`` wins."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _getenv(env: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in env.items() if k.upper() == name and v), None)


def _user_file(config_path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    if config_path is not None:
        path, named_by = Path(config_path).expanduser(), ""
    elif pos_config := _getenv(env, "POS_CONFIG"):
        path, named_by = Path(pos_config).expanduser(), " (named by POS_CONFIG)"
    else:
        path = default_config_path()
        return path if path.exists() else None
    if not path.exists():
        raise ConfigError(str(path), "", "config file not found" + named_by)
    return path


_MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None
    # A FIFO blocks forever and /dev/zero is read until memory runs out: only a
    # regular file of a sensible size is read.
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CONFIG_BYTES:
        raise ConfigError(
            str(path), "", "not a settings file (a device, a pipe or over 1 MB): name the TOML file"
        )
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:  # the message ends "(at line L, column C)"
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None


def _explain(
    err: ErrorDetails, env: Mapping[str, str], path: Path | None, user: dict[str, Any]
) -> ConfigError:
    loc = err["loc"]
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    if var := _env_var(loc, env):
        source = f"environment variable {var}"
    elif path is not None and _supplied(user, loc):
        source = str(path)
    else:
        source = str(DEFAULT_TOML)
    return ConfigError(source, key, _message(err))


def _env_var(loc: tuple[int | str, ...], env: Mapping[str, str]) -> str | None:
    """The variable that supplied ``loc``: POS_A__B for a.b, POS_A holding JSON, or a
    POS_A__... below it (which replaces a list with a table)."""
    names = {k.upper(): k for k, v in env.items() if v}
    parts = [
        str(p) for p in loc[: next((i for i, p in enumerate(loc) if isinstance(p, int)), None)]
    ]
    below = "POS_" + "__".join(parts).upper() + "__"
    for n in range(len(parts), 0, -1):
        if name := names.get("POS_" + "__".join(parts[:n]).upper()):
            return name
    return next((k for upper, k in names.items() if upper.startswith(below)), None)


def _supplied(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """Whether the user file set ``loc`` (a list it gives replaces the default whole)."""
    node: Any = data
    for part in loc:
        if not isinstance(node, dict):  # a list, or a value where a table belongs
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def _message(err: ErrorDetails) -> str:
    kind, value = err["type"], err["input"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        text = "is not a known setting"
    elif kind == "value_error":
        text = str(err.get("ctx", {}).get("error", err["msg"]))
    else:
        rule = _rule(*_field_at(err["loc"]))
        text = f"must be {rule}" if rule else err["msg"]
        if kind == "refused" and err["msg"]:
            text += f"; {err['msg']}"
    if isinstance(value, bool):
        return f"{text} (got {str(value).lower()})"
    if isinstance(value, str):
        return f"{text} (got {json.dumps(value, ensure_ascii=False)})"
    if isinstance(value, int | float | Decimal):
        return f"{text} (got {value})"
    return text


def _field_at(loc: tuple[int | str, ...]) -> tuple[Any, FieldInfo | None]:
    model: Any = Settings
    ann: Any = None
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            ann, info = (get_args(ann)[0] if get_origin(ann) is list else None), None
        elif (
            isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields
        ):
            info = model.model_fields[part]
            ann = info.annotation
        else:
            return None, None
        model = ann
    return ann, info


def _rule(ann: Any, info: FieldInfo | None) -> str:
    """What a field allows, in words, from its type and constraints."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "a table"
    if get_origin(ann) is list:
        return "a list of tables"
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(f'"{a}"' for a in get_args(ann))
    if Path in get_args(ann):
        return "a file path"
    base = {int: "a whole number", Decimal: "a number", str: "text"}.get(ann)
    if base is None:
        return ""
    bounds, extra = [], ""
    for meta in info.metadata if info else []:
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if (bound := getattr(meta, attr, None)) is not None:
                bounds.append(f"{op} {bound}")
        if (places := getattr(meta, "decimal_places", None)) is not None:
            extra += f" with at most {places} decimals"
        if getattr(meta, "min_length", None):
            base = "non-empty text"
        if pattern := getattr(meta, "pattern", None):
            extra += f" matching {pattern}"
    return " and ".join([f"{base} {bounds[0]}" if bounds else base, *bounds[1:]]) + extra
