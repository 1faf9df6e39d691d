"""The first-run wizard's first pages: language, the firm, the owner and operators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import commands, operators, setup
from app.core.operators import OperatorRecord
from app.store.firms import firm_names, save_firms
from app.ui.language import set_language
from app.ui.text import lang, reason_text, tr
from app.ui.widgets import CHOICE_MM, BigButton, PinPad, mm, touch_scroll

if TYPE_CHECKING:
    from app.ui.setup_wizard import SetupWizard

FIELD_MM = 15.0  # a text field is a target too


def field(name: str, placeholder: str) -> QLineEdit:
    f = QLineEdit()
    f.setObjectName(name)
    f.setPlaceholderText(placeholder)
    f.setMinimumHeight(mm(FIELD_MM))
    return f


def clear_layout(layout: QLayout) -> None:
    """Take every widget and spacer out of ``layout`` (the widgets are deleted)."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget() if item is not None else None
        if w is not None:
            w.setParent(None)  # gone at once from the tree, deleted when Qt is idle
            w.deleteLater()


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


class WizardPage(QWidget):
    """One page: built in the current language; ``enter`` when shown; ``leave`` saves
    and returns why the next page cannot open yet (a reason code) or None."""

    key = ""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self.setObjectName(f"wizard_{self.key}")
        self.wizard = wizard
        self.session = wizard.session
        self.settings = wizard.settings

    def title(self) -> str:
        raise NotImplementedError

    def next_text(self) -> str:
        return ""

    def enter(self) -> None:
        """Shown: fill in from what is saved."""

    def leave(self) -> str | None:
        return None

    def stop(self) -> None:
        """Release devices (the page is left or the wizard closes)."""

    def take_scan(self, text: str) -> bool:
        return False

    def save_setting(self, key: str, value: object) -> None:
        """The settings file, as the settings page writes it."""
        self.settings.values[key] = value
        self.settings.save()


class LanguagePage(WizardPage):
    key = "language"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        lay = QVBoxLayout(self)
        lay.addWidget(hint("表示する言語を選んでください。\nChoose the language of the screens."))
        row = QHBoxLayout()
        self.buttons: dict[str, BigButton] = {}
        for value, text in (("ja", "日本語"), ("en", "English")):
            b = BigButton(text)
            b.setObjectName(f"lang_{value}")
            b.setCheckable(True)
            b.setMinimumHeight(mm(CHOICE_MM))
            b.clicked.connect(lambda _=False, v=value: self.choose(v))
            row.addWidget(b)
            self.buttons[value] = b
        lay.addLayout(row)
        lay.addStretch(1)

    def title(self) -> str:
        return tr("Language")

    def enter(self) -> None:
        for v, b in self.buttons.items():
            b.setChecked(v == lang())

    def choose(self, value: str) -> None:
        """Applies at once: the setting is saved and every page is rebuilt in it."""
        self.save_setting("lang", value)
        app = QApplication.instance()
        if isinstance(app, QApplication) and lang() != value:
            set_language(app, value)
            self.wizard.build()
        else:
            self.enter()


class FirmPage(WizardPage):
    key = "firm"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        lay = QVBoxLayout(self)
        lay.addWidget(hint(tr("The firm's name, as customers and partners know it:")))
        self.name = field("firmName", tr("e.g. 山田精機"))
        lay.addWidget(self.name)
        lay.addWidget(
            hint(
                tr(
                    "The firm code the consortium office gave you (on the enrolment sheet, "
                    "e.g. F012). Every record of this terminal carries it."
                )
            )
        )
        self.code = field("firmCode", "F012")
        lay.addWidget(self.code)
        lay.addStretch(1)

    def title(self) -> str:
        return tr("The firm")

    def enter(self) -> None:
        store = self.session.store
        code = store.firm_id or self.settings["firm"]
        if code and not self.code.text():
            self.code.setText(code)
        if code and not self.name.text():
            self.name.setText(firm_names(store).get(code, ""))
        self.code.setReadOnly(bool(store.firm_id) and store.count_events() > 0)

    def leave(self) -> str | None:
        code, name = setup.firm_code(self.code.text()), self.name.text().strip()
        why = setup.firm_problem(code, name)
        if why is not None:
            return why
        store = self.session.store
        if store.firm_id and store.firm_id != code and store.count_events():
            return "firm_differs"  # people are recorded under the first code
        if store.firm_id != code:
            store.set_meta({"firm_id": code})
            store.firm_id = code
        self.save_setting("firm", code)
        save_firms(store, [{"code": code, "name": name, "region": ""}], source="local")
        self.session.changed.emit()  # the firm's name is shown from the directory
        return None


