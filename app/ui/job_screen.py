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
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import catalog, commands, lots
from app.core.commands import (
    DEFECT,
    FINISH,
    HAND_OFF,
    MEASURE,
    PAUSE,
    RECEIVE,
    RESUME,
    SPLIT,
    START,
    Actor,
    Refusal,
    Step,
)
from app.core.rules import Reason
from app.core.state import DONE, JobState
from app.core.traveler import TravelerError
from app.settings import Settings, traveler_dir
from app.store import AppendResult, StoreError
from app.store.reports import measurement_specs
from app.store.travelers import Refusal as TravelerRefusal
from app.ui.defect_photo import DefectPhotoDialog
from app.ui.drawing_buttons import DrawingButtons, pick_drawing_file, record_defect_with_photos
from app.ui.job_history import JobHistory
from app.ui.measure_dialog import MeasureDialog
from app.ui.printing import choose_printer
from app.ui.session import Session
from app.ui.sign_in import SignInDialog, signed_in
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
from app.ui.traveler_print import PaperJob, issue_pdf, short_day
from app.ui.widgets import (
    BigButton,
    ChoiceDialog,
    ConfirmDialog,
    CountDialog,
    ElidedLabel,
    mm,
    say,
    snug,
    touch_scroll,
)

# The order of a step's buttons, the first offered being the big green one: what the
# machinist most likely does next comes first, and a button never jumps about.
ORDER = (RECEIVE, RESUME, START, FINISH, HAND_OFF, PAUSE, DEFECT, MEASURE, SPLIT)


def ordered(actions: tuple[str, ...]) -> list[str]:
    return sorted(actions, key=lambda a: ORDER.index(a) if a in ORDER else len(ORDER))


def lot_short(job_id: str, lot_id: str) -> str:
    """``L2`` for a lot of the job (the full id is on the traveler)."""
    n = lots.number(job_id, lot_id)
    return f"L{n}" if n is not None else lot_id


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

    def confirm(self, title: str, text: str, yes: str, *, danger: bool = False) -> bool:
        dlg = ConfirmDialog(title, text, yes, self.parent, danger=danger)
        return bool(dlg.exec())

    def defect_photos(self, title: str) -> list[bytes] | None:
        """Photos of a defect from the terminal's camera (JPEGs; [] for none); None if closed."""
        dlg = DefectPhotoDialog(title, getattr(self.devices, "camera", None), self.parent)
        return dlg.photos if dlg.exec() else None

    def drawing_file(self) -> Path | None:
        """The lead firm picks the drawing's file (PDF or image)."""
        return pick_drawing_file(self.parent)

    def sign_in(self, session: Session) -> bool:
        """Open the sign-in dialog; True when someone is signed in afterwards."""
        SignInDialog(session, self.parent).exec()
        return session.operator is not None


