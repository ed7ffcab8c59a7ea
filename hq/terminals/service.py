"""Stores, terminals, their tokens and one-time setup codes; joining; authentication.

Tokens are 32 random bytes (``lpt_`` + base64url) and setup codes are 8
Crockford base32 characters; both are stored only as their sha256. A fast hash
is enough because neither can be guessed from a list: a token has 256 random
bits and a setup code has 40 bits, works once and expires after a day.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hq.db import COUPON_KEY, Conn, in_transaction
from hq.errors import (
    InvalidInput,
    InvalidSetupCode,
    StoreExists,
    StoreNotFound,
    TerminalExists,
    TerminalNotFound,
    Unauthorized,
    WrongTerminal,
)
from hq.rules import service as rules
from sync.protocol import PROTOCOL_VERSION, JoinResponse

TOKEN_PREFIX = "lpt_"
# Crockford base32: no I, L, O, U, so a code read aloud or typed is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SETUP_CODE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class TerminalIdentity:
    """Who is calling: the terminal a valid token belongs to."""

    terminal_id: str
    store_id: str


def clean_id(value: str, what: str) -> str:
    """Ids follow the terminal's rule: 1 to 64 printable characters."""
    text = (value or "").strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise InvalidInput(f"The {what} must be 1 to 64 printable characters.")
    return text


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_setup_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(SETUP_CODE_LENGTH))


def normalize_setup_code(text: str) -> str:
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans("OIL", "011"))


def display_setup_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalize_setup_code(code).encode("utf-8", "surrogatepass")).hexdigest()


# -- stores -------------------------------------------------------------------


def add_store(conn: Conn, store_id: str, name: str) -> dict[str, Any]:
    store_id = clean_id(store_id, "store id")
    name = (name or "").strip()
    if not name or len(name) > 200 or not name.isprintable():
        raise InvalidInput("The store name must be 1 to 200 printable characters.")
    row = conn.execute(
        "INSERT INTO stores (store_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING "
        "RETURNING store_id",
        (store_id, name),
    ).fetchone()
    if row is None:
        raise StoreExists(f"Store {store_id} already exists.")
    return {"store_id": store_id, "name": name}


def list_stores(conn: Conn) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT s.store_id, s.name, count(t.terminal_id) FILTER (WHERE t.revoked_at IS NULL) "
        "FROM stores s LEFT JOIN terminals t USING (store_id) GROUP BY 1, 2 ORDER BY 1"
    ).fetchall()
    return [{"store_id": r[0], "name": r[1], "terminals": r[2]} for r in rows]


# -- terminals ----------------------------------------------------------------


def add_terminal(
    conn: Conn, store_id: str, terminal_id: str, *, ttl_hours: int = 24
) -> dict[str, Any]:
    """Create a terminal; return its token and a one-time setup code (shown once)."""
    store_id = clean_id(store_id, "store id")
    terminal_id = clean_id(terminal_id, "terminal id")
    token = new_token()

    def work() -> tuple[str, datetime]:
        if conn.execute("SELECT 1 FROM stores WHERE store_id = %s", (store_id,)).fetchone() is None:
            raise StoreNotFound(f"No store {store_id}: add it first with 'pos-hq store add'.")
        row = conn.execute(
            "INSERT INTO terminals (terminal_id, store_id) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING RETURNING terminal_id",
            (terminal_id, store_id),
        ).fetchone()
        if row is None:
            owner = conn.execute(
                "SELECT store_id FROM terminals WHERE terminal_id = %s", (terminal_id,)
            ).fetchone()
            where = f" (in store {owner[0]})" if owner else ""
            raise TerminalExists(
                f"Terminal {terminal_id} already exists{where}: terminal ids are unique "
                "across the chain."
            )
        conn.execute(
            "INSERT INTO terminal_tokens (token_hash, terminal_id, source) VALUES (%s, %s, 'cli')",
            (token_hash(token), terminal_id),
        )
        return _issue_code(conn, terminal_id, ttl_hours)

    code, expires = in_transaction(conn, work)
    return {
        "store_id": store_id,
        "terminal_id": terminal_id,
        "token": token,
        "setup_code": display_setup_code(code),
        "setup_code_expires_at": expires.isoformat(timespec="seconds"),
    }


