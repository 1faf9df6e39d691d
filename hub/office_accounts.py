"""The consortium office's accounts for the web page ``/office``: passwords, sessions and
the sign-in limit.

- Passwords are kept as argon2id hashes (argon2-cffi, its default parameters); a hash
  made with older parameters is replaced at the next sign-in.
- A session is server-side: the browser's cookie holds a random secret, the table its
  SHA-256, the account, the session's CSRF token and when it expires. It ends after
  ``IDLE_S`` without a page (a browser left open in the office), and at the latest
  ``SESSION_S`` after sign-in however busy; sign-out revokes it. An expired or revoked
  session signs nobody in.
- Sign-in is limited per client address and per account: after ``MAX_FAILURES`` failures
  within ``WINDOW_S`` further tries are refused, without checking the password, until
  the oldest failure leaves the window. A success clears the account's failures.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, select, update

from hub import schema
from hub.db import HubDB
from hub.registry import RegistryError

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 10
SESSION_S = 8 * 3600  # one working day at most; then sign in again
IDLE_S = 60 * 60  # an hour without a page ends it
_EXTEND_EVERY_S = 60  # the idle deadline moves on at most once a minute (one write)
MAX_FAILURES = 5
WINDOW_S = 15 * 60
_hasher = PasswordHasher()
# Checked when the account does not exist, so an unknown name costs the same time.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    csrf: str
    expires_at: float


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_account(db: HubDB, username: str, password: str) -> None:
    """A new office account (``bad_field`` for a bad name or a password shorter than
    ``MIN_PASSWORD``; ``account_exists`` if the name is taken)."""
    if not USERNAME.match(username):
        raise RegistryError("bad_field", 422, "username")
    if len(password) < MIN_PASSWORD:
        raise RegistryError("bad_field", 422, "password")
    a = schema.office_accounts
    hashed = _hasher.hash(password)

    def work(c: Connection) -> None:
        if c.execute(select(a.c.username).where(a.c.username == username)).first():
            raise RegistryError("account_exists", 409, username)
        c.execute(
            a.insert().values(username=username, password_hash=hashed, created_at=time.time())
        )

    db.write(work, attempts=1)


def set_password(db: HubDB, username: str, password: str) -> None:
    """A new password for an account; its open sessions end."""
    if len(password) < MIN_PASSWORD:
        raise RegistryError("bad_field", 422, "password")
    a, s = schema.office_accounts, schema.office_sessions
    hashed = _hasher.hash(password)

    def work(c: Connection) -> None:
        done = c.execute(update(a).where(a.c.username == username).values(password_hash=hashed))
        if not done.rowcount:
            raise RegistryError("not_found", 404, username)
        c.execute(
            update(s)
            .where(s.c.username == username, s.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )

    db.write(work, attempts=1)


def accounts(db: HubDB) -> list[dict[str, Any]]:
    a = schema.office_accounts
    with db.read() as c:
        rows = c.execute(select(a.c.username, a.c.created_at).order_by(a.c.username)).all()
    return [{"username": r.username, "created_at": r.created_at} for r in rows]


def wait_s(db: HubDB, address: str, username: str, now: float | None = None) -> float:
    """Seconds until this address and this account may try again (0: now)."""
    now = time.time() if now is None else now
    f = schema.office_login_failures
    since = now - WINDOW_S
    waits = [0.0]
    with db.read() as c:
        for column, value in ((f.c.address, address), (f.c.username, username)):
            q = (
                select(f.c.at)
                .where(column == value, f.c.at > since)
                .order_by(f.c.at.desc())
                .limit(MAX_FAILURES)
            )
            newest = [float(at) for (at,) in c.execute(q)]
            if len(newest) >= MAX_FAILURES:
                # Fewer than MAX_FAILURES in the window once the MAX_FAILURES-th newest
                # has left it.
                waits.append(newest[-1] + WINDOW_S - now)
    return max(waits)


def sign_in(db: HubDB, username: str, password: str, address: str) -> tuple[str, Session]:
    """Check a password and open a session: ``(cookie secret, session)``.

    Refusals: ``rate_limited`` (429, detail: seconds to wait) before any check when the
    address or the account has too many recent failures; ``bad_credentials`` (401) for
    an unknown account, a disabled one or a wrong password (the same answer for each)."""
    username = username.strip()[:64]
    wait = wait_s(db, address, username)
    if wait > 0:
        raise RegistryError("rate_limited", 429, str(max(1, round(wait))))
    a = schema.office_accounts
    with db.read() as c:
        row = c.execute(select(a).where(a.c.username == username)).first()
    ok = False
    try:
        ok = _hasher.verify(row.password_hash if row is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if row is None or row.disabled_at is not None:
        ok = False
    f = schema.office_login_failures
    now = time.time()
    if not ok:

        def failed(c: Connection) -> None:
            c.execute(delete(f).where(f.c.at < now - WINDOW_S))
            c.execute(f.insert().values(at=now, address=address[:64], username=username))

        db.write(failed, attempts=3)
        raise RegistryError("bad_credentials", 401)
    assert row is not None
    rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row.password_hash) else None
    secret = secrets.token_urlsafe(32)
    session = Session(username, secrets.token_urlsafe(32), now + min(IDLE_S, SESSION_S))
    s = schema.office_sessions

    def opened(c: Connection) -> None:
        c.execute(delete(f).where(f.c.username == username))
        c.execute(delete(s).where(s.c.expires_at < now - 86400))
        if rehash is not None:
            c.execute(update(a).where(a.c.username == username).values(password_hash=rehash))
        c.execute(
            s.insert().values(
                token_hash=_digest(secret),
                username=username,
                csrf=session.csrf,
                created_at=now,
                expires_at=session.expires_at,
            )
        )

    db.write(opened, attempts=3)
    return secret, session


def session(db: HubDB, secret: str | None) -> Session | None:
    """The live session behind a cookie's secret (None: none, expired, idle too long,
    revoked, or its account disabled). Each use moves its idle deadline on, never past
    ``SESSION_S`` after sign-in."""
    if not secret or len(secret) > 200:
        return None
    s, a = schema.office_sessions, schema.office_accounts
    now = time.time()
    digest = _digest(secret)
    q = (
        select(s.c.username, s.c.csrf, s.c.created_at, s.c.expires_at)
        .join(a, a.c.username == s.c.username)
        .where(
            s.c.token_hash == digest,
            s.c.revoked_at.is_(None),
            s.c.expires_at > now,
            a.c.disabled_at.is_(None),
        )
    )
    with db.read() as c:
        row = c.execute(q).first()
    if row is None:
        return None
    expires_at = min(row.created_at + SESSION_S, now + IDLE_S)
    if expires_at - row.expires_at >= _EXTEND_EVERY_S:

        def extend(c: Connection) -> None:
            c.execute(
                update(s)
                .where(s.c.token_hash == digest, s.c.revoked_at.is_(None))
                .values(expires_at=expires_at)
            )

        db.write(extend, attempts=3)
    else:
        expires_at = row.expires_at
    return Session(row.username, row.csrf, expires_at)


def sign_out(db: HubDB, secret: str) -> None:
    """End the session behind a cookie's secret (it stays in the table, revoked)."""
    s = schema.office_sessions

    def work(c: Connection) -> None:
        c.execute(
            update(s)
            .where(s.c.token_hash == _digest(secret), s.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )

    db.write(work, attempts=3)
