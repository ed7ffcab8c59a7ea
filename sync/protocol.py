"""The sync wire format between a terminal and head office (protocol v1).

One module imported by both sides: the terminal's sync client (``sync``) and
the head-office service (``hq``). It imports nothing from ``ledger``, ``pos``
or Textual, so head office never depends on the terminal's code.

Endpoints (all JSON; errors are ``{"error": {"code", "message"}}``):

``POST /v1/join``            :class:`JoinRequest` -> :class:`JoinResponse` (no token)
``POST /v1/push``            :class:`PushRequest` -> :class:`PushResponse`
``GET  /v1/pull``            ``?after=CURSOR&limit=N`` -> :class:`PullResponse`
``POST /v1/members/lookup`` :class:`MemberLookup` (E.164 phone) -> :class:`MemberInfo`
``GET  /v1/health``          :class:`Health` (no token)

Every request but join and health carries ``Authorization: Bearer TOKEN``.
Push, pull, join and health answers carry ``server_time``, head office's clock.

A push carries entries as arrays (:data:`WireRow`), one value per column in
``ENTRY_COLUMNS`` order: a push holds up to 5,000 of them, and arrays are a
third smaller than objects, parse nearly twice as fast and go straight into
head office's ``COPY``. Pulled entries are objects (:class:`WireEntry`, the
same columns by name). ``entry_row`` and ``entry_dict`` convert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from config import ConfigError, check_chain
from config.kinds import ENTRY_KINDS as ENTRY_KINDS
from config.kinds import EntryKind

# The field types live in sync.wire_fields; everyone imports them from here.
from sync.wire_fields import CONTROL_CHARACTERS as CONTROL_CHARACTERS
from sync.wire_fields import CURSOR_PATTERN as CURSOR_PATTERN
from sync.wire_fields import INT64_MAX as INT64_MAX
from sync.wire_fields import INT64_MIN as INT64_MIN
from sync.wire_fields import (
    PLAIN_TEXT_PATTERN,
    CouponKey,
    CouponStatus,
    Currency,
    Hash,
    Id,
    Int64,
    Name,
    Phone,
    RulesJson,
    Seq,
    Text,
    Timestamp,
)
from sync.wire_fields import ConflictKind as ConflictKind
from sync.wire_fields import Cursor as Cursor
from sync.wire_fields import WholeNumber as WholeNumber

PROTOCOL_VERSION = 2
"""2: push entries are arrays in ``ENTRY_COLUMNS`` order; cursors may carry a third part."""

MAX_PUSH_ENTRIES = 5000
MAX_PUSH_MEMBERS = 5000
MAX_PUSH_COUPON_EVENTS = 5000
MAX_PUSH_BYTES = 32 * 1024 * 1024
DEFAULT_PULL_LIMIT = 1000
MAX_PULL_LIMIT = 5000
MAX_COUPON_KEYS = 32
CLOCK_SKEW_WARN_S = 300
"""A till whose clock is further than this from head office's is warned."""

START_CURSOR = "0"
"""The cursor before the first change: a new terminal pulls ``after=0``."""

# The journal's columns in the ledger's order (ledger.models.ENTRY_COLUMNS; a
# test keeps the two equal). The hash chain covers the first 19.
ENTRY_COLUMNS = (
    "entry_id",
    "wallet_id",
    "member_id",
    "kind",
    "points",
    "balance_after",
    "amount_minor",
    "currency",
    "ref",
    "terminal_id",
    "store_id",
    "cashier_id",
    "approver_id",
    "reason",
    "reverses",
    "rules",
    "created_at",
    "seq",
    "prev_hash",
    "hash",
)
# Spelled once, as the wire types' Literals; these tuples are read off them
# (entry kinds: config.kinds, shared with the ledger).
COUPON_STATUSES: tuple[str, ...] = get_args(CouponStatus)
CONFLICT_KINDS: tuple[str, ...] = get_args(ConflictKind)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- records ------------------------------------------------------------------


@with_config(ConfigDict(extra="forbid"))
class WireEntry(TypedDict):
    """One journal entry, every column of the terminal's ``entries`` table."""

    entry_id: Id
    wallet_id: Id
    member_id: Id | None
    kind: EntryKind
    points: Int64
    balance_after: Int64
    amount_minor: Int64 | None
    currency: Currency | None
    ref: Text | None
    terminal_id: Id
    store_id: Id
    cashier_id: Id | None
    approver_id: Id | None
    reason: Text | None
    reverses: Id | None
    rules: RulesJson | None
    created_at: Timestamp
    seq: Seq
    prev_hash: Hash
    hash: Hash


