"""The ward's figures per fiscal year (April to March, Japan time), from the events.

- **Firms taking part**: member firms that logged work (any event of a job they are a
  member of) in the period; ``new_firms`` are those whose first such work falls in it.
  The plan counts increases: +40 / +60 / +100 / +100 / +200.
- **Sales through the network**: order value (the lead firm's ``unit_price_yen`` x
  ``qty`` from its ``JobCreated``, as corrected) of jobs delivered in the period (the
  last step of the route finished) whose route names two or more member firms.
  Plan: ¥20M / 50M / 200M / 400M / 800M.
- **地方企業との受発注額**: the lead firms' prices of steps ordered in the period (by the
  job's ``JobCreated``) from a regional firm, or by a regional lead from another firm.
  A step without a recorded price counts 0; the newest price of a step counts (a
  correction replaces the old one). Plan: ¥2M / 5M / 10M / 15M / 20M.

Nothing is typed twice: prices come from the lead firm's events and its price records,
regions from the firms' profiles, times from the events' ``occurred_at``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
from sqlalchemy import Connection, func, or_, select, update

from hub import profiles, schema
from hub.db import HubDB

JST = timezone(timedelta(hours=9), "JST")
PLAN_FIRMS = (40, 60, 100, 100, 200)
PLAN_SALES = (20_000_000, 50_000_000, 200_000_000, 400_000_000, 800_000_000)
PLAN_REGIONAL = (2_000_000, 5_000_000, 10_000_000, 15_000_000, 20_000_000)
FIRST_YEAR_KEY = "plan_first_fiscal_year"
FIGURES = ("firms", "new_firms", "sales_yen", "regional_yen", "delivered_jobs")


def fiscal_year(moment: datetime) -> int:
    """The fiscal year (named by the year it starts) of an aware time, in Japan time."""
    local = moment.astimezone(JST)
    return local.year if local.month >= 4 else local.year - 1


def month_key(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m")


def fiscal_months(year: int) -> list[str]:
    return [f"{year + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_fiscal_year(db: HubDB) -> int | None:
    m = schema.hub_meta
    with db.read() as c:
        value = c.execute(select(m.c.value).where(m.c.key == FIRST_YEAR_KEY)).scalar()
    return int(value) if value is not None else None


def set_first_fiscal_year(db: HubDB, year: int) -> None:
    """The plan's first fiscal year (a setting of the hub)."""
    m = schema.hub_meta

    def work(c: Connection) -> None:
        done = c.execute(update(m).where(m.c.key == FIRST_YEAR_KEY).values(value=str(year)))
        if not done.rowcount:
            c.execute(m.insert().values(key=FIRST_YEAR_KEY, value=str(year)))

    db.write(work, attempts=3)


@dataclass
class JobFacts:
    lead: str
    created_at: datetime
    payload: dict[str, Any]
    delivered_at: datetime | None = None
    cancelled: bool = False
    route: list[tuple[int, str]] = field(default_factory=list)


_ENVELOPE = frozenset({"event_id", "firm_id", "occurred_at", "payload"})
_JOB_FIELDS = frozenset({"route", "qty", "due"})


def stored(body: str) -> dict[str, Any] | None:
    """A stored event's body, or None when it lacks what the figures read (hubs from
    before the wire checks hold a few such rows; a figure never fails on them)."""
    try:
        ev = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(ev, dict) or not set(ev) >= _ENVELOPE or not isinstance(ev["payload"], dict):
        return None
    return ev


def _chunks(ids: Collection[str], size: int = 400) -> list[list[str]]:
    items = sorted(ids)
    return [items[i : i + size] for i in range(0, len(items), size)]


