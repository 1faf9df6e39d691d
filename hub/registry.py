"""Firms, terminals, one-time enrolment codes, bearer tokens and the key directory.

Secrets are stored only as SHA-256 digests: a copied hub database gives no working
token or enrolment code.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Text, cast, select, update

from hub import schema
from hub.db import HubDB, Raw
from wire.errors import NakamaError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_TTL_S = 7 * 24 * 3600
# A code answered once may be spent again by the same terminal for this long: the first
# answer may never have reached it (a flaky link), and it retries with the same code.
REENROLL_WINDOW_S = 15 * 60
# No "-" in a firm code: a job id is namespaced by its lead firm's code and a "-"
# (``F001-261129-7K3Q``), so a code with one could take another firm's namespace.
FIRM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,31}$")
TERMINAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEY_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class RegistryError(NakamaError):
    """A refused registry action; ``code`` is the JSON error code, ``status`` the HTTP one."""

    def __init__(self, code: str, status: int = 400, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.status, self.detail = code, status, detail
        self.extra: dict[str, Any] = {}  # more fields for the JSON error body


@dataclass(frozen=True, slots=True)
class Credential:
    terminal_id: str
    firm_id: str
    role: str  # "terminal" or "office"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


# -- firms -------------------------------------------------------------------------------


def add_firm(
    db: HubDB,
    code: str,
    name: str,
    region: str = "ota",
    processes: list[str] | None = None,
    equipment: list[str] | None = None,
) -> dict[str, Any]:
    code = code.strip().upper()
    if not FIRM_CODE.match(code):
        raise RegistryError("bad_firm_code", detail=code)

    def work(c: Connection) -> None:
        if c.execute(select(schema.firms.c.code).where(schema.firms.c.code == code)).first():
            raise RegistryError("firm_exists", 409, code)
        c.execute(
            schema.firms.insert().values(
                code=code,
                name=name,
                region=region.strip().lower() or "ota",
                processes=json.dumps([p.upper() for p in processes or []]),
                equipment=json.dumps(equipment or [], ensure_ascii=False),
                created_at=time.time(),
                rev=_next_rev(c),  # every terminal's next pull brings the new firm
            )
        )
        c.execute(db.insert_ignore(schema.feed_counters).values(firm_id=code, last_seq=0, floor=0))

    db.write(work, attempts=1)
    return firm(db, code) or {}


def firm(db: HubDB, code: str) -> dict[str, Any] | None:
    rows = firms(db, code)
    return rows[0] if rows else None


def firms(db: HubDB, code: str | None = None) -> list[dict[str, Any]]:
    q = select(schema.firms).order_by(schema.firms.c.code)
    if code is not None:
        q = q.where(schema.firms.c.code == code)
    with db.read() as c:
        return [
            {
                "code": r.code,
                "name": r.name,
                "region": r.region,
                "in_ota": r.region == "ota",
                "processes": json.loads(r.processes),
                "equipment": json.loads(r.equipment),
            }
            for r in c.execute(q)
        ]


# -- enrolment and tokens ----------------------------------------------------------------


def make_enroll_code(db: HubDB, firm_id: str, ttl_s: float = CODE_TTL_S) -> str:
    """A one-time code for enrolling one terminal of ``firm_id``, like ``K7QM-2XPA-9RTB``."""
    firm_id = firm_id.upper()
    if firm(db, firm_id) is None:
        raise RegistryError("unknown_firm", 404, firm_id)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    now = time.time()
    db.write(
        lambda c: c.execute(
            schema.enroll_codes.insert().values(
                code_hash=digest(raw), firm_id=firm_id, created_at=now, expires_at=now + ttl_s
            )
        ),
        attempts=1,
    )
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def enroll(
    db: HubDB, code: str, terminal_id: str, public_key: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Spend a one-time code: register the terminal and return its bearer token.

    The same terminal may spend the same code again within ``REENROLL_WINDOW_S`` of its
    first use (the answer was lost on the way): it gets a new token and the one from the
    lost answer stops working. Anyone else, or later, gets ``bad_enroll_code``. A revoked
    terminal id is never enrolled again (``terminal_revoked``) until the office undoes
    the revocation explicitly (``unrevoke``)."""
    if not TERMINAL_ID.match(terminal_id or ""):
        raise RegistryError("bad_terminal_id", 422)
    token = "nkt_" + secrets.token_urlsafe(32)
    now = time.time()
    code_hash = digest(normalise_code(code))

    def work(c: Connection) -> tuple[str, bool]:
        ec = schema.enroll_codes
        row = c.execute(select(ec).where(ec.c.code_hash == code_hash)).first()
        retry = (
            row is not None
            and row.used_at is not None
            and row.terminal_id == terminal_id
            and now - row.used_at <= REENROLL_WINDOW_S
        )
        if row is None or (row.used_at is not None and not retry) or row.expires_at < now:
            # One answer for unknown, used and expired codes: nothing to learn by guessing.
            raise RegistryError("bad_enroll_code", 403)
        t = schema.terminals
        old = c.execute(select(t).where(t.c.terminal_id == terminal_id)).first()
        if old is not None and old.firm_id != row.firm_id:
            raise RegistryError("terminal_taken", 409)
        if old is not None and old.revoked_at is not None:
            # The code stays unspent (this transaction rolls back): it can enrol a
            # terminal under another id.
            raise RegistryError("terminal_revoked", 403, "ask the consortium office")
        if not retry:
            c.execute(
                update(ec)
                .where(ec.c.code_hash == code_hash)
                .values(used_at=now, terminal_id=terminal_id)
            )
        if old is None:
            c.execute(
                t.insert().values(
                    terminal_id=terminal_id,
                    firm_id=row.firm_id,
                    token_hash=digest(token),
                    role="terminal",
                    created_at=now,
                )
            )
        else:  # re-enrolment (new disk, reinstalled PC, a lost answer): a new token
            c.execute(
                update(t).where(t.c.terminal_id == terminal_id).values(token_hash=digest(token))
            )
        if public_key:
            _upsert_key(db, c, row.firm_id, terminal_id, public_key)
        return str(row.firm_id), retry

    firm_id, retry = db.write(work, attempts=1)
    forget_tokens()
    return {
        "terminal_id": terminal_id,
        "firm_id": firm_id,
        "token": token,
        "hub_id": db.hub_id,
        "reissued": retry,
    }