# One entry as an array, the columns of WireEntry in the same order (a test keeps
# the two equal). Spelled out so type checkers see it.
WireRow = tuple[
    Id,  # entry_id
    Id,  # wallet_id
    Id | None,  # member_id
    EntryKind,  # kind
    Int64,  # points
    Int64,  # balance_after
    Int64 | None,  # amount_minor
    Currency | None,  # currency
    Text | None,  # ref
    Id,  # terminal_id
    Id,  # store_id
    Id | None,  # cashier_id
    Id | None,  # approver_id
    Text | None,  # reason
    Id | None,  # reverses
    RulesJson | None,  # rules
    Timestamp,  # created_at
    Seq,  # seq
    Hash,  # prev_hash
    Hash,  # hash
]


def entry_row(entry: Mapping[str, Any]) -> list[Any]:
    """An entry (a dict or journal row mapping) as the array a push carries."""
    return [entry[c] for c in ENTRY_COLUMNS]


def entry_dict(row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(ENTRY_COLUMNS, row, strict=True))


class WireMember(_Model):
    """A member as the enrolling terminal knows it (``phone`` is None once forgotten)."""

    member_id: Id
    phone: Phone | None
    name: Name | None = None
    wallet_id: Id
    consent_at: Timestamp | None = None
    enrolled_at: Timestamp
    terminal_id: Id | None = None


class CouponEvent(_Model):
    """A coupon was issued, used or voided at ``terminal_id`` at time ``at``."""

    code: Id
    entry_id: Id
    reward_id: Id
    member_id: Id
    status: CouponStatus
    at: Timestamp
    terminal_id: Id


class CouponState(_Model):
    """Head office's view of a coupon; the first use recorded wins."""

    code: str
    entry_id: str | None
    reward_id: str | None
    member_id: str | None
    status: CouponStatus
    issued_at: str | None
    used_at: str | None
    used_terminal_id: str | None
    voided_at: str | None


# -- join ---------------------------------------------------------------------


class JoinRequest(_Model):
    setup_code: Annotated[
        str, StringConstraints(min_length=1, max_length=32, pattern=PLAIN_TEXT_PATTERN)
    ]
    """The one-time code ``pos-hq terminal add`` printed (dashes and case do not matter)."""
    store_id: Id | None = None
    terminal_id: Id | None = None
    """Set by a ledger that already is a terminal: a code made for another terminal is
    then refused without being used up."""
    coupon_keys: Annotated[list[CouponKey], Field(max_length=MAX_COUPON_KEYS)] = []
    """Every key this ledger signed coupons with before (its own key from before it
    joined): head office shares them with the chain, so those coupons check as
    genuine at every terminal."""


class JoinResponse(_Model):
    token: str
    """Send as ``Authorization: Bearer TOKEN``; keep it in the secrets file (0600)."""
    store_id: str
    store_name: str
    terminal_id: str
    coupon_key: str
    """The chain's coupon HMAC key, 64 hex digits (32 bytes)."""
    settings: dict[str, Any]
    """Rules and catalog: an opaque JSON object the chain maintains (may be empty)."""
    settings_version: int
    protocol_version: int = PROTOCOL_VERSION
    previous_coupon_keys: list[str] = []
    """Keys terminals signed coupons with before they joined (64 hex digits each):
    coupons signed with them are genuine too."""
    server_time: str | None = None
    """Head office's clock (UTC, like :data:`Timestamp`), to spot a wrong till clock."""


# -- push ---------------------------------------------------------------------


class PushRequest(_Model):
    """Send entries above the last ``acked_seq`` in seq order, at most 5,000 a request,
    each an array of the ``ENTRY_COLUMNS`` values in order (see :data:`WireRow`).

    Entries must carry the caller's own ``store_id`` and ``terminal_id``
    (403 otherwise), as must coupon events. Resending a batch is harmless.
    """

    # Values hardly ever repeat across entries: caching only keys parses faster.
    model_config = ConfigDict(extra="forbid", frozen=True, cache_strings="keys")

    entries: Annotated[list[WireRow], Field(max_length=MAX_PUSH_ENTRIES)] = []
    members: Annotated[list[WireMember], Field(max_length=MAX_PUSH_MEMBERS)] = []
    coupon_events: Annotated[list[CouponEvent], Field(max_length=MAX_PUSH_COUPON_EVENTS)] = []
    coupon_keys: Annotated[list[CouponKey], Field(max_length=MAX_COUPON_KEYS)] = []
    """Keys this terminal signed coupons with before it joined (as in
    :class:`JoinRequest`), for terminals that joined before keys were shared."""


class Refusal(_Model):
    """An entry head office did not store; it is recorded as a conflict."""

    entry_id: str
    seq: int
    reason: Literal["body_mismatch", "seq_taken", "chain_break"]
    message: str


class NegativeBalance(_Model):
    wallet_id: str
    """The canonical wallet."""
    member_id: str | None
    balance: int


