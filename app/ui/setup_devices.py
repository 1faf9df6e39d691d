"""The first-run wizard's last pages: devices (ports found, a live test read through the
real driver), the camera (its live picture) and joining the hub (the enrolment QR
scanned, or typed, or later). Devices and the camera may be skipped; so may the hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.ui.camera_view import CameraView
from app.ui.settings_devices import DeviceProbe
from app.ui.settings_screen import CAMERA_CHOICES, breakable
from app.ui.setup_pages import WizardPage, clear_layout, field, hint
from app.ui.text import reason_text, tr
from app.ui.widgets import BigButton, mm, say, touch_scroll
from drivers.ports import PortInfo, list_ports
from wire.enrolment import parse_qr

if TYPE_CHECKING:
    from app.ui.setup_wizard import SetupWizard

# What a serial port may have on it, as the driver's codec names it.
KINDS = ("mitutoyo", "and", "shimadzu", "sylvac", "scanner")
ASK_AFTER_MS = 400  # a gauge that answers only when asked is asked once it is open


def kind_name(kind: str) -> str:
    return {
        "mitutoyo": tr("Mitutoyo gauge"),
        "and": tr("A&&D balance"),
        "shimadzu": tr("Shimadzu balance"),
        "sylvac": tr("Sylvac gauge"),
        "scanner": tr("Code scanner (USB-COM)"),
    }[kind]


def camera_name(url: str) -> str:
    """A camera choice in words, its setting beside it."""
    if not url:
        return tr("No camera")
    if url.startswith("camera://"):
        number = int(url.rpartition("/")[2] or 0) + 1
        return tr("USB camera {0}").format(number) + f"  ({url})"
    return tr("Simulated camera (demo)")


def port_url(port: PortInfo, kind: str) -> str:
    """The device setting for ``port`` read as ``kind``: found again by its USB identity."""
    return f"{port.url()}?codec={kind}"


class DevicesPage(WizardPage):
    """Ports found now; tap one, tap what it is, see its values live; keep it or skip."""

    key = "devices"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.port: PortInfo | None = None
        self.url = ""
        self.probe = DeviceProbe()
        self.ports = QVBoxLayout()
        listed = QWidget()
        listed.setLayout(self.ports)
        area = QScrollArea()
        area.setObjectName("portList")
        area.setWidgetResizable(True)
        area.setWidget(listed)
        area.setMinimumSize(mm(40), mm(15))  # the list scrolls rather than grow the page
        touch_scroll(area)
        again = BigButton(tr("Look for ports again"))
        again.setObjectName("rescanPorts")
        again.clicked.connect(self.enter)
        left = QVBoxLayout()
        left.addWidget(hint(tr("Ports found. Plug the device in, then tap its port:")))
        left.addWidget(area, 1)
        left.addWidget(again)
        self.kinds = QGridLayout()
        self.kind_buttons: dict[str, BigButton] = {}
        for i, kind in enumerate(KINDS):
            b = BigButton(kind_name(kind))
            b.setObjectName(f"kind_{kind}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, k=kind: self.test(k))
            self.kinds.addWidget(b, i // 2, i % 2)
            self.kind_buttons[kind] = b
        self.value = QLabel("—")
        self.value.setObjectName("deviceValue")
        big = self.value.font()
        big.setPointSize(28)  # the live value is read from arm's length
        big.setBold(True)
        self.value.setFont(big)
        self.value.setWordWrap(True)
        self.probe.seen.connect(lambda level, text: say(self.value, level, text))
        self.keep = BigButton(tr("Use this device"), "primary")
        self.keep.setObjectName("keepDevice")
        self.keep.clicked.connect(self.use)
        self.chosen = hint("")
        right = QVBoxLayout()
        right.addWidget(hint(tr("What is on this port? (a test read starts)")))
        right.addLayout(self.kinds)
        right.addWidget(self.value)
        right.addWidget(self.keep)
        right.addWidget(self.chosen)
        right.addStretch(1)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addLayout(right, 1)

    def title(self) -> str:
        return tr("Devices")

    def next_text(self) -> str:
        return tr("Next ▶") if self.settings["devices"] else tr("Skip ▶")

    def enter(self) -> None:
        """List the ports there now (the drivers' listing: real ones and simulators)."""
        clear_layout(self.ports)
        found = list_ports()
        for port in found:
            name = port.device.rsplit("/", 1)[-1]  # ttyUSB0, COM3: the path never fits
            about = "" if port.description in ("", "n/a") else port.description[:40]
            b = BigButton(f"{name}  {port.usb_id or ''}\n{about}".strip())
            b.setObjectName(f"port_{name}")
            b.setCheckable(True)
            b.setChecked(self.port is not None and port.device == self.port.device)
            b.clicked.connect(lambda _=False, p=port: self.pick(p))
            self.ports.addWidget(b)
        if not found:
            self.ports.addWidget(hint(tr("No serial port found.")))
        self.ports.addStretch(1)
        self._show_chosen()

    def pick(self, port: PortInfo) -> None:
        self.probe.stop()
        self.port = port
        self.url = ""
        for b in self.kind_buttons.values():
            b.setChecked(False)
        say(self.value, "", tr("Now tap what the device is."))
        self.enter()

    def test(self, kind: str) -> None:
        """Open the port through the real driver as ``kind`` and show what it sends."""
        for k, b in self.kind_buttons.items():
            b.setChecked(k == kind)
        if self.port is None:
            say(self.value, "error", tr("Tap a port first."))
            return
        self.url = port_url(self.port, kind)
        say(self.value, "", tr("Reading {0} …").format(breakable(self.url)))
        why = self.probe.start(self.url)
        if why is not None:
            say(self.value, "error", tr("Cannot open the device ({0}).").format(why))
            return
        QTimer.singleShot(ASK_AFTER_MS, self._ask)

    def _ask(self) -> None:
        if self.probe.device is not None:
            self.probe.device.trigger()

    def use(self) -> None:
        """Keep the device under test in the terminal's devices (the settings page's
        list, opened from the next start)."""
        if not self.url:
            say(self.value, "error", tr("Tap a port and what it is first."))
            return
        if self.url not in self.settings["devices"]:
            self.save_setting("devices", [*self.settings["devices"], self.url])
        self.wizard.tell("ok", tr("Device kept: {0}").format(breakable(self.url)))
        self._show_chosen()
        self.wizard.refresh_nav()

    def _show_chosen(self) -> None:
        urls = self.settings["devices"]
        self.chosen.setText(
            tr("Devices of this terminal:") + "\n" + "\n".join(breakable(u) for u in urls)
            if urls
            else tr("No device kept yet (a device can be added later in the settings).")
        )

    def stop(self) -> None:
        self.probe.stop()


class CameraPage(WizardPage):
    """The camera's live picture, as the jobs list shows it; none is a choice too."""

    key = "camera"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        grid = QGridLayout()
        self.buttons: dict[str, BigButton] = {}
        for i, c in enumerate(CAMERA_CHOICES):
            b = BigButton(camera_name(c))
            b.setObjectName(f"camera_{c}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, v=c: self.choose(v))
            grid.addWidget(b, i, 0)
            self.buttons[c] = b
        left = QVBoxLayout()
        left.addWidget(hint(tr("Which camera reads the travelers? Tap one and look:")))
        left.addLayout(grid)
        left.addStretch(1)
        self.view_box = QVBoxLayout()
        self.view: CameraView | None = None
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addLayout(self.view_box, 2)

    def title(self) -> str:
        return tr("Camera")

    def next_text(self) -> str:
        return tr("Next ▶") if self.settings["camera"] else tr("Skip ▶")

    def enter(self) -> None:
        self.choose(self.settings["camera"], save=False)

    def choose(self, url: str, *, save: bool = True) -> None:
        if save:
            self.save_setting("camera", url)
        for v, b in self.buttons.items():
            b.setChecked(v == url)
        self.wizard.use_camera(url)
        prompt = tr("Hold any QR code or barcode up to the camera to try it")
        without = tr("No camera: travelers are read by a scanner.")
        self.view = show_camera(self.view_box, self.view, self.wizard, url, prompt, without)
        self.wizard.refresh_nav()

    def take_scan(self, text: str) -> bool:
        """A code read here proves the camera (or scanner) reads codes."""
        self.wizard.tell("ok", tr("Code read: {0}").format(text[:40]))
        return True

    def stop(self) -> None:
        if self.view is not None:
            self.view.timer.stop()


def show_camera(
    box: QVBoxLayout,
    old: CameraView | None,
    wizard: SetupWizard,
    url: str,
    prompt: str,
    without: str,
) -> CameraView | None:
    """The wizard camera's live picture in ``box`` (a new view for a new camera)."""
    if old is not None:
        old.timer.stop()
        box.removeWidget(old)
        old.deleteLater()
    clear_layout(box)
    if not url:
        box.addWidget(hint(without))
        box.addStretch(1)
        return None
    view = CameraView(wizard.camera, prompt=prompt)
    box.addWidget(view, 1)
    return view


class HubPage(WizardPage):
    """Join the consortium's hub: scan the QR ``nakama-hub enroll-code --qr`` made (the
    camera or a scanner), or type the address and code, or go on offline."""

    key = "hub"

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.url = field("hubUrl", "https://hub.example.jp")
        self.code = field("enrolCode", tr("One-time code"))
        wizard.watch(self.url)
        wizard.watch(self.code)
        join = BigButton(tr("Join the hub"), "primary")
        join.setObjectName("enrol")
        join.clicked.connect(self.join)
        self.last_scan = ""
        self.state = QLabel()
        self.state.setObjectName("hubState")
        self.state.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(
            hint(
                tr(
                    "Hold the enrolment QR from the consortium office up to the camera, or "
                    "scan it. Or type the hub's address and the code. No hub yet? Go on "
                    "offline and join later in the settings."
                )
            )
        )
        left.addWidget(self.url)
        left.addWidget(self.code)
        left.addWidget(join)
        left.addWidget(self.state)
        left.addStretch(1)
        self.view_box = QVBoxLayout()
        self.view: CameraView | None = None
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addLayout(self.view_box, 1)

    def title(self) -> str:
        return tr("The hub")

    def joined(self) -> bool:
        return bool(self.session.store.meta("hub_token"))

    def next_text(self) -> str:
        return tr("Finish ▶") if self.joined() else tr("Later (offline) ▶")

    def enter(self) -> None:
        if not self.url.text():
            self.url.setText(self.settings["hub_url"])
        if self.joined():
            where = self.settings["hub_url"] or self.session.store.meta("hub_url") or ""
            say(self.state, "ok", tr("This terminal has joined the hub {0}.").format(where))
        else:
            say(self.state, "", tr("This terminal has not joined a hub."))
        camera = self.settings["camera"]
        self.wizard.use_camera(camera)
        prompt = tr("Hold the enrolment QR up to the camera")
        without = tr("No camera: scan the enrolment QR with the scanner, or type it.")
        self.view = show_camera(self.view_box, self.view, self.wizard, camera, prompt, without)

    def take_scan(self, text: str) -> bool:
        """The enrolment QR: both fields filled and the code spent at once. Anything else
        is said to be no enrolment QR (the fields stay as they were)."""
        if text == self.last_scan or self.joined():
            return True  # the camera reads a code held up again and again: once is enough
        self.last_scan = text
        found = parse_qr(text)
        if found is None:
            say(self.state, "error", reason_text("bad_enrol_qr"))
            return True
        self.url.setText(found[0])
        self.code.setText(found[1])
        self.join()
        return True

    def join(self) -> bool:
        """Spend the code as the settings page does; a refusal is said in words and
        nothing typed or recorded so far is lost."""
        from app.sync import SyncError, enroll

        url, code = self.url.text().strip().rstrip("/"), self.code.text().strip()
        if not url or not code:
            say(self.state, "error", tr("Type the hub's address and the code."))
            return False
        say(self.state, "", tr("Joining {0} …").format(url))
        try:
            answer = enroll(self.session.store, url, code)
        except SyncError as exc:
            text = reason_text(exc.code)
            if exc.code == "firm_differs":
                text += "\n" + tr(
                    "The code is for another firm than {0}. Ask the office for a code for {0}."
                ).format(self.session.firm)
            say(self.state, "error", text)
            return False
        self.save_setting("hub_url", url)
        self.code.clear()
        firm = answer.get("firm_id", "")
        say(self.state, "ok", tr("Joined the hub {0} as firm {1}.").format(url, firm))
        self.wizard.refresh_nav()
        return True

    def stop(self) -> None:
        if self.view is not None:
            self.view.timer.stop()
