"""Redeem: the catalog filtered to what the member can afford, or a number
of points. Above the approval threshold, or past the offline limit, a
supervisor approves first (``Ledger.redeem_policy`` says which)."""

from __future__ import annotations

import secrets

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from config.refusal import Refusal
from ledger.errors import ApprovalRequired, InvalidInput
from ledger.models import Credentials, MemberCard, Redemption
from ledger.money import parse_points
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.screens.base import PosScreen, call_ledger
from pos.widgets.text import Message, Tr, TrInput, plain


class RedeemScreen(PosScreen[Redemption | None]):
    CSS_PATH = "redeem.tcss"
    BINDINGS = [Binding("escape", "back", "Back", id="key.back")]

    def __init__(self, card: MemberCard) -> None:
        super().__init__()
        self.card = card
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="redeem-box"):
            yield Tr("redeem.title", classes="title")
            yield OptionList(id="rewards")
            yield Tr("redeem.none", id="no-rewards", classes="hint")
            yield TrInput("redeem.points", id="points", restrict=r"[0-9๐-๙]*")
            yield Message(id="redeem-message")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.ref = f"R-{self.pos.clock().strftime('%y%m%d%H%M%S')}-{secrets.token_hex(2).upper()}"
        self.watch(self.app, "language", self._fill, init=True)
        rewards = self.query_one("#rewards", OptionList)
        has = rewards.option_count > 0
        self.query_one("#no-rewards").display = not has
        rewards.display = has
        (rewards if has else self.query_one("#points", Input)).focus()

    def _fill(self, *_: object) -> None:
        tr = self.pos.tr
        rewards = self.query_one("#rewards", OptionList)
        highlighted = rewards.highlighted
        rewards.clear_options()
        balance = self.card.member.balance
        for reward in self.pos.settings.rewards:
            if reward.points <= balance:
                name = reward.name_th if tr.language == "th" else reward.name_en
                pts = tr("redeem.pts", n=tr.number(reward.points))
                rewards.add_option(
                    Option(plain(f"{reward.id:<11} {pts:>10}  {name}"), id=reward.id)
                )
        if rewards.option_count:
            rewards.highlighted = highlighted or 0

    @on(OptionList.OptionSelected, "#rewards")
    def _reward_chosen(self, event: OptionList.OptionSelected) -> None:
        reward_id = event.option.id or ""
        cost = next(r.points for r in self.pos.settings.rewards if r.id == reward_id)
        self._redeem(cost, reward_id=reward_id)

    @on(Input.Submitted, "#points")
    def _points_typed(self) -> None:
        text = self.query_one("#points", Input).value
        try:
            points = parse_points(text)
        except InvalidInput as exc:
            self.query_one("#redeem-message", Message).show(exc.message, error=True)
            return
        self._redeem(points, points=points)

    def _redeem(
        self, cost: int, *, points: int | None = None, reward_id: str | None = None
    ) -> None:
        if self.busy:
            return
        try:
            policy = self.pos.ledger.redeem_policy(self.card.member, cost)
        except Refusal as exc:
            self.pos.refuse(exc)
            return
        tr = self.pos.tr
        if policy.short_by:
            # Say it now: no point calling a supervisor over for a refusal.
            self.query_one("#redeem-message", Message).show(
                tr("redeem.short", balance=tr.number(policy.balance), cost=cost), error=True
            )
            return
        if not policy.needs_approval:
            self._send(points, reward_id, None)
            return

        def approved(credentials: Credentials | None) -> None:
            if credentials is None:
                self.query_one("#redeem-message", Message).show(
                    self.pos.tr("approval.cancelled"), error=True
                )
                return
            self._send(points, reward_id, credentials)

        what = f"{tr('redeem.title')} {tr.number(cost)}"
        if policy.why == "offline_limit":
            what = f"{what} ({tr('redeem.offline_limit')})"
        self.app.push_screen(ApprovalDialog(what), approved)

    def _send(
        self, points: int | None, reward_id: str | None, approval: Credentials | None
    ) -> None:
        self.busy = True
        phone = self.card.member.phone or ""
        cashier = self.pos.staff.staff_id if self.pos.staff else None
        call_ledger(
            self,
            lambda: self.pos.ledger.redeem(
                phone,
                ref=self.ref,
                points=points,
                reward_id=reward_id,
                cashier_id=cashier,
                approval=approval,
                print_slip=True,
            ),
            self._done,
            lambda error: self._refused(error, points, reward_id, approval),
        )

    def _done(self, result: Redemption) -> None:
        self.pos.print_pending()
        if result.coupon is None:
            self.dismiss(result)
            return
        self.app.push_screen(CouponDialog(result.coupon), lambda _: self.dismiss(result))

    def _refused(
        self,
        error: Refusal,
        points: int | None = None,
        reward_id: str | None = None,
        approval: Credentials | None = None,
    ) -> None:
        self.busy = False
        self.query_one("#redeem-message", Message).show(error.message, error=True)
        if isinstance(error, ApprovalRequired) and approval is None:
            # The ledger asked for approval the policy did not foresee (head office
            # went away between the two): a supervisor can still approve.
            def approved(credentials: Credentials | None) -> None:
                if credentials is not None:
                    self._send(points, reward_id, credentials)

            self.app.push_screen(ApprovalDialog(error.message), approved)

    def action_back(self) -> None:
        self.dismiss(None)