class OpChip(QLabel):
    """One op of the route: sequence, process, firm, coloured by its status for the lot."""

    def __init__(self, text: str, status: str, ours: bool) -> None:
        super().__init__(text)
        self.setObjectName("opChip")
        self.setProperty("status", status)
        self.setProperty("ours", ours)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
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
        self.title = ElidedLabel()  # the part number first: the job's id may shorten
        self.title.setObjectName("screenTitle")
        self.facts = QLabel()
        self.facts.setObjectName("facts")
        self.facts.setWordWrap(True)
        self.route_box = QGridLayout()
        self.actions_box = QVBoxLayout()
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        back = BigButton(tr("◀ Jobs"))
        back.setObjectName("backButton")
        snug(back)
        back.clicked.connect(self.back.emit)
        # The lead firm prints travelers from here (which lot is asked when there are several).
        self.print_button = BigButton(tr("Print traveler"))
        self.print_button.setObjectName("issueTraveler")
        snug(self.print_button)
        self.print_button.clicked.connect(self.ask_traveler)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        # In the title row (not a row of their own: the screen must fit 1280×800 with
        # a held traveler's bar): 図面 (open it) and, for the lead, 図面を添付.
        self.drawing_buttons = DrawingButtons(self)
        top.addWidget(self.drawing_buttons)
        top.addWidget(self.print_button)
        facts_row = QHBoxLayout()
        facts_row.addWidget(self.facts, 1)
        route_frame = QFrame()
        route_frame.setObjectName("routeFrame")
        route_frame.setLayout(self.route_box)
        self.instructions = QLabel()
        self.instructions.setObjectName("instructions")
        self.instructions.setWordWrap(True)
        self.instructions.hide()
        self.warnings = QLabel()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        # Route, buttons and warnings scroll together when a job has many lots; the
        # screen never grows past the touchscreen, and the record keeps its room.
        upper = QWidget()
        upper_lay = QVBoxLayout(upper)
        upper_lay.setContentsMargins(0, 0, 0, 0)
        # What the machinist does comes first; where the lots are, below it.
        upper_lay.addWidget(self.instructions)
        upper_lay.addLayout(self.actions_box)
        upper_lay.addWidget(self.warnings)
        upper_lay.addWidget(route_frame)
        upper_lay.addStretch(1)
        self.upper = QScrollArea()
        self.upper.setObjectName("jobUpper")
        self.upper.setWidgetResizable(True)
        self.upper.setFrameShape(QFrame.Shape.NoFrame)
        self.upper.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.upper.setWidget(upper)
        self.upper.setMinimumHeight(mm(15 * 2))  # at least a row of buttons shows
        touch_scroll(self.upper)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(facts_row)
        lay.addWidget(self.upper, 3)
        history_title = QLabel(tr("Record (tap an entry marked ✎ to correct or undo it)"))
        history_title.setObjectName("sectionTitle")
        lay.addWidget(history_title)
        self.history = JobHistory(session, self.asker)
        self.history.setMinimumHeight(mm(15 * 2.5))  # the header and two records
        self.history.corrected.connect(self._corrected)
        lay.addWidget(self.history, 2)
        lay.addWidget(self.feedback)
        session.changed.connect(self.refresh)
        session.operator_changed.connect(self.refresh)

    def show_job(self, job_id: str, scanned: tuple[str, int] | None = None) -> None:
        """Show a job; ``scanned`` is the (lot, quantity) of a traveler just scanned here."""
        self.job_id = job_id
        self.scanned = scanned
        self.feedback.clear()
        self.refresh()

    def job(self) -> JobState | None:
        return self.session.store.job(self.job_id) if self.job_id else None

    def steps(self, job: JobState) -> list[Step]:
        """What this firm can do on each lot now, as the core's commands decide it."""
        steps = commands.possible(job, self.session.actor, scanned=self.scanned)
        if self.scanned is not None:  # the lot whose traveler is in hand comes first
            steps.sort(key=lambda s: s.lot_id != self.scanned[0] if self.scanned else 0)
        return steps

    def refresh(self) -> None:
        job = self.job()
        _clear(self.route_box)
        _clear(self.actions_box)
        if job is None or not job.created_at:
            self.title.setText(tr("Unknown job"))
            self.facts.clear()
            self.instructions.hide()
            self.warnings.hide()
            self.print_button.hide()
            self.drawing_buttons.refresh(None)
            self.history.show_events([], None)
            return
        self.title.setText(f"{job.part_no}  ·  {job.job_id}")
        self.facts.setText(self._facts(job))
        self.instructions.setText(self._instructions(job))
        self.instructions.setVisible(bool(self.instructions.text()))
        self._fill_route(job)
        self.history.asker = self.asker
        self.history.show_events(self.session.store.job_events(job.job_id), job)
        self._fill_warnings(job)
        self.print_button.setVisible(job.lead_firm == self.session.firm)
        self.drawing_buttons.refresh(job)
        steps = self.steps(job)
        if not steps:
            hint = QLabel(tr("Nothing for your firm to do on this job now."))
            hint.setObjectName("hint")
            self.actions_box.addWidget(hint)
        for step in steps:
            self.actions_box.addWidget(self._step_row(job, step))

    def _fill_warnings(self, job: JobState) -> None:
        """Receipts that skipped steps (until those records arrive) and records refused
        on replay, as one visible list."""
        lines = []
        for lot_id, seq, missing in job.open_skips():
            lines.append(
                "⚠ "
                + tr("{0} received at step {1} without records of: {2}").format(
                    lot_short(job.job_id, lot_id), seq, self.steps_text(job, missing, ", ")
                )
            )
        for _event, reason in job.anomalies[-3:]:
            lines.append(f"⚠ {tr('Conflicting record')}: {reason_text(reason)}")
        if len(job.anomalies) > 3:
            lines.append(tr("… {0} conflicting records in all").format(len(job.anomalies)))
        self.warnings.setVisible(bool(lines))
        self.warnings.setText("\n".join(lines))

    def steps_text(self, job: JobState, seqs: tuple[int, ...] | list[int], sep: str) -> str:
        """``10 旋盤 (山田精機 (F001))`` for each step."""
        out = []
        for seq in seqs:
            op = job.route.op(seq)
            if op is None:
                out.append(str(seq))
            else:
                out.append(f"{seq} {process_name(op.process)} — {self.session.firm_label(op.firm)}")
        return sep.join(out)

    def _facts(self, job: JobState) -> str:
        """The traveler's header in one line (it wraps on a narrow panel): 品名, 材質,
        図番, 数量, 納期, the lead firm."""
        parts = []
        if job.part_name:
            parts.append(tr("Part name {0}").format(job.part_name))
        if job.material:
            parts.append(tr("Material {0}").format(job.material))
        parts.append(
            tr("Drawing {0}   Qty {1}   Due {2}   Lead firm {3}").format(
                job.drawing_no or "—",
                f"{job.qty:,}",
                job.due,
                self.session.firm_label(job.lead_firm),
            )
        )
        return "   ".join(parts)

    def _instructions(self, job: JobState) -> str:
        """The job's 備考 and this firm's steps' 作業指示 and 期限, as the traveler prints
        them: read before the work starts, so above the buttons."""
        paper = PaperJob.of(job)
        lines = [tr("Note: {0}").format(paper.note)] if paper.note else []
        for op in job.route.ops:
            note, due = paper.instruction(op.seq), paper.step_due(op.seq)
            if op.firm != self.session.firm or not (note or due):
                continue
            line = tr("Step {0} {1}").format(op.seq, process_name(op.process))
            if note:
                line += ("：" if lang() == "ja" else ": ") + note
            if due:
                line += "   " + tr("due {0}").format(short_day(due, lang()))
            lines.append(line)
        return "\n".join(lines)

    def _fill_route(self, job: JobState) -> None:
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
        for row, lot in enumerate(job.lots.values(), start=1):
            text = f"{lot_short(job.job_id, lot.lot_id)}  {lot.qty:,}"
            if lot.parent:
                text += "\n" + tr("from {0}").format(lot_short(job.job_id, lot.parent))
            label = QLabel(text)
            label.setObjectName("lotLabel")
            label.setToolTip(lot.lot_id)
            self.route_box.addWidget(label, row, 0)
            hist = job.history(lot.lot_id)
            for col, op in enumerate(job.route.ops, start=1):
                prog = hist.get(op.seq)
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

    def _step_row(self, job: JobState, step: Step) -> QWidget:
        box = QFrame()
        box.setObjectName("stepRow")
        lay = QHBoxLayout(box)
        label = QLabel(
            f"{lot_short(job.job_id, step.lot_id)}  {step.op.seq} "
            f"{process_name(step.op.process)}\n{status_name(step.status)}"
        )
        label.setObjectName("stepLabel")
        label.setToolTip(step.lot_id)
        lay.addWidget(label, 1)
        actions = ordered(step.actions)
        for action in actions:
            b = BigButton(action_name(action), "primary" if action == actions[0] else "normal")
            b.setObjectName(f"action_{action}")
            b.clicked.connect(lambda _=False, a=action, s=step: self.act(a, s))
            lay.addWidget(b, 1)
        return box

    def ask_traveler(self) -> Path | None:
        """Print a lot's traveler: the only lot (or the first, before any receipt) at once,
        else the lot the lead firm chooses."""
        job = self.job()
        if job is None:
            return None
        names = list(job.lots) or [lots.first_lot(job.job_id)]
        lot_id: str | None = names[0]
        if len(names) > 1:
            choices = [
                (lot, f"{lot_short(job.job_id, lot)}  {job.lots[lot].qty:,}") for lot in names
            ]
            lot_id = self.asker.choice(tr("Print the traveler of which lot?"), choices)
        return self.issue_traveler(lot_id) if lot_id else None

    def issue_traveler(self, lot_id: str) -> Path | None:
        """Write the lot's traveler PDF for the printer and record that it was issued."""
        job = self.job()
        if job is None or not signed_in(self.session, self.asker):
            return None
        out = self.traveler_dir / f"{job.job_id}_{lot_id}.pdf"
        choice = choose_printer(Settings()["printer"], self)
        if choice.cancelled:
            return None
        try:
            issued = issue_pdf(
                self.session.store,
                job.job_id,
                lot_id,
                out,
                lang=lang(),
                actor=self.session.actor,
                printer=choice.printer,
            )
        except (OSError, TravelerError, StoreError) as exc:
            self.say("error", tr("The traveler could not be written.") + f" ({exc})")
            return None
        if isinstance(issued, TravelerRefusal):
            self.say("error", reason_text(issued.reason))
            return None
        self.session.changed.emit()
        if choice.printer is not None:
            where = choice.printer.printerName() or choice.printer.outputFileName()
            self.say("ok", tr("Traveler printed on {0}; PDF kept: {1}").format(where, issued.out))
        elif choice.missing:
            text = tr("Printer {0} is not connected. PDF written: {1}")
            self.say("error", text.format(choice.missing, issued.out))
        else:
            self.say("ok", tr("Traveler written for the printer: {0}").format(issued.out))
        return issued.out

    def act(self, action: str, step: Step) -> AppendResult | None:
        """Run one action on the step's lot; shows the outcome in the feedback line."""
        if not signed_in(self.session, self.asker):
            self.say("error", reason_text(Reason.NO_OPERATOR.value))
            return None
        job = self.job()
        if job is None:
            return None
        # The job is fixed here, before any dialog opens: what is confirmed in the dialogs
        # is recorded on this job and reported for it, whatever is scanned meanwhile.
        where = f"{job.part_no} · {job.job_id}"
        result = HANDLERS[action](self, job, self.session.actor, step)
        if result is None:
            return None  # cancelled
        if result.ok:
            self.say("ok", tr("Saved: {0}").format(action_name(action)) + f"  ({where})")
            if action == SPLIT and result.event is not None:
                self._offer_child_traveler(result.event.payload)
        else:
            self.say("error", reason_text(result.reason or "") + f"  ({where})")
        return result

    def _offer_child_traveler(self, split: Any) -> None:
        """A split-off lot travels under its own sheet: offer to print it now."""
        child, parent, count = split["child_lot_id"], split["lot_id"], split["count"]
        job = self.job()
        if job is None:
            return
        job_id = job.job_id
        if self.session.firm != job.lead_firm:
            self.say(
                "ok",
                tr("Lot {0} split off. Ask the lead firm to print its traveler.").format(
                    lot_short(job_id, child)
                ),
            )
            return
        text = tr(
            "{0} parts now travel as lot {1}. The new traveler names its parent lot {2}."
        ).format(count, lot_short(job_id, child), lot_short(job_id, parent))
        if self.asker.confirm(tr("Print the new lot's traveler?"), text, tr("Print traveler")):
            self.issue_traveler(child)

    def _corrected(self, result: AppendResult) -> None:
        if result.ok:
            self.say("ok", tr("Saved: {0}").format(tr("Correction")))
        else:
            self.say("error", reason_text(result.reason or ""))

    def say(self, level: str, text: str) -> None:
        say(self.feedback, level, text)

    # -- one handler per action: ask the machinist, let the core decide, record ----------

    def _receive(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        got = self.asker.counts(
            tr("Parts received"), [("count", tr("Received"), step.expected_count)], 10**6
        )
        if not got:
            return None
        cmd = commands.receive(job, actor, step.lot_id, step.op.seq, got["count"])
        if isinstance(cmd, Refusal) and cmd.reason == Reason.SKIPS_STEPS.value:
            text = (
                tr("No records of these steps have reached this terminal:")
                + "\n"
                + self.steps_text(job, cmd.missing, "\n")
                + "\n\n"
                + tr(
                    "The receipt will be recorded as skipping them, and they stay listed "
                    "on this job until their records arrive."
                )
            )
            if not self.asker.confirm(
                tr("Receive past steps with no records?"), text, tr("Receive, skipping them")
            ):
                return None
            cmd = commands.receive(
                job, actor, step.lot_id, step.op.seq, got["count"], confirm_skip=True
            )
        return self.session.record(cmd)

    def _start(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        return self.session.record(commands.start(job, actor, step.lot_id, step.op.seq))

    def _pause(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        own = firm_catalogue("pause_reasons")
        reasons = [(e.code, pause_name(e.code, _named(e))) for e in own]
        reason = self.asker.choice(tr("Why pause?"), reasons)
        if reason is None:
            return None
        entry = None if reason in catalog.pause_reasons() else own.get(reason)
        return self.session.record(
            commands.pause(job, actor, step.lot_id, step.op.seq, reason, entry)
        )

    def _resume(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        return self.session.record(commands.resume(job, actor, step.lot_id, step.op.seq))

    def _finish(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        prog = job.lots[step.lot_id].ops[step.op.seq]
        # Start from what the defect records say: rework and hold as defects, scrap as
        # scrap (a reworked part may be moved back to good by hand).
        good, defect, scrap = prog.finish_counts
        fields = [
            ("good", tr("Good"), good),
            ("defect", tr("Defect"), defect),
            ("scrap", tr("Scrap"), scrap),
        ]
        got = self.asker.counts(tr("Finish: count the parts"), fields, prog.received)
        if not got:
            return None
        return self.session.record(
            commands.finish(
                job, actor, step.lot_id, step.op.seq, got["good"], got["defect"], got["scrap"]
            )
        )

    def _defect(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        own = firm_catalogue("defect_codes")
        code = self.asker.choice(
            tr("Which defect?"), [(e.code, defect_name(e.code, _named(e))) for e in own]
        )
        if code is None:
            return None
        entry = None if code in catalog.defects() else own.get(code)
        name = defect_name(code, _named(entry) if entry is not None else None)
        got = self.asker.counts(name, [("count", tr("Parts"), 1)], step.expected_count)
        if not got:
            return None
        names = {"rework": tr("Rework"), "scrap": tr("Scrap"), "hold": tr("Hold")}
        disposition = self.asker.choice(
            tr("What happens to them?"), [(d, names[d]) for d in DISPOSITIONS]
        )
        if disposition is None:
            return None
        shots = self.asker.defect_photos(f"{name} × {got['count']}")
        if shots is None:
            return None
        return record_defect_with_photos(
            self.session,
            job,
            actor,
            step.lot_id,
            step.op.seq,
            code,
            got["count"],
            disposition,
            shots,
            entry,
        )

    def _measure(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        specs = measurement_specs(self.session.store, job.job_id, step.op.seq)
        got = self.asker.measurement(tr("Measure: {0}").format(job.part_no), specs)
        if not got:
            return None
        return self.session.record(
            commands.measure(
                job,
                actor,
                step.lot_id,
                step.op.seq,
                characteristic=got["characteristic"],
                nominal=got["nominal"],
                tol_minus=got["tol_minus"],
                tol_plus=got["tol_plus"],
                value=got["value"],
                unit=got.get("unit") or "mm",
                gauge=got.get("gauge") or "",
            )
        )

    def _hand_off(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        if step.hand_to is None:
            return None
        title = tr("Hand off to {0}").format(self.session.firm_label(step.hand_to.firm))
        got = self.asker.counts(
            title, [("count", tr("Parts"), step.expected_count)], step.expected_count
        )
        if not got:
            return None
        return self.session.record(
            commands.hand_off(job, actor, step.lot_id, step.op.seq, got["count"])
        )

    def _split(self, job: JobState, actor: Actor, step: Step) -> AppendResult | None:
        prog = job.lots[step.lot_id].ops[step.op.seq]
        # Finished: good parts go ahead; waiting: the lot keeps at least one part.
        most = prog.available if prog.status == DONE else prog.received - 1
        title = tr("Split {0}: how many parts go under the new lot?").format(
            lot_short(job.job_id, step.lot_id)
        )
        got = self.asker.counts(title, [("count", tr("Parts"), 0)], max(0, most))
        if not got:
            return None
        return self.session.record(
            commands.split(job, actor, step.lot_id, step.op.seq, got["count"])
        )


HANDLERS = {
    RECEIVE: JobScreen._receive,
    START: JobScreen._start,
    PAUSE: JobScreen._pause,
    RESUME: JobScreen._resume,
    FINISH: JobScreen._finish,
    DEFECT: JobScreen._defect,
    HAND_OFF: JobScreen._hand_off,
    MEASURE: JobScreen._measure,
    SPLIT: JobScreen._split,
}


def firm_catalogue(key: str) -> catalog.Catalogue:
    """Built-in defect codes or pause reasons and the firm's own (``defect_codes`` /
    ``pause_reasons`` settings, read now: the settings page applies at once)."""
    builtin = catalog.defects() if key == "defect_codes" else catalog.pause_reasons()
    return catalog.with_own(builtin, list(Settings()[key]))


def _named(e: catalog.CatalogueEntry) -> dict[str, str]:
    return {"name_ja": e.ja, "name_en": e.en}


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget() if item is not None else None
        if w is not None:
            w.hide()  # gone from the screen now, freed when the event loop comes round
            w.deleteLater()
