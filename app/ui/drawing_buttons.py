"""The job screen's drawing buttons (図面, 図面を添付) and its defect-with-photos glue;
what is kept and recorded is ``app/attachments.py``'s, shared with the command line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QWidget

from app import attachments
from app.core import drawings
from app.core.catalog import CatalogueEntry
from app.core.commands import Actor
from app.core.state import JobState
from app.store import AppendResult, files
from app.ui.drawing_viewer import DrawingDialog
from app.ui.session import Session
from app.ui.sign_in import signed_in
from app.ui.text import reason_text, tr
from app.ui.widgets import BigButton, restyle

FILE_FILTER = "PDF / PNG / JPEG / WebP (*.pdf *.png *.jpg *.jpeg *.webp)"


def pick_drawing_file(parent: QWidget | None) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, tr("Drawing file"), "", FILE_FILTER)
    return Path(name) if name else None


def record_defect_with_photos(
    session: Session,
    job: JobState,
    actor: Actor,
    lot_id: str,
    op: int,
    code: str,
    count: int,
    disposition: str,
    shots: Sequence[bytes],
    own: CatalogueEntry | None = None,
) -> AppendResult:
    """Keep the photos, record the defect naming them, queue them for the hub."""
    return attachments.record_defect_with_photos(
        session.store,
        session.record,
        job,
        actor,
        lot_id,
        op,
        code,
        count,
        disposition,
        shots,
        own,
    )


class DrawingButtons(QWidget):
    """図面 (open the drawing; ⚠ when something disagrees) and, for the lead firm,
    図面を添付. ``screen`` is the job screen: its asker, its feedback line."""

    def __init__(self, job_screen: Any) -> None:
        super().__init__()
        self.job_screen = job_screen
        self.job: JobState | None = None
        self.viewer: DrawingDialog | None = None
        self.show_button = BigButton(tr("Show drawing"))
        self.show_button.setObjectName("showDrawing")
        self.show_button.clicked.connect(self.open_drawing)
        self.attach_button = BigButton(tr("Attach drawing"))
        self.attach_button.setObjectName("attachDrawing")
        self.attach_button.clicked.connect(self.attach)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.show_button)
        lay.addWidget(self.attach_button)

    @property
    def session(self) -> Session:
        return self.job_screen.session

    def refresh(self, job: JobState | None) -> None:
        self.job = job
        current = drawings.current(job) if job is not None else None
        self.show_button.setVisible(current is not None)
        self.attach_button.setVisible(job is not None and job.lead_firm == self.session.firm)
        self.setVisible(self.show_button.isVisibleTo(self) or self.attach_button.isVisibleTo(self))
        if job is None or current is None:
            return
        warn = bool(drawings.mismatches(job, current))
        here = files.path_of(self.session.store, current.sha256) is not None
        # Red, an icon and a word when something disagrees: it must not be missed.
        if warn:
            label = tr("⚠ Drawing {0}: check").format(current.revision).replace("  ", " ")
        else:
            label = tr("Drawing {0}").format(current.revision).strip()
        self.show_button.setText(label + ("" if here else " ⏳"))
        restyle(self.show_button, "role", "danger" if warn else "normal")

    def open_drawing(self) -> DrawingDialog | None:
        """The current drawing, full screen; why not when it has not arrived yet."""
        job = self.job
        current = drawings.current(job) if job is not None else None
        if job is None or current is None:
            return None
        path = files.path_of(self.session.store, current.sha256)
        if path is None:
            self.job_screen.say("error", reason_text("file_not_here_yet"))
            return None
        self.viewer = DrawingDialog(job, current, path, parent=self.window())
        self.viewer.open()
        return self.viewer

    def attach(self) -> AppendResult | None:
        job = self.job
        if job is None or not signed_in(self.session, self.job_screen.asker):
            return None
        path = self.job_screen.asker.drawing_file()
        if path is None:
            return None
        result = attachments.attach_drawing(
            self.session.store, self.session.record, job, self.session.actor, path
        )
        if result.ok:
            self.job_screen.say("ok", tr("Saved: {0}").format(tr("Drawing attached")))
        else:
            self.job_screen.say("error", reason_text(result.reason or ""))
        return result
