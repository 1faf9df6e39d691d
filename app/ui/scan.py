"""Every scan, from any source (keyboard-wedge scanner, USB-COM scanner, camera), goes
through one router: an operator's badge signs them in; a verified traveler opens its
job (taken in offline if this terminal has never seen it) at the lot it names; anything
else is explained in the machinist's language."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from app.core import lots
from app.core.operators import BADGE_PREFIX
from app.core.traveler import verify
from app.store.keyring import key_directory
from app.store.travelers import adopt
from app.ui.session import Session
from app.ui.text import reason_text, tr


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


class ScanRouter(QObject):
    """``open_job(job, lot, qty)`` for a good traveler, ``message(level, text)`` otherwise;
    a badge signs its operator in."""

    open_job = Signal(str, str, int)  # job, scanned lot, its quantity
    message = Signal(str, str)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def handle(self, text: str) -> str:
        """Route one scanned text; returns the verdict (``valid`` or why not)."""
        text = text.strip()
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
        # Old paper (release 0.1) spells the first lot ``J-1``: it is the same lot ``J-L1``.
        self.open_job.emit(t.job_id, lots.canonical(t.job_id, t.lot_id), t.qty)
        return result.verdict.value

    def badge(self, text: str) -> str:
        """Sign in the operator whose badge was scanned; ``signed_in`` or the reason."""
        why = self.session.sign_in_badge(text)
        if why is not None:
            self.message.emit("error", reason_text(why))
            return why
        assert self.session.operator is not None
        self.message.emit("ok", tr("Signed in: {0}").format(self.session.operator.name))
        return "signed_in"
