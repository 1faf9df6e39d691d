"""The owner's approval: owner-only things (settings, fixing another person's record, the
day's review) open for the signed-in owner, or after an owner types their PIN.

Approval never signs anyone in or out: a machinist who asks the owner to fix a record
stays signed in, and the owner's approval is used for that one thing only (the core
records the owner as who did it, where it records anyone).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core import commands, operators
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.widgets import BigButton, PinPad, say


def owners(session: Session, roles: tuple[str, ...] = (commands.OWNER,)) -> list[OperatorRecord]:
    return sorted(
        (r for r in session.roster().values() if r.role in roles),
        key=lambda r: r.operator_id,
    )


class OwnerPinDialog(QDialog):
    """The firm's owners as big buttons (one owner is chosen at once), then a PIN pad.
    ``approved`` is the owner once their PIN was right (accepted); a wrong PIN is said in
    the dialog and typed again."""

    def __init__(
        self,
        session: Session,
        why: str,
        parent: QWidget | None = None,
        roles: tuple[str, ...] = (commands.OWNER,),
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.roles = roles
        self.approved: OperatorRecord | None = None
        self.chosen: OperatorRecord | None = None
        self.setWindowTitle(tr("Owner's approval"))
        self.setObjectName("ownerPinDialog")
        heading = QLabel(why)
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        self.who = QLabel()
        self.who.setObjectName("hint")
        self.who.setWordWrap(True)
        self.names = QGridLayout()
        found = owners(session, roles)
        for i, rec in enumerate(found):
            b = BigButton(rec.name)
            b.setObjectName(f"owner_{rec.operator_id}")
            b.clicked.connect(lambda _=False, r=rec: self.choose(r))
            self.names.addWidget(b, 0, i)
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        self.pad = PinPad()
        self.pad.changed.connect(lambda _pin: say(self.feedback, "", ""))
        close = BigButton(tr("Close"))
        close.setObjectName("ownerClose")
        close.clicked.connect(self.reject)
        self.ok = BigButton(tr("Approve"), "primary")
        self.ok.setObjectName("ownerOk")
        self.ok.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addWidget(self.ok)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(self.names)
        lay.addWidget(self.who)
        lay.addWidget(self.pad)
        lay.addWidget(self.feedback)
        lay.addStretch(1)
        lay.addLayout(buttons)
        if not found:
            say(self.feedback, "error", tr("This terminal has no owner registered."))
            self.ok.setEnabled(False)
        if len(found) == 1:
            self.choose(found[0])
        self.resize(900, 760)

    def choose(self, rec: OperatorRecord) -> None:
        self.chosen = rec
        self.pad.clear()
        if rec.has_pin:
            self.who.setText(tr("{0}: enter your PIN").format(rec.name))
        else:
            self.who.setText(
                tr("{0} has no PIN yet: tap Approve, then set one in Settings.").format(rec.name)
            )
        self.pad.setVisible(rec.has_pin)

    def submit(self) -> None:
        """Approve with the PIN typed; a wrong one is refused here and cleared."""
        if self.chosen is None:
            say(self.feedback, "error", tr("Tap the owner's name first."))
            return
        current = self.session.roster().get(self.chosen.operator_id)
        if current is None or current.role not in self.roles:
            say(self.feedback, "error", reason_text(Reason.UNKNOWN_OPERATOR.value))
            return
        if current.has_pin and not operators.check_pin(self.pad.pin, current.pin_hash):
            self.pad.clear()
            say(self.feedback, "error", reason_text(Reason.BAD_PIN.value))
            return
        self.approved = current
        self.accept()


def owner_approval(
    session: Session,
    why: str,
    parent: QWidget | None = None,
    roles: tuple[str, ...] = (commands.OWNER,),
) -> OperatorRecord | None:
    """The owner who allows an owner-only thing now: the signed-in owner at once, else
    an owner who types their PIN (None when nobody did). Nobody is signed in or out.
    ``roles``: who may allow it (the review: an inspector too)."""
    op = session.operator
    if op is not None and op.role in roles:
        return op
    dlg = OwnerPinDialog(session, why, parent, roles)
    dlg.exec()
    return dlg.approved


def owner_actor(session: Session, rec: OperatorRecord) -> commands.Actor:
    """The owner as who acts, for the one thing approved."""
    return commands.Actor(session.firm, rec.operator_id, rec.role)
