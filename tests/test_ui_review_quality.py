"""The review's 不良・測定・設備 pages, driven with pytest-qt on a week of a shop
(tests/quality_shop.py): every figure shown equals the one computed here from the raw
events, and the points that fail a test appear on the chart with their numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from test_ui import _dialogs_never_block

from app.core.catalog import defects, processes
from app.store.quality import range_bounds
from tests.quality_shop import (
    BOSS,
    JST,
    LEN,
    MONDAY,
    QualityShop,
    build_week,
    raw_machines,
    raw_pareto,
    raw_readings,
)

__all__ = ["_dialogs_never_block"]  # an unscripted dialog fails instead of waiting

WED = MONDAY + timedelta(days=2)


class Review:
    """The app's review screen (``MainWindow.review``) opened by its owner on the quality
    shop's Wednesday: its pages, and the Day/Week switch as the owner taps it."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.screen = window.review
        self.defects = self.screen.defects
        self.measurements = self.screen.measurements
        self.machines = self.screen.machines
        self.day_button = self.screen.day_button
        self.week_button = self.screen.week_button

    def setCurrentWidget(self, page: Any) -> None:
        self.screen.pages.setCurrentWidget(page)

    def set_day(self, day: Any) -> None:
        self.screen.show_day(day)

    def set_week(self, week: bool) -> None:
        self.screen.set_days(7 if week else 1)


@pytest.fixture
def tabs(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Review]:
    from app.ui.app import make_application
    from app.ui.main_window import MainWindow
    from app.ui.session import Session

    # The shop's days are Tokyo's: the screen counts in the terminal's own time zone.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    make_application("ja")
    shop = QualityShop(tmp_path / "shop.db")
    build_week(shop)
    w = MainWindow(Session(shop.store))
    w.resize(1024, 768)
    qtbot.addWidget(w)
    w.show()
    assert BOSS.operator is not None and w.session.sign_in_id(BOSS.operator)
    qtbot.mouseClick(w.nav_review, Qt.MouseButton.LeftButton)  # the owner's: no PIN asked
    assert w.stack.currentWidget() is w.review
    w.review.show_day(WED)
    yield Review(w)
    shop.store.close()
    monkeypatch.undo()
    time.tzset()


def table(t: Any) -> list[list[str]]:
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def bounds(week: bool) -> tuple[datetime, datetime]:
    first, last = (MONDAY, MONDAY + timedelta(days=6)) if week else (WED, WED)
    lo, hi = range_bounds(first, last, JST)
    return datetime.fromisoformat(lo), datetime.fromisoformat(hi)


