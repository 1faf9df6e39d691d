"""Every scan, from any source (keyboard-wedge scanner, USB-COM scanner, camera), goes
through one router: an operator's badge signs them in; a verified traveler opens its
job (taken in offline if this terminal has never seen it) at the lot it names; anything
else is explained in the machinist's language.

A scan never acts behind an open dialog. While a modal dialog is in front:

- a dialog that takes scans itself (``take_scan``: the sign-in dialog, for badges) gets
  the scan;
- any other dialog (counts, choices, confirmations, measuring) refuses it with a notice
  inside the dialog: "close the dialog first". Nothing is written and no screen changes
  under the dialog, so what the machinist confirms there is recorded on the job the
  dialog was opened for.
- In any dialog (sign-in too), a traveler that verifies is refused *and kept*: after
  the dialog closes, the main window offers it (a bar with "open" and "dismiss"). It
  asks rather than opens by itself: the screen the machinist just confirmed something
  on, and its "saved" line naming that job, stay put until they choose; and a sheet
  scanned by mistake (the scanner in one hand, the traveler pile on the bench) costs a
  tap, not a lost place. Nothing is written while it is kept (a traveler of a job new
  to this terminal is taken in when opened). A forged or unknown traveler is refused
  for what it is and not kept. A badge is not kept: signing someone else in mid-record
  would change who did the work.
- Wedge bursts typed into a dialog reach this router through ``DialogWedges``; the
  USB-COM scanner and the camera always come here, and ``handle`` looks at the modal
  dialog in front (``QApplication.activeModalWidget``) before anything else.

Every scan also reports its kind (``scan_feedback``: accepted, refused or not a
traveler) for the sound and the flash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.core import lots
from app.core.operators import BADGE_PREFIX
from app.core.traveler import verify
from app.scanned import kind as code_kind
from app.store.keyring import key_directory
from app.store.travelers import adopt
from app.ui.scan_feedback import ACCEPTED, FOREIGN, REFUSED, dialog_notice
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.wedge import WedgeFilter


def verdict_text(verdict: str) -> str:
    return {
        "unknown_key": tr(
            "This traveler was signed by a terminal this PC does not know yet. "
            "Connect to the hub (or import the lead firm's key) and scan again."
        ),
        "bad_signature": tr("The signature does not match: this traveler was altered or forged."),
        "expired_key": tr("This traveler was signed with an expired key. Ask the lead firm."),
        "revoked_key": tr("This traveler was signed by a terminal that has been revoked."),
        "unsupported_version": tr("This traveler is from a newer Nakama. Update this terminal."),
        "malformed": tr("The code was read incompletely. Scan it again."),
        "not_nakama": tr("This is not a Nakama traveler."),
        "no_origin": tr("This traveler does not carry its job. Ask the lead firm."),
    }.get(verdict, verdict)


def feedback_kind(verdict: str) -> str:
    """The kind a router verdict is shown as: accepted, refused or not a traveler."""
    if verdict in ("valid", "signed_in"):
        return ACCEPTED
    return FOREIGN if verdict == "not_nakama" else REFUSED


class ScanRouter(QObject):
    """``open_job(job, lot, qty)`` for a good traveler, ``message(level, text)`` otherwise;
    a badge signs its operator in. ``scan_feedback(kind, text)`` for every scan;
    ``held(text, label)`` for a traveler kept while a dialog was open."""

    open_job = Signal(str, str, int)  # job, scanned lot, its quantity
    message = Signal(str, str)
    scan_feedback = Signal(str, str)  # kind (accepted / refused / foreign), short text
    held = Signal(str, str)  # the scanned text, "part · job" to offer it by

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.said = ""  # what the flash says about the scan being handled

    def handle(self, text: str) -> str:
        """Route one scanned text; returns the verdict (``valid`` or why not)."""
        text = text.strip()
        self.said = ""
        front = QApplication.activeModalWidget()
        verdict = self.in_dialog(front, text) if front is not None else self.route(text)
        # What the flash says: the job, the operator or why not; never a traveler's raw code.
        if not self.said:
            self.said = verdict_text(verdict) if code_kind(text) == "traveler" else _short(text)
        self.scan_feedback.emit(feedback_kind(verdict), self.said)
        return verdict

    def in_dialog(self, dialog: QWidget, text: str) -> str:
        """A scan while ``dialog`` is in front: given to it, or refused in it (see the
        module's docstring). Nothing behind the dialog changes."""
        taker: Any = getattr(dialog, "take_scan", None)
        if callable(taker):
            verdict = str(taker(text))
            if verdict == "signed_in" and self.session.operator is not None:
                self.said = self.session.operator.name
            elif code_kind(text) == "badge":
                self.said = reason_text(verdict)
            elif verdict == "dialog_open":  # a traveler: kept if it verifies
                checked, label = self._keep(text)
                self.said = (
                    tr("Close the dialog first, then scan.") + f"  ({label})"
                    if label is not None
                    else verdict_text(checked)
                )
            return verdict
        kind = code_kind(text)
        notice = dialog_notice(dialog)
        close_first = tr("Close the dialog first, then scan.")
        if kind == "badge":
            self.said = close_first
            notice.flash(REFUSED, close_first)
            return "dialog_open"
        if kind != "traveler":
            notice.flash(FOREIGN, f"{verdict_text('not_nakama')}  ({text[:40]})")
            return "not_nakama"
        verdict, label = self._keep(text)
        if label is None:
            notice.flash(REFUSED, verdict_text(verdict))  # not worth scanning again
            return verdict
        self.said = f"{close_first}  ({label})"
        notice.flash(
            REFUSED,
            close_first
            + "\n"
            + tr("The traveler {0} is kept: it is offered when this dialog closes.").format(label),
        )
        return "dialog_open"

    def _keep(self, text: str) -> tuple[str, str | None]:
        """Keep a traveler scanned while a dialog is open, if it verifies (nothing is
        written: it is taken in only when opened); its verdict and ``part · job``."""
        result = verify(text, key_directory(self.session.store), datetime.now(UTC))
        if not result.ok or result.traveler is None:
            return result.verdict.value, None
        t = result.traveler
        label = f"{t.part_no} · {t.job_id}"
        self.held.emit(text, label)
        return result.verdict.value, label

    def route(self, text: str) -> str:
        """Act on a scan with no dialog in front."""
        if text.startswith(BADGE_PREFIX):
            return self.badge(text)
        store = self.session.store
        result = verify(text, key_directory(store), datetime.now(UTC))
        if not result.ok or result.traveler is None:
            verdict = result.verdict.value
            if verdict == "not_nakama" and text:
                self.message.emit("error", f"{verdict_text(verdict)}  ({text[:40]})")
            else:
                self.message.emit("error", verdict_text(verdict))
            return verdict
        outcome = adopt(store, result)
        if outcome not in ("adopted", "known"):
            self.message.emit("error", verdict_text(outcome))
            return outcome
        if outcome == "adopted":
            self.session.changed.emit()
            self.message.emit(
                "ok", tr("New job from the traveler: {0}").format(result.traveler.part_no)
            )
        t = result.traveler
        self.said = f"{t.part_no} · {t.job_id}"
        # Old paper (release 0.1) spells the first lot ``J-1``: it is the same lot ``J-L1``.
        self.open_job.emit(t.job_id, lots.canonical(t.job_id, t.lot_id), t.qty)
        return result.verdict.value

    def badge(self, text: str) -> str:
        """Sign in the operator whose badge was scanned; ``signed_in`` or the reason."""
        why = self.session.sign_in_badge(text)
        if why is not None:
            self.said = reason_text(why)
            self.message.emit("error", self.said)
            return why
        assert self.session.operator is not None
        self.said = self.session.operator.name
        self.message.emit("ok", tr("Signed in: {0}").format(self.session.operator.name))
        return "signed_in"


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:21] + "…"


