"""A job's record, newest first, with who did each thing; corrections and undo.

A mistake is fixed by a new event, never by changing the old one. Which records the
signed-in operator may fix or undo is the core's decision (``commands.correctable_events``:
this firm's own records, a machinist their own, the owner anyone's); this screen only
asks for the new numbers, or for a confirmation before undoing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.core import commands
from app.core.commands import Refusal
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.core.state import JobState, payload_in_tolerance
from app.store import AppendResult, files
from app.ui.owner_gate import owner_actor, owner_approval
from app.ui.session import Session
from app.ui.sign_in import signed_in
from app.ui.text import event_detail, event_name, reason_text, tr
from app.ui.widgets import BigButton, tap_rows, touch
from app.ui.zoom_view import ViewerDialog
from wire.events import Event


def field_label(key: str) -> str:
    return {"count": tr("Parts"), "good": tr("Good"), "defect": tr("Defect"), "scrap": tr("Scrap")}[
        key
    ]


def count_fields(ev: Event) -> list[str]:
    """The whole-number fields of ``ev`` a correction may change (a measured value is
    re-measured, not typed over: undo it and measure again)."""
    return [k for k in commands.CORRECTABLE.get(ev.type, ()) if isinstance(ev.payload.get(k), int)]


THUMB = QSize(96, 72)
_thumbs: dict[str, QPixmap] = {}  # sha256 -> thumbnail (96 × 72: about 27 kB each)


def thumbnail(path: str, sha256: str) -> QPixmap:
    pix = _thumbs.get(sha256)
    if pix is None:
        if len(_thumbs) >= 500:  # a day's photos at most; made again when needed
            _thumbs.clear()
        img = QImage(path)
        pix = QPixmap.fromImage(
            img.scaled(
                THUMB,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        _thumbs[sha256] = pix
    return pix


class JobHistory(QTableWidget):
    """Tapping a record the signed-in operator may correct offers to fix or undo it."""

    corrected = Signal(object)  # AppendResult

    COLUMNS = ("Time", "Record", "Step", "Who", "Firm", "Details")
    OUT_OF_TOLERANCE = QColor("#b00020")

    def __init__(self, session: Session, asker: Any) -> None:
        super().__init__(0, len(self.COLUMNS))
        self.session = session
        self.asker = asker
        self.events: list[Event] = []
        self.correctable: set[str] = set()
        self.setObjectName("jobHistory")
        self.setHorizontalHeaderLabels(
            [tr("Time"), tr("Record"), tr("Step"), tr("Who"), tr("Firm"), tr("Details")]
        )
        self.verticalHeader().setVisible(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        tap_rows(self)
        # A record's details wrap (a measurement and its verdict are shown whole): its
        # row grows to them, never under one fingertip.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cellClicked.connect(lambda row, _col: self.correct(self.events[row]))

    def who(self, ev: Event) -> str:
        """The operator's name for this firm's records; another firm's operator by id
        (rosters stay within their firm)."""
        if ev.firm_id == self.session.firm:
            return self.session.operator_name(ev.operator)
        return ev.operator or "—"

    def show_events(self, events: list[Event], job: JobState | None) -> None:
        superseded = {e.payload["supersedes"] for e in events if e.type == "EventCorrected"}
        self.events = sorted(events, key=lambda e: e.order_key, reverse=True)
        self.correctable = (
            commands.correctable_events(job, self.session.actor, events)
            if self.session.operator is not None
            else set()
        )
        photo_col = len(self.COLUMNS) - 1
        for r in range(self.rowCount()):  # last job's thumbnails: gone now, not at next idle
            old = self.cellWidget(r, photo_col)
            if old is not None:
                old.hide()
                self.removeCellWidget(r, photo_col)
        self.setRowCount(len(self.events))
        for row, e in enumerate(self.events):
            when = datetime.fromisoformat(e.occurred_at).astimezone().strftime("%m-%d %H:%M")
            name = event_name(e.type)
            cells = [
                when,
                f"✎ {name}" if e.event_id in self.correctable else name,
                str(e.op or ""),
                self.who(e),
                self.session.firm_label(e.firm_id),
                event_detail(e.type, dict(e.payload)),
            ]
            failed = e.type == "MeasurementTaken" and payload_in_tolerance(e.payload) is False
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if failed:  # 不合格: the word and ✖ are in the details; red and bold too
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setForeground(self.OUT_OF_TOLERANCE)
                if e.event_id in superseded:
                    font = QFont(item.font())
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(Qt.GlobalColor.gray)
                self.setItem(row, col, item)
            shas = e.payload.get("photos") if e.type == "DefectRecorded" else None
            if shas:  # the cell's own text would show through beside the label: keep one
                detail = self.item(row, len(self.COLUMNS) - 1)
                if detail is not None:
                    detail.setText("")
                    detail.setToolTip(cells[-1])
                cell = self._photo_cell(cells[-1], shas)
                cell.setMinimumHeight(max(THUMB.height() + 20, touch()))
                self.setCellWidget(row, len(self.COLUMNS) - 1, cell)

    def _photo_cell(self, text: str, shas: list[str]) -> QWidget:
        """The details and a thumbnail per photo (tap: full size); ⏳ while one has not
        reached this terminal."""
        box = QWidget()
        box.setObjectName("photoCell")
        lay = QHBoxLayout(box)
        lay.setContentsMargins(4, 2, 4, 2)
        label = QLabel(text)
        label.setWordWrap(True)  # a narrow table: the count of photos goes below
        lay.addWidget(label)
        for i, sha in enumerate(shas):
            path = files.path_of(self.session.store, sha)
            b = BigButton("" if path else "⏳")
            b.setObjectName(f"photoThumb_{i}")
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            b.setFixedSize(THUMB + QSize(12, 12))
            if path is not None:
                b.setIcon(QIcon(thumbnail(str(path), sha)))
                b.setIconSize(THUMB)
                b.setToolTip(tr("Photo"))
            else:
                b.setToolTip(reason_text("file_not_here_yet"))
            b.clicked.connect(lambda _=False, s=sha: self.open_photo(s))
            lay.addWidget(b)
        lay.addStretch(1)
        return box

    def open_photo(self, sha256: str) -> ViewerDialog | None:
        """The photo full size, to zoom and pan; None (and why) while it is not here."""
        path = files.path_of(self.session.store, sha256)
        if path is None:
            self.corrected.emit(AppendResult(False, reason="file_not_here_yet"))
            return None
        dlg = ViewerDialog(tr("Photo"), [QImage(str(path))], parent=self.window())
        self.viewer = dlg
        dlg.open()
        return dlg

    def approve(self, why: str) -> OperatorRecord | None:
        """The owner's approval (the signed-in owner, or one who types their PIN)."""
        return owner_approval(self.session, why, self.window())

    def correct(self, ev: Event) -> AppendResult | None:
        """Offer to fix or undo ``ev`` and record the correction; None when nothing was
        recorded (cancelled, or not this operator's to correct: the reason is shown)."""
        if ev.job_id is None or not signed_in(self.session, self.asker):
            return None
        store = self.session.store
        job = store.job(ev.job_id)
        events = store.job_events(ev.job_id)
        actor = self.session.actor
        if ev.event_id not in commands.correctable_events(job, actor, events):
            why = commands.undo(job, actor, events, ev.event_id)
            reason = why.reason if isinstance(why, Refusal) else Reason.CANNOT_CORRECT.value
            owner = None
            if reason == Reason.NOT_OWNER.value:
                # Another person's record: the owner may fix it, approving with their PIN
                # while the machinist stays signed in; the owner is who corrected it.
                owner = self.approve(tr("Only the owner may fix another person's record."))
            if owner is None:
                self.corrected.emit(AppendResult(False, reason=reason))
                return None
            actor = owner_actor(self.session, owner)
            if ev.event_id not in commands.correctable_events(job, actor, events):
                self.corrected.emit(AppendResult(False, reason=Reason.CANNOT_CORRECT.value))
                return None
        fields = count_fields(ev)
        options = []
        if fields:
            options.append(("fix", tr("Fix the numbers")))
        if ev.type in commands.UNDOABLE:
            options.append(("undo", tr("Undo this record")))
        title = f"{event_name(ev.type)}  {event_detail(ev.type, dict(ev.payload))}"
        how = self.asker.choice(title, options)
        if how is None:
            return None
        if how == "fix":
            got = self.asker.counts(
                tr("Correct the numbers"),
                [(k, field_label(k), int(ev.payload[k])) for k in fields],
                10**6,
            )
            if not got:
                return None
            cmd = commands.correct(job, actor, events, ev.event_id, got, reason="fix")
        else:
            text = tr(
                "“{0}” will be struck out and no longer count. It stays in the record, "
                "with who undid it."
            ).format(title)
            if not self.asker.confirm(
                tr("Undo this record?"), text, tr("Undo the record"), danger=True
            ):
                return None
            cmd = commands.undo(job, actor, events, ev.event_id)
        result = self.session.record(cmd)
        self.corrected.emit(result)
        return result
