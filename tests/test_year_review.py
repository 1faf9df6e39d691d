"""The generated shop (``bench/yeargen.py``): every figure of the owner's review, the 日報
and the 検査成績書 equals the same figure computed in ``tests/raw_review.py`` straight
from the events table, on a generated month and on sampled days of the generated year;
the sign-off shows what changed after it."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core import commands as C
from app.store import Store
from app.store.approvals import approve_day, day_approval, lot_approval
from app.store.daily import daily_report
from app.store.inspection import gather
from app.store.review import lot_history, period_review
from bench.yeargen import JST, OPERATORS, SHOP, YearSpec, generate
from tests import raw_review as raw

MONTH = YearSpec(start=date(2025, 12, 1), days=30, jobs_per_day=9.0, seed=11)
END = datetime(2025, 12, 31, 0, 0, tzinfo=JST)


def _now() -> str:
    return END.astimezone(UTC).isoformat(timespec="milliseconds")


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, list[raw.Raw], Path]:
    path = tmp_path_factory.mktemp("month") / "month.db"
    store = generate(path, MONTH)
    store.close()
    store = Store.open(path, now=_now)
    return store, raw.load(str(path)), path


def _compare_day(store: Store, evs: list[raw.Raw], day: date, now: datetime) -> int:
    review = period_review(store, day, 1, tz=JST)
    expected = raw.day_steps(evs, SHOP, day, JST, now)
    got = {(s.job_id, s.lot_id, s.seq): s for s in review.steps}
    assert set(got) == set(expected), day
    route = {j: v["route"] for j, v in raw.jobs(evs).items()}
    for key, want in expected.items():
        s = got[key]
        assert s.worked_s == pytest.approx(want.worked, abs=0.01), key
        assert s.paused_s == pytest.approx(want.paused, abs=0.01), key
        assert (s.received, s.good, s.defect, s.scrap) == (
            want.received, want.good, want.defect, want.scrap
        ), key  # fmt: skip
        assert list(s.operators) == want.operators, key
        times = raw.step_times(evs, key[0], key[1], key[2], route[key[0]])
        iso = {
            k: v.astimezone(UTC).isoformat(timespec="milliseconds") if v else None
            for k, v in times.items()
        }
        assert (s.times.arrived_at, s.times.received_at, s.times.started_at) == (
            iso["arrived"], iso["received"], iso["started"]
        ), key  # fmt: skip
        assert (s.times.finished_at, s.times.handed_off_at) == (iso["finished"], iso["handed"])
        if times["started"] is not None:
            since = times["arrived"] or times["received"]
            assert since is not None
            assert s.times.wait_before_s == pytest.approx(
                (times["started"] - since).total_seconds()
            )
    # The 日報 of the day: the same steps, the defects by code, the machines' time.
    report = daily_report(store, day, tz=JST)
    assert [(s.job_id, s.lot_id, s.seq, s.worked_s) for s in report.steps] == [
        (s.job_id, s.lot_id, s.seq, s.worked_s) for s in review.steps
    ]
    assert {d.code: d.count for d in report.defects} == raw.defects(evs, SHOP, day, JST)
    machines = raw.machine_seconds(evs, SHOP, day, JST, now)
    assert {
        m.machine: {k: round(v, 3) for k, v in m.seconds.items() if v} for m in report.machines
    } == {m: {k: round(v, 3) for k, v in d.items()} for m, d in machines.items() if d}
    return len(expected)


def test_a_generated_month_matches_the_raw_events_day_by_day(month: Any) -> None:
    store, evs, _ = month
    assert store.count_events() > 5000
    days = [MONTH.start + timedelta(days=i) for i in range(MONTH.days)]
    worked = sum(_compare_day(store, evs, d, END) for d in days)
    assert worked > 100  # the month has work in it, not empty days


def test_a_week_is_the_sum_of_its_days(month: Any) -> None:
    store, evs, _ = month
    monday = date(2025, 12, 8)
    week = period_review(store, monday, 7, tz=JST)
    sums: dict[tuple[str, str, int], list[float]] = {}
    for i in range(7):
        for key, s in raw.day_steps(evs, SHOP, monday + timedelta(days=i), JST, END).items():
            acc = sums.setdefault(key, [0.0, 0, 0])
            acc[0] += s.worked
            acc[1] += s.good
            acc[2] += s.received
    got = {(s.job_id, s.lot_id, s.seq): s for s in week.steps}
    assert set(got) == set(sums)
    for key, (worked, good, received) in sums.items():
        assert got[key].worked_s == pytest.approx(worked, abs=0.05)
        assert (got[key].good, got[key].received) == (good, received)
    assert week.jobs_moved == sorted({k[0] for k in sums})


def test_late_at_risk_and_at_the_door_follow_the_stated_rule(month: Any) -> None:
    store, evs, _ = month
    review = period_review(store, date(2025, 12, 30), 1, tz=JST, today=date(2025, 12, 30))
    late, at_risk, typical = raw.risks(evs, SHOP, date(2025, 12, 30))
    assert review.typical_step_days == pytest.approx(typical)
    assert {r.job_id for r in review.late} == late
    assert {r.job_id for r in review.at_risk} == at_risk
    assert late or at_risk  # the month leaves some behind
    waiting = {(d.lot_id, d.seq) for d in review.door if d.state == "received"}
    assert waiting == raw.waiting_here(evs, SHOP)


def test_a_lots_history_names_every_firm_and_how_long_it_held_the_lot(month: Any) -> None:
    store, evs, _ = month
    done = [e for e in evs if e.type == "OpFinished" and e.op == 50]
    assert done, "some lots went the whole route in the month"
    lot = done[0].lot
    job = lot.rsplit("-", 1)[0]
    h = lot_history(store, job, lot)
    assert [x.firm for x in h.holds] == ["F001", "F002", "F003", "F004", "F005"]
    mine = [e for e in evs if e.lot == lot and e.op is not None and e.job == job]
    assert len([x for x in h.entries if x.type != "RecordsApproved"]) == len(mine)
    route = raw.jobs(evs)[job]["route"]
    for hold in h.holds:
        seqs = [s for s, _ in hold.steps]
        first = raw.step_times(evs, job, lot, seqs[0], route)
        last = raw.step_times(evs, job, lot, seqs[-1], route)
        end = last["handed"] or last["finished"]
        assert first["received"] is not None and end is not None
        assert hold.held_s == pytest.approx((end - first["received"]).total_seconds())


def test_the_inspection_record_holds_every_firms_readings(month: Any) -> None:
    store, evs, _ = month
    lots = sorted({e.lot for e in evs if e.type == "MeasurementTaken" and e.firm == "F005"})
    for lot in lots[:5]:
        job = lot.rsplit("-", 1)[0]
        rec = gather(store, job, lot)
        want = raw.readings(evs, job, lot)
        got: dict[str, list[Any]] = {}
        for c in rec.characteristics:
            got.setdefault(c.name, []).extend(r.value for r in c.readings)
        assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}
        assert {r.firm for c in rec.characteristics for r in c.readings} >= {"F001", "F003", "F005"}


def test_the_generator_is_deterministic_from_its_seed(tmp_path: Path) -> None:
    spec = YearSpec(start=date(2025, 12, 1), days=6, jobs_per_day=4.0, seed=3)

    def shape(path: Path) -> list[tuple[Any, ...]]:
        generate(path, spec).close()
        evs = raw.load(str(path))
        return [
            (e.type, e.at, e.firm, e.op, e.operator, e.p.get("count"), e.p.get("value"))
            for e in evs
        ]

    assert shape(tmp_path / "a.db") == shape(tmp_path / "b.db")
    other = YearSpec(start=spec.start, days=spec.days, jobs_per_day=4.0, seed=4)
    generate(tmp_path / "c.db", other).close()
    assert shape(tmp_path / "a2.db") != [
        (e.type, e.at, e.firm, e.op, e.operator, e.p.get("count"), e.p.get("value"))
        for e in raw.load(str(tmp_path / "c.db"))
    ]


def test_the_fast_path_writes_the_same_events(tmp_path: Path) -> None:
    """Generating without an fsync per record (the generator's one fast path) gives the
    same events, clock stamps included, as the store's durable path."""
    import sqlite3

    spec = YearSpec(start=date(2025, 12, 1), days=3, jobs_per_day=3.0, seed=8)
    generate(tmp_path / "fast.db", spec).close()
    generate(tmp_path / "durable.db", spec, durable=True).close()

    def rows(name: str) -> list[tuple[Any, ...]]:
        c = sqlite3.connect(tmp_path / name)
        out = c.execute(
            "SELECT type, hlc, occurred_at, firm_id, op, operator, "
            "json_remove(payload, '$.supersedes', '$.records', '$.digest') FROM events ORDER BY pos"
        ).fetchall()
        c.close()
        return out

    assert rows("fast.db") == rows("durable.db")
    assert len(rows("fast.db")) > 100


def test_approved_days_show_corrections_made_after_them(month: Any) -> None:
    store, evs, _ = month
    approvals = [e for e in evs if e.type == "RecordsApproved" and e.p["scope"] == "day"]
    assert approvals
    fixes = [e for e in evs if e.type == "EventCorrected"]
    seen_after = 0
    for a in approvals:
        day = date.fromisoformat(a.p["day"])
        status = day_approval(store, day, SHOP, JST)
        assert status is not None and status.records == len(a.p["records"])
        after = {
            f.p["supersedes"]
            for f in fixes
            if f.key > a.key and f.p["supersedes"] in a.p["records"]
        }
        assert set(status.corrected_after) == after
        seen_after += bool(after)
    assert seen_after, "the month has a correction made after an evening sign-off"


def test_sign_off_a_day_then_correct_it(tmp_path: Path, month: Any) -> None:
    _, _, path = month
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    store = Store.open(copy, now=_now)
    day = date(2025, 12, 29)
    machinist = C.Actor(SHOP, OPERATORS[2][0], C.OPERATOR)
    refused = approve_day(store, machinist, day, JST)
    assert not refused.ok and refused.reason == "not_approver"
    inspector = C.Actor(SHOP, OPERATORS[1][0], C.INSPECTOR)
    assert approve_day(store, inspector, day, JST).ok
    status = day_approval(store, day, SHOP, JST)
    assert status is not None and status.clean and status.approver_name == OPERATORS[1][1]
    # A reading of that day corrected after the approval: the approval says so.
    reading = next(
        e for e in raw.load(str(copy)) if e.type == "MeasurementTaken" and e.firm == SHOP
        and raw.bounds(day, JST)[0] <= e.at < raw.bounds(day, JST)[1]
    )  # fmt: skip
    assert reading.job is not None
    actor = C.Actor(SHOP, reading.operator, C.OPERATOR)
    fix = C.correct(
        store.job(reading.job),
        actor,
        store.job_events(reading.job),
        reading.id,
        {"value": "20.000"},
    )
    assert store.record(fix).ok
    status = day_approval(store, day, SHOP, JST)
    assert status is not None and status.corrected_after == (reading.id,)
    assert daily_report(store, day, tz=JST).approval == status
    # A lot's results: approved by the inspector; a reading corrected after shows.
    rec = gather(store, reading.job, reading.lot)
    assert rec.approval is None
    lot_ok = store.record(
        C.approve(
            store.job(reading.job),
            inspector,
            _lot_events(store, reading.job, reading.lot),
            lot_id=reading.lot,
        )
    )
    assert lot_ok.ok
    status = lot_approval(store, reading.job, reading.lot)
    assert status is not None and status.clean
    # Another of the lot's readings corrected after the lot's approval: the 検査成績書 says so.
    events = store.job_events(reading.job)
    other = next(
        e for e in events if e.type == "MeasurementTaken" and e.firm_id == SHOP
        and e.payload["lot_id"] == reading.lot and e.event_id != reading.id
        and not any(c.payload.get("supersedes") == e.event_id for c in events)
    )  # fmt: skip
    who = C.Actor(SHOP, other.operator, C.OPERATOR)
    again = C.correct(store.job(reading.job), who, events, other.event_id, {"value": "19.999"})
    assert store.record(again).ok, again
    rec = gather(store, reading.job, reading.lot)
    assert rec.approval is not None and not rec.approval.clean
    if shutil.which("pdftotext"):
        import subprocess

        from app.ui import inspection_print

        pdf = tmp_path / "ins.pdf"
        inspection_print.write_pdf(rec, pdf)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert OPERATORS[1][1] in text and "承認後" in text
    store.close()


def _lot_events(store: Store, job: str, lot: str) -> list[Any]:
    from app.store.approvals import lot_records

    return lot_records(store, job, lot)


@pytest.mark.slow
def test_sampled_days_of_the_generated_year(tmp_path: Path) -> None:
    """The one-year shop the bench uses (generated once into the bench's cache)."""
    from bench.reports import cache_dir, year_store_file

    source, _ = year_store_file(cache_dir(), YearSpec().seed)
    path = tmp_path / "year.db"
    shutil.copy(source, path)
    end = YearSpec().start + timedelta(days=YearSpec().days)
    now = datetime(end.year, end.month, end.day, tzinfo=JST)
    store = Store.open(path, now=lambda: now.astimezone(UTC).isoformat(timespec="milliseconds"))
    assert store.count_events() >= 200_000
    evs = raw.load(str(path))
    for day in (date(2025, 12, 3), date(2026, 3, 18), date(2026, 6, 17), date(2026, 11, 27)):
        assert _compare_day(store, evs, day, now) > 10
    late, at_risk, typical = raw.risks(evs, SHOP, date(2026, 11, 30))
    review = period_review(store, date(2026, 11, 30), 1, tz=JST, today=date(2026, 11, 30))
    assert review.typical_step_days == pytest.approx(typical)
    assert {r.job_id for r in review.late} == late
    assert {r.job_id for r in review.at_risk} == at_risk
    store.close()
