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
from typing import Any

from sqlalchemy import BigInteger, Connection, Text, cast, select, update

from hub import schema
from hub.db import HubDB, Raw

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_TTL_S = 7 * 24 * 3600
FIRM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
TERMINAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KEY_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class RegistryError(Exception):
    """A refused registry action; ``code`` is the JSON error code, ``status`` the HTTP one."""

    def __init__(self, code: str, status: int = 400, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.status, self.detail = code, status, detail


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
    """Spend a one-time code: register the terminal and return its bearer token."""
    if not TERMINAL_ID.match(terminal_id or ""):
        raise RegistryError("bad_terminal_id", 422)
    token = "nkt_" + secrets.token_urlsafe(32)
    now = time.time()
    code_hash = digest(normalise_code(code))

    def work(c: Connection) -> str:
        ec = schema.enroll_codes
        row = c.execute(select(ec).where(ec.c.code_hash == code_hash)).first()
        if row is None or row.used_at is not None or row.expires_at < now:
            # One answer for unknown, used and expired codes: nothing to learn by guessing.
            raise RegistryError("bad_enroll_code", 403)
        t = schema.terminals
        old = c.execute(select(t).where(t.c.terminal_id == terminal_id)).first()
        if old is not None and old.firm_id != row.firm_id:
            raise RegistryError("terminal_taken", 409)
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
        else:  # re-enrolment (new disk, reinstalled PC): the old token stops working
            c.execute(
                update(t)
                .where(t.c.terminal_id == terminal_id)
                .values(token_hash=digest(token), revoked_at=None)
            )
        if public_key:
            _upsert_key(db, c, row.firm_id, terminal_id, public_key)
        return str(row.firm_id)

    firm_id = db.write(work, attempts=1)
    forget_tokens()
    return {"terminal_id": terminal_id, "firm_id": firm_id, "token": token, "hub_id": db.hub_id}


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


# token digest -> (credential or None, when looked up). Every request used to cost a
# database read; a herd of terminals made that the hub's main cost. A revocation made in
# this process clears the cache at once; one made by another process (the CLI) takes
# effect within AUTH_TTL_S.
AUTH_TTL_S = 2.0
_auth_cache: dict[str, tuple[Credential | None, float]] = {}
_auth_lock = threading.Lock()


def cached_credential(token: str) -> tuple[bool, Credential | None]:
    """``(True, credential or None)`` when the answer for ``token`` is known without the
    database (a bad token, or a cache entry younger than AUTH_TTL_S); else ``(False,
    None)``. Cheap enough for the event loop, so most requests skip a thread hop."""
    if not token or len(token) > 200:
        return True, None
    hit = _auth_cache.get(digest(token))
    if hit is not None and time.monotonic() - hit[1] < AUTH_TTL_S:
        return True, hit[0]
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
        if len(_auth_cache) > 50_000:
            _auth_cache.clear()
        _auth_cache[key] = (cred, now)
    return cred


def forget_tokens() -> None:
    with _auth_lock:
        _auth_cache.clear()


def revoke(db: HubDB, terminal_id: str) -> bool:
    t = schema.terminals

    def work(c: Connection) -> int:
        res = c.execute(
            update(t)
            .where(t.c.terminal_id == terminal_id, t.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return int(res.rowcount or 0)

    done = db.write(work, attempts=1) > 0
    forget_tokens()
    return done


def terminals(db: HubDB) -> list[dict[str, Any]]:
    t = schema.terminals
    with db.read() as c:
        return [dict(r._mapping) | {"token_hash": None} for r in c.execute(select(t))]


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