def jobs_from_events(c: Connection, job_ids: Collection[str] | None = None) -> dict[str, JobFacts]:
    """Every job the hub holds (or those of ``job_ids``), as its lead firm's events say
    (corrections applied)."""
    j, e = schema.jobs, schema.events
    jobs: dict[str, JobFacts] = {}
    created: dict[tuple[str, str], str] = {}
    if job_ids is None:
        parts: list[Any] = [None]
    else:
        parts = _chunks(job_ids)
    for part in parts:
        qj = select(j) if part is None else select(j).where(j.c.job_id.in_(part))
        for row in c.execute(qj):
            created[(row.created_event, row.created_terminal)] = row.job_id
    rows: list[Any] = []
    for part in parts:
        q = select(e.c.event_id, e.c.terminal_id, e.c.body).where(e.c.type == "JobCreated")
        if part is not None:
            q = q.where(e.c.job_id.in_(part))
        rows += c.execute(q).all()
    for event_id, terminal, body in rows:
        job_id = created.get((event_id, terminal))
        if job_id is None:
            continue  # a refused or held claim, not the job
        ev = stored(body)
        moment = None if ev is None else parse_time(ev["occurred_at"])
        if ev is None or moment is None or not set(ev["payload"]) >= _JOB_FIELDS:
            continue  # not a job the figures can read (a store from before the wire checks)
        jobs[job_id] = JobFacts(ev["firm_id"], moment, ev["payload"])
    # Corrections of the JobCreated by the lead firm, in clock order: the last one wins;
    # one without a replacement cancels the job.
    fixes: list[tuple[int, str, dict[str, Any]]] = []
    finished: list[tuple[str, str, dict[str, Any]]] = []
    undone: set[tuple[str, str]] = set()
    replaced: dict[tuple[str, str], dict[str, Any]] = {}
    rows = []
    for part in parts:
        q2 = select(e.c.event_id, e.c.firm_id, e.c.job_id, e.c.type, e.c.body).where(
            e.c.type.in_(("EventCorrected", "OpFinished")), e.c.job_id.is_not(None)
        )
        if part is not None:
            q2 = q2.where(e.c.job_id.in_(part))
        rows += c.execute(q2).all()
    for event_id, firm, job_id, type_, body in rows:
        if job_id not in jobs:
            continue
        ev = stored(body)
        if ev is None:
            continue
        if type_ == "OpFinished":
            finished.append((event_id, firm, ev))
            continue
        p = ev["payload"]
        rep = p.get("replacement")
        if "supersedes" not in p or not (rep is None or isinstance(rep, dict)):
            continue
        if firm == jobs[job_id].lead and (rep is None or rep["type"] == "JobCreated"):
            fixes.append((int(ev.get("hlc") or 0), job_id, {"target": p["supersedes"], "rep": rep}))
        if rep is None:
            undone.add((firm, p["supersedes"]))
        elif rep["type"] == "OpFinished":
            replaced[(firm, p["supersedes"])] = rep["payload"]
    created_ids = {job_id: ev_id for (ev_id, _t), job_id in created.items()}
    for _hlc, job_id, fix in sorted(fixes, key=lambda t: t[0]):
        if fix["target"] != created_ids.get(job_id):
            continue
        if fix["rep"] is None:
            jobs[job_id].cancelled = True
        else:
            jobs[job_id].payload = fix["rep"]["payload"]
    for job in jobs.values():
        route = sorted(job.payload["route"], key=lambda s: s["seq"])
        job.route = [(int(s["seq"]), str(s["firm"])) for s in route]
    for event_id, firm, ev in finished:
        job = jobs[ev["job_id"]]
        if not job.route or ev.get("op") != job.route[-1][0] or firm != job.route[-1][1]:
            continue
        if (firm, event_id) in undone:
            continue
        payload = replaced.get((firm, event_id), ev["payload"])
        if int(payload.get("good", 0)) <= 0:
            continue
        moment = parse_time(ev["occurred_at"])
        if moment is not None and (job.delivered_at is None or moment < job.delivered_at):
            job.delivered_at = moment
    return jobs


def targets(year: int, first: int | None) -> dict[str, Any] | None:
    """The plan's figures for ``year`` (None outside the plan's five years)."""
    if first is None or not 0 <= year - first < len(PLAN_FIRMS):
        return None
    i = year - first
    return {
        "plan_year": i + 1,
        "new_firms": PLAN_FIRMS[i],
        "firms_cumulative": sum(PLAN_FIRMS[: i + 1]),
        "sales_yen": PLAN_SALES[i],
        "regional_yen": PLAN_REGIONAL[i],
    }


def default_fiscal_year(today: date | None = None) -> int:
    now = datetime.now(JST) if today is None else datetime(today.year, today.month, today.day)
    return now.year if now.month >= 4 else now.year - 1


