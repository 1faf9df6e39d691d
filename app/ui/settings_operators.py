"""The settings page's operators section: add, retire, set a PIN, print the badge sheet.
Operators are events, recorded through the core's ``save_operator`` as done by the owner
who approved the page."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core import commands, operators, setup
from app.core.operators import OperatorRecord
from app.settings import Settings, traveler_dir
from app.ui.badge_print import write_badges
from app.ui.session import Session
from app.ui.text import lang, reason_text, tr
from app.ui.widgets import BigButton, PinPad, say


class OperatorsPart:
    """Mixed into ``SettingsScreen`` (which owns the widgets' parent and the feedback)."""

    session: Session
    settings: Settings
    feedback: QLabel
    approved_by: OperatorRecord | None

    def _build_operators(self, lay: QVBoxLayout) -> None:
        self.operator_rows = QGridLayout()
        lay.addLayout(self.operator_rows)
        add = QHBoxLayout()
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newOperatorName")
        self.new_name.setPlaceholderText(tr("New operator's name"))
        self.new_name.setMinimumHeight(72)
        add.addWidget(self.new_name, 2)
        b = BigButton(tr("Add operator"))
        b.setObjectName("addOperator")
        b.clicked.connect(self.add_operator)
        add.addWidget(b, 1)
        lay.addLayout(add)
        self.pin_for: OperatorRecord | None = None
        self.pin_title = QLabel()
        self.pin_title.setObjectName("hint")
        self.pin_pad = PinPad()
        self.pin_pad.setObjectName("settingsPinPad")
        self.pin_save = BigButton(tr("Save PIN"), "primary")
        self.pin_save.setObjectName("savePin")
        self.pin_save.clicked.connect(self.save_pin)
        self.pin_box = QWidget()
        pin_lay = QVBoxLayout(self.pin_box)
        pin_lay.addWidget(self.pin_title)
        pin_lay.addWidget(self.pin_pad)
        pin_lay.addWidget(self.pin_save)
        self.pin_box.hide()
        lay.addWidget(self.pin_box)
        sheet = BigButton(tr("Print badge sheet (PDF)"))
        sheet.setObjectName("printBadges")
        sheet.clicked.connect(self.print_badges)
        lay.addWidget(sheet)

    def _fill_operators(self) -> None:
        _clear(self.operator_rows)
        roster = sorted(self.session.roster().values(), key=lambda r: r.operator_id)
        for i, rec in enumerate(roster):
            role = tr("Owner") if rec.role == commands.OWNER else tr("Machinist")
            pin = tr("PIN set") if rec.has_pin else tr("no PIN")
            label = QLabel(f"{rec.name}  ·  {role}  ·  {tr('Badge')} {rec.badge or '—'}  ·  {pin}")
            label.setWordWrap(True)
            self.operator_rows.addWidget(label, i, 0)
            b = BigButton(tr("Set PIN"))
            b.setObjectName(f"pin_{rec.operator_id}")
            b.clicked.connect(lambda _=False, r=rec: self.ask_pin(r))
            self.operator_rows.addWidget(b, i, 1)
            r = BigButton(tr("Retire"))
            r.setObjectName(f"retire_{rec.operator_id}")
            r.clicked.connect(lambda _=False, x=rec: self.retire(x))
            self.operator_rows.addWidget(r, i, 2)
        self.operator_rows.setColumnStretch(0, 2)

    def _save_operator(self, rec: OperatorRecord | None, **changes: Any) -> bool:
        roster = self.session.roster(active_only=False)
        base = (
            {
                "operator_id": rec.operator_id,
                "name": rec.name,
                "role": rec.role,
                "badge": rec.badge,
                "pin_hash": rec.pin_hash,
                "active": rec.active,
            }
            if rec is not None
            else {}
        )
        cmd = commands.save_operator(roster, self.owner_actor(), **{**base, **changes})
        result = self.session.record(cmd)
        if not result.ok:
            say(self.feedback, "error", reason_text(result.reason or ""))
            return False
        self._fill_operators()
        return True

    def owner_actor(self) -> commands.Actor:
        """Who changes operators: the approving owner (the page opens for no one else)."""
        op = self.approved_by or self.session.operator
        if op is None:
            return commands.Actor(self.session.firm)
        return commands.Actor(self.session.firm, op.operator_id, op.role)

    def add_operator(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            say(self.feedback, "error", tr("Type the new operator's name first."))
            return
        roster = self.session.roster(active_only=False)
        badge = setup.next_badge(roster)
        oid = operators.new_operator_id(self.session.firm)
        role = commands.OPERATOR if roster else commands.OWNER
        if self._save_operator(None, operator_id=oid, name=name, role=role, badge=badge):
            self.new_name.clear()
            say(self.feedback, "ok", tr("Added {0} (badge {1}).").format(name, badge))

    def retire(self, rec: OperatorRecord) -> None:
        if self._save_operator(rec, active=False):
            say(self.feedback, "ok", tr("{0} is retired.").format(rec.name))

    def ask_pin(self, rec: OperatorRecord) -> None:
        self.pin_for = rec
        self.pin_title.setText(tr("New PIN for {0} (4 to 8 digits)").format(rec.name))
        self.pin_pad.clear()
        self.pin_box.show()

    def save_pin(self) -> None:
        rec, pin = self.pin_for, self.pin_pad.pin
        if rec is None:
            return
        if not operators.pin_ok(pin):
            say(self.feedback, "error", tr("A PIN is 4 to 8 digits."))
            return
        if self._save_operator(rec, pin_hash=operators.hash_pin(pin)):
            self.pin_for = None
            self.pin_pad.clear()
            self.pin_box.hide()
            say(self.feedback, "ok", tr("PIN saved for {0}.").format(rec.name))

    def print_badges(self) -> None:
        roster = sorted(self.session.roster().values(), key=lambda r: r.operator_id)
        out = traveler_dir(self.settings) / "badges.pdf"
        try:
            n = write_badges([r for r in roster if r.badge], out, lang=lang())
        except OSError as exc:
            say(self.feedback, "error", f"{exc}")
            return
        say(self.feedback, "ok", tr("{0} badges written: {1}").format(n, out))


def _clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.deleteLater()
