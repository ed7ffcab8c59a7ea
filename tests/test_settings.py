"""config: defaults, user file, environment, and errors that say where and what."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from config import (
    ConfigError,
    EarnSettings,
    LocaleSettings,
    RedeemSettings,
    StaffSettings,
    default_config_path,
    default_db_path,
    load_settings,
)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the real user config dir (platformdirs reads os.environ)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error(config_path: Path | None = None, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(config_path, env or {})
    return info.value


def test_defaults_load_without_user_file() -> None:
    s = load_settings(env={})
    assert s.db is None and s.secrets_file is None
    assert (s.locale.region, s.locale.currency, s.locale.language) == ("TH", "THB", "th")
    assert s.earn.spend_per_point == Decimal("25.00")
    assert s.redeem.approval_threshold == 500
    assert [t.id for t in s.tiers] == ["member", "silver", "gold"]
    assert [t.min_spend for t in s.tiers] == [0, Decimal("10000.00"), Decimal("50000.00")]
    assert s.tiers[1].name_th == "ซิลเวอร์"
    assert {r.id for r in s.rewards} >= {"COFFEE", "DISC50", "DISC100", "PCT10"}
    pct10 = next(r for r in s.rewards if r.id == "PCT10")
    assert pct10.points > s.redeem.approval_threshold  # on purpose: needs a supervisor


def test_default_toml_agrees_with_model_defaults() -> None:
    s = load_settings(env={})
    assert s.locale == LocaleSettings()
    assert s.earn == EarnSettings()
    assert s.redeem == RedeemSettings()
    assert s.staff == StaffSettings()


def test_user_file_overrides_one_key_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, "[redeem]\napproval_threshold = 800\n[locale]\nlanguage = 'en'\n")
    s = load_settings(path, env={})
    assert s.redeem.approval_threshold == 800
    assert s.locale.language == "en"
    assert s.locale.region == "TH"
    assert s.earn.spend_per_point == Decimal("25.00")
    assert len(s.tiers) == 3


def test_user_list_replaces_the_default_list(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[rewards]]\nid = "TEA"\nname_en = "Tea"\nname_th = "ชา"\npoints = 50\n'
        'kind = "free_item"\nvalue = "0"\n',
    )
    assert [r.id for r in load_settings(path, env={}).rewards] == ["TEA"]


def test_user_file_from_pos_config_and_from_user_config_dir(tmp_path: Path) -> None:
    named = write(tmp_path, "[staff]\nlock_seconds = 90\n", "named.toml")
    assert load_settings(env={"POS_CONFIG": str(named)}).staff.lock_seconds == 90
    assert default_config_path() == tmp_path / "xdg-config" / "loyalty-pos" / "config.toml"
    write(tmp_path, "[staff]\nlock_seconds = 120\n", "xdg-config/loyalty-pos/config.toml")
    assert load_settings(env={}).staff.lock_seconds == 120


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[redeem]\napproval_threshold = 800\n")
    env = {"POS_REDEEM__APPROVAL_THRESHOLD": "900", "pos_locale__language": "en"}
    s = load_settings(path, env=env)
    assert s.redeem.approval_threshold == 900
    assert s.locale.language == "en"


def test_pos_db_sets_db() -> None:
    assert load_settings(env={"POS_DB": "/tmp/x.db"}).db == Path("/tmp/x.db")


def test_default_db_path_is_in_user_data_dir_and_not_created(tmp_path: Path) -> None:
    path = default_db_path()
    assert path == tmp_path / "xdg-data" / "loyalty-pos" / "ledger.db"
    assert not path.parent.exists()


def test_bad_value_in_user_file_names_file_key_and_rule(tmp_path: Path) -> None:
    path = write(tmp_path, '[redeem]\napproval_threshold = "lots"\n')
    err = error(path)
    assert (err.source, err.key) == (str(path), "redeem.approval_threshold")
    assert (
        str(err) == f'{path}: redeem.approval_threshold: must be a whole number >= 0 (got "lots")'
    )


def test_bad_env_var_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "[redeem]\napproval_threshold = 800\n")
    err = error(path, {"POS_REDEEM__APPROVAL_THRESHOLD": "-1"})
    assert err.source == "environment variable POS_REDEEM__APPROVAL_THRESHOLD"
    assert err.key == "redeem.approval_threshold"
    assert "must be a whole number >= 0" in err.message


@pytest.mark.parametrize("value", ["5.0", "500.5", "true"])
def test_float_or_bool_for_an_int_key_is_refused(tmp_path: Path, value: str) -> None:
    err = error(write(tmp_path, f"[redeem]\napproval_threshold = {value}\n"))
    assert err.key == "redeem.approval_threshold"
    assert err.message.startswith("must be a whole number >= 0")


def test_float_for_money_is_refused_with_a_hint(tmp_path: Path) -> None:
    err = error(write(tmp_path, "[earn]\nspend_per_point = 25.5\n"))
    assert err.key == "earn.spend_per_point"
    assert 'write it as a string, e.g. "25.00"' in err.message


def test_unknown_region_is_refused() -> None:
    err = error(env={"POS_LOCALE__REGION": "XX"})
    assert (err.source, err.key) == ("environment variable POS_LOCALE__REGION", "locale.region")
    assert "region" in err.message and '"XX"' in err.message


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[redeem]\napproval_treshold = 800\n")
    err = error(path)
    assert (err.source, err.key) == (str(path), "redeem.approval_treshold")
    assert "not a known setting" in err.message


@pytest.mark.parametrize(
    ("tiers", "words"),
    [
        ([("a", "100.00"), ("b", "200.00")], 'min_spend is "0"'),
        ([("a", "0"), ("b", "500.00"), ("c", "200.00")], "sorted by min_spend"),
        ([("a", "0"), ("a", "200.00")], "unique ids"),
    ],
)
def test_tier_list_rules(tmp_path: Path, tiers: list[tuple[str, str]], words: str) -> None:
    text = "".join(
        f'[[tiers]]\nid = "{i}"\nname_en = "{i}"\nname_th = "{i}"\n'
        f'min_spend = "{spend}"\nmultiplier = "1"\n'
        for i, spend in tiers
    )
    path = write(tmp_path, text)
    err = error(path)
    assert (err.source, err.key) == (str(path), "tiers")
    assert words in err.message


def test_bad_field_inside_a_user_list_names_its_index(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[rewards]]\nid = "TEA"\nname_en = "Tea"\nname_th = "ชา"\npoints = 0\n'
        'kind = "free_item"\nvalue = "0"\n',
    )
    assert str(error(path)) == f"{path}: rewards[0].points: must be a whole number > 0 (got 0)"


def test_missing_explicit_config_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    err = error(missing)
    assert err.source == str(missing) and "not found" in err.message
    err = error(env={"POS_CONFIG": str(missing)})
    assert err.source == str(missing) and "POS_CONFIG" in err.message


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[redeem]\napproval_threshold 800\n")
    err = error(path)
    assert err.source == str(path)
    assert "invalid TOML" in err.message and "line 2" in err.message
