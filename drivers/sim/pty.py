"""Pseudo-terminal ports that behave like a USB serial adapter being plugged and pulled.

The device side (``master``) is written by a simulator; the application side is a
real tty path that pyserial opens. Each plug-in makes a new pty and a new symlink
name (``ttySIM0``, ``ttySIM1`` …), the way Linux hands out ``/dev/ttyUSB1`` after an
unplug, and registers it with VID/PID/serial number for ``drivers.ports``.
Unplugging closes both ends and removes the name, so a reader sees EIO at once.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import threading
import tty
from pathlib import Path

from drivers.ports import PortInfo, register_sim_port, unregister_sim_port

_names = itertools.count()


class SimUsbPort:
    """A simulated USB-serial adapter with a stable identity and a changing name."""

    def __init__(
        self,
        vid: int,
        pid: int,
        serial_number: str,
        *,
        description: str = "simulated gauge",
        directory: Path | None = None,
        register: bool = True,
    ) -> None:
        self.vid, self.pid, self.serial_number = vid, pid, serial_number
        self.description = description
        self.register = register
        self._own_dir = directory is None
        self.directory = directory or Path(tempfile.mkdtemp(prefix="nakama-sim-"))
        self.master: int | None = None
        self._slave: int | None = None
        self.path: Path | None = None
        self.lock = threading.Lock()

    @property
    def plugged(self) -> bool:
        return self.master is not None

    def info(self) -> PortInfo:
        return PortInfo(
            device=str(self.path),
            vid=self.vid,
            pid=self.pid,
            serial_number=self.serial_number,
            description=self.description,
            manufacturer="Nakama simulator",
            simulated=True,
        )

    def plug(self) -> Path:
        """Create a fresh pty under a new name."""
        with self.lock:
            if self.master is not None:
                assert self.path is not None
                return self.path
            master, slave = os.openpty()
            tty.setraw(slave)  # no echo, no line editing: bytes pass as on a wire
            os.set_blocking(master, False)
            path = self.directory / f"ttySIM{next(_names)}"
            path.symlink_to(os.ttyname(slave))
            self.master, self._slave, self.path = master, slave, path
        if self.register:
            register_sim_port(self.info())
        return path

    def unplug(self) -> None:
        """Close both ends and make the name vanish, like pulling the cable."""
        with self.lock:
            master, slave, path = self.master, self._slave, self.path
            self.master = self._slave = None
            if path is not None:
                if self.register:
                    unregister_sim_port(str(path))
                path.unlink(missing_ok=True)
            for fd in (master, slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)

    def write(self, data: bytes) -> bool:
        """Send bytes to the application; False when unplugged or nobody drains them."""
        with self.lock:
            if self.master is None:
                return False
            try:
                os.write(self.master, data)
                return True
            except (BlockingIOError, OSError):
                return False

    def read(self) -> bytes:
        """Bytes the application wrote to the device (non-blocking)."""
        with self.lock:
            if self.master is None:
                return b""
            try:
                return os.read(self.master, 4096)
            except (BlockingIOError, OSError):
                return b""

    def close(self) -> None:
        self.unplug()
        if self._own_dir:
            with contextlib.suppress(OSError):
                self.directory.rmdir()
