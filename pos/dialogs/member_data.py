"""A member's data requests at the counter (card F8), as ``pos member`` does
them: consent withdrawn or given again (no PIN, as in the CLI), the member's
own copy written to a file, a new phone number, another member merged into
this one, and forgetting the member. All but consent need a supervisor's id
and PIN (``ApprovalDialog``); the ledger checks them again and decides.

A key chooses the action. A phone is typed in the field and Enter goes on; a
merge first shows both members (masked) with their points and asks Y; forget
says it cannot be undone and asks for F a second time. A refusal stays in the
dialog, said in the cashier's language (``call_ledger``), the phone typed kept
to correct it. The copy's path is shown here; every other outcome goes back
to the card as a ``DataDone`` (the card refreshes, or closes after forget)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from config import APP_NAME
from config.refusal import Refusal
from ledger.consent import ConsentChange
from ledger.errors import InvalidInput
from ledger.export import write_json
from ledger.models import Credentials, Member
from pos.dialogs.approval import ApprovalDialog
from pos.i18n import Translator
from pos.screens.base import PosDialog, call_ledger
from pos.screens.setup import path_lines
from pos.spool_files import tidy
from pos.times import local_date
from pos.widgets.text import Message, Plain, Tr, TrInput, plain_lines

PATH_WIDTH = 66  # the box's inside: a path is broken after a "/" to fit

Stage = Literal["menu", "phone", "merge", "merge_yes", "forget", "busy"]
# The actions each stage offers (check_action): the letters act only on the
# list, Y only once both members are shown, F again only after the warning.
OFFERED: dict[str, frozenset[str]] = {
    "menu": frozenset({"withdraw", "give", "export", "phone", "merge", "forget"}),
    "merge_yes": frozenset({"merge_yes"}),
    "forget": frozenset({"forget"}),
}
ACTIONS = frozenset().union(*OFFERED.values())


@dataclass(frozen=True, slots=True)
class DataDone:
    """What the card shows after a request: ``said``, and the phone the member
    has now (None: forgotten, the card closes)."""

    said: str
    phone: str | None


def export_folder() -> Path:
    """Where the member's copies go: ``exports`` in the user data folder
    (private: 0700, as the copies are 0600)."""
    return platformdirs.user_data_path(APP_NAME) / "exports"


class MemberDataDialog(PosDialog[DataDone | None]):
    DEFAULT_CSS = """
    MemberDataDialog {
        align: center middle;
    }
    MemberDataDialog #data-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 2;
    }
    MemberDataDialog .title, MemberDataDialog #data-member {
        text-style: bold;
    }
    MemberDataDialog #data-body {
        margin: 1 0 0 0;
    }
    MemberDataDialog .hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("w", "withdraw", "Withdraw consent", id="key.data_withdraw"),
        Binding("g", "give", "Consent again", id="key.data_give"),
        Binding("e", "export", "Export", id="key.data_export"),
        Binding("p", "phone", "New phone", id="key.data_phone"),
        Binding("m", "merge", "Merge", id="key.data_merge"),
        Binding("f", "forget", "Forget", id="key.data_forget"),
        Binding("y", "merge_yes", "Merge", id="key.data_merge_yes"),
        Binding("escape", "back", "Back", id="key.back"),
    ]
    # Nothing focused on the list: a focused field would take the letters.
    AUTO_FOCUS = ""

    def __init__(self, member: Member) -> None:
        super().__init__()
        self.member = member
        self.phone = member.phone or ""
        self.stage: Stage = "menu"
        self.other: Member | None = None  # the member to merge in, once found
        self.error: Refusal | None = None  # the last refusal, said again on F5
        self.exported: Path | None = None
        self.asking = False  # the supervisor's PIN dialog is up

    def compose(self) -> ComposeResult:
        with Vertical(id="data-box"):
            yield Tr("data.title", classes="title")
            yield Plain(id="data-member")
            yield Plain(id="data-body")
            yield TrInput("data.phone_field", id="data-phone")
            yield Message(id="data-message")
            yield Plain(id="data-hint", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "language", self._fill, init=True)
        self._to("menu")

    # -- what is shown ---------------------------------------------------

    def _to(self, stage: Stage) -> None:
        self.stage = stage
        field = self.query_one("#data-phone", TrInput)
        field.display = stage in ("phone", "merge")
        if field.display:
            field.placeholder_key = f"data.{stage}_field"
            field._render_placeholder()
            field.focus()
        else:
            self.set_focus(None)  # the letters go to the dialog, not a field
        self._fill()
        self.refresh_bindings()

    def _fill(self, *_: object) -> None:
        """Every line in the current language (F5 may switch it meanwhile)."""
        tr, member = self.pos.tr, self.member
        consent = {True: "data.consent_yes", False: "data.consent_no", None: "data.consent_none"}
        self.query_one("#data-member", Plain).update(
            tr("data.member", who=self._who(member), points=tr.number(member.balance),
               consent=tr(consent[member.consent_given]))
        )  # fmt: skip
        body: list[str] = []
        hint = "data.hint"
        if self.stage == "menu":
            for binding in self.BINDINGS:
                assert isinstance(binding, Binding)
                if binding.action in OFFERED["menu"]:
                    body.append(f"{binding.key.upper()}  {tr(f'data.do_{binding.action}')}")
            body.append(tr("data.supervisor"))
        elif self.stage in ("phone", "merge"):
            hint = f"data.{self.stage}_hint"
        elif self.stage == "merge_yes" and self.other is not None:
            other = self.other
            body = [
                tr("data.merge_keep", who=self._who(member), points=tr.number(member.balance)),
                tr("data.merge_gone", who=self._who(other), points=tr.number(other.balance)),
                tr("data.merge_after", points=tr.number(member.balance + other.balance)),
            ]
            hint = "data.merge_confirm"
        elif self.stage == "forget":
            body = [tr("data.forget_warn", who=self._who(member))]
            hint = "data.forget_again"
        elif self.stage == "busy":
            body = [tr("data.working")]
        self.query_one("#data-body", Plain).update(plain_lines(body))
        self.query_one("#data-hint", Plain).update(tr(hint))
        message = self.query_one("#data-message", Message)
        if self.error is not None:
            message.show(tr.refusal(self.error).message, error=True)
        elif self.exported is not None:
            message.set_class(False, "-error")
            message.set_class(True, "-ok")
            lines = [tr("data.exported"), *path_lines(str(self.exported), PATH_WIDTH)]
            message.update(plain_lines(lines))
        else:
            message.clear()

    def _who(self, member: Member) -> str:
        """A member as the dialog names them: masked phone, then the name."""
        masked = self.pos.ledger.mask(member.phone) if member.phone else ""
        return " ".join(part for part in (masked, member.name) if part)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS:
            return action in OFFERED.get(self.stage, frozenset())
        return True

    # -- running a request -------------------------------------------------

    def _run(self, job: Callable[[], DataDone], back_to: Stage) -> None:
        """``job`` in a worker; its outcome closes the dialog, a refusal comes
        back to ``back_to`` and is said there."""
        self.error, self.exported = None, None
        self._to("busy")

        def refused(error: Refusal) -> None:
            self.error = error
            self._to(back_to)

        def finished(done: DataDone) -> None:
            self.dismiss(done)

        call_ledger(self, job, finished, refused)

    def _approved(self, what: str, then: Callable[[Credentials], None], back_to: Stage) -> None:
        """A supervisor's id and PIN (the role checked there too, so a cashier's
        is refused at once and another id can be typed), then ``then``."""

        def answered(credentials: Credentials | None) -> None:
            self.asking = False
            if credentials is None:
                self.error, self.exported = None, None
                self._to(back_to)
                self.query_one("#data-message", Message).show(
                    self.pos.tr("approval.cancelled"), error=True
                )
                return
            then(credentials)

        self.asking = True  # a second Enter in the field asks no second supervisor
        self.app.push_screen(ApprovalDialog(lambda tr: tr(what), check=True), answered)

    # -- consent (no PIN, as ``pos member consent``) ------------------------

    def action_withdraw(self) -> None:
        self._consent(give=False)

    def action_give(self) -> None:
        self._consent(give=True)

    def _consent(self, *, give: bool) -> None:
        ledger, tr, phone = self.pos.ledger, self.pos.tr, self.phone

        def job() -> DataDone:
            done = ledger.change_consent(phone, give=give)
            return DataDone(self._consent_said(done, tr), phone)

        self._run(job, "menu")

    @staticmethod
    def _consent_said(done: ConsentChange, tr: Translator) -> str:
        if not done.changed:
            return tr("data.consent_same", date=local_date(done.answer.at, tr))
        return tr("data.given" if done.answer.given else "data.withdrawn")

    # -- the member's copy ---------------------------------------------------

    def action_export(self) -> None:
        self._approved("data.approve_export", self._export, "menu")

    def _export(self, approval: Credentials) -> None:
        ledger, phone = self.pos.ledger, self.phone
        stamp = self.pos.clock().strftime("%Y%m%d-%H%M%S")

        def job() -> Path:
            export = ledger.export_member(phone, approval)
            folder = export_folder()
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError:
                raise InvalidInput(key="invalid_input.export_folder", path=str(folder)) from None
            # Named by member id, never by phone: a folder listing shows names.
            name = f"member-{export.header['member_id']}-{stamp}-{secrets.token_hex(2)}.json"
            return write_json(export, folder / name)

        def written(path: Path) -> None:
            self.exported = path
            self._to("menu")

        def refused(error: Refusal) -> None:
            self.error = error
            self._to("menu")

        self.error, self.exported = None, None
        self._to("busy")
        call_ledger(self, job, written, refused)

    # -- a new phone number; another member merged into this one -------------

    def action_phone(self) -> None:
        self._ask_phone("phone")

    def action_merge(self) -> None:
        self._ask_phone("merge")

    def _ask_phone(self, stage: Stage) -> None:
        self.error, self.exported, self.other = None, None, None
        self.query_one("#data-phone", Input).value = ""
        self._to(stage)

    @on(Input.Submitted, "#data-phone")
    def _phone_typed(self) -> None:
        typed = self.query_one("#data-phone", Input).value.strip()
        if not typed or self.asking or self.stage not in ("phone", "merge"):
            return
        self.error = None
        if self.stage == "phone":
            self._approved("data.approve_phone", lambda ok: self._renumber(typed, ok), "phone")
            return
        ledger, member_id = self.pos.ledger, self.member.member_id

        def job() -> Member:
            other = ledger.member(typed)
            if other.member_id == member_id:  # said before a supervisor is called over
                raise InvalidInput(key="invalid_input.merge_same")
            return other

        def found(other: Member) -> None:
            self.other = other
            self._to("merge_yes")

        def refused(error: Refusal) -> None:
            self.error = error
            self._to("merge")

        self._to("busy")
        call_ledger(self, job, found, refused)

    def _renumber(self, new_phone: str, approval: Credentials) -> None:
        ledger, tr, old = self.pos.ledger, self.pos.tr, self.phone

        def job() -> DataDone:
            member = ledger.change_phone(old, new_phone, approval)
            phone = member.phone or new_phone
            return DataDone(tr("data.phone_done", phone=ledger.mask(phone)), phone)

        self._run(job, "phone")

    def action_merge_yes(self) -> None:
        self._approved("data.approve_merge", self._merge, "merge_yes")

    def _merge(self, approval: Credentials) -> None:
        other = self.other
        if other is None:
            return
        ledger, tr, keep = self.pos.ledger, self.pos.tr, self.phone
        who = self._who(other)

        def job() -> DataDone:
            done = ledger.merge_members(keep, other.phone or "", approval)
            said = tr("data.merged", other=who, points=tr.number(done.keep.balance))
            return DataDone(said, keep)

        self._run(job, "merge_yes")

    # -- forgetting the member -------------------------------------------------

    def action_forget(self) -> None:
        """The first F warns (it cannot be undone); the second asks the supervisor."""
        if self.stage != "forget":
            self.error, self.exported = None, None
            self._to("forget")
            return
        self._approved("data.approve_forget", self._forget, "forget")

    def _forget(self, approval: Credentials) -> None:
        ledger, tr, phone = self.pos.ledger, self.pos.tr, self.phone
        who = self._who(self.member)

        settings = self.pos.settings

        def job() -> DataDone:
            ledger.forget_member(phone, approval)
            tidy(settings, ledger)  # the member's preview slips go now, not at the next sync
            return DataDone(tr("data.forgotten", who=who), None)

        self._run(job, "forget")

    # -- keys --------------------------------------------------------------

    def action_back(self) -> None:
        """Esc: from a step back to the list; from the list back to the card."""
        if self.stage == "busy":
            return  # the answer is on its way
        if self.stage == "menu":
            self.dismiss(None)
            return
        self.error, self.other = None, None
        self.query_one("#data-phone", Input).value = ""
        self._to("menu")
