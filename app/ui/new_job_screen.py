"""A new job, entered by the lead firm: what to make (品番, 品名, 材質, 図番/版), how many,
by when, and the route of steps across the neighbours' shops, each step with its own
instructions (作業指示) and due date if it has them.

The fields go through the same checks as ``nakama job create`` (``app.core.job_input``);
the route is built by tapping a process and then a firm from the firm directory, so no
one types a firm code. Everything typed here is printed on the traveler, which is issued
from the new job's screen, where it opens.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import attachments
from app.core import catalog, commands
from app.core.job_input import JobInputError, job_spec
from app.core.rules import Reason
from app.store import files
from app.store.firms import firm_names
from app.ui.job_screen import Asker
from app.ui.session import Session
from app.ui.sign_in import signed_in
from app.ui.text import process_name, reason_text, tr
from app.ui.widgets import BigButton, mm, say, snug, touch, touch_calendar, touch_scroll

MAX_STEPS = 40  # what the wire format accepts
STEP_NOTE_MAX = 500  # a step's instructions, as job_input accepts them
DEFAULT_LEAD_DAYS = 14


def field_error(code: str, field: str) -> str:
    """A ``JobInputError`` as a sentence naming the field."""
    names = {
        "part": tr("Part"),
        "drawing": tr("Drawing"),
        "qty": tr("Qty"),
        "due": tr("Due"),
        "customer": tr("Customer"),
        "price": tr("Unit price (yen)"),
        "note": tr("Note"),
        "part_name": tr("Part name"),
        "material": tr("Material"),
        "revision": tr("Revision"),
        "step_info": tr("Instructions"),
        "route": tr("Route"),
        "id": tr("Job number"),
    }
    texts = {
        "missing_field": tr("{0}: please fill this in."),
        "too_long": tr("{0}: too long (at most 200 characters)."),
        "bad_qty": tr("{0}: a whole number, 1 or more."),
        "bad_date": tr("{0}: not a date."),
        "bad_price": tr("{0}: a whole number of yen."),
        "bad_route": tr("{0}: add the steps in order."),
    }
    if code not in texts:  # the core's own sentence, after the field it is about
        return f"{names.get(field, field)}: {reason_text(code)}"
    return texts[code].format(names.get(field, field))


class StepRow(QFrame):
    """One step of the new route: its process and firm, what to do there (作業指示, typed
    with the OS's input method like any field) and by when (期限, none until picked)."""

    def __init__(self, step: dict[str, Any], label: str, ours: bool) -> None:
        super().__init__()
        self.setObjectName("stepRow")
        seq = step["seq"]
        self.seq = int(seq)
        self.chip = chip = QLabel(label)
        chip.setObjectName("opChip")
        chip.setProperty("ours", ours)
        chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        chip.setMinimumWidth(mm(38))
        self.note = QLineEdit()
        self.note.setObjectName(f"stepNote_{seq}")
        self.note.setMinimumHeight(touch())
        self.note.setMaxLength(STEP_NOTE_MAX)
        self.note.setPlaceholderText(tr("Instructions"))
        self.due = QDateEdit()
        self.due.setObjectName(f"stepDue_{seq}")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumHeight(touch())
        # The earliest date stands for "no date": the month opens at today's.
        self.due.setMinimumDate(QDate.currentDate().addDays(-1))
        self.due.setSpecialValueText(tr("No date"))
        self.due.setDate(self.due.minimumDate())
        touch_calendar(self.due.calendarWidget())
        self.clear_due = BigButton("✕")
        self.clear_due.setObjectName(f"stepDueClear_{seq}")
        self.clear_due.setToolTip(tr("No date"))
        snug(self.clear_due)
        self.clear_due.clicked.connect(self.drop_due)
        self.due.dateChanged.connect(self._show_due)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(chip)
        lay.addWidget(self.note, 1)
        lay.addWidget(self.due)
        lay.addWidget(self.clear_due)
        self._show_due()

    def due_date(self) -> date | None:
        if self.due.date() == self.due.minimumDate():
            return None
        d = self.due.date()
        return date(d.year(), d.month(), d.day())

    def set_due(self, day: date | None) -> None:
        self.due.setDate(QDate(day.year, day.month, day.day) if day else self.due.minimumDate())

    def drop_due(self) -> None:
        self.set_due(None)

    def _show_due(self) -> None:
        self.clear_due.setEnabled(self.due_date() is not None)

    def info(self) -> dict[str, str]:
        """What ``job_spec`` takes for this step under ``step_info``."""
        out = {"note": self.note.text().strip()}
        day = self.due_date()
        if day is not None:
            out["due"] = day.isoformat()
        return {k: v for k, v in out.items() if v}


class NewJobScreen(QWidget):
    created = Signal(str)  # the new job's id
    cancelled = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.asker: Any = Asker(self)
        self.steps: list[dict[str, Any]] = []
        self.rows: list[StepRow] = []
        title = QLabel(tr("New job"))
        title.setObjectName("screenTitle")

        self.part = self._line("part")
        self.part_name = self._line("part_name")
        self.drawing = self._line("drawing")
        self.revision = self._line("revision")
        self.material = self._line("material")
        self.qty = self._line("qty")
        self.qty.setValidator(QIntValidator(1, 999_999_999, self))
        self.qty.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.due = QDateEdit()
        self.due.setObjectName("field_due")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumHeight(touch())
        touch_calendar(self.due.calendarWidget())
        self.customer = self._line("customer")
        self.price = self._line("price")
        self.price.setValidator(QIntValidator(0, 999_999_999, self))
        self.note = self._line("note")
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        rows = [
            ((tr("Part") + " *", self.part), (tr("Part name"), self.part_name)),
            ((tr("Drawing"), self.drawing), (tr("Revision"), self.revision)),
            ((tr("Qty") + " *", self.qty), (tr("Due") + " *", self.due)),
            ((tr("Material"), self.material), (tr("Customer"), self.customer)),
            ((tr("Unit price (yen)"), self.price),),
        ]
        for r, pair in enumerate(rows):
            for c, (label, widget) in enumerate(pair):
                form.addWidget(QLabel(label), r, 2 * c)
                form.addWidget(widget, r, 2 * c + 1)
        form.addWidget(QLabel(tr("Note")), len(rows), 0)
        form.addWidget(self.note, len(rows), 1, 1, 3)
        # The drawing itself (PDF or image), attached with the job and synced to the route.
        self.drawing_path: Path | None = None
        self.drawing_file = BigButton("")
        self.drawing_file.setObjectName("pickDrawingFile")
        self.drawing_file.clicked.connect(self.pick_drawing)
        form.addWidget(QLabel(tr("Drawing file")), len(rows) + 1, 0)
        form.addWidget(self.drawing_file, len(rows) + 1, 1, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        route_frame = QFrame()
        route_frame.setObjectName("routeFrame")
        route_lay = QVBoxLayout(route_frame)
        route_head = QHBoxLayout()
        route_title = QLabel(tr("Route"))
        route_title.setObjectName("sectionTitle")
        self.add_step = BigButton(tr("Add step"))
        self.add_step.setObjectName("addStep")
        self.add_step.clicked.connect(self.ask_step)
        self.remove_step = BigButton(tr("Remove last step"))
        self.remove_step.setObjectName("removeStep")
        self.remove_step.clicked.connect(self.drop_step)
        route_head.addWidget(route_title, 1)
        route_head.addWidget(self.add_step, 2)
        route_head.addWidget(self.remove_step, 2)
        self.chips = QVBoxLayout()  # one row a step
        self.hint = QLabel(tr("Tap “Add step” for each process, in order."))
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        route_lay.addLayout(route_head)
        route_lay.addWidget(self.hint)
        route_lay.addLayout(self.chips)

        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        cancel = BigButton(tr("Back without saving"))
        cancel.setObjectName("cancelNewJob")
        cancel.clicked.connect(self.cancel)
        create = BigButton(tr("Create job"), "primary")
        create.setObjectName("createJob")
        create.clicked.connect(self.create_job)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(create)

        # The fields and the route scroll (by swiping) on a short panel; the title and
        # the two buttons stay where they are.
        body = QWidget()
        body_lay = QVBoxLayout(body)
        body_lay.setContentsMargins(0, 0, 0, 0)
        body_lay.addLayout(form)
        body_lay.addWidget(route_frame)
        body_lay.addStretch(1)
        self.body_scroll = scroll = QScrollArea()
        scroll.setObjectName("newJobBody")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        touch_scroll(scroll)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.feedback)
        lay.addLayout(buttons)
        self.reset()

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"field_{name}")
        edit.setMinimumHeight(touch())
        edit.setMaxLength(2000 if name == "note" else 200)
        return edit

    # -- the route -------------------------------------------------------------------

    def ask_step(self) -> None:
        if len(self.steps) >= MAX_STEPS:
            self.say("error", tr("A route has at most {0} steps.").format(MAX_STEPS))
            return
        seq = 10 * (len(self.steps) + 1)
        processes = [(e.code, process_name(e.code)) for e in catalog.processes()]
        process = self.asker.choice(tr("Step {0}: which process?").format(seq), processes)
        if process is None:
            return
        firm = self.asker.choice(
            tr("Step {0}: {1} by which firm?").format(seq, process_name(process)),
            self.firm_choices(),
        )
        if firm is None:
            return
        self.steps.append({"seq": seq, "process": process, "firm": firm})
        self.show_steps()
        self.say("", "")
        # The new row in view (on a short panel it is below the fold), once laid out.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.body_scroll.ensureWidgetVisible(self.rows[-1])

    def firm_choices(self) -> list[tuple[str, str]]:
        """This firm first, then the directory by code."""
        own = self.session.firm
        codes = [own, *sorted(c for c in firm_names(self.session.store) if c != own)]
        return [(code, self.session.firm_label(code)) for code in codes]

    def drop_step(self) -> None:
        if self.steps:
            self.steps.pop()
            self.show_steps()

    def show_steps(self) -> None:
        """One row per step of ``steps``: rows already there keep what was typed in them."""
        while len(self.rows) > len(self.steps) or (
            self.rows and self.rows[-1].seq != self.steps[len(self.rows) - 1]["seq"]
        ):
            row = self.rows.pop()
            row.hide()  # at once: a deferred delete would leave it painted meanwhile
            self.chips.removeWidget(row)
            row.deleteLater()
        for s in self.steps[len(self.rows) :]:
            label = f"{s['seq']} {process_name(s['process'])}\n{self.session.firm_label(s['firm'])}"
            row = StepRow(s, label, s["firm"] == self.session.firm)
            self.chips.addWidget(row)
            row.show()  # now, not at the next turn of the loop: laid out and scrolled to
            self.rows.append(row)
        # The chips as wide as the widest, so the fields beside them line up.
        width = max((r.chip.sizeHint().width() for r in self.rows), default=0)
        for r in self.rows:
            r.chip.setMinimumWidth(width)
        self.hint.setVisible(not self.steps)
        self.remove_step.setEnabled(bool(self.steps))

    # -- creating --------------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        return {
            "part": self.part.text(),
            "drawing": self.drawing.text(),
            "qty": self.qty.text(),
            "due": self.due.date().toString("yyyy-MM-dd"),
            "customer": self.customer.text(),
            "price": self.price.text(),
            "note": self.note.text(),
            "part_name": self.part_name.text(),
            "material": self.material.text(),
            "revision": self.revision.text(),
            "route": list(self.steps),
            "step_info": {str(r.seq): r.info() for r in self.rows if r.info()},
        }

    def create_job(self) -> None:
        if not self.steps:
            self.say("error", tr("Add at least one step to the route."))
            return
        try:
            spec = job_spec(self.fields(), firm=self.session.firm, today=date.today())
        except JobInputError as exc:
            if exc.field == "step_info" and exc.detail.isdigit():
                self.say("error", self._step_error(int(exc.detail), exc.code))
            else:
                self.say("error", field_error(exc.code, exc.field))
            return
        if spec.due < date.today():
            self.say("error", tr("The due date has passed."))
            return
        for row in self.rows:
            day = row.due_date()
            if day is not None and day < date.today():
                self.say("error", self._step_error(row.seq, "step_due_passed"))
                return
        if not signed_in(self.session, self.asker):
            self.say("error", reason_text(Reason.NO_OPERATOR.value))
            return
        store = self.session.store
        if self.drawing_path is not None:  # a file that cannot be attached stops it here
            try:
                files.put_file(store, self.drawing_path)
            except files.FileRefused as exc:
                self.say("error", reason_text(exc.code))
                return
            except OSError:
                self.say("error", reason_text("file_unreadable"))
                return
        result = self.session.record(
            commands.create_job(store.job(spec.job_id), self.session.actor, spec)
        )
        if not result.ok:
            self.say("error", reason_text(result.reason or ""))
            return
        if self.drawing_path is not None:
            attached = attachments.attach_drawing(
                store,
                self.session.record,
                store.job(spec.job_id),
                self.session.actor,
                self.drawing_path,
            )
            if not attached.ok:
                self.say("error", reason_text(attached.reason or ""))
                return
        self.reset()
        self.created.emit(spec.job_id)

    @staticmethod
    def _step_error(seq: int, code: str) -> str:
        return tr("Step {0}: {1}").format(seq, reason_text(code))

    def pick_drawing(self) -> None:
        path = self.asker.drawing_file()
        if path is None:
            return
        self.drawing_path = path
        self._show_drawing()

    def _show_drawing(self) -> None:
        p = self.drawing_path
        self.drawing_file.setText(f"📄 {p.name}" if p else tr("Choose the drawing (PDF or image)…"))

    def cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def reset(self) -> None:
        edits = (self.part, self.part_name, self.drawing, self.revision, self.material,
                 self.qty, self.customer, self.price, self.note)  # fmt: skip
        for edit in edits:
            edit.clear()
        self.due.setDate(QDate.currentDate().addDays(DEFAULT_LEAD_DAYS))
        self.drawing_path = None
        self._show_drawing()
        self.steps = []
        self.show_steps()
        self.say("", "")

    def say(self, level: str, text: str) -> None:
        say(self.feedback, level, text)