def office_token(db: HubDB, name: str = "office") -> str:
    """A token for the consortium office (figures only, no events)."""
    token = "nko_" + secrets.token_urlsafe(32)
    tid = f"OFFICE-{name}-{secrets.token_hex(3)}"[:64]

    def work(c: Connection) -> None:
        c.execute(
            db.insert_ignore(schema.firms).values(
                code="OFFICE",
                name="事務局",
                region="ota",
                processes="[]",
                equipment="[]",
                created_at=time.time(),
            )
        )
        c.execute(
            schema.terminals.insert().values(
                terminal_id=tid,
                firm_id="OFFICE",
                token_hash=digest(token),
                role="office",
                created_at=time.time(),
            )
        )

    db.write(work, attempts=1)
    return token


# Valid tokens only: digest -> (credential, when looked up). Every request used to cost
# a database read; a herd of terminals made that the hub's main cost. Its size is bounded
# by the terminals that exist, so garbage tokens can never flush it. Unknown and revoked
# tokens go to a separate, bounded negative cache (oldest entries dropped first). A
# revocation made in this process clears both at once; one made by another process (the
# CLI) takes effect within AUTH_TTL_S.
AUTH_TTL_S = 2.0
NEGATIVE_MAX = 10_000
POSITIVE_MAX = 200_000
_auth_cache: dict[str, tuple[Credential, float]] = {}
_bad_cache: dict[str, float] = {}
_auth_lock = threading.Lock()


def cached_credential(token: str) -> tuple[bool, Credential | None]:
    """``(True, credential or None)`` when the answer for ``token`` is known without the
    database (a malformed token, or a cache entry younger than AUTH_TTL_S); else
    ``(False, None)``. Cheap enough for the event loop, so most requests skip a thread hop."""
    if not token or len(token) > 200:
        return True, None
    key = digest(token)
    hit = _auth_cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[1] < AUTH_TTL_S:
        return True, hit[0]
    bad = _bad_cache.get(key)
    if bad is not None and now - bad < AUTH_TTL_S:
        return True, None
    return False, None


