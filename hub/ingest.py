"""Push: a batch of events from one terminal, answered event by event.

An event is identified by ``(terminal_id, event_id)``: the same event again from its
terminal is a ``duplicate``; the same id with other content from the same terminal is
kept aside in ``quarantine`` and answered ``rejected/id_conflict``, never written over.
The same id from another terminal is another event (an id read off a traveler cannot
block the real one). The firm and terminal come from the credential: an event that
claims another is refused.

Who may write what (DESIGN.md, "Trust between firms"; docs_trust_push.md):

- ``JobCreated`` only by the lead firm, for a job id in the lead firm's namespace
  (``F001-…``: ``job_id_not_yours``), on a route of registered firms
  (``unknown_firm``); a job id the firm already used is ``job_exists``.
- For a job the hub holds and the pushing firm is a member of: a step's events only
  from the firm the route names for that step (``op_not_for_this_firm``), travelers
  and drawings only from the lead firm (``not_lead_firm``), and a correction only of the firm's own
  events (``cannot_correct`` when the hub holds the superseded event, in that job, from
  other firms only).
- A sign-off (``RecordsApproved``): a day's has no job (the wire format refuses one
  with a job or a step), so it stays in its own firm's feed: a firm approves only its
  own day. A lot's is a member's event of the job (the lead firm or a firm of the
  route) and goes to the job's members.
- A firm that is not a member of the job gets the answer it would get if the job did
  not exist: ``accepted``. Its event is held like an event that came before its job:
  stored, in its own firm's feed only, and never delivered to the job's members.
- An event for a job the hub does not hold yet is accepted and kept; when the job
  arrives, the members get those earlier events that pass the checks above.

Each accepted event gets a row in the feed of every firm that should see it, numbered
by that firm's counter row, which is updated inside this transaction. Concurrent pushes
for one firm therefore commit their feed rows in counter order, and "every row after N"
can never skip a row committed late (the PostgreSQL-sequence trap in DESIGN.md).
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from hub import schema, summary
from hub.db import HubDB, Raw
from hub.registry import Credential
from wire.events import LEAD_TYPES, STEP_TYPES, Event, WireError, checked_digest, from_wire

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


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _marks(items: list[Any]) -> str:
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


def _prefixes(job_id: str) -> list[str]:
    """Every ``X`` such that ``job_id`` starts with ``X-``: the firm codes it could be
    namespaced by (codes may contain ``-`` themselves)."""
    return [job_id[:i] for i, ch in enumerate(job_id) if ch == "-" and i > 0]


def namespace_owner(job_id: str, registered: set[str] | frozenset[str]) -> str | None:
    """The firm whose namespace ``job_id`` is in: the longest registered firm code ``F``
    with ``job_id`` starting ``F-`` (so firm ``F0`` cannot take ``F0-1-…`` from firm
    ``F0-1``); None for an id in no firm's namespace (release 0.1's ``J83370061B1``)."""
    owners = [p for p in _prefixes(job_id) if p in registered]
    return max(owners, key=len) if owners else None


def parse_route(text: str | None) -> dict[int, str] | None:
    """``jobs.route`` as ``{op: firm}`` (None: not recorded, so not checked)."""
    if text is None:
        return None
    return {int(seq): firm for seq, firm in json.loads(text)}


def refusal(ev: Event, lead: str, route: dict[int, str] | None, holders: set[str]) -> str | None:
    """Why a member firm's event may not act on its job (None: it may).

    ``holders``: the firms the hub holds an event of this job under the id a correction
    supersedes. Only the firm the route names acts on a step; only the lead firm issues
    travelers and attaches drawings; only an event's own firm corrects it (a correction
    names an event of its own firm: an id another firm also used does not make it
    theirs)."""
    t = ev.type
    if t == "EventCorrected":
        if holders and ev.firm_id not in holders:
            return "cannot_correct"
    elif t in LEAD_TYPES:  # travelers, drawings
        if ev.firm_id != lead:
            return "not_lead_firm"
    elif t in STEP_TYPES and route is not None and route.get(ev.op or -1) != ev.firm_id:
        return "op_not_for_this_firm"
    return None


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
        tid = cred.terminal_id
        ids = sorted({ev.event_id for _, ev, _ in valid})
        existing: dict[str, str] = {}  # this terminal's events by id
        for chunk in _chunks(ids):
            existing.update(
                q.rows(
                    "SELECT event_id, body FROM events "
                    f"WHERE terminal_id = ? AND event_id IN ({_marks(chunk)})",
                    [tid, *chunk],
                )
            )
        # A terminal numbers its events once each: a seq already used by another of its
        # events is refused (terminals key their logs by it; a reuse would stop their
        # sync). ``taken``: seq -> the event id holding it.
        seqs = sorted({ev.seq for _, ev, _ in valid})
        taken: dict[int, str] = {}
        for chunk in _chunks(seqs):
            taken.update(
                q.rows(
                    "SELECT seq, event_id FROM events "
                    f"WHERE terminal_id = ? AND seq IN ({_marks(chunk)})",
                    [tid, *chunk],
                )
            )
        job_ids = sorted({ev.job_id for _, ev, _ in valid if ev.job_id})
        leads: dict[str, str] = {}
        routes: dict[str, dict[int, str] | None] = {}
        members: dict[str, set[str]] = defaultdict(set)
        for chunk in _chunks(job_ids):
            for job_id, lead, route, firm_id in q.rows(
                "SELECT j.job_id, j.lead_firm, j.route, m.firm_id FROM jobs j "
                "LEFT JOIN job_members m ON m.job_id = j.job_id "
                f"WHERE j.job_id IN ({_marks(chunk)})",
                chunk,
            ):
                if job_id not in leads:
                    leads[job_id] = lead
                    routes[job_id] = parse_route(route)
                if firm_id is not None:
                    members[job_id].add(firm_id)
        registered = _registered(q, valid)
        holders = _holders(q, valid, leads)

        accepted: list[tuple[Event, str]] = []
        unchecked: set[str] = set()  # accepted before their job was known: checked later
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
            holder = taken.get(ev.seq)
            if holder is not None and holder != ev.event_id:
                results[i] = _reject(ev.event_id, "seq_conflict")
                quarantine_rows.append(
                    (ev.event_id, cred.firm_id, cred.terminal_id, "seq_conflict", body, now)
                )
                out.quarantined.append(ev.event_id)
                continue
            job = ev.job_id
            reason: str | None = None
            if ev.type == "JobCreated":
                assert job is not None
                route = ev.payload["route"]
                if namespace_owner(job, registered) != ev.firm_id:
                    reason = "job_id_not_yours"
                elif any(s["firm"] not in registered for s in route):
                    reason = "unknown_firm"
                elif job in leads:
                    reason = "job_exists"  # only ever one of the firm's own jobs
                else:
                    leads[job] = ev.firm_id
                    members[job] = {ev.firm_id} | {s["firm"] for s in route}
                    routes[job] = {s["seq"]: s["firm"] for s in route}
                    created.append(ev)
            elif job is None:
                pass
            elif job not in leads:
                unchecked.add(ev.event_id)  # before its job: checked when the job comes
            elif ev.firm_id in members[job]:
                if ev.type in STEP_TYPES:  # the everyday case, inline (see ``refusal``)
                    route = routes[job]
                    if route is not None and route.get(ev.op) != ev.firm_id:  # type: ignore[arg-type]
                        reason = "op_not_for_this_firm"
                else:
                    target = ev.payload["supersedes"] if ev.type == "EventCorrected" else None
                    reason = refusal(ev, leads[job], routes[job], holders.get((job, target), set()))
            # else: not a member. Answered and kept as if the job did not exist (held).
            if reason is not None:
                results[i] = _reject(ev.event_id, reason)
                continue
            existing[ev.event_id] = body
            taken[ev.seq] = ev.event_id
            if holders and (job, ev.event_id) in holders:
                holders[(job, ev.event_id)].add(ev.firm_id)
            accepted.append((ev, body))
            results[i] = {"event_id": ev.event_id, "status": "accepted"}

        # Which firms' feeds each accepted event goes to, in arrival order per firm. An
        # event is named by (terminal, id).
        feeds: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
        new_jobs = {ev.job_id for ev in created}
        # For a job created in this batch: its events the hub held from before, and all
        # of its events known now (held and in this batch), to judge the early ones by.
        earlier: dict[str, list[Event]] = {}
        known: dict[str, list[Event]] = {}
        for ev in created:
            job = ev.job_id
            assert job is not None
            earlier[job] = [
                e
                for (body,) in q.rows(
                    "SELECT body FROM events WHERE job_id = ? ORDER BY hlc", (job,)
                )
                if (e := _stored(body)) is not None
            ]
            known[job] = earlier[job] + [e for e, _ in accepted if e.job_id == job]
        for ev, _ in accepted:
            key = (ev.terminal_id, ev.event_id)
            feeds[ev.firm_id][key] = None
            job = ev.job_id
            if job is None or job not in leads or ev.firm_id not in members[job]:
                continue  # no job, or held: the pushing firm's own feed only
            if (
                unchecked
                and ev.event_id in unchecked
                and job in new_jobs
                and not _deliverable(ev, job, leads, routes, known[job])
            ):
                continue  # it came in this batch before its JobCreated, and fails now
            for f in members[job]:
                feeds[f][key] = None
        # A job just created: its members also get the events that reached the hub
        # before the job did (a receipt scanned from the paper traveler while the lead
        # firm was offline), in causal order, if their writers are on the route and the
        # events pass the checks a member's event passes once the job is known.
        for job, held in earlier.items():
            for e in held:
                if e.firm_id in members[job] and _deliverable(e, job, leads, routes, known[job]):
                    for f in members[job] - {e.firm_id}:
                        feeds[f][(e.terminal_id, e.event_id)] = None

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
            db.insert_many(
                q,
                schema.jobs,
                [
                    (ev.job_id, ev.firm_id, ev.event_id, ev.terminal_id, route_text(ev))
                    for ev in created
                ],
            )
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
            feed_rows += [(firm_id, start + n, eid, t) for n, (t, eid) in enumerate(rows)]
        db.insert_many(q, schema.feed, feed_rows)
        _summarise(c, accepted, leads, members, earlier)
        q.run("UPDATE terminals SET last_seen = ? WHERE terminal_id = ?", (now, cred.terminal_id))
        out.accepted = len(accepted)
        out.rejected = sum(1 for r in results if r["status"] == "rejected")
        return out

    return work


def _summarise(
    c: Connection,
    accepted: list[tuple[Event, str]],
    leads: dict[str, str],
    members: dict[str, set[str]],
    earlier: dict[str, list[Event]],
) -> None:
    """Keep the summary tables (``hub.summary``) in step, in this transaction: mark the
    jobs whose figures these events change (the next reader recomputes them), and record
    the months their member firms worked in (a new job's members also for the events the
    hub held from before it)."""
    touched = {
        ev.job_id for ev, _ in accepted if ev.job_id in leads and ev.type in summary.TOUCHING
    }
    summary.mark(c, {j for j in touched if j is not None})  # recomputed when read
    months: list[tuple[str, str]] = []
    work = [ev for ev, _ in accepted] + [e for held in earlier.values() for e in held]
    for ev in work:
        job = ev.job_id
        if job is None or job not in leads or ev.firm_id not in members[job]:
            continue
        m = summary.month_of(ev.occurred_at)
        if m is not None:
            months.append((ev.firm_id, m))
    summary.add_work_months(c, months)


def route_text(ev: Event) -> str:
    """A ``JobCreated``'s route as stored in ``jobs.route``: ``[[op, firm], …]``."""
    return orjson.dumps([[s["seq"], s["firm"]] for s in ev.payload["route"]]).decode()


