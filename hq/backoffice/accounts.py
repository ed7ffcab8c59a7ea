"""Back-office users, sessions, login throttling and the audit log (PostgreSQL).

A session token is 32 random bytes in the cookie; the table keeps its
sha256 (like terminal tokens: a fast hash is enough for a random secret).
Wrong passwords are counted per account and per client address in the
database, so every server process refuses the same guesser.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from hq.backoffice import passwords
from hq.db import Conn
from hq.errors import InvalidInput, NotFound

ROLES = ("owner", "manager", "marketing", "auditor")
LANGUAGES = ("th", "en")


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    role: str
    language: str
    stores: tuple[str, ...]

    @property
    def stores_scope(self) -> list[str] | None:
        """The stores this user sees: a manager's own, everyone else all (None)."""
        return list(self.stores) if self.role == "manager" else None

    @property
    def reads_only(self) -> bool:
        return self.role == "auditor"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normal_email(email: str) -> str:
    email = email.strip()
    if not (3 <= len(email) <= 254) or "@" not in email[1:-1] or any(c.isspace() for c in email):
        raise InvalidInput(f"{email[:60]!r} is not an email address.")
    return email


def add_user(
    conn: Conn, email: str, password: str, role: str, stores: list[str], *, actor: str = "cli"
) -> dict[str, Any]:
    """A new user (InvalidInput for a taken email, a bad role, unknown stores or a
    short password); the audit log records who added whom."""
    email = normal_email(email)
    if role not in ROLES:
        raise InvalidInput(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if role == "manager" and not stores:
        raise InvalidInput("A manager sees only their stores: name at least one with --store.")
    if role != "manager" and stores:
        raise InvalidInput(f"Only a manager has stores; an {role} sees every store.")
    if len(password) < passwords.MIN_LENGTH:
        raise InvalidInput(f"The password must be at least {passwords.MIN_LENGTH} characters.")
    if len(password) > passwords.MAX_LENGTH:
        raise InvalidInput(f"The password must be at most {passwords.MAX_LENGTH} characters.")
    hashed = passwords.hash_password(password)
    with conn.transaction():
        known = {r[0] for r in conn.execute(
            "SELECT store_id FROM stores WHERE store_id = ANY(%s)", (stores,)
        ).fetchall()}  # fmt: skip
        missing = sorted(set(stores) - known)
        if missing:
            raise NotFound(f"No store {missing[0]!r}: add it with pos-hq store add first.")
        try:
            with conn.transaction():
                row = conn.execute(
                    "INSERT INTO users (email, password_hash, role) VALUES (%s, %s, %s) "
                    "RETURNING user_id",
                    (email, hashed, role),
                ).fetchone()
        except pg_errors.UniqueViolation:
            raise InvalidInput(f"There is already a user {email}.") from None
        assert row is not None
        user_id = int(row[0])
        for store in sorted(set(stores)):
            conn.execute(
                "INSERT INTO user_stores (user_id, store_id) VALUES (%s, %s)", (user_id, store)
            )
        after = {"email": email, "role": role, "stores": sorted(set(stores))}
        audit(conn, None, actor, "user.add", email, None, after)
    return {"user_id": user_id, **after}


def list_users(conn: Conn) -> list[tuple[Any, ...]]:
    """(email, role, language, stores) of every user, by email."""
    return conn.execute(
        "SELECT u.email, u.role, u.language, ARRAY(SELECT store_id FROM user_stores s "
        "WHERE s.user_id = u.user_id ORDER BY 1) FROM users u ORDER BY lower(u.email)"
    ).fetchall()


def audit(
    conn: Conn,
    user: User | None,
    actor: str,
    action: str,
    target: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    address: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (user_id, actor, action, target, before, after, address) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            user.user_id if user else None,
            actor,
            action,
            target,
            Jsonb(before) if before is not None else None,
            Jsonb(after) if after is not None else None,
            address,
        ),
    )


