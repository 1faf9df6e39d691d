"""One job: its route across firms, each lot's progress, and the buttons for our next step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core import catalog
from app.core.actions import (
    DEFECT,
    FINISH,
    HAND_OFF,
    MEASURE,
    PAUSE,
    RECEIVE,
    RESUME,
    START,
    NextStep,
    scanned_step,
    steps_for,
)
from app.core.state import JobState
from app.core.traveler import TravelerError
from app.settings import Settings, traveler_dir
from app.store import AppendResult, StoreError
from app.store.reports import measurement_specs
from app.store.travelers import Refusal, default_lot_id
from app.ui.job_history import JobHistory
from app.ui.measure_dialog import MeasureDialog
from app.ui.session import Session
from app.ui.text import (
    action_name,
    defect_name,
    lang,
    pause_name,
    process_name,
    reason_text,
    status_name,
    tr,
)
from app.ui.traveler_print import issue_pdf
from app.ui.widgets import BigButton, ChoiceDialog, CountDialog, say

DISPOSITIONS = ("rework", "scrap", "hold")


class Asker:
    """Asks the machinist for counts and choices. Tests replace it with scripted answers."""

    def __init__(self, parent: QWidget, devices: Any = None) -> None:
        self.parent = parent
        self.devices = devices

    def counts(
        self, title: str, fields: list[tuple[str, str, int]], maximum: int
    ) -> dict[str, int] | None:
        dlg = CountDialog(title, fields, maximum, self.parent)
        return dlg.values if dlg.exec() else None

    def measurement(
        self, title: str, last_specs: dict[str, dict[str, str]]
    ) -> dict[str, Any] | None:
        dlg = MeasureDialog(title, last_specs, self.parent, devices=self.devices)
        return dlg.payload() if dlg.exec() else None

    def choice(self, title: str, choices: list[tuple[str, str]]) -> str | None:
        dlg = ChoiceDialog(title, choices, self.parent)
        return dlg.choice if dlg.exec() else None


class OpChip(QLabel):
    """One op of the route: sequence, process, firm, coloured by its status for the lot."""

    def __init__(self, text: str, status: str, ours: bool) -> None:
        super().__init__(text)
        self.setObjectName("opChip")
        self.setProperty("status", status)
        self.setProperty("ours", ours)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(64)
        self.setWordWrap(True)


class JobScreen(QWidget):
    back = Signal()

    def __init__(self, session: Session, devices: Any = None) -> None:
        super().__init__()
        self.session = session
        self.asker = Asker(self, devices)
        self.traveler_dir = traveler_dir(Settings())
        self.job_id: str | None = None
        self.scanned: tuple[str, int] | None = None
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.facts = QLabel()
        self.facts.setObjectName("facts")
        self.route_box = QGridLayout()
        self.actions_box = QVBoxLayout()
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        back = BigButton(tr("◀ Jobs"))
        back.setObjectName("backButton")
        back.setMaximumWidth(200)
        back.clicked.connect(self.back.emit)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        route_frame = QFrame()
        route_frame.setObjectName("routeFrame")
        route_frame.setLayout(self.route_box)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.facts)
        lay.addWidget(route_frame)
        lay.addLayout(self.actions_box)
        self.anomalies = QLabel()
        self.anomalies.setObjectName("anomalies")
        self.anomalies.setWordWrap(True)
        lay.addWidget(self.anomalies)
        history_title = QLabel(tr("Record (tap your own entry to correct it)"))
        history_title.setObjectName("sectionTitle")
        lay.addWidget(history_title)
        self.history = JobHistory(session, self.asker)
        self.history.corrected.connect(self._corrected)
        lay.addWidget(self.history, 1)
        lay.addWidget(self.feedback)
        session.changed.connect(self.refresh)

    def show_job(self, job_id: str, scanned: tuple[str, int] | None = None) -> None:
        """Show a job; ``scanned`` is the (lot, quantity) of a traveler just scanned here."""
        self.job_id = job_id
        self.scanned = scanned if scanned is not None else None
        self.feedback.clear()
        self.refresh()

    def job(self) -> JobState | None:
        return self.session.store.job(self.job_id) if self.job_id else None

    def refresh(self) -> None:
        job = self.job()
        _clear(self.route_box)
        _clear(self.actions_box)
        if job is None:
            self.title.setText(tr("Unknown job"))
            self.facts.clear()
            self.history.show_events([])
            return
        self.title.setText(f"{job.part_no}  ·  {job.job_id}")
        self.facts.setText(
            tr("Drawing {0}   Qty {1}   Due {2}   Lead firm {3}").format(
                job.drawing_no or "—",
                f"{job.qty:,}",
                job.due,
                self.session.firm_label(job.lead_firm),
            )
        )
        self._fill_route(job)
        self.history.asker = self.asker
        self.history.show_events(self.session.store.job_events(job.job_id))
        self.anomalies.setVisible(bool(job.anomalies))
        if job.anomalies:
            lines = [f"⚠ {reason_text(reason)}" for _e, reason in job.anomalies[-3:]]
            self.anomalies.setText(
                tr("Records from other terminals that conflict ({0}):").format(len(job.anomalies))
                + "\n"
                + "\n".join(lines)
            )
        if job.lead_firm == self.session.firm:
            self.actions_box.addWidget(self._issue_row(job))
        steps = steps_for(job, self.session.firm)
        if self.scanned is not None and self.scanned[0] not in {lot for lot, _ in steps}:
            step = scanned_step(job, self.scanned[0], self.scanned[1], self.session.firm)
            if step is not None:
                steps.insert(0, (self.scanned[0], step))
        if not steps:
            hint = QLabel(tr("Nothing for your firm to do on this job now."))
            hint.setObjectName("hint")
            self.actions_box.addWidget(hint)
        for lot_id, step in steps:
            self.actions_box.addWidget(self._step_row(job, lot_id, step))

    def _fill_route(self, job: JobState) -> None:
        lots = list(job.lots.values())
        header = QLabel(tr("Route"))
        header.setObjectName("sectionTitle")
        self.route_box.addWidget(header, 0, 0)
        for col, op in enumerate(job.route.ops, start=1):
            ours = op.firm == self.session.firm
            self.route_box.addWidget(
                OpChip(
                    f"{op.seq} {process_name(op.process)}\n{self.session.firm_label(op.firm)}",
                    "route",
                    ours,
                ),
                0,
                col,
            )
        for row, lot in enumerate(lots, start=1):
            label = QLabel(f"{lot.lot_id}\n{lot.qty:,}")
            label.setObjectName("lotLabel")
            self.route_box.addWidget(label, row, 0)
            for col, op in enumerate(job.route.ops, start=1):
                prog = lot.ops.get(op.seq)
                status = prog.status if prog and prog.received else "none"
                text = status_name(prog.status) if prog and prog.received else "—"
                if prog and prog.status == "done":
                    text += f"\n{tr('Good')} {prog.good}"
                    if prog.defect or prog.scrap:
                        text += f" / {tr('NG')} {prog.defect + prog.scrap}"
                    if prog.handed_off:
                        text += "\n" + tr("Handed off {0}").format(prog.handed_off)
                elif prog and prog.received:
                    text += f"\n{tr('Received')} {prog.received}"
                self.route_box.addWidget(
                    OpChip(text, status, op.firm == self.session.firm), row, col
                )

    def _step_row(self, job: JobState, lot_id: str, step: NextStep) -> QWidget:
        box = QFrame()
        box.setObjectName("stepRow")
        lay = QHBoxLayout(box)
        label = QLabel(
            f"{lot_id}\n{step.op.seq} {process_name(step.op.process)} · {status_name(step.status)}"
        )
        label.setObjectName("stepLabel")
        lay.addWidget(label, 1)
        for action in step.actions:
            b = BigButton(action_name(action), "primary" if action == step.actions[0] else "normal")
            b.setObjectName(f"action_{action}")
            b.clicked.connect(lambda _=False, a=action: self.act(a, lot_id, step))
            lay.addWidget(b, 1)
        return box

    def _issue_row(self, job: JobState) -> QWidget:
        """The lead firm prints a traveler for each lot (or the first lot, before any)."""
        box = QFrame()
        box.setObjectName("stepRow")
        lay = QHBoxLayout(box)
        label = QLabel(tr("Traveler (lead firm)"))
        label.setObjectName("stepLabel")
        lay.addWidget(label, 1)
        lots = list(job.lots) or [default_lot_id(job.job_id)]
        for lot_id in lots[:3]:
            b = BigButton(tr("Print traveler {0}").format(lot_id.rsplit("-", 1)[-1]))
            b.setObjectName("issueTraveler")
            b.clicked.connect(lambda _=False, lot=lot_id: self.issue_traveler(lot))
            lay.addWidget(b, 1)
        return box

    def issue_traveler(self, lot_id: str) -> Path | None:
        """Write the lot's traveler PDF for the printer and record that it was issued."""
        job = self.job()
        if job is None:
            return None
        out = self.traveler_dir / f"{job.job_id}_{lot_id}.pdf"
        try:
            issued = issue_pdf(self.session.store, job.job_id, lot_id, out, lang=lang())
        except (OSError, TravelerError, StoreError) as exc:
            self.say("error", tr("The traveler could not be written.") + f" ({exc})")
            return None
        if isinstance(issued, Refusal):
            self.say("error", reason_text(issued.reason))
            return None
        self.session.changed.emit()
        self.say("ok", tr("Traveler written for the printer: {0}").format(issued.out))
        return issued.out

    def act(self, action: str, lot_id: str, step: NextStep) -> AppendResult | None:
        """Run one action for the lot; shows the outcome in the feedback line."""
        job = self.job()
        if job is None:
            return None
        result = HANDLERS[action](self, job, lot_id, step)
        if result is None:
            return None  # cancelled
        if result.ok:
            self.say("ok", tr("Saved: {0}").format(action_name(action)))
        else:
            self.say("error", reason_text(result.reason or ""))
        return result

    def _corrected(self, result: AppendResult) -> None:
        if result.ok:
            self.say("ok", tr("Saved: {0}").format(tr("Correction")))
        else:
            self.say("error", reason_text(result.reason or ""))

    def say(self, level: str, text: str) -> None:
        say(self.feedback, level, text)

    # -- one handler per action --------------------------------------------------------

    def _receive(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        got = self.asker.counts(
            tr("Parts received"), [("count", tr("Received"), step.expected_count)], 10**6
        )
        if not got:
            return None
        prev = job.route.ops[max(0, job.route.ops.index(step.op) - 1)]
        payload = {"lot_id": lot_id, "count": got["count"]}
        if prev.seq != step.op.seq:
            payload["from_firm"] = prev.firm
        return self.session.record("LotReceived", payload, job_id=job.job_id, op=step.op.seq)

    def _start(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        return self.session.record(
            "OpStarted", {"lot_id": lot_id}, job_id=job.job_id, op=step.op.seq
        )

    def _pause(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        reasons = [(e.code, pause_name(e.code)) for e in catalog.pause_reasons()]
        reason = self.asker.choice(tr("Why pause?"), reasons)
        if reason is None:
            return None
        return self.session.record(
            "OpPaused", {"lot_id": lot_id, "reason": reason}, job_id=job.job_id, op=step.op.seq
        )

    def _resume(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        return self.session.record(
            "OpResumed", {"lot_id": lot_id}, job_id=job.job_id, op=step.op.seq
        )

    def _finish(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        prog = job.lots[lot_id].ops[step.op.seq]
        fields = [
            ("good", tr("Good"), max(0, prog.received - prog.defects_recorded)),
            ("defect", tr("Defect"), 0),
            ("scrap", tr("Scrap"), 0),
        ]
        got = self.asker.counts(tr("Finish: count the parts"), fields, prog.received)
        if not got:
            return None
        return self.session.record(
            "OpFinished", {"lot_id": lot_id, **got}, job_id=job.job_id, op=step.op.seq
        )

    def _defect(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        code = self.asker.choice(
            tr("Which defect?"), [(e.code, defect_name(e.code)) for e in catalog.defects()]
        )
        if code is None:
            return None
        got = self.asker.counts(defect_name(code), [("count", tr("Parts"), 1)], step.expected_count)
        if not got:
            return None
        names = {"rework": tr("Rework"), "scrap": tr("Scrap"), "hold": tr("Hold")}
        disposition = self.asker.choice(
            tr("What happens to them?"), [(d, names[d]) for d in DISPOSITIONS]
        )
        if disposition is None:
            return None
        payload = {
            "lot_id": lot_id,
            "code": code,
            "count": got["count"],
            "disposition": disposition,
            "note": "",
        }
        return self.session.record("DefectRecorded", payload, job_id=job.job_id, op=step.op.seq)

    def _measure(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        specs = measurement_specs(self.session.store, job.job_id, step.op.seq)
        got = self.asker.measurement(tr("Measure: {0}").format(job.part_no), specs)
        if not got:
            return None
        return self.session.record(
            "MeasurementTaken", {"lot_id": lot_id, **got}, job_id=job.job_id, op=step.op.seq
        )

    def _hand_off(self, job: JobState, lot_id: str, step: NextStep) -> AppendResult | None:
        if step.hand_to is None:
            return None
        title = tr("Hand off to {0}").format(self.session.firm_label(step.hand_to.firm))
        got = self.asker.counts(
            title, [("count", tr("Parts"), step.expected_count)], step.expected_count
        )
        if not got:
            return None
        payload = {"lot_id": lot_id, "to_firm": step.hand_to.firm, "count": got["count"]}
        return self.session.record("LotHandedOff", payload, job_id=job.job_id, op=step.op.seq)


HANDLERS = {
    RECEIVE: JobScreen._receive,
    START: JobScreen._start,
    PAUSE: JobScreen._pause,
    RESUME: JobScreen._resume,
    FINISH: JobScreen._finish,
    DEFECT: JobScreen._defect,
    HAND_OFF: JobScreen._hand_off,
    MEASURE: JobScreen._measure,
}


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()  # gone from the screen now, freed when the event loop comes round
            w.deleteLater()
