"""Redeem: the whole catalog in catalog order, or a number of points.

Every reward keeps its place whatever the member's balance, so the same keys
pick the same reward for every member; one the member cannot afford is dimmed,
says how many points are missing, and choosing it redeems nothing. A choice
opens a confirmation (``RedeemConfirm``) before anything is written; after
it, above the approval threshold or past the offline limit, a supervisor
approves (``Ledger.redeem_policy`` says which)."""

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
from pos.dialogs.redeem_confirm import RedeemConfirm, RedeemOffer
from pos.i18n import Translator
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
        balance = self.card.member.balance
        self.query_one("#no-rewards").display = not any(
            r.points <= balance for r in self.pos.settings.rewards
        )
        rewards.display = rewards.option_count > 0
        # The list has focus for every member (an empty catalog aside): the
        # same keys do the same thing whatever the balance.
        (rewards if rewards.display else self.query_one("#points", Input)).focus()

    def _fill(self, *_: object) -> None:
        tr = self.pos.tr
        rewards = self.query_one("#rewards", OptionList)
        highlighted = rewards.highlighted
        rewards.clear_options()
        balance = self.card.member.balance
        for reward in self.pos.settings.rewards:
            name = reward.name_th if tr.language == "th" else reward.name_en
            pts = tr("redeem.pts", n=tr.number(reward.points))
            line = f"{reward.id:<11} {pts:>10}  {name}"
            missing = reward.points - balance
            if missing > 0:
                # Dimmed, not disabled: a disabled option would be skipped by the
                # arrow keys and the rewards below it would move up one key.
                line = f"{line}  ({tr('redeem.missing', n=tr.number(missing))})"
                rewards.add_option(Option(plain(line).stylize("dim"), id=reward.id))
            else:
                rewards.add_option(Option(plain(line), id=reward.id))
        if rewards.option_count:
            rewards.highlighted = highlighted or 0

    @on(OptionList.OptionSelected, "#rewards")
    def _reward_chosen(self, event: OptionList.OptionSelected) -> None:
        reward_id = event.option.id or ""
        reward = next(r for r in self.pos.settings.rewards if r.id == reward_id)
        missing = reward.points - self.card.member.balance
        if missing > 0:
            tr = self.pos.tr
            name = reward.name_th if tr.language == "th" else reward.name_en
            self.query_one("#redeem-message", Message).show(
                tr("redeem.cannot", reward=name, n=tr.number(missing)), error=True
            )
            return
        self._redeem(reward.points, reward_id=reward_id)

    @on(Input.Submitted, "#points")
    def _points_typed(self) -> None:
        text = self.query_one("#points", Input).value
        try:
            points = parse_points(text)
        except InvalidInput as exc:
            self.query_one("#redeem-message", Message).show(
                self.pos.tr.refusal(exc).message, error=True
            )
            return
        self._redeem(points, points=points)

    def _redeem(
        self, cost: int, *, points: int | None = None, reward_id: str | None = None
    ) -> None:
        if self.busy or self.app.screen is not self:
            return  # a second Enter of a burst while the confirmation comes up
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
        reward = next((r for r in self.pos.settings.rewards if r.id == reward_id), None)
        member = self.card.member
        offer = RedeemOffer(
            masked_phone=self.pos.ledger.mask(member.phone) if member.phone else "",
            name=member.name,
            cost=cost,
            balance=policy.balance,
            reward=reward,
            needs_approval=policy.needs_approval,
        )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.query_one("#redeem-message", Message).show(
                    self.pos.tr("redeem.cancelled"), error=True
                )
                return
            if policy.needs_approval:
                self._approve(cost, policy.why, points, reward_id)
            else:
                self._send(points, reward_id, None)

        self.app.push_screen(RedeemConfirm(offer), confirmed)

    def _approve(
        self, cost: int, why: str | None, points: int | None, reward_id: str | None
    ) -> None:
        def approved(credentials: Credentials | None) -> None:
            if credentials is None:
                self.query_one("#redeem-message", Message).show(
                    self.pos.tr("approval.cancelled"), error=True
                )
                return
            self._send(points, reward_id, credentials)

        def what(tr: Translator) -> str:  # worded again if F5 switches the language
            text = f"{tr('redeem.title')} {tr.number(cost)}"
            return f"{text} ({tr('redeem.offline_limit')})" if why == "offline_limit" else text

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

            self.app.push_screen(ApprovalDialog(lambda tr: tr.refusal(error).message), approved)

    def action_back(self) -> None:
        self.dismiss(None)
