"""The member card: who, tier, balance, expiry, last visits, rewards.
The amount field has focus: amount, Enter adds the points."""

from __future__ import annotations

import secrets
from dataclasses import replace

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, ProgressBar

from config.refusal import Refusal
from ledger.errors import (
    AmountTooLarge,
    InvalidAmount,
    NegativeAmount,
    TooManyDecimals,
    ZeroAmount,
)
from ledger.models import Earned, Entry, Member, MemberCard, Redemption
from ledger.money import parse_amount, to_minor
from pos.dialogs.member_data import DataDone, MemberDataDialog
from pos.dialogs.member_name import NameDialog
from pos.screens.base import PosScreen, call_ledger
from pos.screens.history import HistoryScreen
from pos.screens.redeem import RedeemScreen
from pos.times import local_date, local_time
from pos.widgets.text import Message, Plain, Tr, TrInput, plain_lines


class MemberScreen(PosScreen[str | None]):
    """Dismisses with the line to show back on the lookup screen."""

    CSS_PATH = "member.tcss"
    BINDINGS = [
        Binding("f2", "redeem", "Redeem", id="key.redeem"),
        Binding("f3", "focus_ref", "Sale ref", id="key.ref"),
        Binding("f4", "history", "History", id="key.history"),
        Binding("f7", "name", "Name", id="key.name"),
        Binding("f8", "member_data", "Member data", id="key.member_data"),
        Binding("escape", "back", "Back", id="key.back"),
    ]

    def __init__(self, card: MemberCard) -> None:
        super().__init__()
        self.card = card
        self.busy = False
        self.sale_ref = ""
        self._styled_for: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="card-top"):
            with Vertical(id="card-info"):
                yield Plain(id="card-name", classes="title")
                yield Plain(id="card-phone")
                # Shown only for a member who withdrew consent (ledger.consent).
                yield Plain(id="card-consent")
                yield Plain(id="card-tier")
                yield ProgressBar(id="card-progress", show_eta=False, total=100)
                yield Plain(id="card-balance")
                yield Plain(id="card-expiry")
                yield Plain(id="card-rewards")
            with Vertical(id="card-visits"):
                yield Tr("card.visits", classes="title")
                yield Plain(id="card-visit-list")
        with Horizontal(id="card-sale"):
            # No `restrict`: it drops the keys it refuses, so "-5" became a 5.00
            # sale and "1e3" a 13.00 one. The field keeps what was typed; Enter
            # refuses what is not an amount, with a message.
            yield TrInput("card.amount", id="amount")
            yield TrInput("card.ref", id="ref")
        yield Message(id="card-message")
        yield Tr("card.amount_hint", classes="hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._paint, init=True)
        self._start_sale()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown again (the next member): keep the styles it has unless the
        app's changed while it was away (a theme, the terminal's focus).

        Textual re-applies the whole stylesheet to every widget of a screen it
        shows again: about 3 of the 16 ms from Enter to the painted card, for
        styles that are the same. This handler runs before Textual's own
        (subclass first), which reads ``refresh_styles``."""
        app = self.app
        styled_for = (app.theme, app.ansi_color, app.pseudo_classes, app.classes)
        if styled_for == self._styled_for:
            event.refresh_styles = False
        self._styled_for = styled_for

    def load(self, card: MemberCard) -> None:
        """Show another member on this same screen: the app keeps one card
        screen and refills it, which is far quicker than building a new one."""
        self.card = card
        if self.is_mounted:
            self._paint()
            self._start_sale()

    def _start_sale(self) -> None:
        self.busy = False
        for field_id in ("#amount", "#ref"):
            self.query_one(field_id, Input).value = ""
        self.query_one("#card-message", Message).clear()
        # A clock behind the journal (flat battery) or years ahead: say so at every card.
        clock_warning = self.pos.ledger.clock_warning()
        if clock_warning:
            self.query_one("#card-message", Message).show(
                self.pos.tr.refusal(clock_warning).message, error=True
            )
        self.query_one("#amount", Input).focus()
        _, terminal = self.pos.ledger.terminal()
        stamp = self.pos.clock().strftime("%y%m%d%H%M%S")
        # Made once per card shown: a double Enter or a retry reuses it, so the
        # ledger's idempotency turns a repeat into "already recorded".
        self.sale_ref = f"{terminal}-{stamp}-{secrets.token_hex(2).upper()}"

    def _paint(self, *_: object) -> None:
        tr, card, ledger = self.pos.tr, self.card, self.pos.ledger
        member = card.member
        tiers = {t.id: t for t in self.pos.settings.tiers}
        tier = tiers[member.tier]
        tier_name = tier.name_th if tr.language == "th" else tier.name_en
        self.query_one("#card-name", Plain).update(member.name or tr("card.noname"))
        self.query_one("#card-phone", Plain).update(ledger.mask(member.phone or ""))
        withdrawn = ledger.consent_withdrawn_at(member.member_id)
        notice = self.query_one("#card-consent", Plain)
        notice.display = withdrawn is not None
        if withdrawn is not None:
            said = tr("card.consent_withdrawn", date=local_date(withdrawn, tr))
            notice.update(Content.styled(said, "bold"))
        progress = self.query_one("#card-progress", ProgressBar)
        if card.progress.next_tier:
            upper = tiers[card.progress.next_tier]
            upper_name = upper.name_th if tr.language == "th" else upper.name_en
            need = card.progress.spend_to_next_minor or 0
            text = tr("card.to_next", amount=tr.money(need), tier=upper_name)
            span = to_minor(upper.min_spend) - to_minor(tier.min_spend)
            done = span - need
            progress.update(total=max(span, 1), progress=max(done, 0))
            progress.display = True
        else:
            text = tr("card.top_tier")
            progress.display = False
        self.query_one("#card-tier", Plain).update(f"{tr('card.tier')}: {tier_name} · {text}")
        self.query_one("#card-balance", Plain).update(
            Content.assemble(
                f"{tr('card.balance')}: ", (tr("card.points", n=tr.number(member.balance)), "bold")
            )
        )
        expiry = card.next_expiry
        expiry_text = (
            tr(
                "card.expiry_value",
                n=tr.number(expiry.points),
                date=local_date(expiry.expires_at, tr),
            )
            if expiry
            else tr("card.no_expiry")
        )
        self.query_one("#card-expiry", Plain).update(f"{tr('card.expiry')}: {expiry_text}")
        catalog = {r.id: r for r in self.pos.settings.rewards}
        names = [
            f"  • {catalog[i].name_th if tr.language == 'th' else catalog[i].name_en}"
            f" ({tr.number(catalog[i].points)})"
            for i in card.affordable_rewards
        ]
        lines = [f"{tr('card.rewards')}:"] + (names or [f"  {tr('card.no_rewards')}"])
        self.query_one("#card-rewards", Plain).update(plain_lines(lines))
        visits = [
            self._visit(e, tr.kind(e.kind), local_time(e.created_at, tr, year=False))
            for e in card.recent
        ] or [tr("card.no_visits")]
        self.query_one("#card-visit-list", Plain).update(plain_lines(visits))

    @staticmethod
    def _visit(entry: Entry, kind: str, when: str) -> str:
        return f"{when} {kind:<8} {entry.points:+d}"

    # -- earn ------------------------------------------------------------

    @on(Input.Submitted, "#ref")
    def _ref_typed(self) -> None:
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def _amount_typed(self) -> None:
        amount = self.query_one("#amount", Input).value.strip()
        if not amount:
            self.query_one("#card-message", Message).show(
                self.pos.tr("error.amount_empty"), error=True
            )
            return
        if self.busy:
            return
        try:
            # Checked here too (the ledger checks again): a refusal is shown at
            # once, and a sale the ledger would refuse never leaves the screen.
            parse_amount(amount, to_minor(self.pos.settings.earn.max_sale))
        except InvalidAmount as error:
            self._refused(error)
            return
        self.busy = True
        ref = self.query_one("#ref", Input).value.strip() or self.sale_ref
        member = self.card.member  # the one on screen: no second look-up by phone
        cashier = self.pos.staff.staff_id if self.pos.staff else None
        call_ledger(
            self,
            lambda: self.pos.ledger.earn(member, amount, ref, cashier, print_slip=True),
            self._earned,
            self._refused,
        )

    def _earned(self, entry: Earned) -> None:
        self.pos.print_pending()
        tr = self.pos.tr
        if entry.duplicate:
            line = tr("lookup.duplicate", ref=entry.ref, balance=tr.number(entry.balance_after))
        else:
            who = self.card.member.name or self.pos.ledger.mask(self.card.member.phone or "")
            line = tr(
                "lookup.earned",
                points=tr.number(entry.points),
                balance=tr.number(entry.balance_after),
                who=who,
            )
        self.dismiss(line)

    def _refused(self, error: Refusal) -> None:
        self.busy = False
        # Keys typed ahead after a refused sale were meant for the next member:
        # never for this amount field.
        self.pos.typing.discard(self)
        text = self._amount_problem(error) if isinstance(error, InvalidAmount) else None
        self.query_one("#card-message", Message).show(text or error.message, error=True)
        self.query_one("#amount", Input).focus()

    def _amount_problem(self, error: InvalidAmount) -> str | None:
        """What is wrong with the typed amount, in the cashier's language (None:
        a refusal with no typed value, shown as the ledger wrote it)."""
        tr, details = self.pos.tr, error.details
        if isinstance(error, AmountTooLarge):
            amount, limit = details["amount_minor"], details["max_minor"]
            return tr("error.amount_too_large", amount=tr.money(amount), limit=tr.money(limit))
        if isinstance(error, ZeroAmount):
            return tr("error.amount_zero")
        if "value" not in details:
            return None
        key = {NegativeAmount: "error.amount_negative", TooManyDecimals: "error.amount_decimals"}
        return tr(key.get(type(error), "error.amount_bad"), value=details["value"])

    # -- keys ------------------------------------------------------------

    def action_focus_ref(self) -> None:
        self.query_one("#ref", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_redeem(self) -> None:
        def done(result: Redemption | None) -> None:
            if result is None:
                self.query_one("#amount", Input).focus()
                return
            tr = self.pos.tr
            line = tr(
                "redeem.done",
                points=tr.number(-result.entry.points),
                balance=tr.number(result.entry.balance_after),
            )
            self.dismiss(line)

        self.app.push_screen(RedeemScreen(self.card), done)

    def action_history(self) -> None:
        def back(_: None) -> None:
            self.query_one("#amount", Input).focus()

        self.app.push_screen(HistoryScreen(self.card.member), back)

    def action_name(self) -> None:
        """The name is changed on this card as it is (an amount typed stays)."""

        def done(member: Member | None) -> None:
            if member is not None:
                self.card = replace(self.card, member=replace(self.card.member, name=member.name))
                self._paint()
                tr = self.pos.tr
                said = tr("name.saved", name=member.name) if member.name else tr("name.removed")
                self.query_one("#card-message", Message).show(said)
            self.query_one("#amount", Input).focus()

        self.app.push_screen(NameDialog(self.card.member), done)

    def action_member_data(self) -> None:
        """Consent, the member's copy, a new phone, a merge, forgetting: after
        forget the card closes; otherwise it shows the member as they are now."""

        def done(result: DataDone | None) -> None:
            if result is not None:
                if result.phone is None:
                    self.dismiss(result.said)
                    return
                try:
                    self.card = self.pos.ledger.card(result.phone)
                except Refusal as error:  # gone meanwhile (a sync merged it)
                    self.dismiss(self.pos.tr.refusal(error).message)
                    return
                self._paint()
                self.query_one("#card-message", Message).show(result.said)
            self.query_one("#amount", Input).focus()

        self.app.push_screen(MemberDataDialog(self.card.member), done)
