"""A realistic year of one turning shop (F001) and the 5-firm route its jobs travel.

Every record is decided by the core commands (``app/core/commands.py``) at the moment it
happens in a simulated calendar, and written by ``Store.record`` (this shop's terminal)
or arrives through ``Store.ingest`` (the other four firms' terminals, as the hub's feed
would bring them). Working days Monday to Friday, 08:30 to 17:30 JST with a lunch
break; four machines each run one lot at a time; five operators; tool wear drifts the
turned diameter until a tool change; defects, scrap, set-up and machine-trouble pauses,
lots left paused overnight, corrections (some after the owner's evening sign-off), and
machine run/stop/alarm signals.

Deterministic from ``seed``: the same seed gives the same records (times, counts,
values, who did what). Event ids and the terminal id are made by the store as on any
terminal (random); the hybrid clock follows the simulated time.

The one fast path: the store is opened with ``PRAGMA synchronous = OFF`` while
generating (the events are identical; only the fsync per record is skipped). Measured
on the one-year shop: see ``python -m bench reports`` (``generate_s``).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from app.core import commands as C
from app.core import lots
from app.core.clock import HybridClock, new_event_id
from app.core.model import JobSpec, Route
from app.store import Store
from app.store.firms import save_firms
from wire.events import Event

VERSION = 2  # bump when the generated shop changes (the bench's cache is keyed by it)
JST = timezone(timedelta(hours=9))
SHOP = "F001"
FIRMS = [
    {"code": "F001", "name": "山田精機", "region": "ota"},
    {"code": "F002", "name": "大森熱処理", "region": "ota"},
    {"code": "F003", "name": "蒲田研削", "region": "ota"},
    {"code": "F004", "name": "糀谷鍍金", "region": "ota"},
    {"code": "F005", "name": "日立検査センター", "region": "hitachi"},
]
ROUTE_A = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F002"},
    {"seq": 30, "process": "GRIND", "firm": "F003"},
    {"seq": 40, "process": "PLATE", "firm": "F004"},
    {"seq": 50, "process": "INSPECT", "firm": "F005"},
]
# A third of the jobs are also milled here, right after turning (two own steps in a row).
ROUTE_B = [ROUTE_A[0], {"seq": 15, "process": "MC", "firm": "F001"}, *ROUTE_A[1:]]
OPERATORS = [
    ("F001-OP-01", "山田 太郎", C.OWNER),
    ("F001-OP-02", "佐藤 花子", C.INSPECTOR),
    ("F001-OP-03", "鈴木 一郎", C.OPERATOR),
    ("F001-OP-04", "高橋 健", C.OPERATOR),
    ("F001-OP-05", "田中 誠", C.OPERATOR),
]
MACHINES = ["NL2000", "LB3000", "QT200", "QT250", "MC-V550"]  # four lathes, one MC
PARTS = [("SHAFT-20", "D-1201", "A"), ("PIN-8", "D-0877", "C"), ("BUSH-32", "D-2210", "B")]
# characteristic, nominal, tol-, tol+ (mm); the first drifts with tool wear
CHARS = [("外径", "20.000", "0.021", "0.000"), ("全長", "50.00", "0.05", "0.05")]
OWNER_ACTOR = C.Actor(SHOP, OPERATORS[0][0], C.OWNER)


@dataclass(frozen=True, slots=True)
class YearSpec:
    start: date = date(2025, 12, 1)
    days: int = 365
    jobs_per_day: float = 17.0  # about 200,000 events in a year
    seed: int = 7


class Generator:
    """The simulation: a queue of timed actions, each deciding and recording one thing."""

    def __init__(self, store: Store, spec: YearSpec) -> None:
        self.store, self.spec = store, spec
        self.rng = random.Random(spec.seed)
        self.t = datetime.combine(spec.start, datetime.min.time(), JST)
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.remote_seq: dict[str, int] = {}
        self.remote_ids = {f["code"]: f"T{f['code']}REMOTE" for f in FIRMS[1:]}
        self.jobs = 0
        self.machine_free = {m: self.t for m in MACHINES}
        self.wear = {m: 0.0 for m in MACHINES}
        self.refused: list[tuple[str, str]] = []
        store.clock = HybridClock(store.clock.last, now_ms=self._ms)
        store._now = self._iso  # the simulated calendar is the store's clock

    # -- the clock ----------------------------------------------------------------------

    def _ms(self) -> int:
        return int(self.t.timestamp() * 1000)

    def _iso(self) -> str:
        return self.t.astimezone(UTC).isoformat(timespec="milliseconds")

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, (when, next(self.order), action))

    # -- recording ----------------------------------------------------------------------

    def local(self, outcome: C.Outcome) -> Event | None:
        res = self.store.record(outcome)
        if not res.ok:
            self.refused.append((getattr(outcome, "type", ""), res.reason or ""))
            return None
        return res.event

    def remote(self, firm: str, outcome: C.Outcome) -> Event | None:
        """Another firm's terminal records it; the hub's feed brings it here."""
        if isinstance(outcome, C.Refusal):
            self.refused.append(("remote", outcome.reason))
            return None
        tid = self.remote_ids[firm]
        seq = self.remote_seq[tid] = self.remote_seq.get(tid, 0) + 1
        ev = Event(
            event_id=new_event_id(),
            terminal_id=tid,
            seq=seq,
            hlc=self.store.clock.tick(),
            occurred_at=self._iso(),
            firm_id=firm,
            job_id=outcome.job_id,
            op=outcome.op,
            type=outcome.type,
            payload=dict(outcome.payload),
            operator=outcome.operator,
        )
        self.store.ingest([ev])
        return ev

    # -- the calendar -------------------------------------------------------------------

    def workday(self, d: date) -> bool:
        return d.weekday() < 5

    def next_morning(self, t: datetime) -> datetime:
        d = t.astimezone(JST).date() + timedelta(days=1)
        while not self.workday(d):
            d += timedelta(days=1)
        return datetime(d.year, d.month, d.day, 8, 30, tzinfo=JST)

    def run(self) -> None:
        spec = self.spec
        for i in range(spec.days):
            d = spec.start + timedelta(days=i)
            day0 = datetime(d.year, d.month, d.day, tzinfo=JST)
            if self.workday(d):
                self.at(day0 + timedelta(hours=8), lambda d=d: self.new_jobs(d))
                if self.rng.random() < 0.9:
                    self.at(day0 + timedelta(hours=18), lambda d=d: self.approve_day(d))
        end = datetime.combine(spec.start + timedelta(days=spec.days), datetime.min.time(), JST)
        while self.queue and self.queue[0][0] < end:
            when, _, action = heapq.heappop(self.queue)
            self.t = max(self.t, when)
            action()

    # -- this shop ----------------------------------------------------------------------

    def new_jobs(self, d: date) -> None:
        base = self.spec.jobs_per_day
        count = max(0, int(base + self.rng.gauss(0, base * 0.2) + 0.5))
        for _ in range(count):
            self.jobs += 1
            job_id = f"{SHOP}-{d:%y%m}-{self.jobs:05d}"
            part, drawing, _rev = self.rng.choice(PARTS)
            route = ROUTE_B if self.rng.random() < 0.33 else ROUTE_A
            qty = self.rng.choice([10, 20, 50, 100, 200])
            due = d + timedelta(days=self.rng.randint(9, 24))
            spec = JobSpec(
                job_id,
                part,
                qty,
                due,
                SHOP,
                Route.from_dicts(route),
                drawing_no=drawing,
                customer="大田重工",
                unit_price_yen=self.rng.choice([800, 1200, 2500]),
            )
            if self.local(C.create_job(None, OWNER_ACTOR, spec)) is None:
                continue
            lot = lots.first_lot(job_id)
            job = self.store.job(job_id)
            self.local(C.issue_traveler(job, OWNER_ACTOR, lot, "K1", 2, "0" * 64))
            self.t += timedelta(minutes=self.rng.randint(1, 20))
            self.local(C.receive(self.store.job(job_id), OWNER_ACTOR, lot, 10, qty))
            self.queue_machine(job_id, lot, 10, route)

    def queue_machine(self, job_id: str, lot: str, op: int, route: list[dict[str, Any]]) -> None:
        machine = "MC-V550" if op == 15 else self.rng.choice(MACHINES[:4])
        start = max(self.machine_free[machine], self.t + timedelta(minutes=10))
        local = start.astimezone(JST)
        if local.hour >= 17 or not self.workday(local.date()):
            start = self.next_morning(start)
        elif local.hour < 8 or (local.hour == 8 and local.minute < 30):
            start = local.replace(hour=8, minute=30)
        minutes = self.rng.randint(40, 140)
        self.machine_free[machine] = start + timedelta(minutes=minutes + 10)
        who = self.rng.choice(OPERATORS[2:] + OPERATORS[:1])
        actor = C.Actor(SHOP, who[0], who[2])
        self.at(start, lambda: self.start_op(job_id, lot, op, route, machine, actor, minutes))

    def signal(self, machine: str, state: str) -> None:
        self.local(C.machine_state(self.store.actor, machine, state, self.rng.randint(0, 65535)))

    def start_op(
        self,
        job_id: str,
        lot: str,
        op: int,
        route: list[dict[str, Any]],
        machine: str,
        actor: C.Actor,
        minutes: int,
    ) -> None:
        if self.local(C.start(self.store.job(job_id), actor, lot, op)) is None:
            return
        self.signal(machine, "run")
        self.work(job_id, lot, op, route, machine, actor, float(minutes))

    def work(
        self,
        job_id: str,
        lot: str,
        op: int,
        route: list[dict[str, Any]],
        machine: str,
        actor: C.Actor,
        left: float,
    ) -> None:
        """Run for a while: measure every ~20 minutes; pause for lunch, a set-up, a tool,
        machine trouble or the day's end; finish when the minutes are used up."""
        rng = self.rng
        local = self.t.astimezone(JST)
        noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
        close = local.replace(hour=17, minute=30, second=0, microsecond=0)
        chunk = min(left, rng.uniform(15, 25))
        stop = self.t + timedelta(minutes=chunk)
        if local < noon <= stop:
            self.at(
                noon,
                lambda: self.pause(
                    job_id,
                    lot,
                    op,
                    route,
                    machine,
                    actor,
                    left - (noon - self.t).total_seconds() / 60,
                    "BREAK",
                ),
            )
            return
        if stop >= close:
            self.at(
                close,
                lambda: self.pause(
                    job_id,
                    lot,
                    op,
                    route,
                    machine,
                    actor,
                    left - (close - self.t).total_seconds() / 60,
                    "END_OF_DAY",
                ),
            )
            return

        def step() -> None:
            od = self.measure(job_id, lot, op, machine, actor)
            rest = left - chunk
            if rest <= 0.5:
                self.finish(job_id, lot, op, route, machine, actor)
                return
            roll = rng.random()
            # The machinist changes the tool when the diameter nears its upper limit (and
            # now and then only after a reading past it), or when it is simply worn out.
            if roll < 0.05 or (od > 19.998 and roll < 0.85):
                self.pause(job_id, lot, op, route, machine, actor, rest, "TOOL")
            elif roll < 0.08:
                self.pause(job_id, lot, op, route, machine, actor, rest, "MACHINE")
            elif roll < 0.11:
                self.pause(job_id, lot, op, route, machine, actor, rest, "SETUP")
            else:
                self.work(job_id, lot, op, route, machine, actor, rest)

        self.at(stop, step)

    def pause(
        self,
        job_id: str,
        lot: str,
        op: int,
        route: list[dict[str, Any]],
        machine: str,
        actor: C.Actor,
        left: float,
        reason: str,
    ) -> None:
        if self.local(C.pause(self.store.job(job_id), actor, lot, op, reason)) is None:
            return
        self.signal(machine, "alarm" if reason == "MACHINE" else "stop")
        if reason == "TOOL":
            self.wear[machine] = 0.0
        if reason == "END_OF_DAY":
            back = self.next_morning(self.t)
            self.at(back - timedelta(minutes=1), lambda: self.signal(machine, "off"))
        elif reason == "BREAK":
            back = self.t + timedelta(hours=1)
        else:
            back = self.t + timedelta(minutes=self.rng.randint(5, 40))

        def resume() -> None:
            if self.local(C.resume(self.store.job(job_id), actor, lot, op)) is None:
                return
            self.signal(machine, "run")
            self.work(job_id, lot, op, route, machine, actor, max(1.0, left))

        self.at(back, resume)

    def measure(self, job_id: str, lot: str, op: int, machine: str, actor: C.Actor) -> float:
        """Take the step's readings; returns the diameter measured."""
        rng = self.rng
        # About 0.001 mm per hour of cutting: a tool change every few hours keeps most
        # parts in tolerance, and the upper limit is crossed now and then (the charts'
        # special causes), as on a real lathe.
        self.wear[machine] += rng.uniform(0.0002, 0.0005)
        od = 0.0
        for name, nominal, tm, tp in CHARS:
            if name == "外径":
                od = 19.990 + self.wear[machine] + rng.gauss(0, 0.0025)
                text = f"{od:.3f}"
            else:
                text = f"{50 + rng.gauss(0, 0.012):.2f}"
            ev = self.local(
                C.measure(
                    self.store.job(job_id),
                    actor,
                    lot,
                    op,
                    characteristic=name,
                    nominal=nominal,
                    tol_minus=tm,
                    tol_plus=tp,
                    value=text,
                    gauge="sim://mitutoyo",
                )
            )
            if ev is not None and rng.random() < 0.004:
                # A typed slip fixed by the one who typed it: minutes later, or the next
                # morning (after the evening sign-off, which then shows it).
                fixed = f"{float(text) + 0.001:.{len(text.split('.')[1])}f}"
                later = timedelta(minutes=rng.randint(2, 9))
                if rng.random() < 0.5:
                    later = (
                        self.next_morning(self.t) - self.t + timedelta(minutes=rng.randint(1, 60))
                    )
                self.at(
                    self.t + later,
                    lambda ev=ev, fixed=fixed: self.correct(actor, ev, {"value": fixed}),
                )
        return od

    def correct(self, actor: C.Actor, ev: Event, changes: dict[str, Any]) -> None:
        if ev.job_id is None:
            return
        events = self.store.job_events(ev.job_id)
        self.local(C.correct(self.store.job(ev.job_id), actor, events, ev.event_id, changes))

    def finish(
        self,
        job_id: str,
        lot: str,
        op: int,
        route: list[dict[str, Any]],
        machine: str,
        actor: C.Actor,
    ) -> None:
        rng, job = self.rng, self.store.job(job_id)
        if job is None:
            return
        received = job.lots[lot].ops[op].received
        defect = scrap = 0
        if rng.random() < 0.18:
            code = rng.choices(["DIM", "SCRATCH", "BURR", "DENT", "MATERIAL"], [5, 3, 3, 1, 1])[0]
            n = min(received - 1, rng.randint(1, 3))
            if n > 0:
                disposition = "scrap" if code in ("DIM", "MATERIAL") else "rework"
                self.local(C.record_defect(job, actor, lot, op, code, n, disposition))
                scrap, defect = (n, 0) if disposition == "scrap" else (0, n)
        good = received - defect - scrap
        ev = self.local(C.finish(self.store.job(job_id), actor, lot, op, good, defect, scrap))
        self.signal(machine, "stop")
        if ev is None:
            return
        if rng.random() < 0.01 and good > 1:
            # A miscount found while packing, before the parts go on.
            when = self.t + timedelta(minutes=rng.randint(3, 15))
            self.at(when, lambda: self.correct(actor, ev, {"good": good - 1, "defect": defect + 1}))
        nxt = Route.from_dicts(route).next_op(op)
        if nxt is not None and nxt.firm == SHOP:
            self.t += timedelta(minutes=rng.randint(3, 30))
            self.local(C.receive(self.store.job(job_id), actor, lot, nxt.seq, good))
            self.queue_machine(job_id, lot, nxt.seq, route)
            return
        later = self.t + timedelta(minutes=rng.randint(20, 300))
        if later.astimezone(JST).hour >= 18:
            later = self.next_morning(later) + timedelta(minutes=rng.randint(0, 60))
        self.at(later, lambda: self.hand_off(job_id, lot, op, actor))

    def hand_off(self, job_id: str, lot: str, op: int, actor: C.Actor) -> None:
        job = self.store.job(job_id)
        if job is None:
            return
        count = job.lots[lot].ops[op].available
        if count <= 0 or self.local(C.hand_off(job, actor, lot, op, count)) is None:
            return
        nxt = job.route.next_op(op)
        if nxt is not None:
            self.at(
                self.t + timedelta(hours=self.rng.uniform(2, 26)),
                lambda: self.remote_step(job_id, lot, nxt.seq, count),
            )

    # -- the other firms on the route ---------------------------------------------------

    def remote_step(self, job_id: str, lot: str, op: int, count: int) -> None:
        job = self.store.job(job_id)
        route_op = job.route.op(op) if job else None
        if job is None or route_op is None:
            return
        firm, rng = route_op.firm, self.rng
        actor = C.Actor(firm, f"{firm}-OP-{rng.randint(1, 3):02d}", C.OPERATOR)
        if self.remote(firm, C.receive(job, actor, lot, op, count)) is None:
            return

        def start() -> None:
            self.remote(firm, C.start(self.store.job(job_id), actor, lot, op))
            self.at(self.t + timedelta(hours=rng.uniform(3, 30)), finish)

        def finish() -> None:
            j = self.store.job(job_id)
            if j is None:
                return
            readings = {"GRIND": 2, "INSPECT": 3}.get(route_op.process, 0)
            for _ in range(readings):
                self.remote(
                    firm,
                    C.measure(
                        j,
                        actor,
                        lot,
                        op,
                        characteristic="外径",
                        nominal="20.000",
                        tol_minus="0.021",
                        tol_plus="0.000",
                        value=f"{19.990 + rng.gauss(0, 0.003):.3f}",
                        gauge="sim://mitutoyo",
                    ),
                )
                j = self.store.job(job_id)
            bad = 1 if rng.random() < 0.05 and count > 2 else 0
            self.remote(firm, C.finish(self.store.job(job_id), actor, lot, op, count - bad, bad, 0))
            nxt = j.route.next_op(op) if j else None
            if nxt is not None:
                self.at(self.t + timedelta(hours=rng.uniform(1, 20)), hand)

        def hand() -> None:
            j = self.store.job(job_id)
            if j is None:
                return
            left = j.lots[lot].ops[op].available
            if left > 0 and self.remote(firm, C.hand_off(j, actor, lot, op, left)) is not None:
                nxt = j.route.next_op(op)
                assert nxt is not None
                self.at(
                    self.t + timedelta(hours=rng.uniform(2, 30)),
                    lambda: self.remote_step(job_id, lot, nxt.seq, left),
                )

        self.at(self.t + timedelta(hours=rng.uniform(0.5, 40)), start)

    # -- the owner's evening -------------------------------------------------------------

    def approve_day(self, d: date) -> None:
        from app.store.approvals import day_records

        records = day_records(self.store, d, SHOP, JST)
        if records:
            self.local(C.approve(None, OWNER_ACTOR, records, day=d.isoformat()))


def generate(path: Path | str, spec: YearSpec | None = None, *, durable: bool = False) -> Store:
    """Generate the shop into a new store at ``path``; returns the store (open).
    ``durable``: keep the store's fsync per record (the fast path's yardstick)."""
    spec = spec or YearSpec()
    store = Store.open(path, firm_id=SHOP)
    if not durable:
        store.conn.execute("PRAGMA synchronous = OFF")
    save_firms(store, FIRMS)
    gen = Generator(store, spec)
    gen.t = datetime.combine(spec.start, datetime.min.time(), JST) - timedelta(days=1)
    roster: dict[str, Any] = {}
    for oid, name, role in OPERATORS:
        res = store.record(
            C.save_operator(roster, OWNER_ACTOR, operator_id=oid, name=name, role=role)
        )
        assert res.ok, res.reason
        roster = store.operators()
    gen.run()
    if gen.refused:
        raise RuntimeError(f"the generator's own records were refused: {gen.refused[:5]}")
    store.conn.execute("PRAGMA synchronous = FULL")
    store._now = lambda: gen._iso()  # "now" stays the year's end
    return store
