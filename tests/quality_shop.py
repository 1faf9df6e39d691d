"""A shop with a week of defects, measurements and machine signals, recorded through the
core commands with the test's clock, and the figures computed independently from its
raw events (no core state, no projection) for the quality and machine tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.core import commands as C
from app.core.commands import Actor
from app.core.model import JobSpec, Route
from app.store import Store
from app.store.firms import save_firms
from wire.events import Event

JST = timezone(timedelta(hours=9))
MONDAY = date(2026, 11, 30)
FIRM = "F001"
ROUTE = Route.from_dicts(
    [
        {"seq": 10, "process": "LATHE", "firm": FIRM},
        {"seq": 20, "process": "GRIND", "firm": FIRM},
        {"seq": 30, "process": "HEAT", "firm": "F007"},
    ]
)
BOSS = Actor(FIRM, "F001-OP-YAMADA", C.OWNER)
SATO = Actor(FIRM, "F001-OP-SATO")
SUZUKI = Actor(FIRM, "F001-OP-SUZUKI")
MACHINE = Actor(FIRM)
NAMES = {BOSS.operator: "山田 太郎", SATO.operator: "佐藤 花子", SUZUKI.operator: "鈴木 一郎"}

# Outer diameter of SHAFT-20: five readings per lot at turning (X̄-R, n = 5), 8 lots.
OD = [
    [20.002, 19.998, 20.001, 20.000, 19.999],
    [20.001, 20.003, 19.999, 20.000, 20.002],
    [19.998, 20.000, 20.001, 19.999, 20.000],
    [20.000, 20.002, 19.998, 20.001, 20.001],
    [20.003, 20.001, 20.000, 19.999, 20.002],
    [19.999, 20.000, 20.002, 20.001, 19.998],
    [20.001, 19.999, 20.000, 20.003, 20.000],
    [20.009, 20.011, 20.010, 20.012, 20.010],  # the tool wore: a shift
]
# Length of PIN-5: one reading per lot at grinding (I-MR), 34 lots; one reading is
# typed wrong (5.900) and corrected to 5.012.
LEN = [5.012, 5.010, 5.013, 5.011, 5.009, 5.012, 5.010, 5.011, 5.013, 5.010] * 3 + [
    5.011,
    5.012,
    5.010,
    5.030,  # beyond the upper control limit: test 1
]
LEN_TYPO, LEN_TYPO_AT = "5.900", 5


class QualityShop:
    """A store whose clock the test sets: ``at(day, hh, mm)``."""

    def __init__(self, path: Path) -> None:
        self.t = datetime(2026, 11, 29, 7, 0, tzinfo=JST)
        self.store = Store.open(path, firm_id=FIRM, now=self.now)
        save_firms(self.store, [{"code": FIRM, "name": "山田精機", "region": "ota"}])
        roster: dict[str, Any] = {}
        for actor in (BOSS, SATO, SUZUKI):
            assert actor.operator is not None
            role = C.OWNER if actor is BOSS else C.OPERATOR
            cmd = C.save_operator(
                roster, BOSS, operator_id=actor.operator, name=NAMES[actor.operator], role=role
            )
            assert self.store.record(cmd).ok
            roster = self.store.operators()
        self.jobs = 0

    def now(self) -> str:
        return self.t.astimezone(UTC).isoformat(timespec="milliseconds")

    def at(self, d: date, hh: int, mm: int = 0) -> QualityShop:
        self.t = datetime(d.year, d.month, d.day, hh, mm, tzinfo=JST)
        return self

    def tick(self, minutes: int = 1) -> QualityShop:
        self.t += timedelta(minutes=minutes)
        return self

    def do(self, make: Callable[..., Any], job_id: str | None, *args: Any, **kw: Any) -> str:
        job = self.store.job(job_id) if job_id else None
        cmd = make(job, *args, **kw) if job_id else make(*args, **kw)
        res = self.store.record(cmd)
        assert res.ok, (make.__name__, res.reason, res.detail)
        return str(res.event.event_id) if res.event is not None else ""

    def job(self, part: str, qty: int, op: int, who: Actor = SATO) -> tuple[str, str]:
        """A new job received and started at ``op`` (earlier steps confirmed skipped)."""
        self.jobs += 1
        job_id = f"F001-Q{self.jobs:03d}"
        spec = JobSpec(job_id, part, qty, date(2026, 12, 20), FIRM, ROUTE)
        self.do(C.create_job, job_id, BOSS, spec)
        lot = f"{job_id}-L1"
        self.do(C.receive, job_id, who, lot, op, qty, confirm_skip=op != 10)
        self.do(C.start, job_id, who, lot, op)
        return job_id, lot

    def measure(
        self,
        job_id: str,
        lot: str,
        op: int,
        name: str,
        nominal: str,
        tol: str,
        value: str,
        who: Actor = SATO,
    ) -> str:
        return self.do(
            C.measure,
            job_id,
            who,
            lot,
            op,
            characteristic=name,
            nominal=nominal,
            tol_minus=tol,
            tol_plus=tol,
            value=value,
            gauge="sim://mitutoyo",
        )

    def machine(self, name: str, state: str) -> None:
        self.do(C.machine_state, None, MACHINE, name, state, None)


def build_week(shop: QualityShop) -> None:
    """Monday–Wednesday of one week, and a Sunday-evening machine signal before it."""
    tue, wed = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    shop.at(MONDAY - timedelta(days=1), 20).machine("NC-1", "stop")
    shop.at(MONDAY, 8).machine("NC-1", "run")
    shop.at(MONDAY, 8, 30).machine("GR-2", "run")
    # Turning: OD of SHAFT-20, five per lot; defects along the way.
    for i, group in enumerate(OD):
        day = MONDAY if i < 4 else tue
        job_id, lot = shop.at(day, 9 + i % 4).job("SHAFT-20", 50, 10)
        for v in group:
            shop.tick().measure(job_id, lot, 10, "OD", "20.000", "0.010", f"{v:.3f}")
        shop.tick().do(C.record_defect, job_id, SATO, lot, 10, "BURR", 1 + i % 3)
        if i % 2:
            shop.tick().do(C.record_defect, job_id, SUZUKI, lot, 10, "SCRATCH", 1)
        if i == 7:
            shop.tick().do(C.record_defect, job_id, SATO, lot, 10, "DIM", 4, "scrap")
    shop.at(MONDAY, 12).machine("NC-1", "alarm")
    shop.at(MONDAY, 12, 20).machine("NC-1", "run")
    shop.at(MONDAY, 17).machine("NC-1", "off")
    shop.at(MONDAY, 17, 30).machine("GR-2", "stop")
    shop.at(tue, 8).machine("NC-1", "run")
    shop.at(tue, 8, 5).machine("GR-2", "run")
    shop.at(tue, 15).machine("GR-2", "alarm")
    shop.at(tue, 15, 45).machine("GR-2", "stop")
    shop.at(tue, 17, 30).machine("NC-1", "off")
    shop.at(wed, 7, 50).machine("NC-1", "run")
    shop.at(wed, 7, 55).machine("GR-2", "run")
    shop.at(wed, 12).machine("NC-1", "stop")
    shop.at(wed, 13).machine("NC-1", "run")
    shop.at(wed, 14, 10).machine("NC-1", "alarm")
    shop.at(wed, 14, 40).machine("NC-1", "run")
    # Grinding: LEN of PIN-5, one per lot, by Suzuki; one typed wrong, then corrected.
    shop.at(wed, 8)
    for i, v in enumerate(LEN):
        job_id, lot = shop.tick(7).job("PIN-5", 20, 20, SUZUKI)
        typed = LEN_TYPO if i == LEN_TYPO_AT else f"{v:.3f}"
        eid = shop.tick().measure(job_id, lot, 20, "LEN", "5.010", "0.015", typed, SUZUKI)
        if i == LEN_TYPO_AT:
            events = shop.store.job_events(job_id)
            shop.tick().do(C.correct, job_id, BOSS, events, eid, {"value": f"{v:.3f}"})
        if i % 5 == 0:
            shop.tick().do(C.record_defect, job_id, SUZUKI, lot, 20, "DENT", 1)
    shop.at(wed, 13, 10).machine("GR-2", "stop")
    shop.at(wed, 17, 30).machine("NC-1", "off")
    shop.at(wed, 18).machine("GR-2", "off")
    shop.at(wed + timedelta(days=1), 7)  # looked at the next morning


# -- the same figures from the raw events ----------------------------------------------


def _standing(events: list[Event], kind: str) -> list[Event]:
    """Events of ``kind``, each replaced by its latest correction's replacement (dropped
    when undone), read straight off the log."""
    latest: dict[str, Event] = {}
    for e in sorted(events, key=lambda e: e.hlc):
        if e.type == "EventCorrected":
            latest[str(e.payload["supersedes"])] = e
    out = []
    for e in events:
        if e.type != kind:
            continue
        c = latest.get(e.event_id)
        if c is None:
            out.append(e)
        elif c.payload.get("replacement"):
            out.append(replace(e, payload=c.payload["replacement"]["payload"]))
    return out


def raw_pareto(events: list[Event], lo: datetime, hi: datetime, by: str) -> list[tuple[str, int]]:
    parts = {e.job_id: e.payload["part_no"] for e in events if e.type == "JobCreated"}
    process = {10: "LATHE", 20: "GRIND", 30: "HEAT"}
    counts: dict[str, int] = defaultdict(int)
    for e in _standing(events, "DefectRecorded"):
        if e.firm_id != FIRM or not lo <= datetime.fromisoformat(e.occurred_at) < hi:
            continue
        key = {"code": e.payload["code"], "step": process[e.op or 0], "part": parts[e.job_id]}[by]
        counts[key] += int(e.payload["count"])
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def raw_readings(events: list[Event], name: str) -> list[tuple[str, Decimal, str]]:
    """(lot, value, operator) of a characteristic in time order, corrections applied."""
    ms = [e for e in _standing(events, "MeasurementTaken") if e.payload["characteristic"] == name]
    ms.sort(key=lambda e: e.occurred_at)
    return [(str(e.payload["lot_id"]), Decimal(e.payload["value"]), e.operator or "") for e in ms]


def raw_machines(events: list[Event], lo: datetime, hi: datetime) -> dict[str, dict[str, float]]:
    """Seconds per state per machine within [lo, hi) from the signals."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    at: dict[str, tuple[str, datetime]] = {}
    for e in sorted((e for e in events if e.type == "MachineStateChanged"), key=lambda e: e.hlc):
        m, t = e.payload["machine"], datetime.fromisoformat(e.occurred_at)
        if m in at:
            state, since = at[m]
            secs = (min(t, hi) - max(since, lo)).total_seconds()
            if secs > 0:
                out[m][state] += secs
        at[m] = (e.payload["state"], t)
    for m, (state, since) in at.items():
        secs = (hi - max(since, lo)).total_seconds()
        if secs > 0:
            out[m][state] += secs
    return {m: dict(v) for m, v in out.items()}
