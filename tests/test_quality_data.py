"""The review's defect Pareto, readings per characteristic and machine timeline, each
compared with the same figures computed from the raw events (tests/quality_shop.py),
and with the 日報 where both show one thing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from app.core import spc
from app.store.daily import daily_report
from app.store.quality import (
    characteristics,
    chart_of,
    defect_pareto,
    machine_range,
    range_bounds,
)
from tests.quality_shop import (
    FIRM,
    JST,
    LEN,
    MONDAY,
    OD,
    SUZUKI,
    QualityShop,
    build_week,
    raw_machines,
    raw_pareto,
    raw_readings,
)

WED = MONDAY + timedelta(days=2)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> QualityShop:
    s = QualityShop(tmp_path_factory.mktemp("q") / "shop.db")
    build_week(s)
    return s


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    lo, hi = range_bounds(first, last, JST)
    return datetime.fromisoformat(lo), datetime.fromisoformat(hi)


@pytest.mark.parametrize("by", ["code", "step", "part"])
@pytest.mark.parametrize("days", [(MONDAY, MONDAY), (MONDAY, WED)])
def test_pareto_equals_the_raw_events(shop: QualityShop, by: str, days: tuple[date, date]) -> None:
    events = shop.store.events()
    bars = defect_pareto(shop.store, FIRM, *days, by=by, tz=JST)
    expected = raw_pareto(events, *bounds(*days), by)
    assert [(b.key, b.count) for b in bars] == expected
    total = sum(n for _, n in expected)
    running = 0
    for bar, (_, n) in zip(bars, expected, strict=True):
        running += n
        assert bar.cumulative_pct == pytest.approx(100 * running / total)
    assert bars[-1].cumulative_pct == pytest.approx(100.0)


def test_pareto_by_code_is_the_daily_reports_defects(shop: QualityShop) -> None:
    for day in (MONDAY, MONDAY + timedelta(days=1), WED):
        report = daily_report(shop.store, day, FIRM, JST)
        bars = defect_pareto(shop.store, FIRM, day, day, tz=JST)
        assert [(b.key, b.count) for b in bars] == [(d.code, d.count) for d in report.defects]


def test_readings_per_characteristic_with_corrections(shop: QualityShop) -> None:
    events = shop.store.events()
    chars = {c.name: c for c in characteristics(shop.store, MONDAY, WED, FIRM, JST)}
    assert set(chars) == {"OD", "LEN"}
    length = chars["LEN"]
    assert (length.part_no, length.nominal, length.tol_minus, length.unit) == (
        "PIN-5",
        Decimal("5.010"),
        Decimal("0.015"),
        "mm",
    )
    raw = raw_readings(events, "LEN")
    assert [(r.lot_id, r.value, r.operator) for r in length.readings] == raw
    # The typed 5.900 is gone: the correction's value stands, the measurer stays Suzuki.
    assert [float(r.value) for r in length.readings] == pytest.approx(LEN)
    corrected = [r for r in length.readings if r.corrected]
    assert len(corrected) == 1 and corrected[0].operator == SUZUKI.operator
    assert length.failures == sum(
        1 for _, v, _ in raw if not Decimal("4.995") <= v <= Decimal("5.025")
    )
    assert chars["OD"].n == 40 and [len(g) for g in chars["OD"].subgroups()] == [5] * 8
    # A range that holds only Monday sees only Monday's four lots of OD.
    monday = characteristics(shop.store, MONDAY, MONDAY, FIRM, JST)
    assert [(c.name, c.n) for c in monday] == [("OD", 20)]


def test_charts_chosen_and_computed_from_the_readings(shop: QualityShop) -> None:
    chars = {c.name: c for c in characteristics(shop.store, MONDAY, WED, FIRM, JST)}
    od = chart_of(chars["OD"])
    assert od.chart is not None and od.chart.kind == spc.XBAR_R
    means = [sum(g) / 5 for g in OD]
    assert od.chart.points == pytest.approx(means)
    ranges = [max(g) - min(g) for g in OD]
    r_bar = sum(ranges) / 8
    assert od.chart.limits.upper == pytest.approx(sum(means) / 8 + 0.577 * r_bar)
    assert 7 in od.chart.flagged and 1 in od.chart.flags[7]  # the worn tool
    assert od.capability is not None  # 40 readings
    assert od.capability.cpk == pytest.approx(
        min(20.010 - sum(means) / 8, sum(means) / 8 - 19.990) / (3 * r_bar / 2.326)
    )

    ln = chart_of(chars["LEN"])
    assert ln.chart is not None and ln.chart.kind == spc.INDIVIDUALS
    mr_bar = sum(abs(a - b) for a, b in pairwise(LEN)) / (len(LEN) - 1)
    assert ln.chart.limits.upper == pytest.approx(sum(LEN) / len(LEN) + 3 * mr_bar / 1.128)
    assert ln.chart.flags[len(LEN) - 1] == (1,)
    assert ln.capability is not None and ln.capability.n == len(LEN)


def test_machine_range_equals_the_raw_signals_and_the_daily_report(shop: QualityShop) -> None:
    events = shop.store.events()
    lo, hi, machines = machine_range(shop.store, FIRM, MONDAY, WED, JST)
    raw = raw_machines(events, lo, hi)
    got = {m.total.machine: m.total.seconds for m in machines}
    assert got == raw
    for m in machines:
        # The spans tile the range from the first signal on, with no gap or overlap.
        known = [s for s in m.spans if s.state is not None]
        for a, b in pairwise(known):
            assert a.end == b.start
        on = sum(v for k, v in raw[m.total.machine].items() if k != "off")
        assert m.utilisation == pytest.approx(raw[m.total.machine].get("run", 0) / on)
    # A day of the range is the 日報's day: one computation.
    day = MONDAY + timedelta(days=1)
    _, _, one = machine_range(shop.store, FIRM, day, day, JST)
    report = daily_report(shop.store, day, FIRM, JST)
    assert {m.total.machine: m.total.seconds for m in one} == {
        m.machine: m.seconds for m in report.machines
    }


def test_one_reading_is_no_chart(shop: QualityShop) -> None:
    od = next(c for c in characteristics(shop.store, MONDAY, WED, FIRM, JST) if c.name == "OD")
    one = replace(od, readings=od.readings[:1])
    cc = chart_of(one)
    assert cc.chart is None and cc.capability is None and cc.point_readings == ()
    # Two lots of five: X̄-R with two points; fewer than 30 readings: no capability.
    ten = chart_of(replace(od, readings=od.readings[:10]))
    assert ten.chart is not None and ten.chart.kind == spc.XBAR_R and len(ten.chart.points) == 2
    assert ten.capability is None
