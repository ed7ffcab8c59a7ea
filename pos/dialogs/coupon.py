"""A coupon on screen: after a redemption, or after a scan (then it offers to
mark the coupon used, or says why it cannot be used)."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from ledger.coupons import display_code
from ledger.models import Coupon
from pos.i18n import Translator
from pos.screens.base import PosDialog
from pos.times import local_date
from pos.widgets.text import Plain, Tr


class CouponDialog(PosDialog[bool]):
    DEFAULT_CSS = """
    CouponDialog {
        align: center middle;
    }
    CouponDialog #coupon-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    CouponDialog #coupon-code {
        text-style: bold;
        color: $success;
        content-align: center middle;
        width: 100%;
    }
    CouponDialog .-bad {
        color: $error;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding("enter", "confirm", "Mark used", id="key.use"),
        Binding("escape", "close", "Back", id="key.back"),
    ]

    def __init__(self, coupon: Coupon, *, offer_use: bool = False) -> None:
        super().__init__()
        self.coupon = coupon
        self.offer_use = offer_use and coupon.status == "issued"
        if not self.offer_use:
            # Enter only closes a coupon that is just being shown (after a
            # redemption, or one that cannot be used): the footer says so.
            keys = self._bindings.key_to_bindings
            keys["enter"] = [replace(b, id="key.close", description="Close") for b in keys["enter"]]

    def compose(self) -> ComposeResult:
        coupon = self.coupon
        status_classes = "" if coupon.status == "issued" else "-bad"
        with Vertical(id="coupon-box"):
            yield Tr("coupon.title", classes="title")
            if coupon.code:
                yield Plain(display_code(coupon.code), id="coupon-code")
            yield Tr(f"coupon.status.{coupon.status}", id="coupon-status", classes=status_classes)
            if coupon.reward_id:
                yield Tr("coupon.reward", id="coupon-reward", name=self._reward_name)
            if coupon.expires_at:
                expires = coupon.expires_at
                yield Tr("coupon.valid", date=lambda tr: local_date(expires, tr))
            yield Tr("coupon.use_hint" if self.offer_use else "coupon.close_hint", classes="hint")

    def _reward_name(self, tr: Translator) -> str:
        """In the language on screen now (F5 words it again)."""
        reward = next((r for r in self.pos.settings.rewards if r.id == self.coupon.reward_id), None)
        if reward is None:
            return self.coupon.reward_id
        return reward.name_th if tr.language == "th" else reward.name_en

    def action_confirm(self) -> None:
        self.dismiss(self.offer_use)

    def action_close(self) -> None:
        self.dismiss(False)