def authenticate(db: HubDB, token: str) -> Credential | None:
    """The credential behind a bearer token, or None (unknown or revoked)."""
    known, cred = cached_credential(token)
    if known:
        return cred
    key = digest(token)
    now = time.monotonic()
    with db.read_raw() as q:
        rows = q.rows(
            "SELECT terminal_id, firm_id, role, revoked_at FROM terminals WHERE token_hash = ?",
            (key,),
        )
    cred = None
    if rows and rows[0][3] is None:
        cred = Credential(rows[0][0], rows[0][1], rows[0][2])
    with _auth_lock:
        if cred is not None:
            if len(_auth_cache) >= POSITIVE_MAX:  # more live terminals than ever expected
                _auth_cache.clear()
            _auth_cache[key] = (cred, now)
        else:
            _auth_cache.pop(key, None)
            _bad_cache.pop(key, None)
            while len(_bad_cache) >= NEGATIVE_MAX:
                del _bad_cache[next(iter(_bad_cache))]  # insertion order: the oldest
            _bad_cache[key] = now
    return cred


def cache_sizes() -> tuple[int, int]:
    """(valid tokens cached, bad tokens cached), for tests and diagnostics."""
    return len(_auth_cache), len(_bad_cache)


def forget_tokens() -> None:
    with _auth_lock:
        _auth_cache.clear()
        _bad_cache.clear()


