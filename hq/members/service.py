"""Members at head office: upserts from terminals, phone merges, balances, lookup.

The same phone enrolled at two offline terminals arrives as two members with
two wallets. The one head office stored first stays canonical (never the
enrolment time a terminal claims: see ``_place``); the other is recorded as
merged into it (``members.merged_into`` and a ``member_merges`` row), and its
wallet counts towards the canonical
wallet: a balance is the sum over the canonical wallet's entries and those of
every wallet merged into it, so no point is lost. A merge is also
recorded as a ``phone_merge`` conflict for head office to see, and published
on the change feed so every terminal can follow it.

Who may change a member through a push (anything else is answered 403, the
push changes nothing, and the attempt is recorded as a ``forbidden_push``
conflict; see hq/push/service.py):

* A pushed member is always the pushing terminal's own enrolment: its
  ``terminal_id`` must be the pusher's (a member pushed without one is
  stamped with it).
* A member head office does not know yet may be created, on a wallet that is
  not another member's and holds no other terminal's entries. A phone head
  office already knows makes it a merge (above): the other member's phone and
  name are never rewritten.
* A member head office knows may be changed (name, consent, phone, erased with
  ``phone: null``) only by the terminal that enrolled it, and its phone and
  name only while no other terminal's member is merged into it (the phone and
  name are then that member's too: a phone change or an erasure would carry
  off or wipe its points, a new name would rename it; head office does that,
  not a push).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hq.changes import service as changes
from hq.conflicts import service as conflicts
from hq.db import Conn
from hq.members import authority, erasure
from sync.protocol import MemberInfo, MergedMember, NegativeBalance, WireMember

_MEMBER_COLS = "member_id, phone, name, wallet_id, consent_at, enrolled_at, terminal_id"
_MAX_PLACEMENT_TRIES = 10

Published = list[tuple[str, str | None, dict[str, Any]]]


@dataclass
class MemberResult:
    stored: int = 0
    merged: int = 0
    published: Published = field(default_factory=list)


def _member(row: tuple[Any, ...]) -> WireMember:
    return WireMember.model_construct(
        member_id=row[0],
        phone=row[1],
        name=row[2],
        wallet_id=row[3],
        consent_at=row[4],
        enrolled_at=row[5],
        terminal_id=row[6],
    )


def _member_change(member: WireMember, merged_into: str | None) -> dict[str, Any]:
    if merged_into is not None:
        # A merged member's phone is its canonical member's: a till that does not
        # hold that member (it joined after its snapshot was pruned) would
        # otherwise show this member, its name and wallet, for the phone.
        member = member.model_copy(update={"phone": None})
    return {"kind": "member", "member": member.model_dump(), "merged_into": merged_into}


def store_members(conn: Conn, members: list[WireMember], origin: str) -> MemberResult:
    """Upsert pushed members inside the push transaction; merge phones enrolled twice."""
    result = MemberResult()
    if not members:
        return result
    latest = {m.member_id: authority.own(m, origin) for m in members}  # the last copy wins
    ordered = [latest[k] for k in sorted(latest)]
    existing = {
        r[0]: r
        for r in conn.execute(
            f"SELECT {_MEMBER_COLS}, merged_into FROM members WHERE member_id = ANY(%s) "
            "ORDER BY member_id FOR UPDATE",
            ([m.member_id for m in ordered],),
        ).fetchall()
    }
    for m in ordered:
        if m.member_id in existing:
            authority.check_owner(m, existing[m.member_id], origin)
    new = [m for m in ordered if m.member_id not in existing]
    if new:
        authority.check_wallets(conn, new, origin)
        # Most members are new and their phones unknown: insert them in one go as
        # canonical; those that collide with a canonical member go one by one.
        inserted = {
            r[0]
            for r in conn.execute(
                "INSERT INTO members (member_id, phone, name, wallet_id, consent_at, enrolled_at, "
                "terminal_id) SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING "
                "RETURNING member_id",
                [
                    [m.member_id for m in new],
                    [m.phone for m in new],
                    [m.name for m in new],
                    [m.wallet_id for m in new],
                    [m.consent_at for m in new],
                    [m.enrolled_at for m in new],
                    [m.terminal_id for m in new],
                ],
            ).fetchall()
        }
        for m in new:
            if m.member_id in inserted:
                result.stored += 1
                result.published.append(("member", origin, _member_change(m, None)))
            else:
                _place(conn, m, origin, result)
    for m in ordered:
        if m.member_id in existing:
            _update(conn, m, existing[m.member_id], origin, result)
    changes.publish(conn, result.published)
    result.published = []
    return result


def _canonical_for(conn: Conn, phone: str) -> tuple[Any, ...] | None:
    return conn.execute(
        f"SELECT {_MEMBER_COLS} FROM members WHERE phone = %s AND merged_into IS NULL FOR UPDATE",
        (phone,),
    ).fetchone()


def _place(conn: Conn, m: WireMember, origin: str, result: MemberResult) -> None:
    """Insert a new member whose phone already has a canonical member: merge the two."""
    for _ in range(_MAX_PLACEMENT_TRIES):
        row = conn.execute(
            f"SELECT {_MEMBER_COLS}, merged_into FROM members WHERE member_id = %s FOR UPDATE",
            (m.member_id,),
        ).fetchone()
        if row is not None:  # another push stored it meanwhile
            _update(conn, m, row, origin, result)
            return
        canon = _canonical_for(conn, m.phone) if m.phone else None
        if canon is None:
            inserted = conn.execute(
                f"INSERT INTO members ({_MEMBER_COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING member_id",
                _values(m),
            ).fetchone()
            if inserted is None:
                continue  # raced with another push; look again
            result.stored += 1
            result.published.append(("member", origin, _member_change(m, None)))
            return
        existing = _member(canon)
        result.stored += 1
        result.merged += 1
        # The member head office stored first stays canonical, whatever enrolment
        # time the newcomer claims: a terminal's clock and claims are its own, and
        # an earlier claimed time would otherwise put its name on another
        # terminal's member chain-wide. No point is lost either way.
        conn.execute(
            f"INSERT INTO members ({_MEMBER_COLS}, merged_into) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (*_values(m), existing.member_id),
        )
        result.published.append(("member", origin, _member_change(m, existing.member_id)))
        _merge(conn, m, existing, origin, result)
        return
    raise RuntimeError(f"could not place member {m.member_id} after {_MAX_PLACEMENT_TRIES} tries")


def _values(m: WireMember) -> tuple[Any, ...]:
    return (m.member_id, m.phone, m.name, m.wallet_id, m.consent_at, m.enrolled_at, m.terminal_id)


def _merge(
    conn: Conn, merged: WireMember, canonical: WireMember, origin: str, result: MemberResult
) -> None:
    """Count ``merged`` (and anything merged into it before) as ``canonical``."""
    cid, cwallet = canonical.member_id, canonical.wallet_id
    conn.execute(
        "UPDATE members SET merged_into = %s, updated_at = now() WHERE merged_into = %s",
        (cid, merged.member_id),
    )
    moved = conn.execute(
        "UPDATE member_merges SET member_id = %s, wallet_id = %s WHERE member_id = %s "
        "RETURNING merged_member_id, merged_wallet_id",
        (cid, cwallet, merged.member_id),
    ).fetchall()
    conn.execute(
        "INSERT INTO member_merges (merged_member_id, merged_wallet_id, member_id, wallet_id) "
        "VALUES (%s, %s, %s, %s)",
        (merged.member_id, merged.wallet_id, cid, cwallet),
    )
    for member_id, wallet_id in [(merged.member_id, merged.wallet_id), *moved]:
        body = {
            "kind": "merge",
            "merged_member_id": member_id,
            "merged_wallet_id": wallet_id,
            "member_id": cid,
            "wallet_id": cwallet,
        }
        # No origin: the terminal that pushed the member needs the merge too (it
        # moves its member's points into the canonical wallet).
        result.published.append(("merge", None, body))
    conflicts.record(
        conn,
        "phone_merge",
        f"{merged.member_id}>{cid}",
        {
            "phone": canonical.phone,
            "member_id": cid,
            "wallet_id": cwallet,
            "enrolled_at": canonical.enrolled_at,
            "terminal_id": canonical.terminal_id,
            "merged_member_id": merged.member_id,
            "merged_wallet_id": merged.wallet_id,
            "merged_enrolled_at": merged.enrolled_at,
            "merged_terminal_id": merged.terminal_id,
        },
        origin,
        message=(
            f"Phone {authority.masked(canonical.phone)} was enrolled at terminal "
            f"{merged.terminal_id} and, known here first, at terminal {canonical.terminal_id}: "
            f"member "
            f"{merged.member_id} now counts as member {cid}, and its points with it."
        ),
    )


def _erased(conn: Conn, member_id: str) -> bool:
    row = conn.execute(
        "SELECT erased_at FROM members WHERE member_id = %s", (member_id,)
    ).fetchone()
    return row is not None and row[0] is not None


def erased_change(row: tuple[Any, ...]) -> dict[str, Any]:
    """The feed's change for an erased member (``row`` as erasure.COLS)."""
    empty = {"phone": None, "name": None, "consent_at": None}
    return _member_change(_member(row).model_copy(update=empty), row[7])


