"""The owner's settings page: language, sign-in and undo times, operators and badges,
devices, camera, hub enrolment, printer, and the firm's own defect codes and pause
reasons. Every change is saved at once to the same ``settings.json`` the command line
uses; operators are events, recorded through the core's ``save_operator``.

The main window opens this page only with the owner's approval (``owner_gate``); who
approved is the actor of the operator records made here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from app.core import catalog
from app.core.operators import OperatorRecord
from app.settings import PRINT_ASK, PRINT_PDF, Settings, traveler_dir
from app.ui.language import set_language
from app.ui.session import Session
from app.ui.settings_devices import CameraPreview, DeviceProbe
from app.ui.settings_operators import OperatorsPart, _clear
from app.ui.text import lang, reason_text, tr
from app.ui.widgets import BigButton, say
from drivers.ports import list_ports
from wire.enrolment import parse_qr

SECTIONS = ("language", "signin", "operators", "devices", "camera", "hub", "printer", "codes")
IDLE_CHOICES = (0, 5, 15, 30, 60)
UNDO_CHOICES = (30, 60, 120)
CAMERA_CHOICES = ("", "camera://0", "camera://1", "sim://camera?fps=10")


def section_title(key: str) -> str:
    return {
        "language": tr("Language"),
        "signin": tr("Sign-out and undo"),
        "operators": tr("Operators and badges"),
        "devices": tr("Devices"),
        "camera": tr("Camera"),
        "hub": tr("Hub"),
        "printer": tr("Printer"),
        "codes": tr("Defect codes and pause reasons"),
    }[key]


def nav_title(key: str) -> str:
    """The section's name in the side list (short: the list is narrow)."""
    short = {
        "signin": tr("Auto sign-out"),
        "operators": tr("Operators"),
        "codes": tr("Own codes"),
    }
    return short.get(key) or section_title(key)


def _choices(row: QHBoxLayout, name: str, items: list[tuple[Any, str]], pick: Any) -> dict:
    buttons = {}
    for value, text in items:
        b = BigButton(text)
        b.setObjectName(f"{name}_{value}")
        b.setCheckable(True)
        b.clicked.connect(lambda _=False, v=value: pick(v))
        row.addWidget(b)
        buttons[value] = b
    return buttons


def _check(buttons: dict, value: Any) -> None:
    for v, b in buttons.items():
        b.setChecked(v == value)


