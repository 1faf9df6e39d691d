"""The review's pages over a day or a week (``app/store/review.py`` computes every
figure; these only show them): the steps worked, late and at risk, at the door, a lot's
history across its route, and the sign-off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import commands
from app.store.approvals import ApprovalStatus, day_approval, day_records, lot_approval, lot_records
from app.store.inspection import NoSuchLot
from app.store.review import PeriodReview, lot_history
from app.ui.approval_text import approval_lines
from app.ui.session import Session
from app.ui.text import lang, process_name, reason_text, status_name, tr
from app.ui.widgets import BigButton, say, tap_rows, touch, touch_scroll

RED = QColor("#b00020")
AMBER = QColor("#8a5a00")


def hours(seconds: float | None) -> str:
    """h:mm, or — when there is no time yet."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def span(seconds: float | None) -> str:
    """A wait as a person says it: 3:20 under a day, 2日 5時間 / 2 d 5 h above."""
    if seconds is None:
        return "—"
    if seconds < 86400:
        return hours(seconds)
    d, h = int(seconds // 86400), round((seconds % 86400) / 3600)
    return tr("{d} d {h} h").format(d=d, h=h)


def local(iso: str | None) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone().strftime("%m/%d %H:%M")


def table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setWordWrap(False)
    head = t.horizontalHeader()
    head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    head.setStretchLastSection(True)
    head.setMinimumSectionSize(36)
    head.setSortIndicatorShown(False)
    # Body text like every screen's (3.5 mm): a wide table scrolls sideways by swiping
    # rather than shrink its type. Rows are not selectable unless tapped (``tap_rows``).
    t.setStyleSheet(
        "QHeaderView::section { padding: 4px 2px; } QTableView::item { padding: 0 2px; }"
    )
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    touch_scroll(t)
    return t


def fill(t: QTableWidget, rows: list[list[str]], colors: list[QColor | None] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if colors and colors[r] is not None:
                item.setForeground(colors[r])  # type: ignore[arg-type]
            t.setItem(r, c, item)


def _join(names: Any) -> str:
    return ("、" if lang() == "ja" else ", ").join(names)


def title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


class StepsPage(QWidget):
    """Every step of this shop worked in the period, with its waits; tap a row for the
    lot's history."""

    lot_chosen = Signal(str, str)  # job, lot

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.review: PeriodReview | None = None
        self.totals = QLabel()
        self.totals.setObjectName("reviewTotals")
        self.table = table(
            "reviewSteps",
            [
                tr("Part / job"),
                tr("Step"),
                tr("Operators"),
                tr("Worked"),
                tr("Paused"),
                tr("Wait in"),
                tr("Wait out"),
                tr("Rcvd"),
                tr("Good"),
                tr("Def."),
                tr("Status"),
            ],
        )
        self.table.cellClicked.connect(self._open)
        tap_rows(self.table)  # a row opens its lot's history
        # Part over job number, two lines a row: the row grows to hold them.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay = QVBoxLayout(self)
        lay.addWidget(self.totals)
        lay.addWidget(self.table, 1)
        hint = QLabel(tr("Tap a row to see the lot's history across every firm."))
        hint.setObjectName("hint")
        lay.addWidget(hint)

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        self.review = review
        names = self.session.operator_name
        self.totals.setText(
            tr(
                "{jobs} jobs moved · {steps} steps · worked {worked} · "
                "good {good} · defective {bad}"
            ).format(
                jobs=len(review.jobs_moved),
                steps=len(review.steps),
                worked=hours(review.worked_s),
                good=f"{review.total('good'):,}",
                bad=f"{review.total('defect') + review.total('scrap'):,}",
            )
        )
        fill(
            self.table,
            [
                [
                    f"{s.part_no}\n{s.job_id}",
                    f"{s.seq} {process_name(s.process)}",
                    _join(names(o) for o in s.operators),
                    hours(s.worked_s),
                    hours(s.paused_s) if s.paused_s else "",
                    span(s.times.wait_before_s),
                    span(s.times.wait_after_s),
                    str(s.received) if s.received else "",
                    str(s.good) if s.finished else "",
                    str(s.defect + s.scrap) if s.finished else "",
                    status_name(s.status),
                ]
                for s in review.steps
            ],
        )  # fmt: skip

    def _open(self, row: int, _col: int) -> None:
        if self.review is not None and 0 <= row < len(self.review.steps):
            s = self.review.steps[row]
            self.lot_chosen.emit(s.job_id, s.lot_id)


class LatePage(QWidget):
    """Late jobs (past due, not done) and jobs at risk (the steps left need more days
    than are left), with where the remaining steps are."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        headers = [
            tr("Job"),
            tr("Part"),
            tr("Due"),
            tr("Days left"),
            tr("Days needed"),
            tr("Steps to do"),
        ]
        self.late = table("reviewLate", headers)
        self.at_risk = table("reviewAtRisk", headers)
        self.late_title, self.risk_title = title(""), title("")
        self.rule = QLabel()
        self.rule.setObjectName("hint")
        self.rule.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.late_title)
        lay.addWidget(self.late, 1)
        lay.addWidget(self.risk_title)
        lay.addWidget(self.at_risk, 1)
        lay.addWidget(self.rule)

    def _rows(self, risks: list[Any]) -> list[list[str]]:
        return [
            [
                r.job_id,
                r.part_no,
                r.due,
                str(r.days_left),
                f"{r.needed_days:.1f}",
                " → ".join(f"{op} {process_name(p)} {f}" for op, p, f in r.remaining),
            ]
            for r in risks
        ]  # fmt: skip

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        self.late_title.setText(tr("Late (now): {n}").format(n=len(review.late)))
        self.risk_title.setText(tr("At risk (now): {n}").format(n=len(review.at_risk)))
        fill(self.late, self._rows(review.late), [RED] * len(review.late))
        fill(self.at_risk, self._rows(review.at_risk), [AMBER] * len(review.at_risk))
        self.late.setVisible(bool(review.late))  # an empty table says nothing its title does not
        self.at_risk.setVisible(bool(review.at_risk))
        typical = review.typical_step_days.get("*", 0.0)
        self.rule.setText(
            tr(
                "Late: past its due date and not done. At risk: the steps still to do, at every "
                "firm, times the days a step typically takes (median of the last 120 days, "
                "now {d:.1f} days) come to more than the days left."
            ).format(d=typical)
        )


class DoorPage(QWidget):
    """Lots handed to this shop and not received yet; lots received and not started."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.table = table(
            "reviewDoor",
            [
                tr("Part"), tr("Lot"), tr("Step"), tr("Status"),
                tr("Qty"), tr("Since"), tr("From"), tr("Due"),
            ],
        )  # fmt: skip
        self.heading = title("")
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.table, 1)

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        self.heading.setText(tr("At the door (now): {n}").format(n=len(review.door)))
        job_steps = {}
        for d in review.door:
            if d.seq is not None:
                job_steps[(d.job_id, d.seq)] = d.seq
        fill(
            self.table,
            [
                [
                    d.part_no,
                    d.lot_id,
                    str(d.seq) if d.seq is not None else "",
                    tr("On the way") if d.state == "in_transit" else tr("Received, not started"),
                    str(d.count),
                    local(d.since),
                    self.session.firm_label(d.from_firm) if d.from_firm else "",
                    d.due,
                ]
                for d in review.door
            ],
        )


