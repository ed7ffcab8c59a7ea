"""Earn rules and tiers, as pure functions over the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from config.settings import Tier
from ledger.money import format_minor, to_minor


@dataclass(frozen=True)
class EarnResult:
    points: int
    rules: dict[str, Any]


def tier_for(spend_12m_minor: int, tiers: Sequence[Tier]) -> Tier:
    """The highest tier whose threshold the rolling 12-month spend reaches."""
    chosen = tiers[0]
    for tier in tiers:
        if spend_12m_minor >= to_minor(tier.min_spend):
            chosen = tier
    return chosen


def next_tier(current: Tier, tiers: Sequence[Tier]) -> Tier | None:
    index = [t.id for t in tiers].index(current.id)
    return tiers[index + 1] if index + 1 < len(tiers) else None


def earn_points(amount_minor: int, spend_per_point_minor: int, tier: Tier) -> EarnResult:
    """1 point per ``spend_per_point`` (rounded down), times the tier multiplier
    (rounded down). Records what applied so a slip or an audit can show it."""
    base = amount_minor // spend_per_point_minor
    total = int((Decimal(base) * tier.multiplier).to_integral_value(rounding=ROUND_FLOOR))
    rules = {
        "base_rate": format_minor(spend_per_point_minor),
        "base_points": base,
        "tier": tier.id,
        "multiplier": str(tier.multiplier),
        "tier_bonus": total - base,
    }
    return EarnResult(total, rules)