def new_code(conn: Conn, store_id: str, terminal_id: str, *, ttl_hours: int = 24) -> dict[str, Any]:
    """A new one-time setup code for an existing terminal (its old code expired, or a
    join's reply was lost, or the till was replaced); older unused codes die. The
    next join replaces the tokens earlier joins gave out."""
    store_id = clean_id(store_id, "store id")
    terminal_id = clean_id(terminal_id, "terminal id")

    def work() -> tuple[str, datetime]:
        if _lock_terminal(conn, store_id, terminal_id):
            raise InvalidInput(
                f"Terminal {terminal_id} was revoked: add a new terminal id for this till."
            )
        _expire_codes(conn, terminal_id)
        return _issue_code(conn, terminal_id, ttl_hours)

    code, expires = in_transaction(conn, work)
    return {
        "store_id": store_id,
        "terminal_id": terminal_id,
        "setup_code": display_setup_code(code),
        "setup_code_expires_at": expires.isoformat(timespec="seconds"),
    }


def revoke_terminal(conn: Conn, store_id: str, terminal_id: str) -> dict[str, Any]:
    """Revoke a terminal: its tokens stop working and unused setup codes die."""
    store_id = clean_id(store_id, "store id")
    terminal_id = clean_id(terminal_id, "terminal id")

    def work() -> bool:
        revoked = _lock_terminal(conn, store_id, terminal_id)
        if not revoked:
            conn.execute(
                "UPDATE terminals SET revoked_at = now() WHERE terminal_id = %s", (terminal_id,)
            )
        _expire_codes(conn, terminal_id)
        return not revoked

    newly = in_transaction(conn, work)
    return {"store_id": store_id, "terminal_id": terminal_id, "revoked": True, "changed": newly}


def _lock_terminal(conn: Conn, store_id: str, terminal_id: str) -> bool:
    """Lock the terminal's row for this transaction; whether it is revoked."""
    row = conn.execute(
        "SELECT revoked_at IS NOT NULL FROM terminals "
        "WHERE terminal_id = %s AND store_id = %s FOR UPDATE",
        (terminal_id, store_id),
    ).fetchone()
    if row is None:
        raise TerminalNotFound(f"No terminal {terminal_id} in store {store_id}.")
    return bool(row[0])


def _expire_codes(conn: Conn, terminal_id: str) -> None:
    """The terminal's unused setup codes stop working."""
    conn.execute(
        "UPDATE setup_codes SET expires_at = least(expires_at, now()) "
        "WHERE terminal_id = %s AND used_at IS NULL",
        (terminal_id,),
    )


def _issue_code(conn: Conn, terminal_id: str, ttl_hours: int) -> tuple[str, datetime]:
    """A new one-time setup code (stored hashed) and when it expires."""
    code = new_setup_code()
    expires = datetime.now(UTC) + timedelta(hours=ttl_hours)
    conn.execute(
        "INSERT INTO setup_codes (code_hash, terminal_id, expires_at) VALUES (%s, %s, %s)",
        (_code_hash(code), terminal_id, expires),
    )
    return code, expires


