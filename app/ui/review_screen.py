"""The owner's review (社長の確認): a day or a week on pages: the day's summary, the
steps worked with their waits, late and at-risk jobs, what waits at the door, a lot's
history across its route, and the sign-off. Pages are added with ``add_page``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.store.code_names import code_name, own_names
from app.store.reports import DayReview, day_review
from app.store.review import PeriodReview, period_review
from app.ui.review_pages import DoorPage, LatePage, LotPage, SignOffPage, StepsPage
from app.ui.review_quality import DefectsPage, MachinesPage, MeasurementsPage
from app.ui.session import Session
from app.ui.text import (
    FAIL_ICON,
    characteristic_name,
    lang,
    process_name,
    status_name,
    tr,
)
from app.ui.widgets import BigButton, FreshWhenShown, mm, snug, touch_scroll


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(text))
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)  # read, not tapped
    t.setMinimumHeight(t.horizontalHeader().sizeHint().height() + mm(9) * min(len(rows), 4))
    touch_scroll(t)
    return t


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


class SummaryPage(QWidget):
    """The day's summary (社長の一日): figures and the day's lists, from ``day_review``."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.day = date.today()
        self.review: DayReview | None = None
        self.figures = QGridLayout()
        self.body = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self.figures)
        inner = QWidget()
        inner.setLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        touch_scroll(scroll)
        lay.addWidget(scroll, 1)
        # Which terminal this is, where the owner looks (not in the machinists' top bar).
        self.about = QLabel(
            f"{tr('Terminal')} {session.store.terminal_id}  ·  Nakama {__version__}"
        )
        self.about.setObjectName("aboutTerminal")
        self.about.setWordWrap(True)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.about)

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        self.day = first
        self.refresh()

    def refresh(self) -> None:
        r = self.review = day_review(self.session.store, self.day, self.session.firm)
        for layout in (self.figures, self.body):
            while layout.count():
                item = layout.takeAt(0)
                w = item.widget() if item is not None else None
                if w is not None:
                    w.hide()
                    w.deleteLater()
        figures = [
            (tr("Steps finished"), str(len(r.finished))),
            (tr("Good parts"), f"{r.good_today:,}"),
            (tr("Defective"), f"{r.defective_today:,}"),
            (tr("Working time"), _hours(r.working_hours_today * 3600)),
            (tr("Out of tolerance"), str(len(r.out_of_tolerance))),
            (tr("Late jobs"), str(len(r.late))),
        ]
        warn = {tr("Late jobs"): bool(r.late), tr("Out of tolerance"): bool(r.out_of_tolerance)}
        for col, (label, value) in enumerate(figures):
            v = QLabel(value)
            v.setObjectName("figure")
            v.setProperty("warn", warn.get(label, False))
            cap = QLabel(label)
            cap.setObjectName("figureCaption")
            self.figures.addWidget(v, 0, col)
            self.figures.addWidget(cap, 1, col)
        self._section(
            tr("Out of tolerance today"),
            [tr("Part"), tr("Job"), tr("Characteristic"), tr("Measured"), tr("Tolerance")],
            [
                [
                    f"{FAIL_ICON} {x['part_no']}",
                    x["job_id"],
                    characteristic_name(x["characteristic"]),
                    f"{x['value']} {x['unit']}" + ("" if x["gauge"] else f" ({tr('typed')})"),
                    f"{x['nominal']} −{x['tol_minus']} / +{x['tol_plus']}",
                ]
                for x in r.out_of_tolerance
            ],
            name="outOfTolerance",
        )
        self._section(
            tr("Finished today"),
            [tr("Part"), tr("Step"), tr("Good"), tr("Defect"), tr("Working time")],
            [
                [
                    x["part_no"],
                    f"{x['seq']} {process_name(x['process'])}",
                    str(x["good"]),
                    str(x["defect"] + x["scrap"]),
                    _hours(x["working_s"]),
                ]
                for x in r.finished
            ],
        )
        self._section(
            tr("In progress"),
            [tr("Part"), tr("Step"), tr("Status"), tr("Due")],
            [
                [
                    x["part_no"],
                    f"{x['seq']} {process_name(x['process'])}",
                    status_name(x["status"]),
                    x["due"],
                ]
                for x in r.in_progress
            ],
        )
        self._section(
            tr("Waiting"),
            [tr("Part"), tr("Lot"), tr("Status"), tr("Due")],
            [[x["part_no"], x["lot_id"], self._waiting_state(x), x["due"]] for x in r.waiting],
        )
        own = own_names(self.session.store, "defect", (x["code"] for x in r.defects))
        self._section(
            tr("Defects today"),
            [tr("Defect"), tr("Parts"), tr("Part")],
            [
                [code_name(x["code"], lang(), "defect", own), str(x["count"]), x["parts"]]
                for x in r.defects
            ],
        )
        self._section(
            tr("Late"),
            [tr("Part"), tr("Due"), tr("Qty")],
            [[x["part_no"], x["due"], f"{x['qty']:,}"] for x in r.late],
        )

    def _waiting_state(self, row: dict[str, Any]) -> str:
        if row["state"] == "in_transit":
            return tr("On the way")
        return tr("Received, not started")

    def _section(
        self, title: str, headers: list[str], rows: list[list[str]], name: str = ""
    ) -> None:
        if not rows:
            return
        label = QLabel(f"{title} ({len(rows)})")
        label.setObjectName("sectionTitle")
        self.body.addWidget(label)
        table = _table(headers, rows)
        if name:
            table.setObjectName(name)
        if name == "outOfTolerance":  # every figure whole, in red: nothing elided
            head = table.horizontalHeader()
            head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            head.setStretchLastSection(True)
            for r in range(table.rowCount()):
                for c in range(table.columnCount()):
                    item = table.item(r, c)
                    if item is not None:
                        item.setForeground(QColor("#b00020"))
        self.body.addWidget(table)


