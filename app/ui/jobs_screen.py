"""The home screen: every job this terminal knows, what state it is in, what is ours next."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import commands
from app.core.state import JobState
from app.ui.camera_view import CameraView
from app.ui.job_screen import ordered
from app.ui.session import Session
from app.ui.text import action_name, process_name, status_name, tr
from app.ui.widgets import BigButton, FreshWhenShown, say, snug, tap_rows

Index = QModelIndex | QPersistentModelIndex


class JobsModel(QAbstractTableModel):
    def __init__(self, session: Session, devices: Any = None) -> None:
        super().__init__()
        self.session = session
        self.rows: list[dict[str, Any]] = []
        self.headers = [tr("Part"), tr("Qty"), tr("Due"), tr("Where"), tr("Your next step")]

    def reload(self) -> None:
        self.beginResetModel()
        store = self.session.store
        rows = []
        for j in store.jobs():
            job = store.job(j["job_id"])
            steps = commands.possible(job, self.session.actor) if job else []
            nxt = ""
            if steps:
                step = steps[0]
                doing = (
                    status_name(step.status)
                    if step.status in ("running", "paused")
                    else action_name(ordered(step.actions)[0])
                )
                nxt = f"{step.op.seq} {process_name(step.op.process)}: {doing}"
            rows.append({**j, "next": nxt, "where": self._where(job) if job else ""})
        # Jobs with something for us first, then by due date.
        rows.sort(key=lambda r: (r["next"] == "", r["due"] or "", r["part_no"] or ""))
        self.rows = rows
        self.endResetModel()

    def _where(self, job: JobState) -> str:
        """Where the job's lots are: at a firm, or on the way to one."""
        if job.status == "done":
            return status_name("done")
        places = []
        for lot in job.lots.values():
            if lot.in_transit_to:
                places.append(
                    tr("On the way to {0}").format(self.session.firm_label(lot.in_transit_to))
                )
            elif lot.holder:
                places.append(self.session.firm_label(lot.holder))
        return " / ".join(dict.fromkeys(places)) or status_name("open")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                f"{r['part_no']}\n{r['drawing_no']}" if r["drawing_no"] else r["part_no"],
                f"{r['qty']:,}",
                r["due"],
                r["where"],
                r["next"] or "—",
            ][col]
        late = r["status"] != "done" and bool(r["due"]) and r["due"] < date.today().isoformat()
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and late:
            return QBrush(QColor("#b00020"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r["job_id"]
        return None


class JobsScreen(FreshWhenShown, QWidget):
    job_chosen = Signal(str)
    new_job = Signal()
    settings_wanted = Signal()

    def __init__(self, session: Session, devices: Any = None) -> None:
        super().__init__()
        self.session = session
        self.model = JobsModel(session)
        self.table = QTableView()
        self.table.setObjectName("jobsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the scan target
        tap_rows(self.table)
        # Two lines fit a row (the part, its drawing); a longer text makes its row taller.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(
            lambda idx: self.job_chosen.emit(self.model.data(idx, Qt.ItemDataRole.UserRole))
        )
        self.empty = QLabel(tr("No jobs yet. Scan a traveler to begin."))
        self.empty.setObjectName("hint")
        self.feedback = QLabel(tr("Scan a traveler's QR code to open its job."))
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        title = QLabel(tr("Jobs"))
        title.setObjectName("screenTitle")
        create = BigButton(tr("New job"))
        create.setObjectName("newJob")
        snug(create)
        create.clicked.connect(self.new_job.emit)
        # The owner's settings start from the first screen (the top bar has no room).
        settings = BigButton(tr("⚙ Settings"))
        settings.setObjectName("navSettings")
        settings.setMaximumWidth(220)
        settings.clicked.connect(self.settings_wanted.emit)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(settings)
        head.addWidget(create)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        # With a camera set, its live picture beside the list: where to hold the sheet.
        self.camera: CameraView | None = None
        if devices is not None and getattr(devices, "camera", None) is not None:
            self.camera = CameraView(devices)
            body.addWidget(self.camera, 1)
        lay.addLayout(body)
        lay.addWidget(self.empty)
        lay.addWidget(self.feedback)
        # While another screen is in front, a record only marks the list stale: the job
        # screen a machinist is tapping never waits for the whole list to be read again.
        self.follow(session.changed)
        self.refresh()

    def say(self, level: str, text: str) -> None:
        say(self.feedback, level, text)

    def refresh(self) -> None:
        self.fresh()
        self.model.reload()
        self.empty.setVisible(self.model.rowCount() == 0)