def join(
    conn: Conn,
    setup_code: str,
    expected: tuple[str, str] | None = None,
    signed_with: Sequence[str] = (),
) -> JoinResponse:
    """Trade a one-time setup code for a token, the chain's coupon key and the settings.

    ``expected`` is the (store, terminal) the caller's ledger already is: a code made
    for another terminal is refused without being used up. ``signed_with`` are the
    keys the terminal signed coupons with before (64 hex digits each): they are kept
    and shared with every terminal, so those coupons are not taken for forgeries."""
    code_hash = _code_hash(setup_code)
    token = new_token()

    def work() -> JoinResponse:
        row = conn.execute(
            "SELECT c.terminal_id, t.store_id, s.name, c.used_at IS NOT NULL, "
            "c.expires_at <= now(), t.revoked_at IS NOT NULL "
            "FROM setup_codes c JOIN terminals t USING (terminal_id) "
            "JOIN stores s ON s.store_id = t.store_id "
            "WHERE c.code_hash = %s FOR UPDATE OF c",
            (code_hash,),
        ).fetchone()
        if row is None:
            raise InvalidSetupCode(
                "Unknown setup code: check it, or ask head office for a new one."
            )
        terminal_id, store_id, store_name, used, expired, revoked = row
        if used:
            raise InvalidSetupCode(
                "This setup code was already used: ask head office for a new one."
            )
        if revoked:
            raise InvalidSetupCode(f"Terminal {terminal_id} was revoked by head office.")
        if expired:
            raise InvalidSetupCode("This setup code has expired: ask head office for a new one.")
        if expected is not None and expected != (store_id, terminal_id):
            raise WrongTerminal(
                f"This setup code is for store {store_id}, terminal {terminal_id}, but this "
                f"ledger is store {expected[0]}, terminal {expected[1]}: use the code made for "
                f"terminal {expected[1]}, or another database. The code is still valid."
            )
        conn.execute("UPDATE setup_codes SET used_at = now() WHERE code_hash = %s", (code_hash,))
        # One joined till per terminal: a join (a replaced till, or one whose earlier
        # reply was lost) ends every earlier token of the terminal, the one
        # 'pos-hq terminal add' printed included; only the token it answers works.
        conn.execute("DELETE FROM terminal_tokens WHERE terminal_id = %s", (terminal_id,))
        conn.execute(
            "INSERT INTO terminal_tokens (token_hash, terminal_id, source) VALUES (%s, %s, 'join')",
            (token_hash(token), terminal_id),
        )
        conn.execute(
            "UPDATE terminals SET joined_at = now() WHERE terminal_id = %s", (terminal_id,)
        )
        chain_key = coupon_key(conn)
        keep_prior_keys(conn, terminal_id, signed_with)
        version, body = rules.current(conn)
        return JoinResponse(
            token=token,
            store_id=store_id,
            store_name=store_name,
            terminal_id=terminal_id,
            coupon_key=chain_key,
            settings=body,
            settings_version=version,
            protocol_version=PROTOCOL_VERSION,
            previous_coupon_keys=prior_keys(conn),
        )

    return in_transaction(conn, work)


_PRIOR_KEY = COUPON_KEY + ".prior."  # secrets rows of keys terminals signed with before
MAX_PRIOR_KEYS = 32  # per terminal: a till has one key before it joins, a few at most


def keep_prior_keys(conn: Conn, terminal_id: str, keys: Sequence[str]) -> int:
    """Remember keys a terminal signed coupons with before it joined (once each, at
    most MAX_PRIOR_KEYS per terminal); returns how many were new. Any terminal
    already holds the chain's key, so sharing its own old keys gives it nothing."""
    chain_key = coupon_key(conn)
    wanted = [k for k in dict.fromkeys(keys) if k != chain_key]
    if not wanted:
        return 0
    prefix = f"{_PRIOR_KEY}{terminal_id}."
    row = conn.execute(
        "SELECT count(*) FROM secrets WHERE starts_with(name, %s)", (prefix,)
    ).fetchone()
    room = MAX_PRIOR_KEYS - (int(row[0]) if row else 0)
    rows = [(prefix + hashlib.sha256(k.encode()).hexdigest()[:32], k) for k in wanted]
    new = 0
    for name, key in rows:
        if new >= room:
            break
        done = conn.execute(
            "INSERT INTO secrets (name, value) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (name, key),
        ).fetchone()
        new += done is not None
    return new


def prior_keys(conn: Conn) -> list[str]:
    """Every key a terminal signed coupons with before it joined, oldest first."""
    rows = conn.execute(
        "SELECT value FROM secrets WHERE starts_with(name, %s) ORDER BY created_at, name",
        (_PRIOR_KEY,),
    ).fetchall()
    return list(dict.fromkeys(str(r[0]) for r in rows))


def coupon_key(conn: Conn) -> str:
    row = conn.execute("SELECT value FROM secrets WHERE name = %s", (COUPON_KEY,)).fetchone()
    if row is None:
        raise AssertionError("no coupon key: 'pos-hq migrate' creates it")
    return str(row[0])


def authenticate(conn: Conn, token: str | None) -> TerminalIdentity:
    """The terminal a bearer token belongs to; Unauthorized if missing, forged or revoked."""
    if not token:
        raise Unauthorized("Send the terminal's token as 'Authorization: Bearer TOKEN'.")
    row = conn.execute(
        "SELECT t.terminal_id, t.store_id, t.revoked_at IS NOT NULL "
        "FROM terminal_tokens k JOIN terminals t USING (terminal_id) WHERE k.token_hash = %s",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        raise Unauthorized("Unknown token: set this terminal up again with a new setup code.")
    if row[2]:
        raise Unauthorized(f"Terminal {row[0]} was revoked by head office.")
    return TerminalIdentity(terminal_id=row[0], store_id=row[1])
