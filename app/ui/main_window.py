"""The main window: a status bar on top, the screens below."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import commands
from app.settings import Settings
from app.ui.devices import DeviceHub
from app.ui.idle import IdleSignOut, UndoBar
from app.ui.job_screen import JobScreen
from app.ui.jobs_screen import JobsScreen
from app.ui.new_job_screen import NewJobScreen
from app.ui.owner_gate import owner_approval
from app.ui.scan import DialogWedges, ScanRouter
from app.ui.scan_feedback import ScanFlash, beep
from app.ui.session import Session
from app.ui.sign_in import SignInDialog
from app.ui.syncing import SyncBridge
from app.ui.text import tr
from app.ui.wedge import WedgeFilter
from app.ui.widgets import BigButton, ElidedLabel, restyle, snug

if TYPE_CHECKING:
    from app.ui.review_screen import ReviewScreen
    from app.ui.settings_screen import SettingsScreen


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        devices: DeviceHub | None = None,
        syncing: SyncBridge | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.settings = settings if settings is not None else Settings()
        self.devices = devices
        self.syncing = syncing
        self.setWindowTitle(tr("Nakama shop-floor terminal"))
        # The firm's name and the hub's state take what room is left, shortened with …
        # when the panel is narrow; they never widen the window.
        self.firm_label = ElidedLabel()
        self.firm_label.setObjectName("firmLabel")
        self.sync_label = ElidedLabel()
        self.sync_label.setObjectName("syncLabel")
        self.clock = QLabel()
        self.clock.setObjectName("clockLabel")
        self.device_label = QLabel()
        self.device_label.setObjectName("deviceLabel")
        bar = QWidget()
        bar.setObjectName("topBar")
        top = QHBoxLayout(bar)
        self.nav_jobs = snug(BigButton(tr("Jobs")))
        self.nav_jobs.setObjectName("navJobs")
        self.nav_review = snug(BigButton(tr("Today")))
        self.nav_review.setObjectName("navReview")
        self.operator_button = snug(BigButton(""))
        self.operator_button.setObjectName("operatorButton")
        self.operator_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.operator_button.clicked.connect(self.open_sign_in)
        self.nav_jobs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nav_review.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top.addWidget(self.nav_jobs)
        top.addWidget(self.nav_review)
        top.addWidget(self.operator_button)
        top.addWidget(self.firm_label, 1)
        top.addWidget(self.device_label)
        top.addWidget(self.sync_label, 1)
        top.addWidget(self.clock)
        self.stack = QStackedWidget()
        self.jobs = JobsScreen(session, devices)
        self.job = JobScreen(session, devices)
        self._review: ReviewScreen | None = None  # made when first opened (see ``review``)
        self.new_job = NewJobScreen(session)
        self.stack.addWidget(self.jobs)
        self.stack.addWidget(self.job)
        self.stack.addWidget(self.new_job)
        # Made when first opened (see ``settings_page``), like the review.
        self._settings_page: SettingsScreen | None = None
        self.replaced_by: MainWindow | None = None
        self.nav_jobs.clicked.connect(self.open_jobs)
        self.jobs.new_job.connect(lambda: self.stack.setCurrentWidget(self.new_job))
        self.jobs.settings_wanted.connect(self.open_settings)
        self.new_job.created.connect(self.open_job)
        self.new_job.cancelled.connect(self.open_jobs)
        self.nav_review.clicked.connect(self.open_review)
        self.jobs.job_chosen.connect(self.open_job)
        self.job.back.connect(self.open_jobs)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar)
        lay.addWidget(self._held_bar())
        self.undo_bar = UndoBar(
            session, lambda: int(self.settings["undo_seconds"]), lambda: self.job.asker
        )
        self.undo_bar.undone.connect(self.job._corrected)
        lay.addWidget(self.undo_bar)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        session.changed.connect(self.refresh_status)
        session.operator_changed.connect(self.refresh_operator)
        self.refresh_operator()
        if syncing is not None:
            syncing.updated.connect(self.refresh_status)
        if devices is not None:
            devices.link_changed.connect(lambda *_: self.refresh_devices())
            devices.failed.connect(lambda *_: self.refresh_devices())
        self.refresh_devices()
        self.scans = ScanRouter(session)
        self.scans.open_job.connect(self.open_scanned)
        self.scans.message.connect(self.show_message)
        self.scans.held.connect(self.offer_held)
        self.scans.scan_feedback.connect(self.scan_feedback)
        self.flash = ScanFlash(central, overlay=True)
        self.sounded: list[str] = []  # the cue of every scan, in order (tests read it)
        self.dialog_wedges = DialogWedges(self, self.scans)
        # The window itself is the scan target: no widget inside takes keyboard focus.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.route_scan)
        if devices is not None:
            devices.scanned.connect(self.route_scan)
        self.idle = IdleSignOut(session, lambda: int(self.settings["idle_sign_out_minutes"]))
        self.idle.signed_out.connect(self.signed_out_idle)
        self.scans.scan_feedback.connect(lambda *_: self.idle.touch())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(1000)
        self.tick()
        self.refresh_status()

    def _held_bar(self) -> QWidget:
        """A traveler scanned while a dialog was open, offered once the dialog is closed."""
        self.held_text = ""
        self.held_bar = QWidget()
        self.held_bar.setObjectName("heldBar")
        row = QHBoxLayout(self.held_bar)
        self.held_label = QLabel()
        self.held_label.setObjectName("heldLabel")
        self.held_label.setWordWrap(True)
        self.held_open = BigButton("", "primary")
        self.held_open.setObjectName("openHeld")
        self.held_open.clicked.connect(self.open_held)
        dismiss = BigButton(tr("Dismiss"))
        dismiss.setObjectName("dismissHeld")
        snug(dismiss)
        dismiss.clicked.connect(self.dismiss_held)
        row.addWidget(self.held_label, 1)
        row.addWidget(self.held_open)
        row.addWidget(dismiss)
        self.held_bar.hide()
        return self.held_bar

    def offer_held(self, text: str, label: str) -> None:
        self.held_text = text
        self.held_label.setText(tr("Scanned while a dialog was open: {0}").format(label))
        self.held_open.setText(tr("Open {0}").format(label))
        self.held_bar.show()

    def open_held(self) -> None:
        text = self.held_text
        self.dismiss_held()
        if text:
            self.scans.handle(text)  # verified again now: keys may have changed meanwhile

    def dismiss_held(self) -> None:
        self.held_text = ""
        self.held_bar.hide()
        self.setFocus()

    def scan_feedback(self, kind: str, text: str) -> None:
        """Every scan's cue: the bell (1, 2 or 3 rings) and the coloured flash."""
        self.sounded.append(kind)
        beep(kind)
        self.flash.flash(kind, text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.dialog_wedges.stop()
        self.idle.stop()
        if self._settings_page is not None:
            self._settings_page.stop()
        super().closeEvent(event)

    def open_sign_in(self) -> None:
        """Tap the name in the top bar: someone else signs in (or the one there signs out)."""
        SignInDialog(self.session, self).exec()
        self.setFocus()  # the scanner's keys come to the window again

    def refresh_operator(self) -> None:
        op = self.session.operator
        self.operator_button.setText(
            tr("Operator: {0}").format(op.name) if op is not None else tr("Sign in")
        )
        restyle(self.operator_button, "signedIn", op is not None)

    def open_jobs(self) -> None:
        self.stack.setCurrentWidget(self.jobs)
        self.setFocus()  # back to the scan target (the new-job form's fields had it)

    def open_job(self, job_id: str) -> None:
        self.job.show_job(job_id)
        self.stack.setCurrentWidget(self.job)
        self.setFocus()

    def open_scanned(self, job_id: str, lot_id: str, qty: int) -> None:
        if self.held_text:  # a traveler scanned now replaces one kept from a dialog
            self.dismiss_held()
        self.job.show_job(job_id, scanned=(lot_id, qty))
        self.stack.setCurrentWidget(self.job)

    def show_message(self, level: str, text: str) -> None:
        """A scan's outcome, on whichever screen is showing."""
        target = self.job if self.stack.currentWidget() is self.job else self.jobs
        target.say(level, text)

    def relaunch(self, _lang: str) -> None:
        """A new language applies at once: every screen is built again in it (the same
        session, devices and sync; the settings page stays in front), and this one goes."""
        new = MainWindow(self.session, self.devices, self.syncing, self.settings)
        new.setGeometry(self.geometry())
        new.settings_page.approved_by = self.settings_page.approved_by
        new.settings_page.open_page()
        new.stack.setCurrentWidget(new.settings_page)
        new.showFullScreen() if self.isFullScreen() else new.show()
        self.replaced_by = new
        self.close()
        self.deleteLater()

    def route_scan(self, text: str) -> None:
        """A hub enrolment code scanned on the settings page fills it in; every other scan
        goes to the router."""
        if self.on_settings() and self.settings_page.take_scan(text):
            self.idle.touch()
            return
        self.scans.handle(text)

    def signed_out_idle(self, minutes: int) -> None:
        if self.on_settings():
            self.settings_page.close_page()  # the owner's approval ends with the session
        self.show_message("ok", tr("Signed out after {0} min without use.").format(minutes))

    def open_settings(self) -> bool:
        """The settings page, for the owner (signed in, or approving with their PIN)."""
        owner = owner_approval(self.session, tr("Settings are for the owner."), self)
        if owner is None:
            self.setFocus()
            return False
        self.settings_page.approved_by = owner  # who changes operators here
        self.settings_page.open_page()
        self.stack.setCurrentWidget(self.settings_page)
        self.setFocus()
        return True

    @property
    def settings_page(self) -> SettingsScreen:
        """The owner's settings, made the first time they are opened: the devices'
        port lists, the camera's picture and the operators' rows are no part of a
        machinist's cold start."""
        if self._settings_page is None:
            from app.ui.settings_screen import SettingsScreen

            page = SettingsScreen(self.session, self.settings, self.devices, self.syncing)
            page.done.connect(self.open_jobs)
            page.language_changed.connect(self.relaunch)
            self.stack.addWidget(page)
            self._settings_page = page
        return self._settings_page

    def on_settings(self) -> bool:
        """The settings page is in front (never made just to ask)."""
        page = self._settings_page
        return page is not None and self.stack.currentWidget() is page

    @property
    def review(self) -> ReviewScreen:
        """The owner's review, made the first time it is needed: its charts (pyqtgraph,
        numpy) and a week's figures are no part of a machinist's cold start."""
        if self._review is None:
            from app.ui.review_screen import ReviewScreen

            self._review = ReviewScreen(self.session)
            self.stack.addWidget(self._review)
        return self._review

    def open_review(self) -> None:
        """The day's review is the owner's: signed in, or approving with their PIN."""
        why = tr("The day's review is for the owner.")
        if owner_approval(self.session, why, self, commands.APPROVERS) is None:
            self.setFocus()
            return
        self.review.refresh()
        self.stack.setCurrentWidget(self.review)
        self.setFocus()

    def refresh_devices(self) -> None:
        """One dot per device: green up, amber connecting or retrying, red lost or failed."""
        if self.devices is None or not self.devices.links:
            self.device_label.setText("")
            return
        up = sum(1 for state in self.devices.links.values() if state == "up")
        total = len(self.devices.links)
        self.device_label.setText(tr("Devices {0}/{1}").format(up, total))
        restyle(self.device_label, "ok", up == total)

    def tick(self) -> None:
        self.clock.setText(QDateTime.currentDateTime().toString("M/d HH:mm"))

    def refresh_status(self) -> None:
        s = self.session.store
        self.firm_label.setText(self.session.firm_label(s.firm_id))
        stats = s.outbox_stats()
        status = self.syncing.status if self.syncing is not None else None
        if status is None or not status.enrolled:
            parts = [tr("No hub")]
        elif status.online:
            parts = [tr("Hub: online")]
        else:
            parts = [tr("Hub: offline")]
            if status.last_success:
                last = datetime.fromisoformat(status.last_success).astimezone()
                parts.append(tr("last sync {0}").format(last.strftime("%m-%d %H:%M")))
        parts.append(tr("To send: {0}").format(stats["pending"]))
        if stats["pending"] and stats["oldest_pending_at"]:
            age = datetime.now(UTC) - datetime.fromisoformat(stats["oldest_pending_at"])
            hours = int(age.total_seconds() // 3600)
            if hours:
                parts.append(tr("oldest {0} h").format(hours))
        if stats["rejected"]:
            parts.append(tr("Refused by hub: {0}").format(stats["rejected"]))
        self.sync_label.setText("   ".join(parts))
        restyle(self.sync_label, "online", bool(status and status.online))