class ReviewPages(QTabWidget):
    """The review's tabs. Each page sits in a scroll area of its own, so a page taller
    than a small panel (a lot's history, the control charts) scrolls instead of making
    the window taller than the screen; the pages themselves are what callers name
    (``setCurrentWidget(screen.lot)``, ``widget(i)``, ``indexOf(page)``)."""

    def add(self, page: QWidget, title: str) -> None:
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QScrollArea.Shape.NoFrame)
        holder.setWidget(page)
        touch_scroll(holder)
        self.addTab(holder, title)

    def widget(self, index: int) -> QWidget | None:
        holder = super().widget(index)
        inner = holder.widget() if isinstance(holder, QScrollArea) else None
        return inner if inner is not None else holder

    def currentWidget(self) -> QWidget | None:  # type: ignore[override]
        return self.widget(self.currentIndex())

    def indexOf(self, page: QWidget) -> int:
        return next((i for i in range(self.count()) if self.widget(i) is page), -1)

    def setCurrentWidget(self, page: QWidget) -> None:
        self.setCurrentIndex(self.indexOf(page))


class ReviewPage(Protocol):
    """What a page of the review shows: the period's figures (a page may compute more
    of its own, e.g. the quality charts, from ``first`` and ``days``)."""

    def show_period(self, first: date, days: int, review: PeriodReview) -> None: ...


