"""What a terminal does with a traveler: build one from a job, rebuild the job from one,
and show it.

A terminal that has never seen a job, and is offline, scans its traveler: ``traveler_view``
gives the screen the job, the route and which ops are this firm's, and
``job_created_event`` rebuilds the lead firm's ``JobCreated`` event exactly (same id,
clock stamp and payload, private fields left out) so the store accepts this terminal's
events on the job (``app.store.travelers.adopt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.core.model import Route
from app.core.traveler import JobOrigin, Traveler
from wire.events import PAYLOADS, Event, WireError, check_payload


def job_created_event(t: Traveler) -> Event | None:
    """The lead firm's ``JobCreated`` event rebuilt from a verified traveler (private fields
    left out), or None if the traveler carries no origin or the result would not be a
    valid event. Ingesting it lets a terminal record on a job it only knows from paper."""
    if t.origin is None:
        return None
    payload: dict[str, Any] = {
        "part_no": t.part_no,
        "qty": t.order_qty,
        "due": t.due.isoformat(),
        "lead_firm": t.issuer,
        "route": t.route.to_dicts(),
    }
    if t.drawing_no is not None:
        payload["drawing_no"] = t.drawing_no
    if t.origin.note is not None:
        payload["note"] = t.origin.note
    try:
        check_payload("JobCreated", payload)
    except WireError:
        return None
    return Event(
        event_id=t.origin.event_id,
        terminal_id=t.origin.terminal_id,
        seq=t.origin.seq,
        hlc=t.origin.hlc,
        occurred_at=t.origin.occurred_at,
        firm_id=t.issuer,
        job_id=t.job_id,
        op=None,
        type="JobCreated",
        payload={k: payload[k] for k in PAYLOADS["JobCreated"] if k in payload},
        schema_version=t.origin.schema_version,
        operator=t.origin.operator,
    )


def traveler_from_job(
    job_created: Event,
    *,
    lot_id: str,
    qty: int,
    issued_at: datetime,
    parent_lot: str | None = None,
) -> Traveler:
    """A traveler for one lot of a job, from the job's ``JobCreated`` event."""
    p = job_created.payload
    note = p.get("note")
    return Traveler(
        job_id=job_created.job_id or "",
        lot_id=lot_id,
        parent_lot=parent_lot,
        part_no=p["part_no"],
        drawing_no=p.get("drawing_no"),
        qty=qty,
        job_qty=p["qty"],
        due=date.fromisoformat(p["due"]),
        route=Route.from_dicts(p["route"]),
        issuer=job_created.firm_id,
        issued_at=issued_at.replace(microsecond=0),
        origin=JobOrigin(
            event_id=job_created.event_id,
            terminal_id=job_created.terminal_id,
            seq=job_created.seq,
            hlc=job_created.hlc,
            occurred_at=job_created.occurred_at,
            note=note if isinstance(note, str) else None,
            schema_version=job_created.schema_version,
            operator=job_created.operator,
        ),
    )


@dataclass(frozen=True, slots=True)
class RouteStep:
    seq: int
    process: str
    firm: str
    mine: bool


@dataclass(frozen=True, slots=True)
class TravelerView:
    """What a screen shows after a scan: the job, the route, and which ops are ours."""

    job_id: str
    lot_id: str
    parent_lot: str | None
    part_no: str
    drawing_no: str
    qty: int
    order_qty: int
    due: date
    issuer: str
    issued_at: datetime
    steps: tuple[RouteStep, ...]
    my_ops: tuple[int, ...]
    days_left: int

    @property
    def for_us(self) -> bool:
        return bool(self.my_ops)


def traveler_view(t: Traveler, my_firm: str, today: date) -> TravelerView:
    """Turn a verified traveler into what the scan screen shows to ``my_firm``."""
    steps = tuple(RouteStep(o.seq, o.process, o.firm, o.firm == my_firm) for o in t.route.ops)
    return TravelerView(
        job_id=t.job_id,
        lot_id=t.lot_id,
        parent_lot=t.parent_lot,
        part_no=t.part_no,
        drawing_no=t.drawing_no or "",
        qty=t.qty,
        order_qty=t.order_qty,
        due=t.due,
        issuer=t.issuer,
        issued_at=t.issued_at,
        steps=steps,
        my_ops=tuple(s.seq for s in steps if s.mine),
        days_left=(t.due - today).days,
    )
