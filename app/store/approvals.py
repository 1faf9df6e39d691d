"""Sign-off: which records a day's or a lot's approval covers, and what changed since.

A day's records are this firm's job events that happened on that local day (receipts,
starts, pauses, finishes, defects, measurements, hand-offs, corrections made that
day). A lot's records are the events behind its 検査成績書 readings (every firm's, the
parent's before a split). The approval names them by id with the digest of their
texts (``commands.approve``); records are never edited, so what was approved stays
readable. After an approval a record changes only by a correction (a new event): the
approval then shows it ("承認後に訂正あり (1件)"), as it shows records that arrived
or were made for that day after it (a terminal that was offline syncs late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.core import commands
from app.store.store import EVENT_COLUMNS, Store, row_to_event
from wire.events import Event

if TYPE_CHECKING:
    from app.core.state import JobState
    from app.store.inspection import InspectionRecord


@dataclass(frozen=True, slots=True)
class ApprovalStatus:
    """The latest approval of a day or a lot, and what happened to its records since."""

    approver: str  # operator id
    approver_name: str
    at: str  # UTC ISO
    records: int  # how many records it approved
    corrected_after: tuple[str, ...]  # ids of approved records corrected or undone since
    added_after: int  # records of the scope it did not cover (made or synced since)
    event_id: str

    @property
    def clean(self) -> bool:
        return not self.corrected_after and not self.added_after


def day_records(store: Store, day: date, firm: str | None = None, tz: Any = None) -> list[Event]:
    """This firm's job records of the local ``day``, in the order of events."""
    from app.store.reports import utc_range

    lo, hi = utc_range(day, tz)
    rows = store.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE firm_id = ? AND occurred_at >= ? "
        "AND occurred_at < ? AND job_id IS NOT NULL AND type != 'RecordsApproved'",
        (firm or store.firm_id, lo, hi),
    ).fetchall()
    return sorted((row_to_event(r) for r in rows), key=lambda e: e.order_key)


def lot_records(store: Store, job_id: str, lot_id: str) -> list[Event]:
    """The events behind the lot's inspection readings (a corrected reading's correction)."""
    from app.store.inspection import gather

    return _reading_events(gather(store, job_id, lot_id), store.job_events(job_id))


def _reading_events(record: InspectionRecord, events: list[Event]) -> list[Event]:
    wanted = {(r.firm, r.event_id) for c in record.characteristics for r in c.readings}
    return sorted(
        (e for e in events if (e.firm_id, e.event_id) in wanted), key=lambda e: e.order_key
    )


def _status(store: Store, approval: Event, current: list[Event]) -> ApprovalStatus:
    approved = set(approval.payload["records"])
    corrections = store.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'EventCorrected' AND hlc > ? "
        + ("AND job_id = ?" if approval.job_id else "AND firm_id = ?"),
        (approval.hlc, approval.job_id or approval.firm_id),
    ).fetchall()
    corrected = sorted(
        {
            str(ev.payload["supersedes"])
            for ev in map(row_to_event, corrections)
            if ev.order_key > approval.order_key and ev.payload["supersedes"] in approved
        }
    )
    added = [
        e
        for e in current
        if e.event_id not in approved and str(e.payload.get("supersedes", "")) not in approved
    ]
    roster = store.operators()
    who = approval.operator or ""
    return ApprovalStatus(
        approver=who,
        approver_name=roster[who].name if who in roster else "",
        at=approval.occurred_at,
        records=len(approved),
        corrected_after=tuple(corrected),
        added_after=len(added),
        event_id=approval.event_id,
    )


def day_approval(
    store: Store, day: date, firm: str | None = None, tz: Any = None
) -> ApprovalStatus | None:
    """The latest approval of this firm's ``day``, or None if it was never approved."""
    row = store.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'RecordsApproved' AND job_id IS NULL "
        "AND firm_id = ? AND json_extract(payload, '$.day') = ? ORDER BY hlc DESC LIMIT 1",
        (firm or store.firm_id, day.isoformat()),
    ).fetchone()
    if row is None:
        return None
    return _status(store, row_to_event(row), day_records(store, day, firm, tz))


def lot_approval(store: Store, job_id: str, lot_id: str) -> ApprovalStatus | None:
    """The latest approval of the lot's inspection results, or None."""
    from app.store.inspection import gather

    return gather(store, job_id, lot_id).approval


def lot_approval_of(
    store: Store, job: JobState, record: InspectionRecord, events: list[Event]
) -> ApprovalStatus | None:
    """The latest approval of ``record``'s lot (``gather`` asks, with the job's events)."""
    mine = [a for a in job.approvals if a.payload.get("lot_id") == record.lot_id]
    if not mine:
        return None
    latest = max(mine, key=lambda e: e.order_key)
    return _status(store, latest, _reading_events(record, events))


def approve_day(store: Store, actor: commands.Actor, day: date, tz: Any = None) -> Any:
    """Decide and record the approval of this firm's ``day`` (an ``AppendResult``)."""
    records = day_records(store, day, actor.firm, tz)
    return store.record(commands.approve(None, actor, records, day=day.isoformat()))


def approve_lot(store: Store, actor: commands.Actor, job_id: str, lot_id: str) -> Any:
    """Decide and record the approval of a lot's inspection results."""
    return store.record(
        commands.approve(
            store.job(job_id), actor, lot_records(store, job_id, lot_id), lot_id=lot_id
        )
    )
