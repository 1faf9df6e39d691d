"""Signing in at the terminal: tap your name (then your PIN, if you have one), or scan
your badge. Every record carries who made it, so nothing is recorded before this."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.operators import BADGE_PREFIX, OperatorRecord
from app.scanned import kind as code_kind
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.wedge import WedgeFilter
from app.ui.widgets import CHOICE_MM, BigButton, PinPad, TouchDialog, key_grid, mm, say

COLUMNS = 3


def signed_in(session: Session, asker: Any) -> bool:
    """Nothing is recorded without the operator: when nobody is signed in, ``asker`` opens
    the sign-in first. True when someone is signed in."""
    return session.operator is not None or bool(asker.sign_in(session))


def operator_label(rec: OperatorRecord) -> str:
    return f"{rec.name}\n{tr('Owner')}" if rec.role == "owner" else rec.name


class SignInDialog(TouchDialog):
    """The firm's active operators as big buttons; a PIN pad for those with a PIN; a
    badge scan signs its operator in at once. Accepted when someone has signed in."""

    fill = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.chosen: OperatorRecord | None = None
        self.setWindowTitle(tr("Sign in"))
        self.setObjectName("signInDialog")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._names_page())
        self.pages.addWidget(self._pin_page())
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.feedback)
        # A badge scanner types into whatever window is in front: this dialog, while open.
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.scan)
        session.operator_changed.connect(self._someone_signed_in)

    # -- pages ---------------------------------------------------------------------

    def _names_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel(tr("Who is working? Tap your name, or scan your badge."))
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        grid = key_grid()
        roster = sorted(self.session.roster().values(), key=lambda r: r.operator_id)
        for i, rec in enumerate(roster):
            b = BigButton(operator_label(rec))
            b.setMinimumHeight(mm(CHOICE_MM))
            b.setObjectName(f"operator_{rec.operator_id}")
            b.clicked.connect(lambda _=False, r=rec: self.choose(r))
            grid.addWidget(b, i // COLUMNS, i % COLUMNS)
        lay = QVBoxLayout(page)
        lay.addWidget(heading)
        if not roster:
            hint = QLabel(tr("No operators are registered on this terminal. Ask the owner."))
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            lay.addWidget(hint)
        lay.addLayout(grid)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        close = BigButton(tr("Close"))
        close.setObjectName("closeSignIn")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        if self.session.operator is not None:
            out = BigButton(tr("Sign out {0}").format(self.session.operator.name))
            out.setObjectName("signOut")
            out.clicked.connect(self.sign_out)
            buttons.addWidget(out)
        lay.addLayout(buttons)
        return page

    def _pin_page(self) -> QWidget:
        page = QWidget()
        self.pin_title = QLabel()
        self.pin_title.setObjectName("dialogTitle")
        self.pad = PinPad()
        self.pad.changed.connect(lambda _pin: say(self.feedback, "", ""))
        back = BigButton(tr("◀ Names"))
        back.setObjectName("pinBack")
        back.clicked.connect(self.back_to_names)
        ok = BigButton(tr("Sign in"), "primary")
        ok.setObjectName("pinOk")
        ok.clicked.connect(self.submit_pin)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(ok)
        lay = QVBoxLayout(page)
        lay.addWidget(self.pin_title)
        lay.addWidget(self.pad, 1)
        lay.addLayout(buttons)
        return page

    # -- what the operator does -------------------------------------------------------

    def choose(self, rec: OperatorRecord) -> None:
        """A name was tapped: signed in at once, or the PIN is asked for."""
        if not rec.has_pin:
            self._done(self.session.sign_in_pin(rec, ""))
            return
        self.chosen = rec
        self.pin_title.setText(tr("{0}: enter your PIN").format(rec.name))
        self.pad.clear()
        say(self.feedback, "", "")
        self.pages.setCurrentIndex(1)

    def submit_pin(self) -> None:
        if self.chosen is None:
            return
        why = self.session.sign_in_pin(self.chosen, self.pad.pin)
        if why is not None:
            self.pad.clear()  # a wrong PIN is typed again from the start
        self._done(why)

    def back_to_names(self) -> None:
        self.chosen = None
        self.pad.clear()
        say(self.feedback, "", "")
        self.pages.setCurrentIndex(0)

    def scan(self, scanned: str) -> None:
        self.take_scan(scanned)

    def take_scan(self, scanned: str) -> str:
        """This dialog takes the scans made while it is open (the router gives them here):
        a badge signs its operator in; anything else is refused in the dialog. Returns
        ``signed_in``, the refusal reason, ``dialog_open`` (another Nakama code, e.g. a
        traveler) or ``not_nakama``."""
        if not scanned.strip().startswith(BADGE_PREFIX):
            text = tr("That is not a badge. Scan your badge, or tap your name.")
            say(self.feedback, "error", text)
            return "dialog_open" if code_kind(scanned.strip()) == "traveler" else "not_nakama"
        why = self.session.sign_in_badge(scanned)
        self._done(why)
        return why or "signed_in"

    def sign_out(self) -> None:
        self.session.sign_out()
        self.reject()

    def _done(self, why: str | None) -> None:
        if why is not None:
            say(self.feedback, "error", reason_text(why))
        # On success ``operator_changed`` has already accepted the dialog.

    def _someone_signed_in(self) -> None:
        if self.session.operator is not None:
            self.accept()

    def done(self, result: int) -> None:
        # The session outlives this dialog: stop listening to it once it is answered.
        with contextlib.suppress(RuntimeError, TypeError):
            self.session.operator_changed.disconnect(self._someone_signed_in)
        super().done(result)