def revoke(db: HubDB, terminal_id: str) -> bool:
    """Revoke a terminal: its token stops working and its traveler-signing keys are
    revoked in the key directory as of now (so every terminal refuses the travelers they
    sign once the directory reaches it). False when there is no active terminal of that id."""
    t, k = schema.terminals, schema.keys
    now = time.time()
    stamp = iso_time(now)

    def work(c: Connection) -> int:
        res = c.execute(
            update(t)
            .where(t.c.terminal_id == terminal_id, t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if not res.rowcount:
            return 0
        firm_id = c.execute(select(t.c.firm_id).where(t.c.terminal_id == terminal_id)).scalar()
        live = select(k.c.key_id).where(
            k.c.firm_id == firm_id, k.c.terminal_id == terminal_id, k.c.revoked_at.is_(None)
        )
        for key_id in list(c.execute(live).scalars()):
            c.execute(
                update(k)
                .where(k.c.firm_id == firm_id, k.c.key_id == key_id)
                .values(revoked_at=stamp, rev=_next_rev(c))
            )
        return 1

    done = db.write(work, attempts=3) > 0
    forget_tokens()
    return done


def unrevoke(db: HubDB, terminal_id: str) -> bool:
    """Undo a terminal's revocation (an explicit act of the office): its token works
    again and its id may be enrolled again. Its signing keys stay revoked (every terminal
    that synced the revocation keeps it): it signs travelers only after making a new key.
    False when the terminal is not revoked."""
    t = schema.terminals

    def work(c: Connection) -> int:
        res = c.execute(
            update(t)
            .where(t.c.terminal_id == terminal_id, t.c.revoked_at.is_not(None))
            .values(revoked_at=None)
        )
        return int(res.rowcount or 0)

    done = db.write(work, attempts=3) > 0
    forget_tokens()
    return done


def iso_time(ts: float | None) -> str | None:
    """A stored epoch time as ISO 8601 UTC text (seconds), as the key directory holds it."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def terminals(db: HubDB) -> list[dict[str, Any]]:
    """Every terminal (active and revoked) with its state, times as ISO text, and its
    signing keys; never a token digest."""
    t, k = schema.terminals, schema.keys
    with db.read() as c:
        keys: dict[str, list[dict[str, Any]]] = {}
        for r in c.execute(select(k.c.terminal_id, k.c.key_id, k.c.revoked_at)):
            keys.setdefault(r.terminal_id, []).append(
                {"key_id": r.key_id, "revoked_at": r.revoked_at}
            )
        return [
            {
                "terminal_id": r.terminal_id,
                "firm_id": r.firm_id,
                "role": r.role,
                "state": "revoked" if r.revoked_at is not None else "active",
                "created_at": iso_time(r.created_at),
                "revoked_at": iso_time(r.revoked_at),
                "last_seen": iso_time(r.last_seen),
                "keys": keys.get(r.terminal_id, []),
            }
            for r in c.execute(select(t).order_by(t.c.firm_id, t.c.terminal_id))
        ]


# -- key directory -----------------------------------------------------------------------


def _next_rev(c: Connection) -> int:
    # A counter row updated inside the writing transaction: revisions commit in order,
    # so a pull "after rev N" never skips a key committed late.
    m = schema.hub_meta
    c.execute(
        update(m)
        .where(m.c.key == "key_rev")
        .values(value=cast(cast(m.c.value, BigInteger) + 1, Text))
    )
    return int(c.execute(select(m.c.value).where(m.c.key == "key_rev")).scalar_one())


def _upsert_key(
    db: HubDB, c: Connection, firm_id: str, terminal_id: str, key: dict[str, Any]
) -> dict[str, Any]:
    key_id = key.get("key_id")
    public = key.get("public_key")
    if not isinstance(key_id, str) or not KEY_ID.match(key_id):
        raise RegistryError("bad_key_id", 422)
    if not isinstance(public, str) or not 16 <= len(public) <= 4000:
        raise RegistryError("bad_public_key", 422)
    fields = {}
    for name in ("valid_from", "valid_until", "revoked_at"):
        v = key.get(name)
        if v is not None and (not isinstance(v, str) or len(v) > 40):
            raise RegistryError("bad_field", 422, name)
        fields[name] = v
    k = schema.keys
    old = c.execute(select(k).where(k.c.firm_id == firm_id, k.c.key_id == key_id)).first()
    if old is not None and old.public_key != public:
        raise RegistryError("key_id_conflict", 409)  # a key id names one key forever
    if old is not None and old.terminal_id not in (None, terminal_id):
        # Only the terminal that published a key changes it (dates, revocation): a
        # stolen terminal must not stretch or revoke its firm's other keys. The office
        # revokes a terminal's keys with ``revoke``.
        raise RegistryError("key_of_another_terminal", 409)
    rev = _next_rev(c)
    if old is None:
        c.execute(
            k.insert().values(
                firm_id=firm_id,
                key_id=key_id,
                terminal_id=terminal_id,
                public_key=public,
                rev=rev,
                **fields,
            )
        )
    else:
        # A revocation stands: a later upload cannot bring a revoked key back.
        fields["revoked_at"] = old.revoked_at or fields["revoked_at"]
        c.execute(
            update(k).where(k.c.firm_id == firm_id, k.c.key_id == key_id).values(rev=rev, **fields)
        )
    return {"firm": firm_id, "key_id": key_id, "terminal_id": terminal_id, "public_key": public} | {
        n: fields[n] for n in ("valid_from", "valid_until", "revoked_at")
    }


def upsert_key(db: HubDB, cred: Credential, key: dict[str, Any]) -> dict[str, Any]:
    return db.write(lambda c: _upsert_key(db, c, cred.firm_id, cred.terminal_id, key), attempts=3)


def key_directory(c: Connection | Raw, after_rev: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Key directory entries changed after revision ``after_rev``, and the newest revision.
    (Plain SQL: every pull asks, and the answer is almost always "none".)"""
    sql = (
        "SELECT firm_id, key_id, terminal_id, public_key, valid_from, valid_until, revoked_at, "
        "rev FROM keys WHERE rev > ? ORDER BY rev"
    )
    if isinstance(c, Raw):
        rows: Sequence[Any] = c.rows(sql, (after_rev,))
    else:
        mark = "?" if c.dialect.name == "sqlite" else "%s"
        rows = c.exec_driver_sql(sql.replace("?", mark), (after_rev,)).all()
    out = [
        {
            "firm": r[0],
            "key_id": r[1],
            "terminal_id": r[2],
            "public_key": r[3],
            "valid_from": r[4],
            "valid_until": r[5],
            "revoked_at": r[6],
        }
        for r in rows
    ]
    return out, max([after_rev, *(int(r[7]) for r in rows)])


def firm_directory(q: Raw, after_rev: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Firms (code, name, region) changed after directory revision ``after_rev``, and the
    newest revision among them. Names and regions are the consortium's directory, shown
    on every member's screens and travelers; processes and equipment stay with the hub."""
    rows = q.rows(
        "SELECT code, name, region, rev FROM firms WHERE rev > ? ORDER BY rev", (after_rev,)
    )
    out = [{"code": r[0], "name": r[1], "region": r[2]} for r in rows]
    return out, max([after_rev, *(int(r[3]) for r in rows)])
