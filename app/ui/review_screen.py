"""The owner's day (社長の一日): what moved, how long it took, what went wrong, what waits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.store.reports import DayReview, day_review
from app.ui.session import Session
from app.ui.text import (
    FAIL_ICON,
    characteristic_name,
    defect_name,
    process_name,
    status_name,
    tr,
)
from app.ui.widgets import BigButton, mm, snug, touch_scroll


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


class ReviewScreen(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.day = date.today()
        self.review: DayReview | None = None
        title = QLabel(tr("Today's summary"))
        title.setObjectName("screenTitle")
        self.day_label = QLabel()
        self.day_label.setObjectName("screenTitle")
        prev_day, next_day = BigButton("◀"), BigButton("▶")
        prev_day.setObjectName("prevDay")
        next_day.setObjectName("nextDay")
        snug(prev_day)
        snug(next_day)
        prev_day.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        next_day.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(prev_day)
        top.addWidget(self.day_label)
        top.addWidget(next_day)
        self.figures = QGridLayout()
        self.body = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
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
        session.changed.connect(self.refresh)
        self.refresh()

    def show_day(self, day: date) -> None:
        self.day = day
        self.refresh()

    def refresh(self) -> None:
        r = self.review = day_review(self.session.store, self.day, self.session.firm)
        self.day_label.setText(self.day.isoformat())
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
        self._section(
            tr("Defects today"),
            [tr("Defect"), tr("Parts"), tr("Part")],
            [[defect_name(x["code"]), str(x["count"]), x["parts"]] for x in r.defects],
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
