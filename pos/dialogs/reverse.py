"""Confirming a reversal (supervisor screen, F4): who the member is, the entry,
the balance before and after, a warning when it goes below zero, and the
unused coupons paid with the reversed points with the two choices.

Returns what the supervisor chose: ``"reverse"`` (Enter; nothing to choose),
``"void"`` (V) or ``"keep"`` (K) when coupons are listed, None on Esc.
"""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from ledger.coupons import display_code
from ledger.models import ReversalPreview
from pos.screens.base import PosDialog
from pos.times import local_time
from pos.widgets.text import Plain

Choice = Literal["reverse", "void", "keep"]


class ReverseDialog(PosDialog[Choice | None]):
    DEFAULT_CSS = """
    ReverseDialog {
        align: center middle;
    }
    ReverseDialog #reverse-box {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 2;
    }
    ReverseDialog .title {
        text-style: bold;
    }
    ReverseDialog #reverse-negative {
        color: $error;
        text-style: bold;
    }
    ReverseDialog .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("enter", "choose('reverse')", "Reverse", id="key.reverse"),
        Binding("v", "choose('void')", "Void coupons", id="key.void"),
        Binding("k", "choose('keep')", "Keep coupons", id="key.keep"),
        Binding("escape", "cancel", "Back", id="key.back"),
    ]

    def __init__(self, preview: ReversalPreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(id="reverse-box"):
            yield Plain(id="reverse-title", classes="title")
            yield Plain(id="reverse-member")
            yield Plain(id="reverse-entry")
            yield Plain(id="reverse-balance")
            if self.preview.below_zero:
                yield Plain(id="reverse-negative")
            if self.preview.coupons:
                yield Plain(id="reverse-coupons")
                for n, _ in enumerate(self.preview.coupons):
                    yield Plain(id=f"reverse-coupon-{n}")
                yield Plain(id="reverse-if-void")
                yield Plain(id="reverse-if-keep")
            yield Plain(id="reverse-hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._fill, init=True)

    def _fill(self, *_: object) -> None:
        """Every line in the current language (F5 may switch it meanwhile)."""
        tr, seen, entry = self.pos.tr, self.preview, self.preview.entry
        lines = {
            "#reverse-title": tr("rev.title"),
            "#reverse-member": self._member(),
            "#reverse-balance": tr("rev.balance", before=seen.balance_before,
                                   after=seen.balance_after),
            "#reverse-hint": tr("rev.choice_hint" if seen.coupons else "rev.hint"),
        }  # fmt: skip
        kind = tr(f"kind.{entry.kind}")
        when = local_time(entry.created_at, tr)
        if entry.amount_minor is not None:
            amount = tr.money(entry.amount_minor, entry.currency or "THB")
            lines["#reverse-entry"] = tr("rev.entry", kind=kind, points=f"{entry.points:+d}",
                                         amount=amount, time=when)  # fmt: skip
        else:
            lines["#reverse-entry"] = tr("rev.entry_points", kind=kind,
                                         points=f"{entry.points:+d}", time=when)  # fmt: skip
        if seen.below_zero:
            lines["#reverse-negative"] = tr("rev.negative", after=seen.balance_after)
        if seen.coupons:
            lines["#reverse-coupons"] = tr("rev.coupons")
            for n, paid in enumerate(seen.coupons):
                lines[f"#reverse-coupon-{n}"] = "  " + tr(
                    "rev.coupon", code=display_code(paid.coupon.code),
                    reward=self._reward(paid.coupon.reward_id), points=paid.points,
                )  # fmt: skip
            lines["#reverse-if-void"] = tr("rev.if_void", after=seen.balance_if_voided)
            lines["#reverse-if-keep"] = tr("rev.if_keep", after=seen.balance_after)
        for selector, text in lines.items():
            self.query_one(selector, Plain).update(text)

    def _member(self) -> str:
        seen = self.preview
        if seen.member is None:
            return self.pos.tr("rev.no_member")
        who = " ".join(part for part in (seen.masked_phone, seen.member.name) if part)
        return self.pos.tr("rev.member", who=who)

    def _reward(self, reward_id: str) -> str:
        reward = next((r for r in self.pos.settings.rewards if r.id == reward_id), None)
        if reward is None:
            return reward_id
        return reward.name_th if self.pos.tr.language == "th" else reward.name_en

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            # With coupons the supervisor must say what happens to them: V or K,
            # never a bare Enter; without coupons only Enter reverses.
            return (parameters[0] in ("void", "keep")) == bool(self.preview.coupons)
        return True

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