def audit_entries(conn: Conn, limit: int = 200) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT at, actor, action, target, before, after, address FROM audit_log "
        "ORDER BY audit_id DESC LIMIT %s",
        (limit,),
    ).fetchall()
    keys = ("at", "actor", "action", "target", "before", "after", "address")
    return [dict(zip(keys, r, strict=True)) for r in rows]


class Throttled(Exception):
    """Too many wrong passwords for this account or from this address."""


def check_throttle(
    conn: Conn, email: str, address: str, now: datetime, window_s: int, per_account: int,
    per_address: int,
) -> None:  # fmt: skip
    row = conn.execute(
        "SELECT (SELECT count(*) FROM login_failures WHERE email = %(e)s AND at > %(t)s), "
        "       (SELECT count(*) FROM login_failures WHERE address = %(a)s AND at > %(t)s)",
        {"e": email.lower(), "a": address, "t": now - timedelta(seconds=window_s)},
    ).fetchone()
    assert row is not None
    if row[0] >= per_account or row[1] >= per_address:
        raise Throttled


def login(
    conn: Conn, email: str, password: str, address: str, now: datetime, idle: timedelta
) -> tuple[str, Session] | None:
    """A new session (its cookie token and itself), or None for a wrong email or
    password (recorded as a failure). The caller checks the throttle first."""
    row = conn.execute(
        "SELECT user_id, password_hash FROM users "
        "WHERE lower(email) = lower(%s) AND disabled_at IS NULL",
        (email.strip(),),
    ).fetchone()
    stored = row[1] if row else passwords.dummy_hash()
    if not passwords.verify(password, stored) or row is None:
        conn.execute(
            "INSERT INTO login_failures (at, email, address) VALUES (%s, %s, %s)",
            (now, email.strip().lower()[:254], address),
        )
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("DELETE FROM login_failures WHERE email = %s", (email.strip().lower(),))
        # Tidy what no longer counts: sessions over, failures a day old.
        conn.execute("DELETE FROM user_sessions WHERE last_seen_at <= %s", (now - idle,))
        conn.execute("DELETE FROM login_failures WHERE at < %s", (now - timedelta(days=1),))
        conn.execute(
            "INSERT INTO user_sessions (token_hash, user_id, csrf_token, created_at, "
            "last_seen_at, address) VALUES (%s, %s, %s, %s, %s, %s)",
            (_token_hash(token), row[0], csrf, now, now, address),
        )
    session = session_for(conn, token, now, idle)
    assert session is not None
    return token, session


def session_for(conn: Conn, token: str | None, now: datetime, idle: timedelta) -> Session | None:
    """The live session of a cookie token (its idle clock restarted), or None."""
    if not token or len(token) > 100:
        return None
    row = conn.execute(
        "UPDATE user_sessions s SET last_seen_at = %(now)s FROM users u "
        "WHERE s.token_hash = %(h)s AND u.user_id = s.user_id AND u.disabled_at IS NULL "
        "  AND s.last_seen_at > %(oldest)s "
        "RETURNING u.user_id, u.email, u.role, u.language, s.csrf_token, "
        "  ARRAY(SELECT store_id FROM user_stores us WHERE us.user_id = u.user_id "
        "        ORDER BY store_id)",
        {"now": now, "h": _token_hash(token), "oldest": now - idle},
    ).fetchone()
    if row is None:
        return None
    user = User(int(row[0]), row[1], row[2], row[3], tuple(row[5]))
    return Session(user, row[4])


def logout(conn: Conn, token: str | None) -> None:
    if token:
        conn.execute("DELETE FROM user_sessions WHERE token_hash = %s", (_token_hash(token),))


def set_language(conn: Conn, user: User, language: str, address: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(f"Language {language!r} is not one of {', '.join(LANGUAGES)}.")
    if language == user.language:
        return
    with conn.transaction():
        conn.execute("UPDATE users SET language = %s WHERE user_id = %s", (language, user.user_id))
        audit(conn, user, user.email, "user.language", user.email,
              {"language": user.language}, {"language": language}, address)  # fmt: skip
