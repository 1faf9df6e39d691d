"""Kiosk mode (``nakama run --kiosk``): full screen without window decorations, left only
with an owner's PIN, the screen kept awake; and one running app per database (a second
start brings the first to the front and exits).

Keeping the screen awake is asked of the desktop, where there is one to ask: the
freedesktop ``org.freedesktop.ScreenSaver`` D-Bus service (KDE, GNOME, XFCE …) on Linux,
``SetThreadExecutionState`` on Windows. Under a kiosk compositor such as ``cage`` there
is no screen saver to inhibit (it blanks nothing by itself); ``ScreenAwake.how`` says
which applied, and the log records it.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMainWindow, QWidget

from app.core.operators import OperatorRecord, owner_unlock
from app.ui.pin_dialog import PinAsk, PinDialog
from app.ui.session import Session
from app.ui.text import reason_text, tr
from app.ui.widgets import BigButton

log = logging.getLogger("nakama.kiosk")

# The exit status after an owner left the kiosk: the systemd unit restarts the app on
# anything else (``RestartPreventExitStatus=``), so leaving on purpose really leaves.
LEFT_BY_OWNER = 75
ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED = 0x80000000, 0x1, 0x2


class LeaveKioskDialog(PinDialog):
    """The owners as big buttons, then the PIN pad; accepted when an owner's PIN is
    right (the core's ``owner_unlock`` decides)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        def unlock(rec: OperatorRecord, pin: str) -> str | None:
            why = owner_unlock(session.roster(), rec.operator_id, pin)
            if why is None:
                log.info("kiosk left by the owner", extra={"operator": rec.operator_id})
            return why

        ask = PinAsk(
            title=tr("Leave full-screen mode"),
            heading=tr("Only the owner can leave full-screen mode. Tap your name."),
            verb=tr("Leave"),
            check=unlock,
            roles=("owner",),
            pin_only=True,  # an owner without a PIN would be refused anyway
            nobody=reason_text("owner_pin_required"),
            ids=("owner_", "closeLeaveKiosk", "leaveBack", "leaveOk"),
        )
        super().__init__(session, ask, parent)
        self.setObjectName("leaveKioskDialog")

    def submit(self) -> str | None:
        """Check the PIN; accepted when right. Returns the refusal reason, if any."""
        return self.submit_pin()


class Kiosk(QObject):
    """Holds a main window full screen and frameless; a close (Alt+F4, the window
    manager) is refused until an owner has given their PIN in ``LeaveKioskDialog``."""

    def __init__(self, window: QMainWindow, session: Session) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.unlocked = False
        flags = Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        window.setWindowFlags(window.windowFlags() | flags)
        window.installEventFilter(self)
        self.leave_button = BigButton(tr("Exit"))
        self.leave_button.setObjectName("leaveKiosk")
        self.leave_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.leave_button.clicked.connect(self.ask_to_leave)
        bar = window.findChild(QWidget, "topBar")
        layout = bar.layout() if bar is not None else None
        if layout is not None:
            layout.addWidget(self.leave_button)
        self.awake = ScreenAwake()

    def show(self) -> None:
        self.window.showFullScreen()
        self.awake.inhibit()

    def ask_to_leave(self) -> LeaveKioskDialog:
        """Open the owner's PIN dialog; when it is accepted the window closes (and the
        app ends)."""
        dialog = LeaveKioskDialog(self.session, self.window)
        dialog.accepted.connect(self._leave)
        dialog.open()
        return dialog

    def _leave(self) -> None:
        self.unlocked = True
        self.window.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and not self.unlocked:
            if event.type() == QEvent.Type.Close:
                event.ignore()
                return True
            if event.type() == QEvent.Type.WindowStateChange and not (
                self.window.windowState() & Qt.WindowState.WindowFullScreen
            ):
                QTimer.singleShot(0, self.window.showFullScreen)  # minimised: back at once
        return False

    def bring_to_front(self) -> None:
        self.window.showFullScreen()
        self.window.raise_()
        self.window.activateWindow()


class ScreenAwake:
    """Asks the platform not to blank the screen while the kiosk runs. ``how`` says
    what applied: ``dbus``, ``windows``, or ``none: <why>``."""

    def __init__(self, bus: QDBusConnection | None = None, kernel32: Any = None) -> None:
        self.bus = bus
        self.kernel32 = kernel32
        self.how = ""
        self.cookie: int | None = None

    def inhibit(self) -> str:
        if sys.platform == "win32" or self.kernel32 is not None:
            self.how = self._windows()
        else:
            self.how = self._dbus()
        log.info(
            "screen kept awake" if "none" not in self.how else "screen may blank",
            extra={"how": self.how},
        )
        return self.how

    def _windows(self) -> str:
        k32 = self.kernel32 or ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        flags = ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED
        if not k32.SetThreadExecutionState(flags):
            return "none: SetThreadExecutionState failed"
        return "windows"

    def _dbus(self) -> str:
        bus = self.bus if self.bus is not None else QDBusConnection.sessionBus()
        if not bus.isConnected():
            return "none: no D-Bus session bus"
        iface = QDBusInterface(
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            bus,
        )
        if not iface.isValid():
            return "none: no org.freedesktop.ScreenSaver service"
        reply = iface.call("Inhibit", "Nakama", "shop-floor kiosk")
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            return f"none: {reply.errorMessage()}"
        # The service drops the inhibition when this process's bus connection closes.
        self.cookie = int(reply.arguments()[0])
        return "dbus"


def instance_name(db_path: Path) -> str:
    """The local-socket name for one database: the same file, the same name."""
    key = str(Path(db_path).expanduser().resolve())
    return "nakama-" + hashlib.sha256(key.encode()).hexdigest()[:20]


class SingleInstance(QObject):
    """One running app per database. ``claim()`` is True for the first; a later start
    finds it, asks it to come to the front (``raise_requested``) and gets False."""

    raise_requested = Signal()

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = instance_name(db_path)
        self.server: QLocalServer | None = None

    def claim(self, wait_ms: int = 500) -> bool:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if sock.waitForConnected(wait_ms):
            sock.write(b"raise\n")
            sock.waitForBytesWritten(wait_ms)
            sock.disconnectFromServer()
            return False
        # Nobody answers: a socket file left by a crash is no one's; take the name.
        QLocalServer.removeServer(self.name)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            log.warning("single instance not guarded", extra={"why": self.server.errorString()})
            return True
        self.server.newConnection.connect(self._knock)
        return True

    def _knock(self) -> None:
        assert self.server is not None
        while (conn := self.server.nextPendingConnection()) is not None:
            conn.readyRead.connect(lambda c=conn: self._read(c))
            if conn.bytesAvailable():
                self._read(conn)

    def _read(self, conn: QLocalSocket) -> None:
        if bytes(conn.readAll().data()).startswith(b"raise"):
            self.raise_requested.emit()
        conn.disconnectFromServer()

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
