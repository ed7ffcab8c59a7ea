"""Human-readable text for the CLI; ``--json`` bypasses all of this."""

from __future__ import annotations

from typing import Any


def member_lines(body: dict[str, Any], masked: str) -> list[str]:
    lines = [
        f"{body.get('name') or '(no name)'}  {masked}",
        f"  tier {body['tier']}, {body['balance']} points, spent {body['spend_12m']} "
        "in the last 12 months",
    ]
    if body.get("next_tier"):
        lines.append(f"  {body['spend_to_next_tier']} more to reach {body['next_tier']}")
    expiry = body.get("next_expiry")
    if expiry:
        lines.append(f"  {expiry['points']} points expire on {expiry['expires_at'][:10]}")
    if body.get("affordable_rewards"):
        lines.append(f"  can redeem: {', '.join(body['affordable_rewards'])}")
    return lines


def entry_line(body: dict[str, Any]) -> str:
    parts = [
        body["created_at"][:16].replace("T", " "),
        f"{body['kind']:<8}",
        f"{body['points']:+7d}",
        f"balance {body['balance']}",
    ]
    if body.get("ref"):
        parts.append(f"ref {body['ref']}")
    if body.get("amount"):
        parts.append(f"{body['amount']} {body.get('currency') or ''}".strip())
    if body.get("reason"):
        parts.append(f"({body['reason']})")
    text = "  ".join(parts) + f"  [{body['entry_id']}]"
    return text + ("  (already recorded)" if body.get("duplicate") else "")


def coupon_lines(body: dict[str, Any]) -> list[str]:
    code = body["code"]
    shown = f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
    lines = [f"coupon {shown}: {body['status']}"]
    if body.get("reward_id"):
        lines.append(f"  reward {body['reward_id']}, valid until {body['expires_at'][:10]}")
    if body.get("payload"):
        lines.append(f"  payload {body['payload']}")
    return lines