class DialogWedges(QObject):
    """While one of ``window``'s modal dialogs is open, a keyboard-wedge scanner types
    into that dialog, not the window: each such dialog gets a wedge filter of its own that
    hands its bursts to ``router`` (a dialog that already listens for scans, the sign-in
    dialog, is switched over to the router), so no scan is swallowed unseen."""

    def __init__(self, window: QWidget, router: ScanRouter) -> None:
        super().__init__(window)
        self.window = window
        self.router = router
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def stop(self) -> None:
        """The window is closing: stop watching the application's dialogs."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and watched.isModal()
            and self._ours(watched)
        ):
            self._attach(watched)
        return False

    def _ours(self, dialog: QWidget) -> bool:
        w = dialog.parentWidget()
        while w is not None:
            if w is self.window:
                return True
            w = w.parentWidget()
        return False

    def _attach(self, dialog: QDialog) -> None:
        own = getattr(dialog, "wedge", None)
        if isinstance(own, WedgeFilter):  # the dialog's own scans go through the router too
            own.scanned.disconnect()
            own.scanned.connect(self.router.handle)
            return
        if dialog.findChild(WedgeFilter) is not None:
            return
        wedge = WedgeFilter(dialog)
        wedge.scanned.connect(self.router.handle)
        # Only while the dialog is open: a closed dialog keeps no filter of ours.
        dialog.finished.connect(lambda _result: _detach(dialog, wedge))


def _detach(dialog: QDialog, wedge: WedgeFilter) -> None:
    dialog.removeEventFilter(wedge)
    wedge.setParent(None)