class LotPage(QWidget):
    """A lot's history across every firm of its route: how long each firm held it, and
    every record (who did what, when); the lot's inspection results can be approved."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.job_id = self.lot_id = ""
        self.choice = QComboBox()
        self.choice.setObjectName("lotChoice")
        self.choice.setMinimumHeight(touch())
        self.choice.activated.connect(self._chosen)
        self.heading = title("")
        self.holds = table(
            "lotHolds", [tr("Firm"), tr("Steps"), tr("Received"), tr("Left"), tr("Held")]
        )
        self.entries = table(
            "lotEntries", [tr("When"), tr("Firm"), tr("Who"), tr("Step"), tr("What")]
        )
        # Two tables on one page: each may shrink to a few rows (both scroll by swiping).
        for t in (self.holds, self.entries):
            t.setMinimumHeight(2 * touch())
        self.approval = QLabel()
        self.approval.setObjectName("lotApproval")
        self.approve = BigButton(tr("Approve this lot's inspection results"))
        self.approve.setObjectName("approveLot")
        self.approve.clicked.connect(self._approve)
        self.message = QLabel()
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Lot")))
        top.addWidget(self.choice, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.approval, 1)
        bottom.addWidget(self.approve)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.heading)
        lay.addWidget(self.holds)
        lay.addWidget(self.entries, 1)

        lay.addLayout(bottom)
        lay.addWidget(self.message)

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        lots = list(dict.fromkeys((s.job_id, s.lot_id) for s in review.steps))
        self.choice.clear()
        for job_id, lot_id in lots:
            self.choice.addItem(lot_id, (job_id, lot_id))
        if (self.job_id, self.lot_id) not in lots and lots:
            self.show_lot(*lots[0])
        elif self.lot_id:
            self.show_lot(self.job_id, self.lot_id)
        else:
            self._clear()

    def _chosen(self, index: int) -> None:
        data = self.choice.itemData(index)
        if data:
            self.show_lot(*data)

    def _clear(self) -> None:
        self.heading.setText(tr("No lot worked in this period."))
        fill(self.holds, [])
        fill(self.entries, [])
        self.approval.setText("")
        self.approve.setEnabled(False)

    def show_lot(self, job_id: str, lot_id: str) -> None:
        self.job_id, self.lot_id = job_id, lot_id
        i = self.choice.findText(lot_id)
        if i < 0:
            self.choice.addItem(lot_id, (job_id, lot_id))
            i = self.choice.count() - 1
        self.choice.setCurrentIndex(i)
        try:
            h = lot_history(self.session.store, job_id, lot_id)
        except NoSuchLot:
            self._clear()
            return
        self.heading.setText(f"{h.part_no}  {h.job_id}  {h.lot_id}")
        fill(
            self.holds,
            [
                [
                    self.session.firm_label(x.firm),
                    " → ".join(f"{op} {process_name(p)}" for op, p in x.steps),
                    local(x.received_at),
                    local(x.left_at),
                    span(x.held_s),
                ]
                for x in h.holds
            ],
        )
        fill(
            self.entries,
            [
                [
                    local(e.at),
                    self.session.firm_label(e.firm),
                    e.operator,
                    str(e.op) if e.op is not None else "",
                    _what(e.type, e.summary) + (f"  ({tr('corrected')})" if e.corrected else ""),
                ]
                for e in h.entries
            ],
        )
        # Every firm of the route in view without scrolling; the records take the rest.
        rows = sum(self.holds.rowHeight(r) for r in range(self.holds.rowCount()))
        self.holds.setFixedHeight(self.holds.horizontalHeader().sizeHint().height() + rows + 4)
        self._show_approval(lot_approval(self.session.store, job_id, lot_id))

    def _show_approval(self, status: ApprovalStatus | None) -> None:
        lines = approval_lines(status, lang())
        self.approval.setText("  ".join(lines))
        self.approval.setProperty("warn", bool(status is not None and not status.clean))
        self.approval.setStyleSheet(
            "color: #b00020; font-weight: bold;" if status and not status.clean else ""
        )
        self.approve.setEnabled(True)

    def _approve(self) -> None:
        store = self.session.store
        try:
            records = lot_records(store, self.job_id, self.lot_id)
        except NoSuchLot as exc:
            say(self.message, "error", reason_text(exc.code))
            return
        cmd = commands.approve(
            store.job(self.job_id), self.session.actor, records, lot_id=self.lot_id
        )
        res = self.session.record(cmd)
        if res.ok:
            say(self.message, "info", tr("Approved."))
        else:
            say(self.message, "error", reason_text(res.reason or ""))
        self._show_approval(lot_approval(store, self.job_id, self.lot_id))


def _what(type_: str, summary: dict[str, Any]) -> str:
    names = {
        "LotReceived": tr("Received"),
        "OpStarted": tr("Started"),
        "OpPaused": tr("Paused"),
        "OpResumed": tr("Resumed"),
        "OpFinished": tr("Finished"),
        "DefectRecorded": tr("Defect"),
        "MeasurementTaken": tr("Measured"),
        "LotHandedOff": tr("Handed off"),
        "LotSplit": tr("Split"),
        "RecordsApproved": tr("Approved"),
    }
    name = names.get(type_, type_)
    if type_ in ("LotReceived", "LotHandedOff", "LotSplit"):
        return f"{name} {summary.get('count', '')}"
    if type_ == "OpFinished":
        bad = summary["defect"] + summary["scrap"]
        return f"{name} {tr('Good')} {summary['good']} / {tr('Defective')} {bad}"
    if type_ == "MeasurementTaken":
        return f"{name} {summary['characteristic']} {summary['value']} {summary.get('unit', '')}"
    if type_ == "DefectRecorded":
        from app.ui.text import defect_name

        # A firm's own code carries its names in the event (other firms' too).
        return f"{name} {defect_name(str(summary['code']), summary)} {summary['count']}"
    if type_ == "OpPaused":
        from app.ui.text import pause_name

        return f"{name} ({pause_name(str(summary['reason']), summary)})"
    if type_ == "RecordsApproved":
        return f"{name} ({len(summary.get('records', []))})"
    return name


class SignOffPage(QWidget):
    """The day's sign-off: who approved this firm's records of the day and when, what was
    corrected or recorded after, and the button to approve (owner or inspector)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.day = date.today()
        self.heading = title("")
        self.status = QLabel()
        self.status.setObjectName("dayApproval")
        self.status.setWordWrap(True)
        self.count = QLabel()
        self.approve = BigButton(tr("Approve this day's records"))
        self.approve.setObjectName("approveDay")
        self.approve.clicked.connect(self._approve)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.count)
        lay.addWidget(self.status)
        lay.addWidget(self.approve)
        lay.addWidget(self.message)
        lay.addStretch(1)

    def show_period(self, first: date, days: int, review: PeriodReview) -> None:
        # A week is approved day by day: the page shows the week's last day.
        self.day = first if days == 1 else review.last
        self.refresh()

    def refresh(self) -> None:
        store = self.session.store
        records = day_records(store, self.day)
        status = day_approval(store, self.day)
        self.heading.setText(tr("Sign-off of {day}").format(day=self.day.isoformat()))
        self.count.setText(tr("{n} records of this shop on this day").format(n=len(records)))
        self.status.setText("\n".join(approval_lines(status, lang())))
        bad = status is not None and not status.clean
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if bad else "")
        self.approve.setEnabled(bool(records))

    def _approve(self) -> None:
        store = self.session.store
        records = day_records(store, self.day)
        res = self.session.record(
            commands.approve(None, self.session.actor, records, day=self.day.isoformat())
        )
        if res.ok:
            say(self.message, "info", tr("Approved."))
        else:
            say(self.message, "error", reason_text(res.reason or ""))
        self.refresh()
