"""The owner's day review, from a day of shop-floor events at known times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from app.store import Store
from app.store.reports import day_review, utc_range
from tests.factories import raw

JST = timezone(timedelta(hours=9))
ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F007"},
]


def clock(start: datetime) -> tuple[Callable[[], str], Callable[[int], None]]:
    t = [start]

    def now() -> str:
        return t[0].astimezone(UTC).isoformat(timespec="milliseconds")

    def advance(minutes: int) -> None:
        t[0] += timedelta(minutes=minutes)

    return now, advance


def test_day_review(tmp_path: Path) -> None:
    now, advance = clock(datetime(2026, 12, 1, 8, 30, tzinfo=JST))
    s = Store.open(tmp_path / "r.db", firm_id="F001", now=now)

    def job(jid: str, part: str, due: str) -> None:
        p = {"part_no": part, "qty": 10, "due": due, "lead_firm": "F001", "route": ROUTE}
        assert s.record(raw("JobCreated", p, job_id=jid)).ok
        assert s.record(
            raw("LotReceived", {"lot_id": f"{jid}-L1", "count": 10}, job_id=jid, op=10)
        ).ok

    job("F001-J1", "SHAFT", "2026-12-10")
    job("F001-J2", "PIN", "2026-11-28")  # already late
    job("F001-J3", "FLANGE", "2026-12-20")
    assert s.record(raw("OpStarted", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10)).ok
    advance(50)
    assert s.record(
        raw("OpPaused", {"lot_id": "F001-J1-L1", "reason": "BREAK"}, job_id="F001-J1", op=10)
    ).ok
    advance(10)
    assert s.record(raw("OpResumed", {"lot_id": "F001-J1-L1"}, job_id="F001-J1", op=10)).ok
    advance(40)
    d = {"lot_id": "F001-J1-L1", "code": "BURR", "count": 2, "disposition": "rework", "note": ""}
    assert s.record(raw("DefectRecorded", d, job_id="F001-J1", op=10)).ok
    f = {"lot_id": "F001-J1-L1", "good": 8, "defect": 2, "scrap": 0}
    assert s.record(raw("OpFinished", f, job_id="F001-J1", op=10)).ok
    h = {"lot_id": "F001-J1-L1", "to_firm": "F007", "count": 8}
    assert s.record(raw("LotHandedOff", h, job_id="F001-J1", op=10)).ok
    assert s.record(raw("OpStarted", {"lot_id": "F001-J2-L1"}, job_id="F001-J2", op=10)).ok

    r = day_review(s, date(2026, 12, 1), "F001", tz=JST)
    assert [(x["part_no"], x["good"], x["defect"]) for x in r.finished] == [("SHAFT", 8, 2)]
    assert r.working_hours_today == round(90 / 60, 2)  # 50 + 40 minutes, the break excluded
    assert [x["part_no"] for x in r.in_progress] == ["PIN"]
    assert [(x["part_no"], x["state"]) for x in r.waiting] == [("FLANGE", "received")]
    assert r.defects == [{"code": "BURR", "count": 2, "parts": "SHAFT"}]
    assert [x["part_no"] for x in r.late] == ["PIN"]
    assert r.events_today == 13
    # The next day has nothing finished, and F007 sees the lot coming.
    assert day_review(s, date(2026, 12, 2), "F001", tz=JST).finished == []
    seen_by_b = day_review(s, date(2026, 12, 1), "F007", tz=JST)
    assert [(x["part_no"], x["state"]) for x in seen_by_b.waiting] == [("SHAFT", "in_transit")]
    s.close()


def test_local_day_bounds() -> None:
    lo, hi = utc_range(date(2026, 12, 1), JST)
    assert (lo, hi) == ("2026-11-30T15:00:00.000+00:00", "2026-12-01T15:00:00.000+00:00")
