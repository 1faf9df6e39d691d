"""Signing in at the terminal: tap your name (then your PIN, if you have one), or scan
your badge. Every record carries who made it, so nothing is recorded before this."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtWidgets import QWidget

from app.core.operators import BADGE_PREFIX, OperatorRecord
from app.scanned import kind as code_kind
from app.ui.pin_dialog import PinAsk, PinDialog
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.wedge import WedgeFilter
from app.ui.widgets import BigButton, say


def signed_in(session: Session, asker: Any) -> bool:
    """Nothing is recorded without the operator: when nobody is signed in, ``asker`` opens
    the sign-in first. True when someone is signed in."""
    return session.operator is not None or bool(asker.sign_in(session))


def operator_label(rec: OperatorRecord) -> str:
    return f"{rec.name}\n{tr('Owner')}" if rec.role == "owner" else rec.name


class SignInDialog(PinDialog):
    """The firm's active operators as big buttons; a PIN pad for those with a PIN; a
    badge scan signs its operator in at once. Accepted when someone has signed in."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        ask = PinAsk(
            title=tr("Sign in"),
            heading=tr("Who is working? Tap your name, or scan your badge."),
            verb=tr("Sign in"),
            check=session.sign_in_pin,
            nobody=tr("No operators are registered on this terminal. Ask the owner."),
            label=operator_label,
        )
        self.session = session
        super().__init__(session, ask, parent)
        self.setObjectName("signInDialog")
        # A badge scanner types into whatever window is in front: this dialog, while open.
        self.wedge = WedgeFilter(self)
        self.wedge.scanned.connect(self.scan)
        session.operator_changed.connect(self._someone_signed_in)

    def extra_buttons(self) -> list[BigButton]:
        if self.session.operator is None:
            return []
        out = BigButton(tr("Sign out {0}").format(self.session.operator.name))
        out.setObjectName("signOut")
        out.clicked.connect(self.sign_out)
        return [out]

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
        if why is not None:
            say(self.feedback, "error", reason_text(why))
        return why or "signed_in"

    def sign_out(self) -> None:
        self.session.sign_out()
        self.reject()

    def _someone_signed_in(self) -> None:
        if self.session.operator is not None:
            self.accept()

    def done(self, result: int) -> None:
        # The session outlives this dialog: stop listening to it once it is answered.
        with contextlib.suppress(RuntimeError, TypeError):
            self.session.operator_changed.disconnect(self._someone_signed_in)
        super().done(result)
