"""A consortium year, made up but shaped like one: firms with profiles (a quarter of them
regional), requests for machining, and the jobs the lead firms made of them, each a route
over 2-6 firms, with every firm's events: receipts, starts, measurements, finishes,
hand-offs, defects found at the next firm, late steps, corrections (a changed quantity or
unit price, a cancelled order, a finish re-counted, a defect entered by mistake), the lead
firms' prices per step (some corrected) and their Q/C/D ratings after delivery.

``plan(spec)`` decides everything from a seed; the events of one job are made when asked
(``job_events``), so a bench year of millions of events is never held in memory at once.
Two writers put a plan into a hub:

- ``write_through_hub``: the hub's own functions with each firm's enrolled credential:
  profiles saved, requests entered (ranked by the hub), volunteers, each job's
  ``JobCreated`` pushed by its lead firm's terminal through ``hub.ingest.push``, the
  request confirmed, then every firm pushing its events in batches as a terminal syncs,
  prices corrected and ratings given through ``hub.prices`` and ``hub.qcd``;
- ``write_bulk``: the same rows inserted directly (``COPY`` on PostgreSQL, many-row
  ``INSERT`` on SQLite), then the summaries kept by ``hub.summary.refresh`` for the jobs
  written, as ingest keeps them (the bench's path to 5 million events in minutes).
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson

from app.core.clock import hlc_pack
from hub.kpi import month_key
from wire.events import Event, canonical_json

JST = timezone(timedelta(hours=9), "JST")
PROCESSES = ("LATHE", "MILL", "GRIND", "HEAT", "PLATE", "INSPECT", "WELD", "EDM", "PRESS")
MATERIALS = ("S45C", "SUS304", "A5052", "SCM440", "C3604", "SKD11")
CERTS = ("ISO9001", "JISQ9100", "NADCAP")
REGIONAL = (
    ("茨城県", "日立市"),
    ("茨城県", "ひたちなか市"),
    ("栃木県", "宇都宮市"),
    ("長野県", "諏訪市"),
)
NEAR = (("東京都", "大田区", "ota"), ("東京都", "品川区", "tokyo"), ("神奈川県", "川崎市", "tokyo"))
DEFECTS = (("SCRATCH", "キズ", "scratch"), ("DIM", "寸法不良", "out of tolerance"))


@dataclass(frozen=True)
class Spec:
    firms: int = 60
    requests: int = 2000
    jobs: int = 1500
    fiscal_year: int = 2025
    measurements: int = 0  # MeasurementTaken events per step (the bench's volume)
    seed: int = 2025


@dataclass
class FirmPlan:
    code: str
    cls: str  # ota | tokyo | regional
    profile: dict[str, Any]


@dataclass
class JobPlan:
    index: int
    job_id: str
    lead: str
    request: int  # index of the request it answers
    route: list[tuple[int, str, str]]  # (seq, process, firm)
    qty: int
    unit_yen: int
    due: date
    created: datetime
    prices: dict[int, int]
    promised: dict[int, date]  # seq -> the date a volunteer promised
    seed: int
    fix: dict[str, Any] | None = None  # a corrected JobCreated payload's changes
    cancel: bool = False
    price_fixes: list[tuple[int, int]] = field(default_factory=list)
    ratings: list[tuple[str, int, int, int, str]] = field(default_factory=list)
    stop_after: int | None = None  # steps done before the year's data ends (in progress)

    def created_payload(self) -> dict[str, Any]:
        return {
            "part_no": f"P-{self.index:06d}",
            "drawing_no": f"D-{self.index:06d}",
            "qty": self.qty,
            "due": self.due.isoformat(),
            "lead_firm": self.lead,
            "route": [{"seq": s, "process": p, "firm": f} for s, p, f in self.route],
            "customer": "試作センター",
            "unit_price_yen": self.unit_yen,
            "note": "",
        }


@dataclass
class RequestPlan:
    index: int
    lead: str
    body: dict[str, Any]
    volunteers: list[tuple[int, str, int, str]]  # (seq, firm, price, promised date)
    job: int | None = None  # index of its job, when confirmed


@dataclass
class Plan:
    spec: Spec
    firms: list[FirmPlan]
    requests: list[RequestPlan]
    jobs: list[JobPlan]


def _profile(rng: random.Random, cls: str, place: tuple[str, str]) -> dict[str, Any]:
    procs = rng.sample(PROCESSES, rng.randint(2, 4))
    size = rng.choice((150, 300, 600, 1200))
    return {
        "processes": procs,
        "equipment": [
            {"kind": p, "max_size_mm": size, "count": rng.randint(1, 8)} for p in procs[:2]
        ],
        "materials": rng.sample(MATERIALS, 3),
        "certifications": ["ISO9001"] + (["JISQ9100"] if rng.random() < 0.2 else []),
        "lot_sizes": {"min": 1, "max": 5000 if cls == "regional" else 500},
        "region": {"class": cls, "prefecture": place[0], "city": place[1]},
        "contact": {"name": "担当", "phone": "03-0000-0000"},
        "private": {"load_pct": rng.randint(0, 95)},
    }


def plan(spec: Spec) -> Plan:
    """Decide the whole year from ``spec.seed``."""
    rng = random.Random(spec.seed)
    firms: list[FirmPlan] = []
    for i in range(spec.firms):
        code = f"F{i + 1:03d}"
        if i % 4 == 3:
            place = rng.choice(REGIONAL)
            firms.append(FirmPlan(code, "regional", _profile(rng, "regional", place)))
        else:
            pref, city, cls = rng.choice(NEAR)
            firms.append(FirmPlan(code, cls, _profile(rng, cls, (pref, city))))
    by_process: dict[str, list[str]] = defaultdict(list)
    for f in firms:
        for p in f.profile["processes"]:
            by_process[p].append(f.code)
    y0 = datetime(spec.fiscal_year, 4, 1, 8, tzinfo=JST)
    year_end = datetime(spec.fiscal_year + 1, 4, 1, tzinfo=JST)
    requests: list[RequestPlan] = []
    jobs: list[JobPlan] = []
    confirmed = set(rng.sample(range(spec.requests), min(spec.jobs, spec.requests)))
    lead_seq: dict[str, int] = defaultdict(int)
    for r in range(spec.requests):
        lead = rng.choice(firms).code
        n = rng.randint(2, 6)
        route: list[tuple[int, str, str]] = []
        used: set[str] = {lead}
        for k in range(n):
            choices = [p for p in PROCESSES if by_process[p]]
            process = rng.choice(choices)
            pool = [f for f in by_process[process] if f not in used] or by_process[process]
            firm = rng.choice(pool)
            used.add(firm)
            route.append(((k + 1) * 10, process, firm))
        qty = rng.choice((5, 20, 50, 100, 200, 500, 1200, 3000))
        # Spread over the year, a little busier after the summer.
        created = y0 + timedelta(days=rng.random() * 364, hours=rng.randint(0, 9))
        due = (created + timedelta(days=3 * n + rng.randint(1, 10))).astimezone(JST).date()
        unit_yen = max(50, int(rng.randint(2000, 40000) / qty**0.5))
        body = {
            "part": f"P-{r:06d}",
            "drawing": f"D-{r:06d}.pdf",
            "material": rng.choice(MATERIALS),
            "qty": qty,
            "due": due.isoformat(),
            "budget_yen": qty * rng.randint(500, 20000),
            "steps": [{"seq": s, "process": p, "size_mm": 100} for s, p, _f in route],
        }
        volunteers = []
        promised: dict[int, date] = {}
        prices: dict[int, int] = {}
        at = created
        for s, _p, f in route:
            at = at + timedelta(days=rng.randint(1, 4))
            yen = int(qty * unit_yen * rng.uniform(0.05, 0.25))
            prices[s] = yen
            if f != lead and rng.random() < 0.4:
                promised[s] = at.astimezone(JST).date()
                volunteers.append((s, f, yen, promised[s].isoformat()))
        req = RequestPlan(r, lead, body, volunteers)
        requests.append(req)
        if r not in confirmed:
            continue
        lead_seq[lead] += 1
        job = JobPlan(
            index=len(jobs),
            job_id=f"{lead}-J{lead_seq[lead]:05d}",
            lead=lead,
            request=r,
            route=route,
            qty=qty,
            unit_yen=unit_yen,
            due=due,
            created=created,
            prices=prices,
            promised=promised,
            seed=rng.getrandbits(32),
        )
        roll = rng.random()
        if roll < 0.02:
            job.cancel = True
        elif roll < 0.08:
            key = rng.choice(("qty", "unit_price_yen"))
            job.fix = {
                key: max(1, int((qty if key == "qty" else job.unit_yen) * rng.uniform(0.5, 1.5)))
            }
        if rng.random() < 0.06:
            seq = rng.choice(route)[0]
            job.price_fixes.append((seq, int(prices[seq] * rng.uniform(0.7, 1.3))))
        span = timedelta(days=9 * n)
        if created + span > year_end:
            job.stop_after = rng.randint(0, n - 1)  # still in progress when the year ends
        if not job.cancel and job.stop_after is None and rng.random() < 0.6:
            for _s, _p, f in route:
                if f != lead:
                    q, c, d = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
                    job.ratings.append((f, q, c, d, rng.choice(("", "丁寧", "納期遅れ"))))
            if job.ratings and rng.random() < 0.1:
                f = job.ratings[0][0]
                job.ratings.append((f, 5, 5, 5, "再評価"))
        req.job = job.index
        jobs.append(job)
    return Plan(spec, firms, requests, jobs)


class Maker:
    """A firm's terminal: numbers its events, stamps them with its hybrid clock."""

    def __init__(self, firm: str) -> None:
        self.firm = firm
        self.terminal_id = f"T-{firm}"
        self.seq = 0
        self.counter = 0

    def event(
        self,
        type_: str,
        payload: dict[str, Any],
        at: datetime,
        job_id: str,
        op: int | None = None,
        rng: random.Random | None = None,
    ) -> Event:
        self.seq += 1
        self.counter = (self.counter + 1) % 1000
        ms = int(at.timestamp() * 1000)
        bits = (rng or random).getrandbits(80)
        eid = f"{ms:012x}-{self.seq:08x}-{bits:020x}"
        return Event(
            event_id=eid,
            terminal_id=self.terminal_id,
            seq=self.seq,
            hlc=hlc_pack(ms, self.counter),
            occurred_at=at.astimezone(UTC).isoformat(timespec="milliseconds"),
            firm_id=self.firm,
            job_id=job_id,
            op=op,
            type=type_,
            payload=payload,
            operator="OP1",
        )