def _registered(q: Raw, valid: list[tuple[int, Event, str]]) -> set[str]:
    """Which of the firm codes the batch's ``JobCreated`` events name (on their routes,
    or as a job id's namespace) are registered at the hub. Only ``JobCreated`` needs it."""
    codes: set[str] = set()
    for _, ev, _ in valid:
        if ev.type == "JobCreated" and ev.job_id:
            codes.update(s["firm"] for s in ev.payload["route"])
            codes.update(_prefixes(ev.job_id))
    found: set[str] = set()
    for chunk in _chunks(sorted(codes)):
        found.update(
            r[0] for r in q.rows(f"SELECT code FROM firms WHERE code IN ({_marks(chunk)})", chunk)
        )
    return found


def _holders(
    q: Raw, valid: list[tuple[int, Event, str]], leads: dict[str, str]
) -> dict[tuple[str | None, str | None], set[str]]:
    """For each correction in the batch of a job the hub holds: the firms whose events
    of that job carry the superseded id (an empty set: none held yet). Keyed by
    ``(job_id, superseded id)``."""
    wanted = {
        (ev.job_id, ev.payload["supersedes"])
        for _, ev, _ in valid
        if ev.type == "EventCorrected" and ev.job_id in leads
    }
    found: dict[tuple[str | None, str | None], set[str]] = {key: set() for key in wanted}
    for chunk in _chunks(sorted({eid for _, eid in wanted})):
        for eid, job_id, firm_id in q.rows(
            f"SELECT event_id, job_id, firm_id FROM events WHERE event_id IN ({_marks(chunk)})",
            chunk,
        ):
            if (job_id, eid) in found:
                found[(job_id, eid)].add(firm_id)
    return found


def _stored(body: str) -> Event | None:
    """A stored event again (None if today's wire rules no longer read it: such an event
    is not handed to anybody else)."""
    try:
        return from_wire(json.loads(body))
    except WireError:
        return None


def _deliverable(
    ev: Event,
    job: str,
    leads: dict[str, str],
    routes: dict[str, dict[int, str] | None],
    others: list[Event],
) -> bool:
    """Whether an event accepted before its job was known passes, now that it is, the
    checks a member's event passes (``others``: the job's events to look corrections up in)."""
    holders: set[str] = set()
    if ev.type == "EventCorrected":
        target = ev.payload["supersedes"]
        for e in others:
            if e.job_id == job and e.event_id == target:
                holders.add(e.firm_id)
    return refusal(ev, leads[job], routes[job], holders) is None
