"""The app's link to the hub: the Qt-free ``SyncLoop`` on its own store connection, its
status hopped to the GUI thread, and (in demo mode) a hub in a process of its own."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.store import Store
from app.sync.loop import SyncLoop
from app.sync.syncer import SyncStatus, enroll
from app.ui.session import Session

log = logging.getLogger(__name__)


class SyncBridge(QObject):
    """Owns the loop; ``status_changed`` arrives in the GUI thread after every round."""

    status_changed = Signal(object)  # SyncStatus, from the loop's thread
    updated = Signal()  # in the GUI thread, after ``status`` changed

    def __init__(self, session: Session, interval_s: float = 15.0) -> None:
        super().__init__()
        self.session = session
        # Its own connection: the loop's transactions never interleave with the screen's.
        self.store = Store.open(session.store.path)
        self.loop = SyncLoop(self.store, interval_s=interval_s, on_change=self.status_changed.emit)
        self.status: SyncStatus | None = None
        self._stopped = False
        self.status_changed.connect(self._on_status)
        session.changed.connect(self.loop.poke)  # a new local event goes out at once

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()
        self._stopped = True  # a last status may still be queued for the GUI thread
        self.store.close()

    def _on_status(self, status: SyncStatus) -> None:
        if self._stopped:
            return
        self.status = status
        self.updated.emit()
        # Pulled events were written by the loop's connection: let the screens re-read.
        report = self.loop.last_report
        if report is not None and (report.pulled or report.directory):
            self.session.changed.emit()


DEMO_HUB_PORT = 18765


def start_demo_hub(
    data_dir: Path, store: Store, firms: dict[str, tuple[str, str]]
) -> Callable[[], None]:
    """A hub on loopback in its own process (``python -m hub.demo``), with the demo firms
    and this terminal enrolled in it (once, or again when the port had to change). The
    terminal never imports the hub's code. Returns the function that stops the hub."""
    url_db = f"sqlite:///{data_dir / 'demo-hub.db'}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub.demo",
            "--db",
            url_db,
            "--firms",
            json.dumps({c: list(v) for c, v in firms.items()}, ensure_ascii=False),
            "--enroll",
            store.firm_id,
            "--port",
            str(DEMO_HUB_PORT),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout

    def started() -> dict[str, str]:
        line = out.readline()
        if not line:
            proc.wait(timeout=5)
            raise RuntimeError(f"the demo hub did not start (exit status {proc.returncode})")
        return dict(json.loads(line))

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    usual = f"http://127.0.0.1:{DEMO_HUB_PORT}"
    if store.meta("hub_url") == usual and store.meta("hub_token"):
        # Enrolled before: the app goes on while the hub starts (the sync loop retries
        # until it answers); only if it had to take another port is this terminal
        # enrolled again, on a connection of its own.
        def later() -> None:
            info = started()
            if info["url"] != usual:
                with Store.open(store.path) as own:
                    enroll(own, info["url"], info["enroll_code"])

        threading.Thread(target=later, name="demo-hub-start", daemon=True).start()
    else:
        info = started()
        enroll(store, info["url"], info["enroll_code"])
    return stop
