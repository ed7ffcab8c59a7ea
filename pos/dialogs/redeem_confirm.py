"""Confirming a redemption before anything is written: who the member is
(masked phone, name), what they get (the reward, or a number of points off),
and the points before and after. Enter or Y redeems, Esc changes nothing.

A supervisor's approval, when the policy needs one, is asked after this.
A key typed before the dialog was on screen (a double Enter, a scanner's
trailing Enter) does not confirm: nobody saw what it would confirm.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual._time import get_time  # the clock Textual stamps key events with
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from config import Reward
from pos.screens.base import PosDialog
from pos.widgets.text import Plain


@dataclass(frozen=True, slots=True)
class RedeemOffer:
    """What the cashier is about to redeem, for whom."""

    masked_phone: str
    name: str | None
    cost: int
    balance: int
    reward: Reward | None  # None: a number of points
    needs_approval: bool = False

    @property
    def after(self) -> int:
        return self.balance - self.cost


class RedeemConfirm(PosDialog[bool]):
    DEFAULT_CSS = """
    RedeemConfirm {
        align: center middle;
    }
    RedeemConfirm #confirm-box {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        background: $surface;
        padding: 0 2;
    }
    RedeemConfirm .title {
        text-style: bold;
    }
    RedeemConfirm #confirm-what, RedeemConfirm #confirm-balance {
        text-style: bold;
    }
    RedeemConfirm .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("enter", "confirm", "Redeem", id="key.redeem_confirm"),
        Binding("y", "confirm", "Redeem", id="key.redeem_confirm", show=False),
        Binding("escape", "cancel", "Back", id="key.back"),
    ]

    def __init__(self, offer: RedeemOffer) -> None:
        super().__init__()
        self.offer = offer
        self.shown_at = float("inf")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Plain(id="confirm-title", classes="title")
            yield Plain(id="confirm-member")
            yield Plain(id="confirm-what")
            yield Plain(id="confirm-balance")
            if self.offer.needs_approval:
                yield Plain(id="confirm-approval")
            yield Plain(id="confirm-hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.shown_at = get_time()
        self.watch(self.app, "language", self._fill, init=True)

    def _fill(self, *_: object) -> None:
        """Every line in the current language (F5 may switch it meanwhile)."""
        tr, offer = self.pos.tr, self.offer
        who = " ".join(part for part in (offer.masked_phone, offer.name) if part)
        if offer.reward is not None:
            reward = offer.reward
            name = reward.name_th if tr.language == "th" else reward.name_en
            what = tr("redeem.confirm_reward", reward=name, id=reward.id,
                      points=tr.number(offer.cost))  # fmt: skip
        else:
            # Points carry no cash value in the settings: say exactly what happens.
            what = tr("redeem.confirm_points", points=tr.number(offer.cost))
        lines = {
            "#confirm-title": tr("redeem.confirm_title"),
            "#confirm-member": tr("redeem.confirm_member", who=who),
            "#confirm-what": what,
            "#confirm-balance": tr(
                "redeem.confirm_balance",
                before=tr.number(offer.balance),
                after=tr.number(offer.after),
            ),
            "#confirm-hint": tr("redeem.confirm_hint"),
        }
        if offer.needs_approval:
            lines["#confirm-approval"] = tr("redeem.confirm_approval")
        for selector, text in lines.items():
            self.query_one(selector, Plain).update(text)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "y") and event.time < self.shown_at:
            event.stop()  # typed before this was shown: not a confirmation
            event.prevent_default()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
