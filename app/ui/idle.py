"""Signing out a terminal left alone, and the short-lived undo of one's last record.

Idle means no touch, no key and no scan anywhere in the application for the minutes the
owner set (``idle_sign_out_minutes``; 0 never). A dialog open at that moment is closed
as if 閉じる were tapped, so nothing half-answered is recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QWidget

from app.core import commands
from app.store import AppendResult
from app.ui.session import Session
from app.ui.text import event_detail, event_name, tr
from app.ui.widgets import BigButton

_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
    }
)


class IdleSignOut(QObject):
    """Watches the whole application's input; signs the operator out after ``minutes()``
    without any. ``clock`` (monotonic seconds) can be replaced by a test."""

    signed_out = Signal(int)  # the minutes it waited

    def __init__(
        self,
        session: Session,
        minutes: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.minutes = minutes
        self.clock = clock
        self.last = clock()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        session.operator_changed.connect(self.touch)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(1000)

    def touch(self) -> None:
        """Something was done at the terminal (a tap, a key, a scan)."""
        self.last = self.clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.last = self.clock()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def check(self) -> bool:
        """Sign out now if the terminal has been idle long enough; True when it did."""
        minutes = int(self.minutes() or 0)
        if minutes <= 0 or self.session.operator is None:
            return False
        if self.clock() - self.last < minutes * 60:
            return False
        close_dialogs()
        self.session.sign_out()
        self.signed_out.emit(minutes)
        return True


def close_dialogs() -> None:
    """Close every open dialog as if 閉じる were tapped (innermost first): their callers
    see a cancelled dialog and record nothing."""
    for _ in range(20):  # a dialog's close may reveal another underneath
        top = QApplication.activeModalWidget()
        if not isinstance(top, QDialog):
            break
        top.reject()
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and w.isVisible():
            w.reject()


class UndoBar(QWidget):
    """After each record of the signed-in operator, for ``seconds()``: 記録を取り消す for
    that record (asks first; records a correction that cancels it, never a delete)."""

    undone = Signal(object)  # AppendResult

    def __init__(
        self, session: Session, seconds: Callable[[], int], asker: Callable[[], Any]
    ) -> None:
        super().__init__()
        self.session = session
        self.seconds = seconds
        self.asker = asker
        self.last_event: Any = None
        self.setObjectName("undoBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        self.label = QLabel()
        self.label.setObjectName("undoLabel")
        self.label.setWordWrap(True)
        self.button = BigButton(tr("Undo this record"), "danger")
        self.button.setObjectName("undoLast")
        self.button.setMaximumWidth(360)
        self.button.clicked.connect(self.undo)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.dismiss)
        session.recorded.connect(self.offer)
        session.operator_changed.connect(self.dismiss)
        self.hide()

    def offer(self, ev: Any) -> None:
        """A record was made: offer its undo if it is the signed-in operator's own."""
        op = self.session.operator
        seconds = int(self.seconds() or 0)
        if (
            op is None
            or seconds <= 0
            or ev.operator != op.operator_id
            or ev.type not in commands.UNDOABLE
            or ev.job_id is None
        ):
            if ev.type == "EventCorrected":
                self.dismiss()
            return
        self.last_event = ev
        what = f"{event_name(ev.type)}  {event_detail(ev.type, dict(ev.payload))}".strip()
        where = f"{ev.job_id} · {ev.op}" if ev.op is not None else ev.job_id
        self.label.setText(tr("Just recorded: {0}").format(f"{what}  ({where})"))
        self.timer.start(seconds * 1000)
        self.show()

    def dismiss(self) -> None:
        self.last_event = None
        self.timer.stop()
        self.hide()

    def undo(self) -> AppendResult | None:
        """Ask, then cancel the last record by a correction event."""
        ev = self.last_event
        if ev is None:
            return None
        title = f"{event_name(ev.type)}  {event_detail(ev.type, dict(ev.payload))}"
        text = tr(
            "“{0}” will be struck out and no longer count. It stays in the record, "
            "with who undid it."
        ).format(title)
        if not self.asker().confirm(
            tr("Undo this record?"), text, tr("Undo the record"), danger=True
        ):
            return None
        store = self.session.store
        cmd = commands.undo(
            store.job(ev.job_id), self.session.actor, store.job_events(ev.job_id), ev.event_id
        )
        result = self.session.record(cmd)
        self.dismiss()
        self.undone.emit(result)
        return result