class SettingsScreen(OperatorsPart, QWidget):
    done = Signal()
    language_changed = Signal(str)

    def __init__(
        self, session: Session, settings: Settings, devices: Any = None, syncing: Any = None
    ) -> None:
        super().__init__()
        self.setObjectName("settingsScreen")
        self.session = session
        self.settings = settings
        self.devices = devices
        self.syncing = syncing
        self.approved_by: OperatorRecord | None = None  # the owner who opened the page
        self.probe = DeviceProbe()
        self.probe.seen.connect(lambda level, text: say(self.device_value, level, text))
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        body = QWidget()
        self.body = QVBoxLayout(body)
        self.sections: dict[str, QFrame] = {}
        for key in SECTIONS:
            self._section(key)
        self.body.addStretch(1)
        self.area = QScrollArea()
        self.area.setObjectName("settingsScroll")
        self.area.setWidgetResizable(True)
        self.area.setWidget(body)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        nav = QVBoxLayout()
        for key in SECTIONS:
            b = BigButton(nav_title(key))
            b.setObjectName(f"goto_{key}")
            b.clicked.connect(lambda _=False, k=key: self.show_section(k))
            nav.addWidget(b)
        nav.addStretch(1)
        back = BigButton(tr("◀ Back"), "primary")
        back.setObjectName("settingsDone")
        back.clicked.connect(self.close_page)
        side = QWidget()
        side.setLayout(nav)
        # The section list scrolls too, so the page fits a 768-pixel-high panel.
        side_area = QScrollArea()
        side_area.setObjectName("settingsNav")
        side_area.setWidgetResizable(True)
        side_area.setWidget(side)
        side_area.setFrameShape(QFrame.Shape.NoFrame)
        side_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(side_area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        left = QVBoxLayout()
        left.addWidget(side_area, 1)
        left.addWidget(back)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setFixedWidth(270)
        main = QHBoxLayout()
        main.addWidget(left_box)
        main.addWidget(self.area, 1)
        lay = QVBoxLayout(self)
        title = QLabel(tr("Settings (owner)"))
        title.setObjectName("screenTitle")
        lay.addWidget(title)
        lay.addLayout(main, 1)
        lay.addWidget(self.feedback)

    # -- page ---------------------------------------------------------------------------

    def _section(self, key: str) -> None:
        box = QFrame()
        box.setObjectName(f"section_{key}")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(box)
        title = QLabel(section_title(key))
        title.setObjectName("sectionTitle")
        lay.addWidget(title)
        getattr(self, f"_build_{key}")(lay)
        self.sections[key] = box
        self.body.addWidget(box)

    def show_section(self, key: str) -> None:
        box = self.sections[key]
        self.area.verticalScrollBar().setValue(box.y())

    def open_page(self) -> None:
        self.refresh()
        self.area.verticalScrollBar().setValue(0)

    def close_page(self) -> None:
        self.stop()
        self.approved_by = None
        self.done.emit()

    def stop(self) -> None:
        self.probe.stop()
        self.camera_preview.stop()

    def refresh(self) -> None:
        s = self.settings
        _check(self.lang_buttons, s["lang"])
        _check(self.idle_buttons, int(s["idle_sign_out_minutes"]))
        _check(self.undo_buttons, int(s["undo_seconds"]))
        self._fill_operators()
        self._fill_devices()
        _check(self.camera_buttons, s["camera"])
        self.hub_url.setText(s["hub_url"])
        if self.session.store.meta("hub_token"):
            where = s["hub_url"] or self.session.store.meta("hub_url") or ""
            say(self.hub_state, "ok", tr("This terminal has joined the hub {0}.").format(where))
        else:
            say(self.hub_state, "", tr("This terminal has not joined a hub."))
        _check(self.printer_buttons, s["printer"])
        self._fill_codes()

    def save(self, key: str, value: Any) -> None:
        self.settings.values[key] = value
        self.settings.save()
        say(self.feedback, "ok", tr("Settings saved."))

    # -- language and times ---------------------------------------------------------------

    def _build_language(self, lay: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.lang_buttons = _choices(
            row, "lang", [("ja", "日本語"), ("en", "English")], self.set_language
        )
        lay.addLayout(row)

    def set_language(self, value: str) -> None:
        self.save("lang", value)
        _check(self.lang_buttons, value)
        app = QApplication.instance()
        if isinstance(app, QApplication) and lang() != value:
            set_language(app, value)
            self.language_changed.emit(value)

    def _build_signin(self, lay: QVBoxLayout) -> None:
        lay.addWidget(self._hint(tr("Sign out after this long without a touch, key or scan:")))
        row = QHBoxLayout()
        items = [(m, tr("{0} min").format(m) if m else tr("Never")) for m in IDLE_CHOICES]
        self.idle_buttons = _choices(row, "idle", items, self.set_idle)
        lay.addLayout(row)
        lay.addWidget(self._hint(tr("“Undo this record” stays after each record for:")))
        row = QHBoxLayout()
        items = [(s, tr("{0} s").format(s)) for s in UNDO_CHOICES]
        self.undo_buttons = _choices(row, "undo", items, self.set_undo)
        lay.addLayout(row)

    def set_idle(self, minutes: int) -> None:
        self.save("idle_sign_out_minutes", minutes)
        _check(self.idle_buttons, minutes)

    def set_undo(self, seconds: int) -> None:
        self.save("undo_seconds", seconds)
        _check(self.undo_buttons, seconds)

    # -- devices and camera ---------------------------------------------------------------

    def _build_devices(self, lay: QVBoxLayout) -> None:
        lay.addWidget(self._hint(tr("Ports found (tap one to use it):")))
        self.port_rows = QVBoxLayout()
        lay.addLayout(self.port_rows)
        lay.addWidget(self._hint(tr("Devices of this terminal (used from the next start):")))
        self.device_rows = QGridLayout()
        lay.addLayout(self.device_rows)
        row = QHBoxLayout()
        self.device_url = QLineEdit()
        self.device_url.setObjectName("deviceUrl")
        self.device_url.setPlaceholderText("serial-usb://0FE7:4001/A1?codec=mitutoyo")
        self.device_url.setMinimumHeight(72)
        row.addWidget(self.device_url, 2)
        add = BigButton(tr("Add device"))
        add.setObjectName("addDevice")
        add.clicked.connect(self.add_device)
        row.addWidget(add, 1)
        lay.addLayout(row)
        self.device_value = QLabel("—")
        self.device_value.setObjectName("deviceValue")
        big = self.device_value.font()
        big.setPointSize(28)  # the live value is read from arm's length
        big.setBold(True)
        self.device_value.setFont(big)
        self.device_value.setWordWrap(True)
        lay.addWidget(self.device_value)

    def _fill_devices(self) -> None:
        self._fill_ports()
        _clear(self.device_rows)
        for i, url in enumerate(self.settings["devices"]):
            label = QLabel(breakable(url))
            label.setWordWrap(True)
            self.device_rows.addWidget(label, i, 0)
            test = BigButton(tr("Test read"))
            test.setObjectName(f"testDevice_{i}")
            test.clicked.connect(lambda _=False, u=url: self.test_device(u))
            self.device_rows.addWidget(test, i, 1)
            rm = BigButton(tr("Remove"))
            rm.setObjectName(f"removeDevice_{i}")
            rm.clicked.connect(lambda _=False, u=url: self.remove_device(u))
            self.device_rows.addWidget(rm, i, 2)
        self.device_rows.setColumnStretch(0, 2)

    def _fill_ports(self) -> None:
        """The serial ports there now (the drivers' listing: real ones and simulators)."""
        _clear(self.port_rows)
        for port in list_ports():
            name = port.device.rsplit("/", 1)[-1]  # ttyUSB0, COM3: the path never fits
            text = f"{name}  {port.usb_id or ''}\n{port.description[:40]}".strip()
            b = BigButton(text)
            b.setObjectName("port")
            url = port.url()
            b.clicked.connect(lambda _=False, u=url: self.device_url.setText(u))
            self.port_rows.addWidget(b)
        if self.port_rows.count() == 0:
            self.port_rows.addWidget(self._hint(tr("No serial port found.")))

    def add_device(self) -> None:
        url = self.device_url.text().strip()
        if not url or url in self.settings["devices"]:
            return
        self.save("devices", [*self.settings["devices"], url])
        self.device_url.clear()
        self._fill_devices()

    def remove_device(self, url: str) -> None:
        if self.probe.url == url:
            self.probe.stop()
        self.save("devices", [u for u in self.settings["devices"] if u != url])
        self._fill_devices()

    def test_device(self, url: str) -> None:
        """Open the device and show what it sends, live, until the page is left."""
        say(self.device_value, "", tr("Reading {0} …").format(breakable(url)))
        why = self.probe.start(url)
        self._fill_ports()  # a simulator, or a device just plugged in, shows its port
        if why is not None:
            say(self.device_value, "error", tr("Cannot open the device ({0}).").format(why))

    def _build_camera(self, lay: QVBoxLayout) -> None:
        grid = QGridLayout()
        self.camera_buttons = {}
        for i, c in enumerate(CAMERA_CHOICES):
            b = BigButton(c or tr("No camera"))
            b.setObjectName(f"camera_{c}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, v=c: self.set_camera(v))
            grid.addWidget(b, i // 2, i % 2)
            self.camera_buttons[c] = b
        lay.addLayout(grid)
        self.camera_preview = CameraPreview()
        lay.addWidget(self.camera_preview)

    def set_camera(self, url: str) -> None:
        self.save("camera", url)
        _check(self.camera_buttons, url)
        if url:
            self.camera_preview.start(url)
        else:
            self.camera_preview.stop()
            self.camera_preview.clear()

    # -- hub, printer, codes -------------------------------------------------------------

    def _build_hub(self, lay: QVBoxLayout) -> None:
        lay.addWidget(self._hint(tr("Type the hub's address and the one-time code, or scan it.")))
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("hubUrl")
        self.hub_url.setPlaceholderText("https://hub.example.jp")
        self.hub_url.setMinimumHeight(72)
        self.enrol_code = QLineEdit()
        self.enrol_code.setObjectName("enrolCode")
        self.enrol_code.setPlaceholderText(tr("One-time code"))
        self.enrol_code.setMinimumHeight(72)
        go = BigButton(tr("Join the hub"), "primary")
        go.setObjectName("enrol")
        go.clicked.connect(self.enrol)
        row = QHBoxLayout()
        row.addWidget(self.hub_url, 2)
        row.addWidget(self.enrol_code, 1)
        row.addWidget(go, 1)
        lay.addLayout(row)
        self.hub_state = QLabel()
        self.hub_state.setObjectName("hubState")
        self.hub_state.setWordWrap(True)
        lay.addWidget(self.hub_state)

    def take_scan(self, text: str) -> bool:
        """An enrolment code scanned while this page shows (``NKEN:<hub url> <code>``)."""
        found = parse_qr(text)
        if found is None:
            return False
        self.hub_url.setText(found[0])
        self.enrol_code.setText(found[1])
        return True

    def enrol(self) -> bool:
        from app.sync import SyncError, enroll

        url, code = self.hub_url.text().strip().rstrip("/"), self.enrol_code.text().strip()
        if not url or not code:
            say(self.hub_state, "error", tr("Type the hub's address and the code."))
            return False
        try:
            enroll(self.session.store, url, code)
        except SyncError as exc:
            say(self.hub_state, "error", reason_text(exc.code))
            return False
        self.save("hub_url", url)
        self.enrol_code.clear()
        say(self.hub_state, "ok", tr("Joined the hub {0}.").format(url))
        if self.syncing is not None:
            self.syncing.start()
        return True

    def _build_printer(self, lay: QVBoxLayout) -> None:
        row = QGridLayout()
        items = [(PRINT_ASK, tr("Ask each time")), (PRINT_PDF, tr("PDF only"))]
        items += [(p, p) for p in QPrinterInfo.availablePrinterNames()]
        self.printer_buttons = {}
        for i, (value, text) in enumerate(items):
            b = BigButton(text)
            b.setObjectName(f"printer_{value or 'ask'}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, v=value: self.set_printer(v))
            row.addWidget(b, i // 3, i % 3)
            self.printer_buttons[value] = b
        lay.addLayout(row)
        lay.addWidget(
            self._hint(
                tr("A PDF of every traveler is kept in {0}.").format(traveler_dir(self.settings))
            )
        )

    def set_printer(self, value: str) -> None:
        self.save("printer", value)
        _check(self.printer_buttons, value)

    def _build_codes(self, lay: QVBoxLayout) -> None:
        self.code_rows = QGridLayout()
        lay.addLayout(self.code_rows)
        row = QHBoxLayout()
        self.code_field = QLineEdit()
        self.code_field.setObjectName("newCode")
        self.code_field.setPlaceholderText(tr("Code (e.g. CHIP)"))
        self.name_ja = QLineEdit()
        self.name_ja.setObjectName("newCodeJa")
        self.name_ja.setPlaceholderText(tr("Japanese name (e.g. 欠け)"))
        self.name_en = QLineEdit()
        self.name_en.setObjectName("newCodeEn")
        self.name_en.setPlaceholderText(tr("English name (e.g. Chipped edge)"))
        for f in (self.code_field, self.name_ja, self.name_en):
            f.setMinimumHeight(72)
            row.addWidget(f, 1)
        lay.addLayout(row)
        row = QHBoxLayout()
        for key, text in (
            ("defect_codes", tr("Add defect code")),
            ("pause_reasons", tr("Add pause reason")),
        ):
            b = BigButton(text)
            b.setObjectName(f"add_{key}")
            b.clicked.connect(lambda _=False, k=key: self.add_code(k))
            row.addWidget(b)
        lay.addLayout(row)

    def _fill_codes(self) -> None:
        _clear(self.code_rows)
        i = 0
        for key, kind in (("defect_codes", tr("Defect")), ("pause_reasons", tr("Pause"))):
            for line in self.settings[key]:
                entry = catalog.parse_own(line)
                if entry is None:
                    continue
                self.code_rows.addWidget(
                    QLabel(f"{kind}  {entry.code}  {entry.ja} / {entry.en}"), i, 0
                )
                rm = BigButton(tr("Remove"))
                rm.setObjectName(f"removeCode_{key}_{entry.code}")
                rm.clicked.connect(lambda _=False, k=key, c=entry.code: self.remove_code(k, c))
                self.code_rows.addWidget(rm, i, 1)
                i += 1
        self.code_rows.setColumnStretch(0, 2)

    def add_code(self, key: str) -> None:
        code, ja, en = (f.text().strip() for f in (self.code_field, self.name_ja, self.name_en))
        builtin = catalog.defects() if key == "defect_codes" else catalog.pause_reasons()
        try:
            entry = builtin.add(code, ja or en, en or ja)
        except ValueError:
            say(
                self.feedback,
                "error",
                tr("A code is capital letters, digits or _, not a built-in one."),
            )
            return
        if not (ja or en):
            say(self.feedback, "error", tr("Give the code a name."))
            return
        lines = [
            x for x in self.settings[key] if (catalog.parse_own(x) or entry).code != entry.code
        ]
        self.save(key, [*lines, catalog.own_line(entry)])
        for f in (self.code_field, self.name_ja, self.name_en):
            f.clear()
        self._fill_codes()

    def remove_code(self, key: str, code: str) -> None:
        keep = [x for x in self.settings[key] if (e := catalog.parse_own(x)) and e.code != code]
        self.save(key, keep)
        self._fill_codes()

    # -- helpers -----------------------------------------------------------------------

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("hint")
        label.setWordWrap(True)
        return label


def breakable(url: str) -> str:
    """A device URL that wraps after ``?``, ``&`` and ``/`` (a zero-width space there)
    instead of widening the page."""
    for ch in "?&/":
        url = url.replace(ch, ch + "\u200b")
    return url
