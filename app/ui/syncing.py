"""The app's link to the hub: the Qt-free ``SyncLoop`` on its own store connection, its
status hopped to the GUI thread, and (in demo mode) a hub embedded in this process."""

from __future__ import annotations

import logging
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
    """A hub on loopback with the demo firms, this terminal enrolled in it (once, or again
    when the port had to change). Returns the function that stops the hub."""
    from hub import embedded, registry
    from hub.db import HubDB

    url_db = f"sqlite:///{data_dir / 'demo-hub.db'}"
    db = HubDB(url_db)
    try:
        for code, (name, region) in firms.items():
            if registry.firm(db, code) is None:
                registry.add_firm(db, code, name, region)
        enroll_code = registry.make_enroll_code(db, store.firm_id)
    finally:
        db.close()
    try:
        url, stop = embedded.start(url_db, port=DEMO_HUB_PORT)
    except OSError:  # the port is taken (a second demo app): any free port
        url, stop = embedded.start(url_db)
    if store.meta("hub_url") != url or not store.meta("hub_token"):
        enroll(store, url, enroll_code)
    return stop
