"""Lookup: the phone field has focus. Digits, Enter -> the member card.
A scanned coupon (its QR payload and Enter) is recognised here too, and
letters that are not a coupon's code are a part of a member's name: Enter
lists the members whose name holds them (``NameSearchDialog``)."""

from __future__ import annotations

import re

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input

from config.refusal import Refusal
from ledger.coupons import looks_like_payload
from ledger.errors import CouponNotFound, InvalidPhone, MemberNotFound
from ledger.members import NameMatch
from ledger.models import Member, MemberCard
from ledger.phone import format_as_typed
from pos.dialogs.coupon import CouponDialog
from pos.dialogs.name_search import NameSearchDialog
from pos.screens.base import PosScreen, call_ledger
from pos.widgets.text import Message, Tr, TrInput, plain

_CODE = re.compile(r"^(?=.*[A-Za-z])[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$")
# A coupon's code may be all letters ("KITTIPON" is one, and a name): such a
# code that no coupon has is searched as a name.
_LETTERS = re.compile(r"^[A-Za-z]{4}-?[A-Za-z]{4}$")
# Names found at most (one more is read, to say there are more).
NAMES_SHOWN = 10


def is_name(text: str) -> bool:
    """Typed letters (Thai or English) are a name; digits and their punctuation
    alone are a phone, as before (an invalid one is refused as a phone)."""
    return any(ch.isalpha() for ch in text)


