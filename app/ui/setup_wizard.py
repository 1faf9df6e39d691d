"""The first-run wizard: a fresh terminal is set up at the touchscreen, page by page —
language, the firm, the owner and operators, devices, camera, the hub.

Every page saves what it is given through the paths the settings page uses (settings
file, ``commands.save_operator``, ``app.sync.enroll``) as soon as it is given, and the
page reached is kept in the store (``app.core.setup``): a terminal switched off half-way
opens again where it was, with nothing typed so far lost. Scans (a keyboard-wedge
scanner, a USB-COM one or the camera) go to the page showing: a badge on the people
page, the enrolment QR on the hub page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core import setup
from app.settings import Settings
from app.ui.devices import DeviceHub
from app.ui.session import Session
from app.ui.setup_devices import CameraPage, DevicesPage, HubPage
from app.ui.setup_pages import FirmPage, LanguagePage, PeoplePage, WizardPage
from app.ui.text import reason_text, tr
from app.ui.wedge import WedgeFilter
from app.ui.widgets import BigButton, say

PAGE_TYPES: dict[str, type[WizardPage]] = {
    "language": LanguagePage,
    "firm": FirmPage,
    "people": PeoplePage,
    "devices": DevicesPage,
    "camera": CameraPage,
    "hub": HubPage,
}


class SetupWizard(QWidget):
    """The wizard over the whole screen; ``completed`` when the last page is left."""

    completed = Signal()
    closed = Signal()  # its window was closed (finished or not)
    whole_screen = True  # the catalogue shows it as it is, not over the main window

    def __init__(self, session: Session, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("setupWizard")
        self.setWindowTitle("Nakama")
        self.session = session
        self.settings = settings
        # The camera (when one is chosen) and its decoder, for the picture and for
        # scanning the enrolment QR; the main window opens its own after the wizard.
        self.camera = DeviceHub(session, [], camera="")
        self.camera.scanned.connect(self.take_scan)
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.take_scan)
        self.index = setup.resume_at(self._meta())
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.steps = QLabel()
        self.steps.setObjectName("hint")
        self.steps.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.stack = QStackedWidget()
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        self.back = BigButton("", "normal")
        self.back.setObjectName("wizardBack")
        self.back.clicked.connect(self.go_back)
        self.next = BigButton("", "primary")
        self.next.setObjectName("wizardNext")
        self.next.clicked.connect(self.go_next)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.steps)
        nav = QHBoxLayout()
        nav.addWidget(self.back, 1)
        nav.addStretch(1)
        nav.addWidget(self.next, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.feedback)
        lay.addLayout(nav)
        self.pages: list[WizardPage] = []
        self.build()

    # -- pages ------------------------------------------------------------------------

    def build(self) -> None:
        """(Re)build every page in the application's language; the current page opens."""
        for page in self.pages:
            page.stop()
            self.stack.removeWidget(page)
            page.setParent(None)  # gone at once from the tree, deleted when Qt is idle
            page.deleteLater()
        self.pages = [PAGE_TYPES[key](self) for key in setup.PAGES]
        for page in self.pages:
            self.stack.addWidget(page)
        self.show_page(self.index)

    @property
    def page(self) -> WizardPage:
        return self.pages[self.index]

    def show_page(self, index: int) -> None:
        self.page.stop()
        self.index = index
        self.session.store.set_meta({setup.PAGE_META: setup.PAGES[index]})
        self.stack.setCurrentIndex(index)
        say(self.feedback, "", "")
        self.page.enter()
        self.refresh_nav()

    def refresh_nav(self) -> None:
        page = self.page
        self.title.setText(f"{tr('First set-up')} — {page.title()}")
        self.steps.setText(tr("Step {0} of {1}").format(self.index + 1, len(self.pages)))
        self.back.setText(tr("◀ Back"))
        self.back.setEnabled(self.index > 0)
        self.next.setText(page.next_text() or tr("Next ▶"))

    def go_next(self) -> None:
        why = self.page.leave()
        if why is not None:
            self.tell("error", reason_text(why))
            return
        if self.index + 1 < len(self.pages):
            self.show_page(self.index + 1)
        else:
            self.finish()

    def go_back(self) -> None:
        if self.index > 0:
            self.show_page(self.index - 1)

    def finish(self) -> None:
        """The terminal is set up: the wizard never opens again on this store."""
        self.stop()
        self.session.store.set_meta({setup.DONE_META: "1", setup.PAGE_META: ""})
        self.completed.emit()

    def stop(self) -> None:
        for page in self.pages:
            page.stop()
        self.camera.stop()

    def tell(self, level: str, text: str) -> None:
        say(self.feedback, level, text)

    # -- scans ------------------------------------------------------------------------

    def take_scan(self, text: str) -> None:
        """A scan goes to the page showing; a page that takes none says so."""
        if not self.page.take_scan(text.strip()):
            self.tell("error", tr("This page does not take a scan."))

    def watch(self, field: QWidget) -> None:
        """Scans made while ``field`` has the cursor come here too (a field of Latin text:
        a badge number, the hub's address; its input method is turned off). Fields for
        names keep the IME, so a scan there would type into them: the PIN pad takes the
        cursor away from them (``PeoplePage``)."""
        WedgeFilter(field).scanned.connect(self.take_scan)

    def use_camera(self, url: str) -> None:
        """Open ``url`` as the wizard's camera (or none for an empty url)."""
        # Codes the old camera read and has not handed over yet go nowhere.
        self.camera.scanned.disconnect(self.take_scan)
        self.camera.stop()
        self.camera = DeviceHub(self.session, [], camera=url)
        self.camera.scanned.connect(self.take_scan)
        if url:
            self.camera.start()

    def closeEvent(self, event: Any) -> None:
        # Closed half-way (the power button, Alt-F4): the page reached is already kept.
        self.stop()
        super().closeEvent(event)
        self.closed.emit()

    def _meta(self) -> dict[str, str | None]:
        store = self.session.store
        return {k: store.meta(k) for k in (setup.PAGE_META, setup.DONE_META)}


def wizard_needed(session: Session) -> bool:
    """Whether this store still needs the first-run wizard (see ``app.core.setup``)."""
    store = session.store
    meta = {k: store.meta(k) for k in (setup.PAGE_META, setup.DONE_META)}
    return setup.needed(meta, session.roster(active_only=False))
