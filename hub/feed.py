"""Pull: a firm's feed after a cursor, with the key and firm directory changes since then.

The cursor is opaque to terminals: ``v1.<hub id>.<feed seq>.<directory rev>``. A cursor from
another hub database (restored from a backup, rebuilt) or from beyond what this hub
holds is answered 410 ``cursor_gone``; the terminal then pulls from the start again,
which is safe because applying an event twice changes nothing. A schema migration
keeps the hub id, so it never forces that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hub import schema
from hub.db import HubDB
from hub.registry import Credential, firm_directory, key_directory
from wire.errors import NakamaError
from wire.events import PRIVATE_FIELDS

PAGE = 1000


class CursorGone(NakamaError):
    """The cursor names a feed position this hub does not hold."""


@dataclass(frozen=True, slots=True)
class Cursor:
    hub_id: str
    seq: int
    key_rev: int

    def text(self) -> str:
        return f"v1.{self.hub_id}.{self.seq}.{self.key_rev}"


def parse_cursor(text: str | None, hub_id: str) -> Cursor:
    if not text:
        return Cursor(hub_id, 0, 0)
    parts = text.split(".")
    if len(parts) != 4 or parts[0] != "v1" or not parts[2].isdigit() or not parts[3].isdigit():
        raise ValueError("bad_cursor")
    if parts[1] != hub_id:
        raise CursorGone()
    seq, rev = int(parts[2]), int(parts[3])
    if seq >= 2**62 or rev >= 2**62:
        raise ValueError("bad_cursor")
    return Cursor(hub_id, seq, rev)


def redact(body: str, type_: str) -> str:
    """Remove the fields only the lead firm may see (customer, price) from a wire text."""
    if type_ not in PRIVATE_FIELDS and type_ != "EventCorrected":
        return body
    data = json.loads(body)
    hidden = PRIVATE_FIELDS.get(type_, frozenset())
    for name in hidden:
        data["payload"].pop(name, None)
    rep = data["payload"].get("replacement") if type_ == "EventCorrected" else None
    if isinstance(rep, dict) and isinstance(rep.get("payload"), dict):
        for name in PRIVATE_FIELDS.get(rep.get("type", ""), frozenset()):
            rep["payload"].pop(name, None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def pull(db: HubDB, cred: Credential, cursor_text: str | None, limit: int = PAGE) -> str:
    """The next page of the firm's feed as a JSON text (built from stored wire texts)."""
    cur = parse_cursor(cursor_text, db.hub_id)
    limit = max(1, min(limit, PAGE))
    with db.read_raw() as q:
        # Plain SQL through the driver: this runs for every terminal on every round.
        last = q.scalar("SELECT last_seq FROM feed_counters WHERE firm_id = ?", (cred.firm_id,))
        if cur.seq > int(last or 0):
            raise CursorGone()
        rows = q.rows(
            "SELECT f.feed_seq, f.terminal_id, e.firm_id, e.type, e.body FROM feed f "
            "JOIN events e ON e.event_id = f.event_id AND e.terminal_id = f.terminal_id "
            "WHERE f.firm_id = ? AND f.feed_seq > ? "
            "ORDER BY f.feed_seq LIMIT ?",
            (cred.firm_id, cur.seq, limit + 1),
        )
        keys, key_rev = key_directory(q, cur.key_rev)
        firms, firm_rev = firm_directory(q, cur.key_rev)  # one revision counter for both
    more = len(rows) > limit
    rows = rows[:limit]
    bodies = []
    for _seq, terminal_id, firm_id, type_, body in rows:
        if terminal_id == cred.terminal_id:
            continue  # the terminal has its own events already
        bodies.append(body if firm_id == cred.firm_id else redact(body, type_))
    seq = rows[-1][0] if rows else cur.seq
    nxt = Cursor(db.hub_id, int(seq), max(key_rev, firm_rev)).text()
    return (
        f'{{"cursor":"{nxt}","more":{"true" if more else "false"},'
        f'"events":[{",".join(bodies)}],"keys":{json.dumps(keys, ensure_ascii=False)},'
        f'"firms":{json.dumps(firms, ensure_ascii=False)}}}'
    )


def own_events(db: HubDB, cred: Credential, after_seq: int, limit: int = PAGE) -> str:
    """The calling terminal's own events numbered above ``after_seq``, in seq order, as a
    JSON text ``{"events": [...], "more": bool}``: what a terminal restored from an older
    backup takes back before it numbers new events (it never sees them in its feed)."""
    limit = max(1, min(limit, PAGE))
    with db.read_raw() as q:
        rows = q.rows(
            "SELECT body FROM events WHERE terminal_id = ? AND firm_id = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (cred.terminal_id, cred.firm_id, after_seq, limit + 1),
        )
    more = len(rows) > limit
    bodies = [r[0] for r in rows[:limit]]
    return f'{{"more":{"true" if more else "false"},"events":[{",".join(bodies)}]}}'


def job_view(db: HubDB, cred: Credential, job_id: str) -> dict[str, Any] | None:
    """A job as this firm may see it, or None when it does not exist *or* is not the
    firm's business (the same answer, so guessing ids tells nothing). Its events are
    those the firm's feed carries: its own, and those the hub delivered to it (so not
    events another firm pushed to the job without being on it)."""
    jm, jt, e, f = schema.job_members, schema.jobs, schema.events, schema.feed
    with db.read() as c:
        member = c.execute(
            select(jm.c.firm_id).where(jm.c.job_id == job_id, jm.c.firm_id == cred.firm_id)
        ).first()
        if member is None:
            return None
        lead = c.execute(select(jt.c.lead_firm).where(jt.c.job_id == job_id)).scalar()
        firms = sorted(c.execute(select(jm.c.firm_id).where(jm.c.job_id == job_id)).scalars())
        rows = c.execute(
            select(e.c.firm_id, e.c.type, e.c.body)
            .join(
                f,
                (f.c.event_id == e.c.event_id)
                & (f.c.terminal_id == e.c.terminal_id)
                & (f.c.firm_id == cred.firm_id),
            )
            .where(e.c.job_id == job_id)
            .order_by(e.c.hlc, e.c.terminal_id, e.c.seq)
        ).all()
    events = [
        json.loads(body if firm_id == cred.firm_id else redact(body, type_))
        for firm_id, type_, body in rows
    ]
    return {"job_id": job_id, "lead_firm": lead, "firms": firms, "events": events}