class ReviewScreen(FreshWhenShown, QWidget):
    """The owner's review: a day or a week, chosen with a big date stepper, shown on
    pages (tabs). More pages are added with ``add_page`` (the quality charts are)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.day = date.today()
        self.days = 1
        self.period: PeriodReview | None = None
        self.summary = SummaryPage(session)
        title = QLabel(tr("Review"))
        title.setObjectName("screenTitle")
        self.day_label = QLabel()
        self.day_label.setObjectName("screenTitle")
        self.day_button, self.week_button = BigButton(tr("Day")), BigButton(tr("Week"))
        self.day_button.setObjectName("periodDay")
        self.week_button.setObjectName("periodWeek")
        for b in (self.day_button, self.week_button):
            b.setCheckable(True)
            snug(b)
        self.day_button.setChecked(True)
        self.day_button.clicked.connect(lambda: self.set_days(1))
        self.week_button.clicked.connect(lambda: self.set_days(7))
        prev_day, next_day, today = BigButton("◀"), BigButton("▶"), BigButton(tr("Go to today"))
        prev_day.setObjectName("prevDay")
        next_day.setObjectName("nextDay")
        today.setObjectName("thisDay")
        for b in (prev_day, next_day, today):
            snug(b)
        prev_day.clicked.connect(lambda: self.show_day(self.day - timedelta(days=self.days)))
        next_day.clicked.connect(lambda: self.show_day(self.day + timedelta(days=self.days)))
        today.clicked.connect(lambda: self.show_day(date.today()))
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.day_button)
        top.addWidget(self.week_button)
        top.addSpacing(12)
        top.addWidget(prev_day)
        top.addWidget(self.day_label)
        top.addWidget(next_day)
        top.addWidget(today)
        self.pages = ReviewPages()
        self.pages.setObjectName("reviewPages")
        self.pages.setDocumentMode(True)
        # Nine pages: on a narrow panel the titles shorten rather than hide behind thin
        # scroll arrows.
        self.pages.setUsesScrollButtons(False)
        self.pages.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self._pages: list[ReviewPage] = []
        self.steps = StepsPage(session)
        self.late = LatePage(session)
        self.door = DoorPage(session)
        self.lot = LotPage(session)
        self.sign_off = SignOffPage(session)
        self.add_page(self.summary, tr("Summary"))
        self.add_page(self.steps, tr("Steps"))
        self.add_page(self.late, tr("Late / at risk"))
        self.add_page(self.door, tr("At the door"))
        self.add_page(self.lot, tr("Lot history"))
        self.add_page(self.sign_off, tr("Sign-off"))
        # 不良・測定・設備 (review_quality.py): charts over the same day or week.
        store, firm = session.store, session.firm
        self.defects = DefectsPage(store, firm, self.day, self.day)
        self.measurements = MeasurementsPage(store, firm, self.day, self.day)
        self.machines = MachinesPage(store, firm, self.day, self.day)
        self.add_page(self.defects, tr("Defects"))
        self.add_page(self.measurements, tr("Measurements"))
        self.add_page(self.machines, tr("Machines"))
        self.steps.lot_chosen.connect(self.open_lot)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.pages, 1)
        # Records made while the review is not on screen only mark it stale: a machinist's
        # tap never waits for a week's figures.
        self.follow(session.changed)
        self.refresh()

    @property
    def review(self) -> DayReview | None:
        """The day summary's figures (the summary page's)."""
        return self.summary.review

    def add_page(self, page: QWidget, title: str) -> None:
        """Add a page (a tab): it gets ``show_period`` whenever the period changes."""
        self.pages.add(page, title)
        self._pages.append(page)  # type: ignore[arg-type]
        if self.period is not None:
            page.show_period(self.day, self.days, self.period)  # type: ignore[attr-defined]

    def set_days(self, days: int) -> None:
        self.days = days
        self.day_button.setChecked(days == 1)
        self.week_button.setChecked(days == 7)
        if days == 7:
            self.day -= timedelta(days=self.day.weekday())  # weeks run Monday to Sunday
        self.refresh()

    def show_day(self, day: date) -> None:
        self.day = day - timedelta(days=day.weekday()) if self.days == 7 else day
        self.refresh()

    def open_lot(self, job_id: str, lot_id: str) -> None:
        self.lot.show_lot(job_id, lot_id)
        self.pages.setCurrentWidget(self.lot)

    def refresh(self) -> None:
        self.fresh()
        store = self.session.store
        self.period = period_review(store, self.day, self.days, self.session.firm)
        if self.days == 1:
            self.day_label.setText(self.day.isoformat())
        else:
            self.day_label.setText(f"{self.day:%m/%d} – {self.period.last:%m/%d}")
        # The summary is a day's (its lists say 今日/today): a week shows the other pages.
        summary = self.pages.indexOf(self.summary)
        self.pages.setTabEnabled(summary, self.days == 1)
        if self.days != 1 and self.pages.currentIndex() == summary:
            self.pages.setCurrentWidget(self.steps)
        for page in self._pages:
            page.show_period(self.day, self.days, self.period)
