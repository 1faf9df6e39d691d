"""The owner's view of a day, read from the projections: what moved, how long each step
took, what went wrong, what is late and what is waiting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.store.store import Store


@dataclass(slots=True)
class DayReview:
    day: date
    firm: str
    finished: list[dict[str, Any]] = field(default_factory=list)
    in_progress: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    defects: list[dict[str, Any]] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)
    measurements: list[dict[str, Any]] = field(default_factory=list)
    events_today: int = 0
    # Time worked on the firm's steps within the day (pauses excluded; a step that ran
    # across midnight counts its hours of this day): the 日報's figure, one computation.
    worked_s: float = 0.0

    @property
    def out_of_tolerance(self) -> list[dict[str, Any]]:
        """不合格 measurements of the day: the summary's list and its count are both this."""
        return [m for m in self.measurements if not m["in_tolerance"]]

    @property
    def good_today(self) -> int:
        return sum(r["good"] for r in self.finished)

    @property
    def defective_today(self) -> int:
        return sum(r["defect"] + r["scrap"] for r in self.finished)

    @property
    def working_hours_today(self) -> float:
        return round(self.worked_s / 3600, 2)


def utc_range(day: date, tz: Any = None) -> tuple[str, str]:
    """The UTC ISO bounds of a local calendar day (the shop's day, not Greenwich's)."""
    tz = tz or datetime.now().astimezone().tzinfo
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = start + timedelta(days=1)
    return start.isoformat(timespec="milliseconds"), end.isoformat(timespec="milliseconds")


def day_review(store: Store, day: date, firm: str, tz: Any = None) -> DayReview:
    lo, hi = utc_range(day, tz)
    r = DayReview(day, firm)
    job_cols = "j.part_no, j.due, j.lead_firm"
    r.finished = store.rows(
        f"SELECT o.*, {job_cols} FROM ops o JOIN jobs j USING (job_id) "
        "WHERE o.firm = ? AND o.status = 'done' AND o.finished_at >= ? AND o.finished_at < ? "
        "ORDER BY o.finished_at",
        (firm, lo, hi),
    )
    r.in_progress = store.rows(
        f"SELECT o.*, {job_cols} FROM ops o JOIN jobs j USING (job_id) "
        "WHERE o.firm = ? AND o.status IN ('running', 'paused') ORDER BY j.due",
        (firm,),
    )
    # Waiting: received here but not started, or on the way to us.
    r.waiting = store.rows(
        f"SELECT o.job_id, o.lot_id, o.seq, o.process, o.received AS count, 'received' AS state, "
        f"{job_cols} FROM ops o JOIN jobs j USING (job_id) "
        "WHERE o.firm = ? AND o.status = 'waiting' AND o.received > 0 "
        "UNION ALL "
        f"SELECT l.job_id, l.lot_id, NULL, NULL, NULL, 'in_transit' AS state, {job_cols} "
        "FROM lots l JOIN jobs j USING (job_id) WHERE l.in_transit_to = ? "
        "ORDER BY due",
        (firm, firm),
    )
    r.defects = store.rows(
        "SELECT d.code, sum(d.count) AS count, group_concat(DISTINCT j.part_no) AS parts "
        "FROM defects d JOIN jobs j USING (job_id) JOIN events e ON e.event_id = d.event_id "
        "WHERE e.firm_id = ? AND d.occurred_at >= ? AND d.occurred_at < ? "
        "GROUP BY d.code ORDER BY count DESC",
        (firm, lo, hi),
    )
    # The firm's measurements of the day, still standing (an undone one has left the
    # projection); their verdict is the projection's, written by the core's one test.
    r.measurements = store.rows(
        "SELECT m.event_id, m.job_id, j.part_no, m.lot_id, m.op, m.characteristic, m.nominal, "
        "m.tol_minus, m.tol_plus, m.value, m.unit, m.gauge, m.in_tolerance, m.occurred_at "
        "FROM measurements m JOIN jobs j USING (job_id) JOIN events e ON e.event_id = m.event_id "
        "WHERE e.firm_id = ? AND m.occurred_at >= ? AND m.occurred_at < ? "
        "ORDER BY m.occurred_at",
        (firm, lo, hi),
    )
    r.late = [
        j
        for j in store.jobs()
        if j["status"] != "done"
        and j["due"] < day.isoformat()
        and (j["lead_firm"] == firm or any(op["firm"] == firm for op in json.loads(j["route"])))
    ]
    r.late.sort(key=lambda j: j["due"])
    from app.store.daily import daily_report  # it reads the day's bounds from here

    r.worked_s = daily_report(store, day, firm, tz).worked_s
    r.events_today = store.rows(
        "SELECT count(*) AS n FROM events WHERE occurred_at >= ? AND occurred_at < ?", (lo, hi)
    )[0]["n"]
    return r


def measurement_specs(store: Store, job_id: str, op: int) -> dict[str, dict[str, str]]:
    """The latest nominal/tolerance/unit used per characteristic on this job's op, so the
    next measurement starts from them (most recent first)."""
    rows = store.rows(
        "SELECT characteristic, nominal, tol_minus, tol_plus, unit FROM measurements "
        "WHERE job_id = ? AND op = ? ORDER BY occurred_at DESC",
        (job_id, op),
    )
    specs: dict[str, dict[str, str]] = {}
    for r in rows:
        specs.setdefault(r.pop("characteristic"), r)
    return specs