def _update(
    conn: Conn, m: WireMember, row: tuple[Any, ...], origin: str, result: MemberResult
) -> None:
    """A member head office already has: take the new name, consent and phone."""
    authority.check_owner(m, row, origin)
    stored, merged_into = _member(row), row[7]
    if (m.phone, m.name, m.consent_at) == (stored.phone, stored.name, stored.consent_at):
        return
    if stored.phone is None and (m.phone, m.name) != (None, None) and _erased(conn, m.member_id):
        return  # a till that had not heard of the erasure: the phone stays gone
    if (m.phone, m.name) != (stored.phone, stored.name):
        authority.check_shared(conn, m, stored, origin, merged_into)
    if m.phone is not None and m.phone != stored.phone and merged_into is None:
        other = _canonical_for(conn, m.phone)
        if other is not None and other[0] != m.member_id:
            # A new phone that another member already has: keep the old phone
            # here rather than break the one-canonical-member-per-phone rule.
            m = m.model_copy(update={"phone": stored.phone})
    conn.execute(
        "UPDATE members SET phone = %s, name = %s, consent_at = %s, updated_at = now() "
        "WHERE member_id = %s",
        (m.phone, m.name, m.consent_at, m.member_id),
    )
    result.stored += 1
    updated = stored.model_copy(
        update={"phone": m.phone, "name": m.name, "consent_at": m.consent_at}
    )
    result.published.append(("member", origin, _member_change(updated, merged_into)))
    if m.phone is None and stored.phone is not None and m.name is None:
        # Forgotten at the till that enrolled it: erase the members merged into
        # this one too, and the snapshots and conflicts naming them.
        group = conn.execute(
            f"SELECT {erasure.COLS} FROM members WHERE member_id = %(m)s OR merged_into = %(m)s "
            "ORDER BY merged_into NULLS FIRST, member_id FOR UPDATE",
            {"m": m.member_id},
        ).fetchall()
        # The row as it was: the phone and name to cut out of the conflicts.
        group = [(r[0], stored.phone, stored.name, *r[3:]) if r[0] == m.member_id else r
                 for r in group]  # fmt: skip
        erasure.erase(conn, group)
        result.published.extend(("member", origin, erased_change(r)) for r in group[1:])


