"""Push: a batch of events from one terminal, answered event by event.

Idempotent on ``event_id``: the same event again is a ``duplicate``; the same id with
other content is kept aside in ``quarantine`` and answered ``rejected/id_conflict``,
never written over. The firm and terminal come from the credential: an event that
claims another is refused.

Each accepted event gets a row in the feed of every firm that should see it, numbered
by that firm's counter row, which is updated inside this transaction. Concurrent pushes
for one firm therefore commit their feed rows in counter order, and "every row after N"
can never skip a row committed late (the PostgreSQL-sequence trap in DESIGN.md).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from hub import schema
from hub.db import HubDB
from hub.registry import Credential
from wire.events import Event, WireError, checked_digest, from_wire

log = logging.getLogger("nakama.hub")
MAX_BATCH = 1000


@dataclass(slots=True)
class PushOutcome:
    results: list[dict[str, Any]]
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    quarantined: list[str] = field(default_factory=list)


def _reject(event_id: Any, reason: str) -> dict[str, Any]:
    return {
        "event_id": event_id if isinstance(event_id, str) else None,
        "status": "rejected",
        "reason": reason,
    }


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _marks(items: list[str]) -> str:
    return ", ".join("?" * len(items))


def validate(cred: Credential, raw: list[Any]) -> tuple[list[Any], list[tuple[int, Event, str]]]:
    """Parse every event; returns per-event answers so far and the valid ones."""
    results: list[Any] = [None] * len(raw)
    valid: list[tuple[int, Event, str]] = []
    for i, item in enumerate(raw):
        eid = item.get("event_id") if isinstance(item, dict) else None
        try:
            ev = from_wire(item)
        except WireError as exc:
            results[i] = _reject(eid, exc.code)
            continue
        if ev.firm_id != cred.firm_id:
            results[i] = _reject(eid, "firm_mismatch")
        elif ev.terminal_id != cred.terminal_id:
            results[i] = _reject(eid, "terminal_mismatch")
        elif (
            len(ev.event_id) > 64
            or (ev.job_id is not None and len(ev.job_id) > 200)
            or (ev.type == "JobCreated" and not ev.job_id)
        ):
            results[i] = _reject(eid, "bad_envelope")
        elif ev.type == "JobCreated" and ev.payload["lead_firm"] != ev.firm_id:
            results[i] = _reject(eid, "not_lead_firm")
        else:
            valid.append((i, ev, checked_digest(ev)))
    return results, valid


def push(db: HubDB, cred: Credential, raw: list[Any]) -> PushOutcome:
    """Store a batch; one transaction; returns an answer per event, in order."""
    return report(cred, db.write_grouped(transaction(db, cred, raw)))


def report(cred: Credential, outcome: PushOutcome) -> PushOutcome:
    """Log what a push put in quarantine; returns the outcome."""
    if outcome.quarantined:
        log.warning(
            "quarantined events with a reused id",
            extra={"firm": cred.firm_id, "terminal": cred.terminal_id, "ids": outcome.quarantined},
        )
    return outcome


def transaction(db: HubDB, cred: Credential, raw: list[Any]) -> Callable[[Connection], PushOutcome]:
    """The work that checks a batch (once, however often it is run) and stores it inside
    a write transaction (for ``HubDB.write_grouped`` or ``HubDB.submit``).

    The checks run on the writer thread, inside the work: checking on another thread
    fought the writer for the GIL, which SQLite's inserts hand back after every row."""
    checks: list[tuple[list[Any], list[tuple[int, Event, str]]]] = []
    now = time.time()

    def work(c: Connection) -> PushOutcome:
        if not checks:
            checks.append(validate(cred, raw))
        checked, valid = checks[0]
        # Plain SQL through the driver: SQLAlchemy's statement building cost more than
        # SQLite's own work for the small pushes of a herd of terminals.
        q = db.raw(c)
        results = list(checked)
        out = PushOutcome(results)
        ids = sorted({ev.event_id for _, ev, _ in valid})
        existing: dict[str, str] = {}
        for chunk in _chunks(ids):
            existing.update(
                q.rows(
                    f"SELECT event_id, body FROM events WHERE event_id IN ({_marks(chunk)})", chunk
                )
            )
        job_ids = sorted({ev.job_id for _, ev, _ in valid if ev.job_id})
        leads: dict[str, str] = {}
        members: dict[str, set[str]] = defaultdict(set)
        for chunk in _chunks(job_ids):
            for job_id, lead, firm_id in q.rows(
                "SELECT j.job_id, j.lead_firm, m.firm_id FROM jobs j "
                "LEFT JOIN job_members m ON m.job_id = j.job_id "
                f"WHERE j.job_id IN ({_marks(chunk)})",
                chunk,
            ):
                leads[job_id] = lead
                if firm_id is not None:
                    members[job_id].add(firm_id)

        accepted: list[tuple[Event, str]] = []
        quarantine_rows: list[tuple[Any, ...]] = []
        created: list[Event] = []
        for i, ev, body in valid:
            old = existing.get(ev.event_id)
            if old is not None:
                if old == body:
                    results[i] = {"event_id": ev.event_id, "status": "duplicate"}
                    out.duplicates += 1
                else:
                    results[i] = _reject(ev.event_id, "id_conflict")
                    quarantine_rows.append(
                        (ev.event_id, cred.firm_id, cred.terminal_id, "id_conflict", body, now)
                    )
                    out.quarantined.append(ev.event_id)
                continue
            job = ev.job_id
            if ev.type == "JobCreated":
                assert job is not None
                if job in leads:
                    results[i] = _reject(ev.event_id, "job_exists")
                    continue
                leads[job] = ev.firm_id
                members[job] = {ev.firm_id} | {s["firm"] for s in ev.payload["route"]}
                created.append(ev)
            elif job is not None and job in leads and ev.firm_id not in members[job]:
                # The job exists and this firm is not on its route: it may not write to it.
                results[i] = _reject(ev.event_id, "not_a_participant")
                continue
            existing[ev.event_id] = body
            accepted.append((ev, body))
            results[i] = {"event_id": ev.event_id, "status": "accepted"}

        # Which firms' feeds each accepted event goes to, in arrival order per firm.
        feeds: dict[str, dict[str, str]] = defaultdict(dict)
        for ev, _ in accepted:
            feeds[ev.firm_id][ev.event_id] = ev.terminal_id
            job = ev.job_id
            if job is not None and job in leads and ev.firm_id in members[job]:
                for f in members[job]:
                    feeds[f][ev.event_id] = ev.terminal_id
        # A job just created: its members also get the events that reached the hub
        # before the job did (a receipt scanned from the paper traveler while the lead
        # firm was offline), in causal order, if their writers are on the route.
        for ev in created:
            assert ev.job_id is not None
            earlier = q.rows(
                "SELECT event_id, firm_id, terminal_id FROM events WHERE job_id = ? ORDER BY hlc",
                (ev.job_id,),
            )
            for eid, firm_id, terminal_id in earlier:
                if firm_id in members[ev.job_id]:
                    for f in members[ev.job_id] - {firm_id}:
                        feeds[f][eid] = terminal_id

        db.insert_many(
            q,
            schema.events,
            [
                (
                    ev.event_id,
                    ev.firm_id,
                    ev.terminal_id,
                    ev.seq,
                    ev.hlc,
                    ev.job_id,
                    ev.type,
                    body,
                    now,
                )
                for ev, body in accepted
            ],
        )
        if created:
            db.insert_many(q, schema.jobs, [(ev.job_id, ev.firm_id, ev.event_id) for ev in created])
            db.insert_many(
                q,
                schema.job_members,
                [(ev.job_id, f) for ev in created for f in sorted(members[ev.job_id or ""])],
            )
        if quarantine_rows:
            db.insert_many(q, schema.quarantine, quarantine_rows, skip=("id",))
        feed_rows: list[tuple[Any, ...]] = []
        bump = (
            "UPDATE feed_counters SET last_seq = last_seq + ? WHERE firm_id = ? RETURNING last_seq"
        )
        for firm_id in sorted(feeds):  # one lock order for every writer: no deadlocks
            rows = feeds[firm_id]
            last = q.scalar(bump, (len(rows), firm_id))
            if last is None:  # a firm named on a route but not (yet) registered here
                db.insert_many(q, schema.feed_counters, [(firm_id, len(rows), 0)])
                last = len(rows)
            start = int(last) - len(rows) + 1
            feed_rows += [
                (firm_id, start + n, eid, tid) for n, (eid, tid) in enumerate(rows.items())
            ]
        db.insert_many(q, schema.feed, feed_rows)
        q.run("UPDATE terminals SET last_seen = ? WHERE terminal_id = ?", (now, cred.terminal_id))
        out.accepted = len(accepted)
        out.rejected = sum(1 for r in results if r["status"] == "rejected")
        return out

    return work
