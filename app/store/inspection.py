"""The 検査成績書 (inspection record) of one lot, as plain data: what the printed sheet
shows, gathered from the job's state and its events, with no Qt.

Every characteristic measured on the lot at any step of the route, by any firm (as far
as this terminal has synced), with its specification, each reading (value, verdict,
instrument, firm, operator, step) and a summary (n, min, max, all in tolerance). A split
child lot carries its parent's readings from before the split: those parts were
measured while they were still in the parent. Corrections are the state's own (the
replay puts the corrected value in place); the reading keeps the value it replaced.

The customer is the lead firm's private field: it is filled in only when the terminal
printing the record is the lead firm's, whatever the events on this terminal hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from urllib.parse import unquote, urlsplit

from app.core.state import JobState, Measurement, within_tolerance
from app.store.approvals import ApprovalStatus, lot_approval_of
from app.store.firms import firm_names
from app.store.store import Store
from wire.errors import NakamaError
from wire.events import Event

# The makers behind the simulator kinds and the USB adapters they plug in as (see
# drivers/sim/gauges.py IDENTITIES and the README's codec table).
_SIM_KINDS = {"mitutoyo": "Mitutoyo", "and": "A&D", "shimadzu": "Shimadzu", "sylvac": "Sylvac"}
_USB_IDS = {
    "0FE7:4001": "Mitutoyo USB-ITN",
    "0403:6001": "FTDI USB-RS232C",
    "0403:6015": "FTDI USB-RS232C",
    "067B:2303": "Prolific USB-RS232C",
}


def instrument_name(gauge: str) -> str:
    """A gauge URL as a person reads it on paper; "" for a typed value (手入力).

    ``sim://mitutoyo`` → ``Mitutoyo (sim)``; ``serial-usb://0FE7:4001/A1B2`` →
    ``Mitutoyo USB-ITN S/N A1B2``; ``serial:///dev/ttyUSB0`` → ``RS-232C ttyUSB0``."""
    gauge = gauge.strip()
    if not gauge:
        return ""
    try:
        parts = urlsplit(gauge)
    except ValueError:
        return gauge
    scheme, where = parts.scheme.lower(), parts.netloc
    path = unquote(parts.path).strip("/")
    if scheme == "sim":
        return f"{_SIM_KINDS.get(where.lower(), where)} (sim)"
    if scheme == "serial-usb":
        ids = where.upper()
        name = _USB_IDS.get(ids, f"USB {ids}")
        return f"{name} S/N {path}" if path else name
    if scheme == "serial":
        return f"RS-232C {path.rsplit('/', 1)[-1]}" if path else "RS-232C"
    return gauge


@dataclass(frozen=True, slots=True)
class Reading:
    """One measured value of a characteristic on the lot."""

    event_id: str
    lot_id: str  # the lot it was recorded on (the parent's, for readings before a split)
    op: int
    process: str
    firm: str
    firm_name: str  # from the firm directory; "" when this terminal does not know it
    operator_id: str
    operator_name: str  # from this firm's roster; "" for another firm's operator
    value: Decimal
    unit: str
    gauge: str  # the gauge's URL as recorded; "" when typed
    instrument: str  # the gauge as a person reads it; "" when typed (手入力)
    occurred_at: str
    in_tolerance: bool
    corrected_from: Decimal | None = None  # the value a correction replaced


@dataclass(frozen=True, slots=True)
class Characteristic:
    """One characteristic under one specification, with its readings in route order."""

    name: str
    nominal: Decimal
    tol_minus: Decimal
    tol_plus: Decimal
    unit: str
    readings: tuple[Reading, ...]

    @property
    def n(self) -> int:
        return len(self.readings)

    @property
    def minimum(self) -> Decimal:
        return min(r.value for r in self.readings)

    @property
    def maximum(self) -> Decimal:
        return max(r.value for r in self.readings)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.readings if not r.in_tolerance)

    @property
    def all_pass(self) -> bool:
        return self.failures == 0

    @property
    def lower(self) -> Decimal:
        return self.nominal - self.tol_minus

    @property
    def upper(self) -> Decimal:
        return self.nominal + self.tol_plus


@dataclass(frozen=True, slots=True)
class InspectionRecord:
    job_id: str
    part_no: str
    drawing_no: str
    lot_id: str
    parent_lot: str | None
    lot_qty: int
    order_qty: int
    lead_firm: str
    lead_firm_name: str
    printed_by: str  # the firm of this terminal
    printed_by_name: str
    customer: str | None  # only on the lead firm's own record
    characteristics: tuple[Characteristic, ...] = field(default_factory=tuple)
    # The latest sign-off of the lot's results, and what changed since (None: not yet).
    approval: ApprovalStatus | None = None

    @property
    def readings(self) -> int:
        return sum(c.n for c in self.characteristics)

    @property
    def all_pass(self) -> bool:
        return all(c.all_pass for c in self.characteristics)


class NoSuchLot(NakamaError, LookupError):
    """The job or lot is not known here; ``code`` is a refusal code, ``lots`` the choice."""

    def __init__(self, code: str, detail: str = "", lots: tuple[str, ...] = ()) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.lots = code, detail, lots


def pick_lot(job: JobState, lot_id: str | None) -> str:
    """The lot asked for, or the job's only lot; raises ``NoSuchLot`` naming the lots."""
    known = tuple(job.lots)
    if lot_id:
        if lot_id not in job.lots:
            raise NoSuchLot("unknown_lot", lot_id, known)
        return lot_id
    if len(known) == 1:
        return known[0]
    if not known:
        raise NoSuchLot("lot_not_received", job.job_id)
    raise NoSuchLot("choose_lot", ", ".join(known), known)


