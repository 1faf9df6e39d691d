"""A job's record, newest first, and corrections: a mistake is fixed by a new event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.store import AppendResult
from app.ui.session import Session
from app.ui.text import event_detail, event_name, tr
from wire.events import Event

# Which counts of an event a correction may change.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "LotReceived": ("count",),
    "OpFinished": ("good", "defect", "scrap"),
    "DefectRecorded": ("count",),
    "LotHandedOff": ("count",),
}
VOIDABLE = {
    "OpStarted",
    "OpPaused",
    "OpResumed",
    "DefectRecorded",
    "MeasurementTaken",
    "LotHandedOff",
}


def field_label(key: str) -> str:
    return {"count": tr("Parts"), "good": tr("Good"), "defect": tr("Defect"), "scrap": tr("Scrap")}[
        key
    ]


class JobHistory(QTableWidget):
    """Tapping one of this firm's events offers to correct or cancel it."""

    corrected = Signal(object)  # AppendResult

    def __init__(self, session: Session, asker: Any) -> None:
        super().__init__(0, 5)
        self.session = session
        self.asker = asker
        self.events: list[Event] = []
        self.setObjectName("jobHistory")
        self.setHorizontalHeaderLabels(
            [tr("Time"), tr("Record"), tr("Step"), tr("Firm"), tr("Details")]
        )
        self.verticalHeader().setVisible(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setDefaultSectionSize(48)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cellClicked.connect(lambda row, _col: self.correct(self.events[row]))

    def show_events(self, events: list[Event]) -> None:
        superseded = {e.payload["supersedes"] for e in events if e.type == "EventCorrected"}
        self.events = sorted(events, key=lambda e: e.order_key, reverse=True)
        self.setRowCount(len(self.events))
        for row, e in enumerate(self.events):
            when = datetime.fromisoformat(e.occurred_at).astimezone().strftime("%m-%d %H:%M")
            cells = [
                when,
                event_name(e.type),
                str(e.op or ""),
                self.session.firm_label(e.firm_id),
                event_detail(e.type, dict(e.payload)),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if e.event_id in superseded:
                    font = QFont(item.font())
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(Qt.GlobalColor.gray)
                self.setItem(row, col, item)

    def correct(self, ev: Event) -> AppendResult | None:
        """Ask how to correct ``ev`` and record the correction; None when nothing was done."""
        if ev.firm_id != self.session.firm or ev.job_id is None:
            return None
        if any(
            e.type == "EventCorrected" and e.payload["supersedes"] == ev.event_id
            for e in self.events
        ):
            return None
        options = []
        if ev.type in CORRECTABLE:
            options.append(("fix", tr("Fix the numbers")))
        if ev.type in VOIDABLE:
            options.append(("void", tr("Cancel this record")))
        if not options:
            return None
        title = f"{event_name(ev.type)}  {event_detail(ev.type, dict(ev.payload))}"
        how = self.asker.choice(title, options)
        if how is None:
            return None
        payload: dict[str, Any] = {"supersedes": ev.event_id, "reason": how}
        if how == "fix":
            fields = [(k, field_label(k), int(ev.payload[k])) for k in CORRECTABLE[ev.type]]
            got = self.asker.counts(tr("Correct the numbers"), fields, 10**6)
            if not got:
                return None
            payload["replacement"] = {"type": ev.type, "payload": {**ev.payload, **got}}
        result = self.session.record("EventCorrected", payload, job_id=ev.job_id, op=ev.op)
        self.corrected.emit(result)
        return result
