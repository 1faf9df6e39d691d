"""The owner's approval: owner-only things (settings, fixing another person's record, the
day's review) open for the signed-in owner, or after an owner types their PIN.

Approval never signs anyone in or out: a machinist who asks the owner to fix a record
stays signed in, and the owner's approval is used for that one thing only (the core
records the owner as who did it, where it records anyone).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.core import commands, operators
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.ui.pin_dialog import PinAsk, PinDialog
from app.ui.session import Session
from app.ui.text import tr


def owners(session: Session, roles: tuple[str, ...] = (commands.OWNER,)) -> list[OperatorRecord]:
    return sorted(
        (r for r in session.roster().values() if r.role in roles),
        key=lambda r: r.operator_id,
    )


class OwnerPinDialog(PinDialog):
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
        def check(rec: OperatorRecord, pin: str) -> str | None:
            current = session.roster().get(rec.operator_id)
            if current is None or current.role not in roles:
                return Reason.UNKNOWN_OPERATOR.value
            if current.has_pin and not operators.check_pin(pin, current.pin_hash):
                return Reason.BAD_PIN.value
            return None

        ask = PinAsk(
            title=tr("Owner's approval"),
            heading=why,
            verb=tr("Approve"),
            check=check,
            roles=roles,
            no_pin="confirm",
            no_pin_text=tr("{0} has no PIN yet: tap Approve, then set one in Settings."),
            nobody=tr("This terminal has no owner registered."),
            nobody_is_error=True,
            choose_single=True,
            ids=("owner_", "ownerClose", "ownerBack", "ownerOk"),
        )
        self.roles = roles
        super().__init__(session, ask, parent)
        self.setObjectName("ownerPinDialog")

    def submit(self) -> None:
        """Approve with the PIN typed; a wrong one is refused here and cleared."""
        self.submit_pin()


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