def _measurement_event(m: Measurement, firm: str, by_id: dict[str, list[Event]]) -> Event | None:
    """The event behind a reading in the state: the measurement itself, or the correction
    that replaced it. Ids are unique per terminal only, so the firm the route names for
    the step (the only firm whose reading the replay applies) picks among namesakes."""
    for ev in by_id.get(m.event_id, []):
        if ev.firm_id != firm:
            continue
        if ev.type == "MeasurementTaken":
            return ev
        rep = ev.payload.get("replacement") if ev.type == "EventCorrected" else None
        if isinstance(rep, dict) and rep.get("type") == "MeasurementTaken":
            return ev
    return None


def _original(correction: Event, by_id: dict[str, list[Event]]) -> Event | None:
    for ev in by_id.get(str(correction.payload.get("supersedes")), []):
        if ev.firm_id == correction.firm_id and ev.type == "MeasurementTaken":
            return ev
    return None


def _lot_measurements(
    job: JobState, lot_id: str, events: list[Event], by_id: dict[str, list[Event]]
) -> list[Measurement]:
    """The lot's own measurements and, up its chain of parents, those made before it was
    split off (earlier steps; at the split step itself, those recorded before the split)."""
    own = [m for m in job.measurements if m.lot_id == lot_id]
    lot = job.lots[lot_id]
    if lot.parent is None or lot.split_at is None or lot.parent not in job.lots:
        return own
    split_key = next(
        (
            e.order_key
            for e in events
            if e.type == "LotSplit"
            and e.payload.get("child_lot_id") == lot_id
            and e.payload.get("lot_id") == lot.parent
        ),
        None,
    )
    earlier: list[Measurement] = []
    for m in _lot_measurements(job, lot.parent, events, by_id):
        if m.op is None or m.op > lot.split_at:
            continue
        if m.op == lot.split_at:
            route_op = job.route.op(m.op)
            ev = _measurement_event(m, route_op.firm, by_id) if route_op else None
            if ev is None or split_key is None or ev.order_key >= split_key:
                continue
        earlier.append(m)
    return earlier + own


def gather(store: Store, job_id: str, lot_id: str | None = None) -> InspectionRecord:
    """The inspection record of one lot of a job as this terminal knows it now.

    Raises ``NoSuchLot`` (``unknown_job``, ``unknown_lot``, ``choose_lot``,
    ``lot_not_received``)."""
    job = store.job(job_id)
    if job is None or not job.created_at:
        raise NoSuchLot("unknown_job", job_id)
    lot_id = pick_lot(job, lot_id)
    events = store.job_events(job_id)
    by_id: dict[str, list[Event]] = {}
    for e in events:
        by_id.setdefault(e.event_id, []).append(e)
    names = firm_names(store)
    roster = store.operators()

    groups: dict[tuple[str, Decimal, Decimal, Decimal, str], list[Reading]] = {}
    for m in _lot_measurements(job, lot_id, events, by_id):
        route_op = job.route.op(m.op) if m.op is not None else None
        if route_op is None:
            continue
        ev = _measurement_event(m, route_op.firm, by_id)
        operator = (ev.operator or "") if ev is not None else ""
        corrected_from: Decimal | None = None
        if ev is not None and ev.type == "EventCorrected":
            original = _original(ev, by_id)
            if original is not None:
                # Who measured is who took the reading; the correction fixed its number.
                operator = original.operator or operator
                before = Decimal(str(original.payload["value"]))
                corrected_from = before if before != m.value else None
        rec = roster.get(operator)
        reading = Reading(
            event_id=m.event_id,
            lot_id=m.lot_id,
            op=route_op.seq,
            process=route_op.process,
            firm=route_op.firm,
            firm_name=names.get(route_op.firm, ""),
            operator_id=operator,
            operator_name=rec.name if rec is not None and rec.firm == route_op.firm else "",
            value=m.value,
            unit=m.unit,
            gauge=m.gauge,
            instrument=instrument_name(m.gauge),
            occurred_at=m.occurred_at,
            in_tolerance=within_tolerance(m.nominal, m.tol_minus, m.tol_plus, m.value),
            corrected_from=corrected_from,
        )
        key = (m.characteristic, m.nominal, m.tol_minus, m.tol_plus, m.unit)
        groups.setdefault(key, []).append(reading)

    chars = [
        Characteristic(
            name, nominal, tm, tp, unit, tuple(sorted(rs, key=lambda r: (r.op, r.occurred_at)))
        )
        for (name, nominal, tm, tp, unit), rs in groups.items()
    ]
    # In route order: the step a characteristic was first measured at, then its name.
    chars.sort(key=lambda c: (c.readings[0].op, c.readings[0].occurred_at, c.name))
    lot = job.lots[lot_id]
    firm = store.firm_id or ""
    record = InspectionRecord(
        job_id=job.job_id,
        part_no=job.part_no,
        drawing_no=job.drawing_no,
        lot_id=lot_id,
        parent_lot=lot.parent,
        lot_qty=lot.qty,
        order_qty=job.qty,
        lead_firm=job.lead_firm,
        lead_firm_name=names.get(job.lead_firm, ""),
        printed_by=firm,
        printed_by_name=names.get(firm, ""),
        customer=(job.customer or None) if firm and firm == job.lead_firm else None,
        characteristics=tuple(chars),
    )
    return replace(record, approval=lot_approval_of(store, job, record, events))


def local_time(iso: str) -> str:
    """``2026-11-30T08:01:02.000+00:00`` as the shop's clock reads it (minutes)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