# -- balances -------------------------------------------------------------------
# Sums stay PostgreSQL numerics (read as Python ints), never cast to bigint: each
# entry fits in int64, but a wallet's total need not (a hostile terminal's two
# entries of 2**62 points), and a cast would make its every lookup fail.

# The wallets whose entries count towards canonical wallet %(w)s: itself and
# every wallet merged into it.
_GROUP = (
    "SELECT %(w)s::text AS wallet_id "
    "UNION SELECT merged_wallet_id FROM member_merges WHERE wallet_id = %(w)s"
)


def canonical_wallets(conn: Conn, wallet_ids: list[str]) -> dict[str, str]:
    """Each wallet's canonical wallet (itself unless its member was merged)."""
    rows = conn.execute(
        "SELECT DISTINCT ON (w) w, coalesce(mm.wallet_id, w) FROM unnest(%s::text[]) AS w "
        "LEFT JOIN member_merges mm ON mm.merged_wallet_id = w ORDER BY w",
        (wallet_ids,),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def balance(conn: Conn, canonical_wallet_id: str) -> int:
    row = conn.execute(
        f"SELECT coalesce(sum(s.total), 0) FROM ({_GROUP}) g "
        "CROSS JOIN LATERAL (SELECT sum(e.points) AS total FROM entries e "
        "                    WHERE e.wallet_id = g.wallet_id) s",
        {"w": canonical_wallet_id},
    ).fetchone()
    return int(row[0]) if row else 0


def could_be_negative(
    conn: Conn, canonical: dict[str, str], terminal_id: str, views: dict[str, int]
) -> list[str]:
    """Of the canonical wallets a push by ``terminal_id`` spent from, those whose
    balance could now be below zero, so that only they are summed (a sum reads the
    wallet's whole history; this reads only what other terminals took from it).

    ``views`` holds each spent wallet's ``balance_after`` on the pushing
    terminal's latest entry for it: the balance in that terminal's own view, which counts
    all of that terminal's entries and the other terminals' entries it had
    pulled. The balance here is that view plus the other terminals' entries it
    had not seen, so it is at least the view plus everything other terminals
    ever took from the wallet. Only a wallet where that lower bound is below zero
    needs its sum. Wallets without a view, and wallets in a merged group (a view
    covers one wallet of the group), are always summed.
    """
    suspects = {c for w, c in canonical.items() if c != w}
    rest = sorted(set(canonical.values()) - suspects)
    if rest:
        for wallet, in_merge, taken in conn.execute(
            "SELECT c, EXISTS (SELECT 1 FROM member_merges mm WHERE mm.wallet_id = c), "
            " (SELECT coalesce(sum(e.points), 0) FROM entries e "
            "  WHERE e.wallet_id = c AND e.points < 0 AND e.terminal_id <> %(me)s) "
            "FROM unnest(%(c)s::text[]) AS c",
            {"c": rest, "me": terminal_id},
        ).fetchall():
            view = views.get(wallet)
            if in_merge or view is None or view + int(taken) < 0:
                suspects.add(wallet)
    return sorted(suspects)


def negative_balances(conn: Conn, canonical_ids: list[str]) -> list[NegativeBalance]:
    """Those of the canonical wallets ``canonical_ids`` whose balance is below zero."""
    if not canonical_ids:
        return []
    rows = conn.execute(
        "SELECT g.cw, sum(s.total), "
        " (SELECT member_id FROM members m WHERE m.wallet_id = g.cw AND m.merged_into IS NULL "
        "  ORDER BY enrolled_at, member_id LIMIT 1) "
        "FROM (SELECT c AS cw, c AS wallet_id FROM unnest(%(c)s::text[]) AS c "
        "      UNION SELECT wallet_id, merged_wallet_id FROM member_merges "
        "      WHERE wallet_id = ANY(%(c)s)) g "
        # One index probe per wallet (LATERAL): the planner, misled by a table that
        # grows faster than its statistics, would otherwise scan the whole journal.
        "CROSS JOIN LATERAL (SELECT sum(e.points) AS total FROM entries e "
        "                    WHERE e.wallet_id = g.wallet_id) s "
        "GROUP BY g.cw HAVING sum(s.total) < 0 ORDER BY g.cw",
        {"c": sorted(set(canonical_ids))},
    ).fetchall()
    return [NegativeBalance(wallet_id=r[0], balance=int(r[1]), member_id=r[2]) for r in rows]


def lookup(conn: Conn, phone: str) -> MemberInfo | None:
    """The canonical member for an E.164 phone, its balance and who was merged into it."""
    row = conn.execute(
        f"SELECT {_MEMBER_COLS} FROM members WHERE phone = %s AND merged_into IS NULL", (phone,)
    ).fetchone()
    if row is None:
        return None
    member = _member(row)
    merged = conn.execute(
        "SELECT merged_member_id, merged_wallet_id FROM member_merges WHERE member_id = %s "
        "ORDER BY merged_member_id",
        (member.member_id,),
    ).fetchall()
    return MemberInfo(
        member=member,
        balance=balance(conn, member.wallet_id),
        merged=[MergedMember(member_id=r[0], wallet_id=r[1]) for r in merged],
    )


def balances(conn: Conn) -> list[dict[str, Any]]:
    """Every canonical wallet (members' and those with entries) and its balance over
    its own entries and those of the wallets merged into it."""
    rows = conn.execute(
        "WITH totals AS ("
        "  SELECT coalesce(mm.wallet_id, e.wallet_id) AS wallet_id,"
        "         sum(e.points) AS balance"
        "  FROM entries e LEFT JOIN member_merges mm ON mm.merged_wallet_id = e.wallet_id"
        "  GROUP BY 1),"
        " owners AS ("
        # A member without consent (withdrawn, or never given) is counted, not named.
        "  SELECT DISTINCT ON (wallet_id) wallet_id, member_id,"
        "         CASE WHEN consent_at IS NOT NULL THEN phone END AS phone FROM members"
        "  WHERE merged_into IS NULL ORDER BY wallet_id, enrolled_at, member_id)"
        " SELECT coalesce(t.wallet_id, o.wallet_id) AS w, coalesce(t.balance, 0),"
        "        o.member_id, o.phone"
        " FROM totals t FULL JOIN owners o ON o.wallet_id = t.wallet_id"
        " ORDER BY w"
    ).fetchall()
    return [
        {"member_id": r[2], "phone": r[3], "wallet_id": r[0], "balance": int(r[1])} for r in rows
    ]