class PeoplePage(WizardPage):
    """The owner first (name, badge, PIN twice), then operators (name, badge, optional
    PIN), as many as the shop has. Each is recorded the moment it is confirmed."""

    key = "people"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.first_pin = ""  # the owner's PIN typed once, waiting to be typed again
        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.name = field("personName", tr("e.g. 山田 太郎"))
        self.badge = field("personBadge", "1001")
        self.badge_hint = hint(tr("Scan the person's card, or type its number."))
        self.pin_title = hint("")
        self.pad = PinPad()
        self.pad.setObjectName("wizardPinPad")
        # A badge scanned after the PIN goes to the badge, not into the name typed before.
        self.pad.changed.connect(lambda _pin: wizard.setFocus())
        wizard.watch(self.badge)
        self.add = BigButton("", "primary")
        self.add.setObjectName("addPerson")
        self.add.clicked.connect(self.confirm)
        self.people = QVBoxLayout()
        listed = QWidget()
        listed.setLayout(self.people)
        area = QScrollArea()
        area.setObjectName("peopleList")
        area.setWidgetResizable(True)
        area.setWidget(listed)
        area.setMinimumSize(mm(40), mm(15))  # the list scrolls rather than grow the page
        touch_scroll(area)
        form = QGridLayout()
        form.addWidget(QLabel(tr("Name")), 0, 0)
        form.addWidget(self.name, 0, 1)
        form.addWidget(QLabel(tr("Badge")), 1, 0)
        form.addWidget(self.badge, 1, 1)
        form.setColumnStretch(1, 1)
        left = QVBoxLayout()
        left.addWidget(self.heading)
        left.addLayout(form)
        left.addWidget(self.badge_hint)
        left.addWidget(self.add)
        left.addWidget(hint(tr("Registered:")))
        left.addWidget(area, 1)
        right = QVBoxLayout()
        right.addWidget(self.pin_title)
        right.addWidget(self.pad, 1)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addLayout(right, 1)

    def title(self) -> str:
        return tr("The owner and operators")

    def owner(self) -> OperatorRecord | None:
        found = [r for r in self.session.roster().values() if r.role == commands.OWNER]
        return found[0] if found else None

    def enter(self) -> None:
        self.first_pin = ""
        self.pad.clear()
        roster = self.session.roster(active_only=False)
        if not self.badge.text():
            self.badge.setText(setup.next_badge(roster))
        self._fill(roster)
        if self.owner() is None:
            self.heading.setText(
                tr("First the owner: the owner's PIN opens the settings and leaves the kiosk.")
            )
            self.pin_title.setText(tr("The owner's PIN (4 to 8 digits)"))
            self.add.setText(tr("PIN again ▶"))
        else:
            self.heading.setText(tr("Now the operators, one by one (add as many as work here)."))
            self.pin_title.setText(tr("PIN (optional: 4 to 8 digits, or none)"))
            self.add.setText(tr("Add operator"))

    def _fill(self, roster: dict[str, OperatorRecord]) -> None:
        clear_layout(self.people)
        for rec in sorted(roster.values(), key=lambda r: (r.role != commands.OWNER, r.name)):
            role = tr("Owner") if rec.role == commands.OWNER else tr("Machinist")
            pin = tr("PIN set") if rec.has_pin else tr("no PIN")
            label = QLabel(f"{rec.name} · {role} · {tr('Badge')} {rec.badge or '—'} · {pin}")
            label.setWordWrap(True)
            self.people.addWidget(label)
        if not roster:
            self.people.addWidget(hint(tr("Nobody yet.")))
        self.people.addStretch(1)

    def confirm(self) -> None:
        """The button under the PIN pad: the owner's PIN once, then again; or add the
        operator."""
        name, pin = self.name.text().strip(), self.pad.pin
        if self.owner() is None:
            if not self.first_pin:
                why = setup.owner_problem(name, pin, pin)
                if why is not None:
                    self.wizard.tell("error", reason_text(why))
                    return
                self.first_pin = pin
                self.pad.clear()
                self.pin_title.setText(tr("The same PIN again"))
                self.add.setText(tr("Register the owner"))
                self.wizard.tell("", tr("Type the same PIN again to be sure of it."))
                return
            why = setup.owner_problem(name, self.first_pin, pin)
            if why is not None:
                self.enter()  # both PINs are typed again from the start
                self.wizard.tell("error", reason_text(why))
                return
            self._record(name, commands.OWNER, pin)
            return
        why = setup.operator_problem(name, pin)
        if why is not None:
            self.wizard.tell("error", reason_text(why))
            return
        self._record(name, commands.OPERATOR, pin)

    def _record(self, name: str, role: str, pin: str) -> None:
        roster = self.session.roster(active_only=False)
        badge = setup.badge_from_scan(self.badge.text()) or setup.next_badge(roster)
        owner = self.owner()
        actor = (
            commands.Actor(self.session.firm, owner.operator_id, owner.role)
            if owner is not None
            else commands.Actor(self.session.firm)  # the first person, who is the owner
        )
        cmd = commands.save_operator(
            roster,
            actor,
            operator_id=operators.new_operator_id(self.session.firm),
            name=name,
            role=role,
            badge=badge,
            pin_hash=operators.hash_pin(pin) if pin else "",
        )
        result = self.session.record(cmd)
        if not result.ok:
            self.wizard.tell("error", reason_text(result.reason or ""))
            return
        self.name.clear()
        self.badge.clear()
        self.enter()
        self.wizard.tell("ok", tr("Added {0} (badge {1}).").format(name, badge))

    def leave(self) -> str | None:
        return setup.people_problem(self.session.roster())

    def take_scan(self, text: str) -> bool:
        badge = setup.badge_from_scan(text)
        if not badge:
            return False
        self.badge.setText(badge)
        self.wizard.tell("ok", tr("Badge {0} read.").format(badge))
        return True