def figures(db: HubDB, year: int | None = None) -> dict[str, Any]:
    """The fiscal year's figures per month and for the year, beside the plan (read from
    the summary tables ``hub.summary`` keeps in step with the events)."""
    from hub import summary  # it builds on this module's reading of the events

    summary.catch_up(db)  # the jobs pushes changed since the last reader
    year = default_fiscal_year() if year is None else year
    months = fiscal_months(year)
    lo, hi = months[0], months[-1]
    per: dict[str, dict[str, int]] = {m: dict.fromkeys(FIGURES, 0) for m in months}
    sj, ss, fm = schema.summary_jobs, schema.summary_steps, schema.summary_firm_months
    with db.read() as c:
        if c.dialect.name == "postgresql":
            # Plans made for these values, never a generic plan cached on the connection:
            # one made while a year was a quarter full read the whole year in 1–1.5 s
            # (70 ms with a plan for the values; `python -m bench consortium`).
            c.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        regions = {
            f: profiles.region_class(p) for f, (p, _priv) in profiles.load_all_shared(c).items()
        }
        worked: dict[str, set[str]] = defaultdict(set)
        for firm, month in c.execute(select(fm.c.firm_id, fm.c.month)):
            worked[firm].add(month)
        sales = c.execute(
            select(sj.c.delivered_month, func.count(), func.sum(sj.c.order_value))
            .where(
                sj.c.live == 1,
                sj.c.route_firms >= 2,
                sj.c.delivered_month >= lo,
                sj.c.delivered_month <= hi,
            )
            .group_by(sj.c.delivered_month)
        ).all()
        # Steps ordered from a regional firm, or by a regional lead from another firm.
        local = sorted(f for f, cls in regions.items() if cls == "regional")
        regional = c.execute(
            select(ss.c.created_month, func.sum(ss.c.yen))
            .where(
                ss.c.created_month >= lo,
                ss.c.created_month <= hi,
                ss.c.live == 1,
                ss.c.yen.is_not(None),
                ss.c.firm_id != ss.c.lead_firm,
                or_(ss.c.firm_id.in_(local), ss.c.lead_firm.in_(local)),
            )
            .group_by(ss.c.created_month)
        ).all()
    first_meta = first_fiscal_year(db)
    year_firms: set[str] = set()
    new_firms: set[str] = set()
    for firm, seen in worked.items():
        first_month = min(seen)
        for m in seen & set(months):
            per[m]["firms"] += 1
            year_firms.add(firm)
        if first_month in per:
            per[first_month]["new_firms"] += 1
            new_firms.add(firm)
    for month, count, value in sales:
        per[month]["delivered_jobs"] += int(count)
        per[month]["sales_yen"] += int(value or 0)
    for month, yen in regional:
        per[month]["regional_yen"] += int(yen or 0)
    total = {k: sum(per[m][k] for m in months) for k in FIGURES}
    total["firms"] = len(year_firms)
    total["new_firms"] = len(new_firms)
    return {
        "fiscal_year": year,
        "period": {"from": f"{year}-04-01", "to": f"{year + 1}-03-31", "timezone": "Asia/Tokyo"},
        "first_fiscal_year": first_meta,
        "months": [{"month": m, **per[m]} for m in months],
        "year": total,
        "targets": targets(year, first_meta),
    }


def csv_text(fig: dict[str, Any]) -> str:
    """The figures as CSV for Japanese Excel: headers in Japanese and English, one row
    per month, the year, then the plan. Write it as UTF-8 with a BOM (``utf-8-sig``)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "月 / month",
            "参加企業数 / firms taking part",
            "新規参加 / new firms",
            "ネットワーク売上(円) / sales (yen)",
            "地方企業との受発注額(円) / regional orders (yen)",
            "納品件数 / delivered jobs",
        ]
    )
    for row in fig["months"]:
        w.writerow([row["month"], *(row[k] for k in FIGURES)])
    y = fig["year"]
    w.writerow([f"{fig['fiscal_year']}年度 / FY{fig['fiscal_year']}", *(y[k] for k in FIGURES)])
    t = fig["targets"]
    if t is not None:
        w.writerow(
            [
                f"計画{t['plan_year']}年目 / plan year {t['plan_year']}",
                t["firms_cumulative"],
                t["new_firms"],
                t["sales_yen"],
                t["regional_yen"],
                "",
            ]
        )
    return buf.getvalue()


def dumps(fig: dict[str, Any]) -> str:
    return json.dumps(fig, ensure_ascii=False)