def job_events(job: JobPlan, makers: dict[str, Maker], measurements: int = 0) -> list[Event]:
    """Every event of one job, by its firms' terminals, in the order they happened:
    creation, then each step, late or on time, with what the next firm found."""
    rng = random.Random(job.seed)
    lead = makers[job.lead]
    created = lead.event("JobCreated", job.created_payload(), job.created, job.job_id, rng=rng)
    out = [created]
    at = job.created + timedelta(hours=rng.randint(2, 30))
    if job.fix is not None:
        fixed = {**job.created_payload(), **job.fix}
        out.append(
            lead.event(
                "EventCorrected",
                {
                    "supersedes": created.event_id,
                    "reason": "受注内容の変更",
                    "replacement": {"type": "JobCreated", "payload": fixed},
                },
                at,
                job.job_id,
                rng=rng,
            )
        )
    count = job.qty
    prev_firm: str | None = None
    steps = len(job.route) if job.stop_after is None else job.stop_after
    if job.cancel:
        steps = min(steps, 1)
    for i, (seq, _process, firm) in enumerate(job.route[:steps]):
        m = makers[firm]
        lot = f"{job.job_id}-L1"
        at += timedelta(hours=rng.randint(2, 20))
        received = count
        if prev_firm is not None and rng.random() < 0.05:
            received = max(1, count - rng.randint(1, max(1, count // 20)))  # a receipt gap
        out.append(
            m.event(
                "LotReceived",
                {"lot_id": lot, "count": received, "from_firm": prev_firm},
                at,
                job.job_id,
                seq,
                rng,
            )
        )
        at += timedelta(minutes=rng.randint(10, 300))
        out.append(
            m.event("OpStarted", {"lot_id": lot, "operator": "OP1"}, at, job.job_id, seq, rng)
        )
        for k in range(measurements):
            value = f"{10 + rng.gauss(0, 0.004):.4f}"
            out.append(
                m.event(
                    "MeasurementTaken",
                    {
                        "lot_id": lot,
                        "characteristic": f"D{k % 4 + 1}",
                        "nominal": "10.000",
                        "tol_minus": "-0.010",
                        "tol_plus": "0.010",
                        "value": value,
                        "unit": "mm",
                        "gauge": "MITUTOYO-1",
                    },
                    at + timedelta(seconds=30 * (k + 1)),
                    job.job_id,
                    seq,
                    rng,
                )
            )
        # Most steps take a day or a few; some run late (past the promised or due date).
        late = rng.random() < 0.15
        at += timedelta(hours=rng.randint(60, 400) if late else rng.randint(4, 70))
        defects = 0
        if prev_firm is not None and rng.random() < 0.08:
            defects = rng.randint(1, max(1, received // 10))
            code, ja, en = rng.choice(DEFECTS)
            dev = m.event(
                "DefectRecorded",
                {
                    "lot_id": lot,
                    "code": code,
                    "count": defects,
                    "disposition": "scrap",
                    "note": "前工程起因",
                    "name_ja": ja,
                    "name_en": en,
                },
                at,
                job.job_id,
                seq,
                rng,
            )
            out.append(dev)
            if rng.random() < 0.15:  # entered by mistake, taken back by its own firm
                out.append(
                    m.event(
                        "EventCorrected",
                        {"supersedes": dev.event_id, "reason": "誤入力", "replacement": None},
                        at + timedelta(minutes=5),
                        job.job_id,
                        rng=rng,
                    )
                )
                defects = 0
        good = max(0, received - defects)
        fin = m.event(
            "OpFinished",
            {"lot_id": lot, "good": good, "defect": defects, "scrap": 0},
            at,
            job.job_id,
            seq,
            rng,
        )
        out.append(fin)
        if i == len(job.route) - 1 and rng.random() < 0.05:
            # The last count was wrong: re-counted (a correction with a replacement).
            out.append(
                m.event(
                    "EventCorrected",
                    {
                        "supersedes": fin.event_id,
                        "reason": "数え直し",
                        "replacement": {
                            "type": "OpFinished",
                            "payload": {
                                "lot_id": lot,
                                "good": max(0, good - 1),
                                "defect": defects + 1,
                                "scrap": 0,
                            },
                        },
                    },
                    at + timedelta(hours=1),
                    job.job_id,
                    rng=rng,
                )
            )
        if i < len(job.route) - 1:
            nxt = job.route[i + 1][2]
            at += timedelta(minutes=rng.randint(10, 120))
            out.append(
                m.event(
                    "LotHandedOff",
                    {"lot_id": lot, "to_firm": nxt, "count": max(1, good)},
                    at,
                    job.job_id,
                    seq,
                    rng,
                )
            )
        count = max(1, good)
        prev_firm = firm
    if job.cancel:
        out.append(
            lead.event(
                "EventCorrected",
                {"supersedes": created.event_id, "reason": "受注取消", "replacement": None},
                at + timedelta(hours=2),
                job.job_id,
                rng=rng,
            )
        )
    return out


def makers_for(p: Plan) -> dict[str, Maker]:
    return {f.code: Maker(f.code) for f in p.firms}


# -- writing through the hub's own functions -----------------------------------------


def write_through_hub(db: Any, p: Plan, *, batch: int = 500) -> dict[str, Any]:
    """Enter the plan as the firms would: each through its own enrolled terminal's
    credential, the hub's checks and ingest. Returns ids and counts."""
    from hub import inquiries, prices, profiles, qcd, registry
    from hub.ingest import push

    creds = {}
    for f in p.firms:
        registry.add_firm(db, f.code, f"{f.code} 製作所", f.profile["region"]["city"])
        token = registry.enroll(db, registry.make_enroll_code(db, f.code), f"T-{f.code}")["token"]
        cred = registry.authenticate(db, token)
        assert cred is not None
        creds[f.code] = cred
        profiles.save(db, cred, f.profile)
    makers = makers_for(p)
    request_ids: dict[int, str] = {}
    for r in p.requests:
        out = inquiries.create(db, creds[r.lead], r.body)
        request_ids[r.index] = out["request_id"]
        for seq, firm, yen, when in r.volunteers:
            inquiries.volunteer(
                db, creds[firm], out["request_id"], {"step": seq, "price_yen": yen, "date": when}
            )
    pending: dict[str, list[Event]] = defaultdict(list)
    pushed = 0

    def flush(firm: str) -> None:
        nonlocal pushed
        events = pending.pop(firm, [])
        for i in range(0, len(events), batch):
            part = events[i : i + batch]
            outcome = push(db, creds[firm], [e.to_wire() for e in part])
            bad = [r for r in outcome.results if r["status"] != "accepted"]
            assert not bad, bad[:3]
            pushed += len(part)

    all_events: dict[str, list[Event]] = {}
    for job in p.jobs:
        events = job_events(job, makers, p.spec.measurements)
        all_events[job.job_id] = events
        pending[job.lead].append(events[0])
    for firm in sorted(pending):
        flush(firm)
    for job in p.jobs:
        r = p.requests[job.request]
        inquiries.confirm(
            db,
            creds[job.lead],
            request_ids[r.index],
            {"job_id": job.job_id, "prices": {str(s): y for s, y in job.prices.items()}},
        )
    for job in p.jobs:
        for ev in all_events[job.job_id][1:]:
            pending[ev.firm_id].append(ev)
    for firm in sorted(pending):
        flush(firm)
    for job in p.jobs:
        for seq, yen in job.price_fixes:
            prices.record(db, creds[job.lead], job.job_id, {"op": seq, "yen": yen})
        for firm, q, c, d, comment in job.ratings:
            body = {"firm": firm, "q": q, "c": c, "d": d, "comment": comment}
            qcd.rate(db, creds[job.lead], job.job_id, body)
    return {"events": pushed, "request_ids": request_ids, "creds": creds}


# -- writing in bulk ----------------------------------------------------------------


def _copy(db: Any, table: Any, rows: list[tuple[Any, ...]], skip: tuple[str, ...] = ()) -> None:
    """Insert rows fast: COPY on PostgreSQL, many-row INSERTs on SQLite."""
    if not rows:
        return
    with db.engine.begin() as conn:
        if db.is_sqlite:
            db.insert_many(conn, table, rows, skip=skip)
            return
        cols = ", ".join(f'"{c.name}"' for c in table.columns if c.name not in skip)
        cur = conn.connection.driver_connection.cursor()
        with cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)


def setup_firms(db: Any, p: Plan) -> dict[str, Any]:
    """Register the firms with a terminal each, and save their profiles (the hub's
    functions: a few hundred writes)."""
    from hub import profiles, registry

    creds = {}
    for f in p.firms:
        registry.add_firm(db, f.code, f"{f.code} 製作所", f.profile["region"]["city"])
        token = registry.enroll(db, registry.make_enroll_code(db, f.code), f"T-{f.code}")["token"]
        cred = registry.authenticate(db, token)
        assert cred is not None
        creds[f.code] = cred
        profiles.save(db, cred, f.profile)
    return creds


def write_bulk(
    db: Any, p: Plan, jobs: list[JobPlan], makers: dict[str, Maker], chunk: int = 20_000
) -> int:
    """Insert these jobs (their requests, events, prices, ratings) as rows, then keep the
    summaries for them as ingest does. Returns the number of events written."""
    from hub import schema, summary

    now = time.time()
    req_rows, log_rows, price_rows, rating_rows, job_rows, member_rows = [], [], [], [], [], []
    for job in jobs:
        r = p.requests[job.request]
        rid = f"R{p.spec.seed % 1000:03d}-{r.index:07d}"
        req_rows.append(
            (
                rid,
                r.lead,
                r.lead,
                json.dumps(_public(r.body), ensure_ascii=False),
                r.body["budget_yen"],
                "confirmed",
                job.job_id,
                now,
            )
        )
        log_rows.append((rid, now, "entered", r.lead, r.lead, None, "{}"))
        for seq, firm, yen, when in r.volunteers:
            body = json.dumps({"price_yen": yen, "date": when, "note": ""})
            log_rows.append((rid, now, "volunteered", firm, firm, seq, body))
        for seq, _proc, firm in job.route:
            log_rows.append((rid, now, "chosen", r.lead, firm, seq, json.dumps({"op": seq})))
        log_rows.append(
            (rid, now, "confirmed", r.lead, r.lead, None, json.dumps({"job_id": job.job_id}))
        )
        for seq, _proc, firm in job.route:
            price_rows.append((job.job_id, seq, firm, job.prices[seq], now, f"T-{job.lead}"))
        ops = {s: f for s, _p, f in job.route}
        for seq, yen in job.price_fixes:
            price_rows.append((job.job_id, seq, ops[seq], yen, now + 1, f"T-{job.lead}"))
        for firm, q, c, d, comment in job.ratings:
            rating_rows.append((job.job_id, firm, q, c, d, comment, now, f"T-{job.lead}"))
    _copy(db, schema.requests, req_rows)
    _copy(db, schema.request_log, log_rows, skip=("id",))
    _copy(db, schema.step_prices, price_rows, skip=("id",))
    _copy(db, schema.ratings, rating_rows, skip=("id",))
    written = 0
    rows: list[tuple[Any, ...]] = []
    months: set[tuple[str, str]] = set()
    members: dict[str, set[str]] = {}
    for job in jobs:
        events = job_events(job, makers, p.spec.measurements)
        created = events[0]
        members[job.job_id] = {job.lead} | {f for _s, _p, f in job.route}
        job_rows.append(
            (
                job.job_id,
                job.lead,
                created.event_id,
                created.terminal_id,
                orjson.dumps([[s, f] for s, _p, f in job.route]).decode(),
            )
        )
        member_rows += [(job.job_id, f) for f in sorted(members[job.job_id])]
        for ev in events:
            rows.append(
                (
                    ev.event_id,
                    ev.firm_id,
                    ev.terminal_id,
                    ev.seq,
                    ev.hlc,
                    ev.job_id,
                    ev.type,
                    canonical_json(ev.to_wire()),
                    now,
                )
            )
            if ev.firm_id in members[job.job_id]:
                months.add((ev.firm_id, _month(ev.occurred_at)))
        if len(rows) >= chunk:
            _copy(db, schema.events, rows)
            written += len(rows)
            rows = []
    _copy(db, schema.events, rows)
    written += len(rows)
    _copy(db, schema.jobs, job_rows)
    _copy(db, schema.job_members, member_rows)
    # The summaries, by the code ingest runs for the jobs a push touched.
    ids = [j.job_id for j in jobs]

    def work(c: Any) -> None:
        for i in range(0, len(ids), 2000):
            summary.refresh(c, ids[i : i + 2000])
        summary.add_work_months(c, months)

    db.write(work, attempts=1)
    _fix_rating_sums(db)
    if not db.is_sqlite:
        # A bulk load ends as one should: VACUUM ANALYZE (statistics for the planner,
        # the visibility map for index-only scans), not left to autovacuum mid-measure.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return written


def _fix_rating_sums(db: Any) -> None:
    """Ratings written in bulk: the firms' rating sums made again from the ratings."""
    from sqlalchemy import update

    from hub import schema

    sf, rt = schema.summary_firms, schema.ratings
    newest: dict[tuple[str, str], tuple[int, int, int]] = {}
    with db.read() as c:
        for job_id, firm, q, cc, d in c.execute(
            rt.select()
            .with_only_columns(rt.c.job_id, rt.c.firm_id, rt.c.q, rt.c.c, rt.c.d)
            .order_by(rt.c.id)
        ):
            newest[(job_id, firm)] = (q, cc, d)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (_j, firm), (q, cc, d) in newest.items():
        s = sums[firm]
        s[0], s[1], s[2], s[3] = s[0] + 1, s[1] + q, s[2] + cc, s[3] + d

    def work(c: Any) -> None:
        from hub.db import insert_ignore_stmt

        if sums:
            c.execute(insert_ignore_stmt(c, sf), [{"firm_id": f} for f in sorted(sums)])
        for firm, (n, q, cc, d) in sums.items():
            c.execute(
                update(sf).where(sf.c.firm_id == firm).values(rated=n, q_sum=q, c_sum=cc, d_sum=d)
            )

    db.write(work, attempts=1)


def _public(body: dict[str, Any]) -> dict[str, Any]:
    """A request body as ``hub.inquiries.clean`` would store it."""
    from hub.inquiries import clean

    public, _budget, _lead = clean(body)
    return public


def _month(occurred_at: str) -> str:
    return month_key(datetime.fromisoformat(occurred_at))


def quarters(p: Plan) -> Iterator[list[JobPlan]]:
    """The plan's jobs by the quarter of the fiscal year they were created in."""
    parts: list[list[JobPlan]] = [[], [], [], []]
    for job in p.jobs:
        m = job.created.astimezone(JST).month
        parts[((m - 4) % 12) // 3].append(job)
    yield from parts
