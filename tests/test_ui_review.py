"""The owner's review screen driven by taps on a generated month of the shop: the figures
shown equal those computed from the raw events (``tests/raw_review.py``); the day's and a
lot's sign-off: a machinist cannot approve, the owner can, a correction after it shows on
the screen and on the printed 日報."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QTableWidget

from app.core import commands as C
from app.store import Store
from app.store.approvals import day_approval
from app.store.daily import daily_report
from bench.yeargen import OPERATORS, SHOP, YearSpec, generate
from tests import raw_review as raw

MONTH = YearSpec(start=date(2025, 12, 1), days=24, jobs_per_day=7.0, seed=5)
NOW = datetime(2025, 12, 24, 3, 0, tzinfo=UTC)
LOCAL = datetime.now().astimezone().tzinfo  # the screen's days are the terminal's
DAY = date(2025, 12, 17)


@pytest.fixture(scope="module")
def month_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui-month") / "month.db"
    generate(path, MONTH).close()
    return path


@pytest.fixture
def screen(qtbot: Any, tmp_path: Path, month_db: Path) -> Iterator[Any]:
    from app.ui.app import make_application
    from app.ui.review_screen import ReviewScreen
    from app.ui.session import Session

    make_application("ja")
    shutil.copy(month_db, tmp_path / "shop.db")
    store = Store.open(tmp_path / "shop.db", now=lambda: NOW.isoformat(timespec="milliseconds"))
    session = Session(store)
    session.sign_in(store.operators()[OPERATORS[0][0]])  # the owner
    w = ReviewScreen(session)
    w.resize(1280, 800)
    qtbot.addWidget(w)
    w.show()
    w.show_day(DAY)
    yield w
    store.close()


def _cells(t: QTableWidget, col: int) -> list[str]:
    return [t.item(r, col).text() for r in range(t.rowCount())]  # type: ignore[union-attr]


def _hm(seconds: float) -> str:
    m = round(seconds / 60)
    return f"{m // 60}:{m % 60:02d}"


def _tap(qtbot: Any, w: Any, name: str) -> None:
    (button,) = [b for b in w.findChildren(QPushButton, name) if b.isVisible()]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_steps_page_shows_the_raw_figures_day_and_week(screen: Any, qtbot: Any) -> None:
    evs = raw.load(str(screen.session.store.path))
    now = NOW
    screen.pages.setCurrentWidget(screen.steps)
    for day in (DAY, DAY + timedelta(days=1)):
        want = raw.day_steps(evs, SHOP, day, LOCAL, now)
        assert len(want) > 3
        table = screen.steps.table
        assert table.rowCount() == len(want)
        shown = sorted(zip(_cells(table, 0), _cells(table, 1), _cells(table, 3), strict=True))
        parts = {e.job: e.p["part_no"] for e in evs if e.type == "JobCreated"}
        expected = sorted(
            (
                f"{parts[job]}\n{job}",
                f"{op} 旋盤" if op == 10 else f"{op} マシニング",
                _hm(s.worked),
            )
            for (job, _lot, op), s in want.items()
        )
        assert shown == expected
        total = sum(s.worked for s in want.values())
        assert f"作業 {_hm(total)}" in screen.steps.totals.text()
        _tap(qtbot, screen, "nextDay")
    _tap(qtbot, screen, "periodWeek")
    monday = DAY - timedelta(days=DAY.weekday())
    assert screen.day == monday and screen.days == 7
    keys: set[tuple[str, str, int]] = set()
    for i in range(7):
        keys |= set(raw.day_steps(evs, SHOP, monday + timedelta(days=i), LOCAL, now))
    assert screen.steps.table.rowCount() == len(keys)


def test_late_at_risk_and_the_door_are_the_raw_rule(screen: Any) -> None:
    evs = raw.load(str(screen.session.store.path))
    today = NOW.astimezone(LOCAL).date()
    late, at_risk, _ = raw.risks(evs, SHOP, today)
    assert set(_cells(screen.late.late, 0)) == late
    assert set(_cells(screen.late.at_risk, 0)) == at_risk
    assert at_risk, "the month leaves jobs at risk"
    waiting = raw.waiting_here(evs, SHOP)
    assert sorted(_cells(screen.door.table, 1)) == sorted(lot for lot, _ in waiting)


def test_tapping_a_step_opens_the_lots_history(screen: Any, qtbot: Any) -> None:
    screen.pages.setCurrentWidget(screen.steps)
    table = screen.steps.table
    rect = table.visualItemRect(table.item(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert screen.pages.currentWidget() is screen.lot
    step = screen.steps.review.steps[0]
    assert screen.lot.lot_id == step.lot_id
    evs = raw.load(str(screen.session.store.path))
    firms = list(dict.fromkeys(e.firm for e in evs if e.lot == step.lot_id and e.op is not None))
    assert [screen.lot.holds.item(r, 0).text() for r in range(screen.lot.holds.rowCount())] == [
        screen.session.firm_label(f) for f in firms
    ]
    mine = [e for e in evs if e.lot == step.lot_id and e.op is not None]
    assert screen.lot.entries.rowCount() == len(mine)


def test_sign_off_a_day_machinist_refused_owner_approves_correction_shows(
    screen: Any, qtbot: Any, tmp_path: Path
) -> None:
    store, session = screen.session.store, screen.session
    day = DAY + timedelta(days=2)
    screen.show_day(day)
    screen.pages.setCurrentWidget(screen.sign_off)
    before = store.count_events()
    # A machinist signed in: refused, with the reason, nothing recorded.
    session.sign_in(store.operators()[OPERATORS[2][0]])
    _tap(qtbot, screen, "approveDay")
    assert store.count_events() == before
    assert "社長か検査員" in screen.sign_off.message.text()
    # The owner approves; the page says who.
    session.sign_in(store.operators()[OPERATORS[0][0]])
    _tap(qtbot, screen, "approveDay")
    assert store.count_events() == before + 1
    assert "承認 山田 太郎" in screen.sign_off.status.text()
    assert "訂正" not in screen.sign_off.status.text()
    # A finish of that day corrected afterwards (by the core command, as the record list
    # does): the approval shows it, on the page and on the printed 日報.
    lo, hi = raw.bounds(day, LOCAL)
    fin = next(
        e for e in raw.load(str(store.path))
        if e.type == "MeasurementTaken" and e.firm == SHOP and lo <= e.at < hi
    )  # fmt: skip
    assert fin.job is not None
    owner = C.Actor(SHOP, OPERATORS[0][0], C.OWNER)
    cmd = C.correct(
        store.job(fin.job), owner, store.job_events(fin.job), fin.id, {"value": "20.001"}
    )
    assert session.record(cmd).ok
    assert "承認後に訂正あり (1件)" in screen.sign_off.status.text()
    status = day_approval(store, day)
    assert status is not None and status.corrected_after == (fin.id,)
    if shutil.which("pdftotext"):
        from app.ui import daily_report_print

        pdf = tmp_path / "daily.pdf"
        daily_report_print.write_pdf(daily_report(store, day), pdf)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "承認 山田 太郎" in text and "承認後に訂正あり (1件)" in text


def test_sign_off_a_lot_by_the_inspector(screen: Any, qtbot: Any) -> None:
    store, session = screen.session.store, screen.session
    screen.pages.setCurrentWidget(screen.lot)
    job, lot = screen.lot.job_id, screen.lot.lot_id
    assert lot and screen.lot.approval.text() == "未承認"
    session.sign_in(store.operators()[OPERATORS[3][0]])  # a machinist
    _tap(qtbot, screen, "approveLot")
    assert screen.lot.approval.text() == "未承認"
    session.sign_in(store.operators()[OPERATORS[1][0]])  # the inspector
    _tap(qtbot, screen, "approveLot")
    assert screen.lot.approval.text().startswith("承認 佐藤 花子")
    assert store.job(job) is not None
