"""The owner's quality and machine figures over a range of days: defects for a Pareto
chart, readings per characteristic for a control chart, machine states for a timeline.

All three read what the rest of the review reads: the projections (defects and
measurements as the core's replay left them, corrections in place, undone records
gone) and the one machine-span computation of the 日報 (``daily.machine_spans``). A
defect or reading belongs to the firm the route names for its step, as on the 日報.
Days are the shop's local days (``reports.utc_range``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.core import spc
from app.core.state import within_tolerance
from app.store.daily import MachineDay, MachineSpan, machine_spans, machine_totals
from app.store.reports import utc_range
from app.store.store import Store

PARETO_KEYS = ("code", "step", "part")


def range_bounds(first: date, last: date, tz: Any = None) -> tuple[str, str]:
    """UTC ISO bounds of the local days ``first`` … ``last`` (both included)."""
    return utc_range(first, tz)[0], utc_range(last, tz)[1]


@dataclass(frozen=True, slots=True)
class ParetoBar:
    key: str  # a defect code, a process code, or a part number
    count: int
    cumulative_pct: float  # of all defects in the range, up to and including this bar


def defect_pareto(
    store: Store, firm: str, first: date, last: date, by: str = "code", tz: Any = None
) -> list[ParetoBar]:
    """Defective parts recorded at ``firm``'s steps over the days, by defect code, by the
    step's process, or by part number; largest first (ties by name), with cumulative %."""
    if by not in PARETO_KEYS:
        raise ValueError(f"by must be one of {PARETO_KEYS}")
    column = {"code": "d.code", "step": "o.process", "part": "j.part_no"}[by]
    lo, hi = range_bounds(first, last, tz)
    rows = store.rows(
        f"SELECT {column} AS key, sum(d.count) AS n FROM defects d "
        "JOIN ops o ON o.lot_id = d.lot_id AND o.seq = d.op JOIN jobs j ON j.job_id = d.job_id "
        "WHERE o.firm = ? AND d.occurred_at >= ? AND d.occurred_at < ? GROUP BY key",
        (firm, lo, hi),
    )
    counts = sorted(((str(r["key"]), int(r["n"])) for r in rows), key=lambda kv: (-kv[1], kv[0]))
    total = sum(n for _, n in counts)
    out, running = [], 0
    for key, n in counts:
        running += n
        out.append(ParetoBar(key, n, 100.0 * running / total))
    return out


@dataclass(frozen=True, slots=True)
class Reading:
    value: Decimal
    in_tolerance: bool
    occurred_at: str
    job_id: str
    lot_id: str
    op: int
    firm: str
    operator: str  # who took the reading (a correction fixes its number, not who)
    corrected: bool


@dataclass(frozen=True, slots=True)
class Characteristic:
    """One characteristic of one part under one specification, measured at one firm."""

    part_no: str
    name: str
    nominal: Decimal
    tol_minus: Decimal
    tol_plus: Decimal
    unit: str
    firm: str
    readings: tuple[Reading, ...]  # in time order

    @property
    def lower(self) -> Decimal:
        return self.nominal - self.tol_minus

    @property
    def upper(self) -> Decimal:
        return self.nominal + self.tol_plus

    @property
    def n(self) -> int:
        return len(self.readings)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.readings if not r.in_tolerance)

    def subgroups(self) -> list[list[Reading]]:
        """The readings by lot and step (a rational subgroup), in time order."""
        groups: dict[tuple[str, str, int], list[Reading]] = {}
        for r in self.readings:
            groups.setdefault((r.job_id, r.lot_id, r.op), []).append(r)
        return list(groups.values())


