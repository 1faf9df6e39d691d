"""A new job, entered by the lead firm: what to make, how many, by when, and the route of
steps across the neighbours' shops.

The fields go through the same checks as ``nakama job create`` (``app.core.job_input``);
the route is built by tapping a process and then a firm from the firm directory, so no
one types a firm code. The new job opens on its job screen, where its traveler is
issued.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
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
from app.ui.widgets import BigButton, say, touch, touch_calendar, touch_scroll

MAX_STEPS = 40  # what the wire format accepts
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
    text = texts.get(code, tr("{0}: not in the right form."))
    return text.format(names.get(field, field))


class NewJobScreen(QWidget):
    created = Signal(str)  # the new job's id
    cancelled = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.asker: Any = Asker(self)
        self.steps: list[dict[str, Any]] = []
        title = QLabel(tr("New job"))
        title.setObjectName("screenTitle")

        self.part = self._line("part")
        self.drawing = self._line("drawing")
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
            ((tr("Part") + " *", self.part), (tr("Drawing"), self.drawing)),
            ((tr("Qty") + " *", self.qty), (tr("Due") + " *", self.due)),
            ((tr("Customer"), self.customer), (tr("Unit price (yen)"), self.price)),
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
        self.chips = QGridLayout()
        route_lay.addLayout(route_head)
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
        scroll = QScrollArea()
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
        while self.chips.count():
            item = self.chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: a deferred delete would leave it painted meanwhile
                widget.deleteLater()
        if not self.steps:
            hint = QLabel(tr("Tap “Add step” for each process, in order."))
            hint.setObjectName("hint")
            self.chips.addWidget(hint, 0, 0)
        for i, s in enumerate(self.steps):
            chip = QLabel(
                f"{s['seq']} {process_name(s['process'])}\n{self.session.firm_label(s['firm'])}"
            )
            chip.setObjectName("opChip")
            chip.setProperty("ours", s["firm"] == self.session.firm)
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.chips.addWidget(chip, i // 5, i % 5)
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
            "route": list(self.steps),
        }

    def create_job(self) -> None:
        if not self.steps:
            self.say("error", tr("Add at least one step to the route."))
            return
        try:
            spec = job_spec(self.fields(), firm=self.session.firm, today=date.today())
        except JobInputError as exc:
            self.say("error", field_error(exc.code, exc.field))
            return
        if spec.due < date.today():
            self.say("error", tr("The due date has passed."))
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
        for edit in (self.part, self.drawing, self.qty, self.customer, self.price, self.note):
            edit.clear()
        self.due.setDate(QDate.currentDate().addDays(DEFAULT_LEAD_DAYS))
        self.drawing_path = None
        self._show_drawing()
        self.steps = []
        self.show_steps()
        self.say("", "")

    def say(self, level: str, text: str) -> None:
        say(self.feedback, level, text)
