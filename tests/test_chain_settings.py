"""Head office's rules and catalog sit between the defaults and the terminal's
own file: the chain decides, a shop may still override, and the printer is
never head office's business."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings

CHAIN = {
    "redeem": {"approval_threshold": 800},
    "rewards": [
        {"id": "TEA", "name_en": "Free tea", "name_th": "ชาฟรี", "points": 50,
         "kind": "free_item", "value": "0"},
    ],
    "printer": {"url": "tcp://10.0.0.9:9100"},
}  # fmt: skip


def test_chain_rules_apply_under_the_user_file(tmp_path: Path) -> None:
    settings = load_settings(env={}, chain=CHAIN)
    assert settings.redeem.approval_threshold == 800
    assert [r.id for r in settings.rewards] == ["TEA"]
    assert settings.printer.url == "preview"  # not head office's to set
    assert settings.earn.expiry_days == 365  # untouched defaults stay

    mine = tmp_path / "config.toml"
    mine.write_text("[redeem]\napproval_threshold = 300\n")
    settings = load_settings(mine, env={}, chain=CHAIN)
    assert settings.redeem.approval_threshold == 300
    assert [r.id for r in settings.rewards] == ["TEA"]


def test_a_bad_chain_value_names_head_office() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, chain={"redeem": {"approval_threshold": "lots"}})
    assert caught.value.source == "head office settings"
    assert caught.value.key == "redeem.approval_threshold"