@pytest.mark.parametrize("week", [False, True])
def test_defect_pareto_shows_the_raw_counts(tabs: Review, qtbot: Any, week: bool) -> None:
    qtbot.mouseClick(tabs.week_button if week else tabs.day_button, Qt.MouseButton.LeftButton)
    tabs.setCurrentWidget(tabs.defects)
    page = tabs.defects
    events = page.store.events()
    names = {
        "code": lambda k: defects().get(k).ja,  # type: ignore[union-attr]
        "step": lambda k: processes().get(k).ja,  # type: ignore[union-attr]
        "part": lambda k: k,
    }
    for by in ("code", "step", "part"):
        qtbot.mouseClick(_button(page, by), Qt.MouseButton.LeftButton)
        expected = raw_pareto(events, *bounds(week), by)
        total = sum(n for _, n in expected)
        rows, running = [], 0
        for key, n in expected:
            running += n
            rows.append([names[by](key), f"{n:,}", f"{100 * running / total:.1f}%"])
        assert page.table is not None and table(page.table) == rows
        # The chart draws the same bars: one per row, heights the counts.
        bars = [i for i in page.chart.plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
        assert len(bars) == 1 and list(bars[0].opts["height"]) == [n for _, n in expected]
        shown = [(name, n, f"{pct:.1f}%") for name, n, pct in page.chart.shown]
        assert shown == [(r[0], n, r[2]) for r, (_, n) in zip(rows, expected, strict=True)]
        assert f"計 {total:,}個" in page.title.text()
        # A count axis in whole pieces.
        left = page.chart.plot.getPlotItem().getAxis("left")
        ticks = [v for _, vs in left.tickValues(0, total * 1.06, 400) for v in vs]
        assert ticks and all(float(v).is_integer() for v in ticks), ticks


def _button(page: Any, by: str) -> Any:
    return next(b for b in page.buttons.buttons() if b.objectName() == f"pareto_{by}")


def _scatter(plot: pg.PlotWidget, symbol: str) -> list[tuple[float, float]]:
    """The points a plot draws with ``symbol`` (a flagged point is a diamond, "d")."""
    out = []
    for item in plot.getPlotItem().items:
        if isinstance(item, pg.ScatterPlotItem) and item.opts["symbol"] == symbol:
            xs, ys = item.getData()
            out += [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
    return out


def test_control_chart_shows_the_raw_readings_and_flags(tabs: Review, qtbot: Any) -> None:
    qtbot.mouseClick(tabs.week_button, Qt.MouseButton.LeftButton)
    tabs.setCurrentWidget(tabs.measurements)
    page = tabs.measurements
    row = next(i for i, c in enumerate(page.items) if c.name == "LEN")
    page.picker.setCurrentRow(row)
    assert "PIN-5" in page.title.text() and "I-MR" in page.title.text()
    raw = [float(v) for _, v, _ in raw_readings(page.store.events(), "LEN")]
    assert raw == pytest.approx(LEN)
    # The line through the readings is the readings, corrected value included.
    lines = [i for i in page.chart.location.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    assert list(lines[0].getData()[1]) == pytest.approx(raw)
    # Limits by hand from the raw values: x̄ ± 3·MR̄/1.128.
    mean = sum(raw) / len(raw)
    mr = sum(abs(a - b) for a, b in pairwise(raw)) / (len(raw) - 1)
    ucl, lcl = mean + 3 * mr / 1.128, mean - 3 * mr / 1.128
    infinite = [
        i.value() for i in page.chart.location.getPlotItem().items if isinstance(i, pg.InfiniteLine)
    ]
    assert sorted(infinite) == pytest.approx(sorted([mean, ucl, lcl, 5.025, 4.995]))
    names = [e[1] for e in page.chart.location_names.entries]
    assert f"上方管理限界 {ucl:.4f}" in names and "規格上限 5.025" in names
    # The one reading beyond the limits: a red diamond at its place, labelled "1".
    beyond = [(i + 1, v) for i, v in enumerate(raw) if not lcl <= v <= ucl]
    assert beyond == [(len(raw), 5.030)]
    assert [(x, round(y, 6)) for x, y in _scatter(page.chart.location, "d")] == beyond
    assert page.chart.flag_labels == {len(raw) - 1: "1"}
    texts = [
        i.toPlainText()
        for i in page.chart.location.getPlotItem().items
        if isinstance(i, pg.TextItem)
    ]
    assert texts == ["1"]
    assert "1: 管理限界の外 (No. 34)" in page.signals.text()
    assert page.signals.text().startswith("1点に異常の兆候")
    # Cp/Cpk from σ = MR̄/1.128 (34 readings ≥ 30), with Bissell's bound.
    sigma = mr / 1.128
    cp = (5.025 - 4.995) / (6 * sigma)
    cpk = min(5.025 - mean, mean - 4.995) / (3 * sigma)
    bound = cpk - 1.6448536 * (1 / (9 * 34) + cpk**2 / (2 * 33)) ** 0.5
    text = page.capability.text()
    assert f"Cp {cp:.2f}" in text and f"Cpk {cpk:.2f}" in text and f"{bound:.2f}" in text


def test_xbar_r_and_too_few_for_capability(tabs: Review, qtbot: Any) -> None:
    tabs.set_day(MONDAY)  # Monday: four lots of OD, five readings each
    tabs.setCurrentWidget(tabs.measurements)
    page = tabs.measurements
    assert [(c.name, c.n) for c in page.items] == [("OD", 20)]
    page.picker.setCurrentRow(0)
    assert "X̄-R (n=5)" in page.title.text()
    assert page.capability.text() == "Cp/Cpk は30件以上で表示 (現在20件)"
    groups: dict[str, list[Decimal]] = {}
    for lot, v, _ in raw_readings(page.store.events(), "OD"):
        groups.setdefault(lot, []).append(v)
    means = [float(sum(g) / len(g)) for g in groups.values()]
    lines = [i for i in page.chart.location.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    assert list(lines[0].getData()[1]) == pytest.approx(means[:4])  # Monday's four lots
    # The whole week: 40 readings, capability shown, the worn tool's lot flagged (test 1)
    # and drawn as a diamond at its mean.
    tabs.set_week(True)
    page.picker.setCurrentRow(next(i for i, c in enumerate(page.items) if c.name == "OD"))
    assert page.capability.text().startswith("Cp ")
    assert "1" in page.chart.flag_labels[7].split(",")
    diamonds = dict(_scatter(page.chart.location, "d"))
    assert diamonds[8.0] == pytest.approx(means[7])


def test_machine_page_shows_the_raw_signal_times(tabs: Review, qtbot: Any) -> None:
    qtbot.mouseClick(tabs.week_button, Qt.MouseButton.LeftButton)
    tabs.setCurrentWidget(tabs.machines)
    page = tabs.machines
    lo, hi = bounds(True)
    # The week is counted up to now (the store's clock: Thursday morning).
    now = datetime.fromisoformat(page.store.now())
    raw = raw_machines(page.store.events(), lo, min(hi, now))

    def hm(s: float) -> str:
        m = round(s / 60)
        return f"{m // 60}:{m % 60:02d}"

    rows = []
    for m in sorted(raw):
        st = raw[m]
        on = st.get("run", 0) + st.get("stop", 0) + st.get("alarm", 0)
        util = f"{100 * st.get('run', 0) / on:.0f}%"
        rows.append([m, *(hm(st.get(k, 0)) for k in ("run", "stop", "alarm", "off")), util])
    assert page.table is not None and table(page.table) == rows
    assert page.timeline.rows == [f"{r[0]}  {r[-1]}" for r in rows]
    # The bands cover the time counted, and before a machine's first signal (none before
    # the week) the time it has no state for.
    bars = [i for i in page.timeline.plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    drawn = sum(sum(b.opts["width"]) for b in bars)
    signals = [e for e in page.store.events() if e.type == "MachineStateChanged"]
    unknown = 0.0
    for m in raw:
        times = sorted(
            datetime.fromisoformat(e.occurred_at) for e in signals if e.payload["machine"] == m
        )
        if times[0] >= lo:
            unknown += (times[0] - lo).total_seconds()
    assert unknown == 8.5 * 3600  # GR-2 first signalled at 8:30 on Monday
    counted = sum(sum(st.values()) for st in raw.values())
    assert drawn == pytest.approx((counted + unknown) / 3600)


def test_the_review_screen_has_the_pages(window: Any, qtbot: Any) -> None:
    from app import demo
    from app.core import commands as C
    from app.core import lots

    store = window.session.store
    sato = C.Actor("F001", demo.DEMO_OPERATORS[1][0])
    job_id = next(r["job_id"] for r in store.jobs() if r["part_no"] == "SHAFT-2041")
    lot = lots.first_lot(job_id)
    for code, n in (("BURR", 3), ("SCRATCH", 1)):
        assert store.record(C.record_defect(store.job(job_id), sato, lot, 10, code, n)).ok
    assert window.session.sign_in_id(demo.DEMO_OPERATORS[0][0])  # the review is the owner's
    qtbot.mouseClick(window.nav_review, Qt.MouseButton.LeftButton)
    review = window.review
    tabs = review.pages
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[0] == "概要" and titles[-3:] == ["不良", "測定", "設備"]
    tabs.setCurrentWidget(review.defects)
    # The demo's defects of today, by code, as the day's summary counts them.
    page = review.defects
    assert page.isVisible() and page.table is not None
    summary = {defects().get(d["code"]).ja: d["count"] for d in window.review.review.defects}  # type: ignore[union-attr]
    assert summary and {r[0]: int(r[1]) for r in table(page.table)} == summary
    # The review's day moves the pages with it.
    qtbot.mouseClick(window.review.findChild(QPushButton, "prevDay"), Qt.MouseButton.LeftButton)
    assert (page.first, page.last) == (window.review.day, window.review.day)
