"""Names, then a PIN pad with ◀ and OK: the one dialog behind signing in
(``app/ui/sign_in.py``), the owner's approval (``app/ui/owner_gate.py``) and leaving the
kiosk (``app/ui/kiosk.py``). Each says who is offered (a role filter), what its OK
button does (the verb) and who is right (a check of the PIN); ``approved`` is the person
whose PIN was right when it is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.core.operators import OperatorRecord
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.widgets import CHOICE_MM, BigButton, PinPad, TouchDialog, key_grid, mm, say

COLUMNS = 3
Check = Callable[[OperatorRecord, str], "str | None"]  # a refusal reason, or None: right


@dataclass(frozen=True)
class PinAsk:
    """What one use of the dialog asks. ``roles``: who is offered (None: everyone);
    ``pin_only``: only those with a PIN; ``no_pin``: what a name without a PIN does,
    ``accept`` (checked at once, no pad) or ``confirm`` (``no_pin_text``, then OK);
    ``choose_single``: one name offered is chosen at once; ``ids``: the object names'
    prefix for names, then close, back and OK (the tests and the layout check find them)."""

    title: str
    heading: str
    verb: str
    check: Check
    roles: tuple[str, ...] | None = None
    pin_only: bool = False
    no_pin: str = "accept"
    no_pin_text: str = ""
    nobody: str = ""
    nobody_is_error: bool = False
    choose_single: bool = False
    label: Callable[[OperatorRecord], str] = lambda rec: rec.name
    ids: tuple[str, str, str, str] = ("operator_", "closeSignIn", "pinBack", "pinOk")


class PinDialog(TouchDialog):
    """The page of names (big buttons, three a row) and the page of the PIN pad."""

    fill = True

    def __init__(self, session: Session, ask: PinAsk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.ask = ask
        self.chosen: OperatorRecord | None = None
        self.approved: OperatorRecord | None = None
        self.setWindowTitle(ask.title)
        self.people = sorted(
            (
                r
                for r in session.roster().values()
                if (ask.roles is None or r.role in ask.roles) and (r.has_pin or not ask.pin_only)
            ),
            key=lambda r: r.operator_id,
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self._names_page())
        self.pages.addWidget(self._pin_page())
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.feedback)
        if not self.people and ask.nobody_is_error:
            say(self.feedback, "error", ask.nobody)
        if ask.choose_single and len(self.people) == 1:
            self.choose(self.people[0])

    def extra_buttons(self) -> list[BigButton]:
        """Buttons beside Close on the names page (sign-in: sign out)."""
        return []

    def _names_page(self) -> QWidget:
        ask = self.ask
        page = QWidget()
        heading = QLabel(ask.heading)
        heading.setObjectName("dialogTitle")
        heading.setWordWrap(True)
        grid = key_grid()
        for i, rec in enumerate(self.people):
            b = BigButton(ask.label(rec))
            b.setMinimumHeight(mm(CHOICE_MM))
            b.setObjectName(f"{ask.ids[0]}{rec.operator_id}")
            b.clicked.connect(lambda _=False, r=rec: self.choose(r))
            grid.addWidget(b, i // COLUMNS, i % COLUMNS)
        lay = QVBoxLayout(page)
        lay.addWidget(heading)
        if not self.people and not ask.nobody_is_error:
            hint = QLabel(ask.nobody)
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            lay.addWidget(hint)
        lay.addLayout(grid)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        close = BigButton(tr("Close"))
        close.setObjectName(ask.ids[1])
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        for b in self.extra_buttons():
            buttons.addWidget(b)
        lay.addLayout(buttons)
        return page

    def _pin_page(self) -> QWidget:
        ask = self.ask
        page = QWidget()
        self.pin_title = QLabel()
        self.pin_title.setObjectName("dialogTitle")
        self.pin_title.setWordWrap(True)
        self.pad = PinPad()
        self.pad.changed.connect(lambda _pin: say(self.feedback, "", ""))
        # One name offered and chosen at once: nothing to go back to, so ◀ closes.
        single = ask.choose_single and len(self.people) == 1
        back = BigButton(tr("Close") if single else tr("◀ Names"))
        back.setObjectName(ask.ids[1] if single else ask.ids[2])
        back.clicked.connect(self.reject if single else self.back_to_names)
        self.ok = BigButton(ask.verb, "primary")
        self.ok.setObjectName(ask.ids[3])
        self.ok.clicked.connect(self.submit_pin)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(self.ok)
        lay = QVBoxLayout(page)
        if single:  # the names page, and with it the reason, is skipped
            why = QLabel(ask.heading)
            why.setObjectName("hint")
            why.setWordWrap(True)
            lay.addWidget(why)
        lay.addWidget(self.pin_title)
        lay.addWidget(self.pad, 1)
        lay.addLayout(buttons)
        return page

    # -- what the person does ----------------------------------------------------------

    def choose(self, rec: OperatorRecord) -> None:
        """A name was tapped: checked at once (no PIN), or the PIN is asked for."""
        if not rec.has_pin and self.ask.no_pin == "accept":
            self._done(rec, self.ask.check(rec, ""))
            return
        self.chosen = rec
        self.pad.clear()
        self.pad.setVisible(rec.has_pin)
        if rec.has_pin:
            self.pin_title.setText(tr("{0}: enter your PIN").format(rec.name))
        else:
            self.pin_title.setText(self.ask.no_pin_text.format(rec.name))
        say(self.feedback, "", "")
        self.pages.setCurrentIndex(1)

    def submit_pin(self) -> str | None:
        """Check the PIN typed; a wrong one is said here and typed again from the start.
        Returns the refusal reason, if any."""
        if self.chosen is None:
            return "unknown_operator"
        why = self.ask.check(self.chosen, self.pad.pin)
        if why is not None:
            self.pad.clear()
        self._done(self.chosen, why)
        return why

    def back_to_names(self) -> None:
        self.chosen = None
        self.pad.clear()
        say(self.feedback, "", "")
        self.pages.setCurrentIndex(0)

    def _done(self, rec: OperatorRecord, why: str | None) -> None:
        if why is not None:
            say(self.feedback, "error", reason_text(why))
            return
        self.approved = self.session.roster().get(rec.operator_id, rec)
        if self.result() != QDialog.DialogCode.Accepted:  # sign-in may have accepted already
            self.accept()