class PushResponse(_Model):
    acked_seq: int
    """Every entry of this terminal with ``seq <= acked_seq`` is stored at head office."""
    inserted: int
    duplicates: int
    """Entries already stored with the same body ("exists")."""
    conflicts: int
    """Entries refused (see ``refused``): same id or seq with a different body."""
    refused: list[Refusal] = []
    members_stored: int = 0
    members_merged: int = 0
    """Pushed members that turned out to share a phone with an earlier member."""
    coupon_events_applied: int = 0
    coupon_conflicts: int = 0
    negative_balances: list[NegativeBalance] = []
    server_time: str | None = None
    """Head office's clock when it answered (UTC, like :data:`Timestamp`)."""


# -- pull ---------------------------------------------------------------------


class EntryChange(_Model):
    kind: Literal["entry"] = "entry"
    entry: WireEntry


class MemberChange(_Model):
    kind: Literal["member"] = "member"
    member: WireMember
    merged_into: str | None = None
    """Set when this member is merged into another (canonical) member."""


PAGE_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"
PageToken = Annotated[str, StringConstraints(pattern=PAGE_TOKEN_PATTERN)]
"""A member page's token: 32 random bytes, base64url without padding."""

FEATURES_HEADER = "X-Pos-Features"
"""Request header a terminal lists the optional change kinds it can read in
(comma separated); head office sends a kind only to terminals that list it, so
a terminal older than the kind never receives one (its models forbid it)."""
FEATURE_MEMBER_PAGE = "member_page"


class MemberPageChange(_Model):
    """The token of ``member_id``'s page at head office (``GET /m/{token}``), for
    the sale slip's QR; ``token`` None: the member has no page any more (forgotten).
    Sent to every terminal (the enrolling one too), only if it lists
    :data:`FEATURE_MEMBER_PAGE` in :data:`FEATURES_HEADER`."""

    kind: Literal["member_page"] = "member_page"
    member_id: Id
    token: PageToken | None


class MergeChange(_Model):
    """``merged_member_id`` (and its wallet) now count as ``member_id`` (and its wallet)."""

    kind: Literal["merge"] = "merge"
    merged_member_id: str
    merged_wallet_id: str
    member_id: str
    wallet_id: str


class CouponChange(_Model):
    kind: Literal["coupon"] = "coupon"
    coupon: CouponState


def rules_problem(settings: Any) -> tuple[str, str] | None:
    """``(key, message)`` naming the key and the value when a terminal could not
    load these rules (the ``settings`` object of :class:`SettingsChange`) with its
    own settings schema; None when it can. Head office refuses such rules; a
    terminal that receives them anyway keeps its last good version."""
    try:
        check_chain(settings)
    except ConfigError as exc:
        return exc.key, exc.message
    return None


def rules_in_effect(settings: Any) -> Any:
    """The settings a terminal runs with under these rules (a ``config.Settings``:
    the shipped defaults where the rules say nothing), for head office to read
    tiers, expiry days and rewards exactly as the tills do. ConfigError as
    :func:`rules_problem` describes."""
    return check_chain(settings)


class SettingsChange(_Model):
    kind: Literal["settings"] = "settings"
    version: int
    settings: dict[str, Any]


Change = Annotated[
    EntryChange | MemberChange | MergeChange | CouponChange | SettingsChange | MemberPageChange,
    Field(discriminator="kind"),
]


class PullResponse(_Model):
    """Changes after the cursor, oldest first; call again with ``next_cursor`` while ``more``.

    Entries are other terminals' (never the caller's own); members and coupon
    changes the caller itself pushed are left out too.
    """

    changes: list[Change]
    next_cursor: str
    more: bool
    coupon_keys: list[str] = []
    """Keys terminals signed coupons with before they joined the chain (64 hex digits
    each): coupons signed with any of them are genuine. Every pull carries the
    whole list, so a terminal that joined earlier learns a later one's keys."""
    server_time: str | None = None
    """Head office's clock when it answered (UTC, like :data:`Timestamp`)."""


# -- lookup -------------------------------------------------------------------


class MemberLookup(_Model):
    """``POST /v1/members/lookup``: the phone travels in the body, never in a URL
    (URLs end up in access logs)."""

    phone: Phone


class MergedMember(_Model):
    member_id: str
    wallet_id: str


class MemberInfo(_Model):
    member: WireMember
    """The canonical member for the phone."""
    balance: int
    """Points over the canonical wallet and every wallet merged into it."""
    merged: list[MergedMember] = []


class Health(_Model):
    ok: bool
    protocol_version: int = PROTOCOL_VERSION
    server_time: str | None = None
    """Head office's clock (UTC, like :data:`Timestamp`)."""


# -- errors -------------------------------------------------------------------


class ErrorDetail(_Model):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(_Model):
    error: ErrorDetail