class ConsentBox(Checkbox):
    """Textual's checkbox shows its X ticked or not (only the colour changes), so
    an unticked box read as ticked. This one is empty until ticked, and the
    screen's label says the state in words too."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()


class LookupScreen(PosScreen[None]):
    CSS_PATH = "lookup.tcss"
    BINDINGS = [
        Binding("ctrl+l", "logout", "Log out", id="key.logout"),
        Binding("f6", "reprint", "Reprint", id="key.reprint"),
    ]

    def action_reprint(self) -> None:
        """Retry what is queued (the printer is back), else a copy of the last
        slip; the app says which."""
        self.pos.reprint()

    def compose(self) -> ComposeResult:
        with Vertical(id="lookup-box"):
            yield Tr("lookup.title", classes="title")
            yield TrInput("lookup.phone", id="phone")
            yield Message(id="lookup-message")
            with Vertical(id="enroll"):
                yield Tr("lookup.enroll", id="enroll-question", phone="")
                yield ConsentBox(id="consent")
                yield Tr("lookup.consent_scope", id="consent-scope")
                yield Message(id="enroll-message")
                yield Tr("lookup.enroll_hint", classes="hint")
            yield Tr("lookup.hint", classes="hint", id="lookup-hint")
        yield from self.compose_chrome()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._label_consent, init=True)
        self.query_one("#enroll").display = False
        self.query_one("#phone", Input).focus()

    @on(Checkbox.Changed, "#consent")
    def _label_consent(self, *_: object) -> None:
        # Also called for a language change on the app, when this screen's
        # widgets may be gone (or, seen once under load, not there yet).
        box = next(iter(self.query("#consent").results(Checkbox)), None)
        if box is None:
            return
        box.label = plain(self.pos.tr("lookup.consent_on" if box.value else "lookup.consent_off"))
        if box.value:
            self.query_one("#enroll-message", Message).clear()

    # -- typing ----------------------------------------------------------

    @on(Input.Changed, "#phone")
    def _format(self, event: Input.Changed) -> None:
        field = event.input
        if field.cursor_position < len(field.value):
            return  # editing in the middle: leave it alone
        shown = format_as_typed(field.value, self.pos.settings.locale.region)
        if shown != field.value:
            with field.prevent(Input.Changed):
                field.value = shown
                field.cursor_position = len(shown)
        self._hide_enroll()

    @on(Input.Submitted, "#phone")
    def _submitted(self) -> None:
        text = self.query_one("#phone", Input).value.strip()
        if not text:
            return
        if looks_like_payload(text) or _CODE.match(text):
            self._coupon(text)
            return
        if is_name(text):
            self._search_names(text)
            return
        try:
            card = self.pos.ledger.card(text)
        except MemberNotFound:
            if self.pos.joined and not self.pos.offline:
                self._ask_head_office(text)
            else:
                self._offer_enroll(text)
            return
        except InvalidPhone as exc:
            self._no_card()
            self.message(self.pos.tr.refusal(exc).message, error=True)
            return
        except Refusal as exc:
            self._no_card()
            self.pos.refuse(exc)
            return
        self._open_card(card)

    def _no_card(self) -> None:
        """Keys typed after this Enter were for a card that did not come up (an
        amount, its Enter): dropped, never typed into the phone or an offer."""
        self.pos.typing.discard(self)

    def typing_target(self) -> Widget | None:
        if self.query_one("#enroll").display:
            return self.focused
        return self.query_one("#phone", Input)

    # -- results ---------------------------------------------------------

    def message(self, text: str, *, error: bool = False) -> None:
        self.query_one("#lookup-message", Message).show(text, error=error)

    def _open_card(self, card: MemberCard) -> None:
        field = self.query_one("#phone", Input)
        self.query_one("#lookup-message", Message).clear()
        self.app.push_screen(self.pos.member_screen(card), self._back_from_card)
        field.value = ""

    def _back_from_card(self, result: str | None) -> None:
        if result:
            self.message(result)
        self.query_one("#phone", Input).focus()

    def _ask_head_office(self, text: str) -> None:
        """A phone this terminal has never seen may be a member of another branch."""
        self.message(self.pos.tr("lookup.asking_hq"))

        def job() -> MemberCard | None:
            # Not found, offline or refused: the cashier can still enroll.
            found = self.pos.head_office.find_member(text)
            return self.pos.ledger.card(text) if found else None

        def done(card: MemberCard | None) -> None:
            if card is None:
                self._offer_enroll(text)
            else:
                self._open_card(card)

        call_ledger(self, job, done)

    # -- enroll ----------------------------------------------------------

    def _offer_enroll(self, text: str) -> None:
        self._no_card()
        self._enroll_phone = text
        masked = self.pos.ledger.mask(self.pos.ledger.normalize(text))
        self.query_one("#enroll-question", Tr).set("lookup.enroll", phone=masked)
        self.query_one("#consent", Checkbox).value = False
        self.query_one("#enroll").display = True
        self.query_one("#lookup-message", Message).clear()
        self.query_one("#enroll-message", Message).clear()
        self.query_one("#consent", Checkbox).focus()

    def _hide_enroll(self) -> None:
        self.query_one("#enroll").display = False

    def on_key(self, event: events.Key) -> None:
        """While the enroll offer shows: Enter enrolls (with consent only), Esc is
        a sale without membership, C toggles consent."""
        if not self.query_one("#enroll").display:
            return
        if event.key == "enter":
            event.stop()
            self._enroll()
        elif event.key == "escape":
            event.stop()
            self._hide_enroll()
            self.message(self.pos.tr("lookup.no_membership"))
            self.query_one("#phone", Input).focus()
        elif event.key in ("c", "C"):
            event.stop()
            self.query_one("#consent", Checkbox).toggle()

    def _enroll(self) -> None:
        """Without consent nothing about the customer is stored: the offer stays,
        saying so, for the cashier to ask (C) or serve them without membership
        (Esc). Not closed: a cashier who forgot C would have to type the phone again."""
        if not self.query_one("#consent", Checkbox).value:
            self.query_one("#enroll-message", Message).show(
                self.pos.tr("lookup.consent_needed"), error=True
            )
            return
        phone = self._enroll_phone
        self._hide_enroll()
        call_ledger(self, lambda: self._enroll_and_card(phone), self._enrolled)

    def _enroll_and_card(self, phone: str) -> tuple[Member, MemberCard]:
        member, _ = self.pos.ledger.enroll(phone, consent=True)
        return member, self.pos.ledger.card(phone)

    def _enrolled(self, result: tuple[Member, MemberCard]) -> None:
        member, card = result
        self.notify(self.pos.tr("lookup.enrolled", phone=self.pos.ledger.mask(member.phone or "")))
        self._open_card(card)

    # -- coupons ---------------------------------------------------------

    def _coupon(self, text: str) -> None:
        field = self.query_one("#phone", Input)
        self._no_card()  # and the coupon's dialog is no place for them either
        try:
            coupon = self.pos.ledger.check_coupon(text)
        except CouponNotFound as exc:
            if _LETTERS.match(text):
                self._search_names(text, not_found=exc)
            else:
                self.message(self.pos.tr.refusal(exc).message, error=True)
            return
        except Refusal as exc:
            self.message(self.pos.tr.refusal(exc).message, error=True)
            return
        field.value = ""

        def closed(use: bool | None) -> None:
            if use:
                staff = self.pos.staff.staff_id if self.pos.staff else None
                call_ledger(
                    self,
                    lambda: self.pos.ledger.use_coupon(coupon.payload or coupon.code, staff),
                    lambda used: self.message(self.pos.tr("coupon.used_ok", code=used.code)),
                    lambda exc: self.message(self.pos.tr.refusal(exc).message, error=True),
                )
            field.focus()

        self.app.push_screen(CouponDialog(coupon, offer_use=True), closed)

    # -- names -----------------------------------------------------------

    def _search_names(self, text: str, not_found: Refusal | None = None) -> None:
        """Members whose name holds ``text``: none says so (or, for what could be
        a coupon's code, that no coupon has it), else the list to choose from."""
        self._no_card()  # keys typed after this Enter were not for a list of names

        def done(found: list[NameMatch]) -> None:
            if not found:
                tr = self.pos.tr
                self.message(
                    self.pos.tr.refusal(not_found).message
                    if not_found
                    else tr("search.none", text=text),
                    error=True,
                )
                return
            more = len(found) > NAMES_SHOWN
            dialog = NameSearchDialog(text, found[:NAMES_SHOWN], more)
            self.app.push_screen(dialog, self._name_chosen)

        call_ledger(self, lambda: self.pos.ledger.find_by_name(text, NAMES_SHOWN + 1), done)

    def _name_chosen(self, phone: str | None) -> None:
        field = self.query_one("#phone", Input)
        if phone is None:
            field.focus()  # what was typed stays, to be changed
            return
        try:
            card = self.pos.ledger.card(phone)
        except Refusal as exc:  # gone meanwhile (merged, forgotten by a sync)
            self.message(self.pos.tr.refusal(exc).message, error=True)
            field.focus()
            return
        self._open_card(card)

    def action_logout(self) -> None:
        self.pos.show_login()