def characteristics(
    store: Store, first: date, last: date, firm: str | None = None, tz: Any = None
) -> list[Characteristic]:
    """Every characteristic measured over the days (at ``firm``'s steps, or at any firm's
    this terminal knows), most readings first."""
    lo, hi = range_bounds(first, last, tz)
    rows = store.rows(
        "SELECT m.job_id, m.lot_id, m.op, m.characteristic, m.nominal, m.tol_minus, m.tol_plus,"
        " m.value, m.unit, m.occurred_at, j.part_no, o.firm, e.type AS etype, e.operator,"
        " CASE e.type WHEN 'EventCorrected' THEN json_extract(e.payload, '$.supersedes') END"
        " AS supersedes "
        # The readings of the range first, then each one's job, step and event: CROSS JOIN
        # keeps SQLite to that order, and the event is found through its job.
        "FROM measurements m CROSS JOIN ops o CROSS JOIN jobs j "
        "CROSS JOIN events e INDEXED BY events_job "
        "WHERE m.occurred_at >= ? AND m.occurred_at < ? "
        " AND o.lot_id = m.lot_id AND o.seq = m.op AND (? IS NULL OR o.firm = ?) "
        " AND j.job_id = m.job_id "
        # The event behind the reading: the measurement, or the correction that replaced
        # it (ids are unique per terminal only: the route's firm picks among namesakes).
        " AND e.job_id = m.job_id AND e.event_id = m.event_id AND e.firm_id = o.firm "
        " AND e.type IN ('MeasurementTaken', 'EventCorrected') "
        "ORDER BY m.occurred_at, e.hlc",
        (lo, hi, firm, firm),
    )
    # Who measured a corrected reading is who took it (the correction fixed its number):
    # the superseded event's operator, looked up for the few corrected ones.
    measurer: dict[tuple[str, str, str], str] = {}
    for r in rows:
        if r["supersedes"]:
            was = (r["job_id"], str(r["supersedes"]), r["firm"])
            found = store.rows(
                "SELECT operator FROM events WHERE job_id = ? AND event_id = ? AND firm_id = ? "
                "AND type = 'MeasurementTaken'",
                was,
            )
            measurer[was] = (found[0]["operator"] if found else None) or r["operator"] or ""
    groups: dict[tuple[str, str, Decimal, Decimal, Decimal, str, str], list[Reading]] = defaultdict(
        list
    )
    for r in rows:
        nominal, tm, tp, value = (
            Decimal(r[k]) for k in ("nominal", "tol_minus", "tol_plus", "value")
        )
        key = (r["part_no"], r["characteristic"], nominal, tm, tp, r["unit"], r["firm"])
        groups[key].append(
            Reading(
                value,
                within_tolerance(nominal, tm, tp, value),
                r["occurred_at"],
                r["job_id"],
                r["lot_id"],
                int(r["op"]),
                r["firm"],
                measurer[(r["job_id"], str(r["supersedes"]), r["firm"])]
                if r["supersedes"]
                else r["operator"] or "",
                r["etype"] == "EventCorrected",
            )
        )
    out = [Characteristic(*key, tuple(rs)) for key, rs in groups.items()]
    out.sort(key=lambda c: (-c.n, c.part_no, c.name))
    return out


@dataclass(frozen=True, slots=True)
class CharacteristicChart:
    characteristic: Characteristic
    chart: spc.ControlChart | None  # None with fewer than two points to plot
    capability: spc.Capability | None  # None below spc.MIN_CAPABILITY_N readings
    # Per point of the chart, the readings behind it (one for I-MR, n for X̄-R).
    point_readings: tuple[tuple[Reading, ...], ...] = ()


def chart_of(c: Characteristic) -> CharacteristicChart:
    """The control chart the readings call for (``spc.choose_chart`` on the lot×step
    subgroups) and the capability from the within-subgroup σ."""
    groups = c.subgroups()
    kind, _n = spc.choose_chart([len(g) for g in groups])
    chart: spc.ControlChart | None
    if kind == spc.XBAR_R:
        chart = spc.xbar_r([[float(r.value) for r in g] for g in groups])
        behind = tuple(tuple(g) for g in groups)
    elif c.n >= 2:
        chart = spc.individuals([float(r.value) for r in c.readings])
        behind = tuple((r,) for r in c.readings)
    else:
        chart, behind = None, ()
    cap = (
        spc.capability(
            [float(r.value) for r in c.readings],
            chart.sigma_within,
            float(c.lower),
            float(c.upper),
        )
        if chart is not None
        else None
    )
    return CharacteristicChart(c, chart, cap, behind)


@dataclass(frozen=True, slots=True)
class MachineRange:
    """A machine over a range: its spans (for the timeline) and totals (utilisation)."""

    total: MachineDay
    spans: tuple[MachineSpan, ...]

    @property
    def powered_s(self) -> float:
        """Time switched on: run, stop and alarm (off and not-yet-signalled excluded)."""
        return sum(self.total.of(s) for s in ("run", "stop", "alarm"))

    @property
    def utilisation(self) -> float | None:
        """稼働率: run time as a share of the time switched on; None when never on."""
        on = self.powered_s
        return self.total.of("run") / on if on > 0 else None


def machine_range(
    store: Store, firm: str, first: date, last: date, tz: Any = None
) -> tuple[datetime, datetime, list[MachineRange]]:
    """Each machine of ``firm`` over the days: the 日報's spans, clipped to now."""
    lo_s, hi_s = range_bounds(first, last, tz)
    lo, hi = datetime.fromisoformat(lo_s), datetime.fromisoformat(hi_s)
    now = datetime.fromisoformat(store.now())
    spans = machine_spans(store, firm, lo, hi, now if now > lo else None)
    by_machine: dict[str, list[MachineSpan]] = defaultdict(list)
    for s in spans:
        by_machine[s.machine].append(s)
    totals = {t.machine: t for t in machine_totals(spans)}
    return lo, hi, [MachineRange(totals[m], tuple(by_machine[m])) for m in sorted(totals)]
