"""The background sync loop the app owns: a timer, not only a reaction to local writes.

It syncs every ``interval_s`` while things go well; after a failure it waits an
exponential backoff with full jitter (so 500 shops coming back after a power cut do
not all knock at once), honouring the hub's ``Retry-After``. ``poke()`` (after a local
write) makes it try at once. ``on_change`` gets a ``SyncStatus`` after every round, from
the loop's thread: a Qt UI must hand it to its own thread (a queued signal).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from app.store import Store
from app.sync.errors import HubBusy, NotEnrolled, SyncError, Unauthorized
from app.sync.syncer import Syncer, SyncReport, SyncStatus, status

log = logging.getLogger("nakama.sync")


class SyncLoop:
    def __init__(
        self,
        store: Store,
        syncer: Syncer | None = None,
        *,
        interval_s: float = 15.0,
        base_backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
        on_change: Callable[[SyncStatus], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.syncer = syncer or Syncer(store)
        self.interval_s = interval_s
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.on_change = on_change
        self.failures = 0
        self.rounds = 0
        self.last_report: SyncReport | None = None
        self._rng = rng or random.Random()
        self._state = "idle"
        self._online = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="nakama-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def poke(self) -> None:
        """Try now (a local event was written, or the user pressed 'sync')."""
        self._wake.set()

    def snapshot(self) -> SyncStatus:
        return status(self.store, state=self._state, online=self._online)

    # -- the loop -----------------------------------------------------------------------

    def next_delay(self, exc: SyncError | None) -> float:
        """Seconds until the next round: the interval after success, otherwise an
        exponential backoff with full jitter, never less than the hub's Retry-After."""
        if exc is None:
            return self.interval_s
        cap = min(self.max_backoff_s, self.base_backoff_s * 2 ** min(self.failures, 20))
        delay = self._rng.uniform(cap / 2, cap)
        if isinstance(exc, HubBusy) and exc.retry_after:
            delay = max(delay, exc.retry_after)
        if isinstance(exc, Unauthorized | NotEnrolled):
            delay = max(delay, min(self.max_backoff_s, 60.0))
        return delay

    def run_round(self) -> SyncError | None:
        """One round, recorded in the loop's state. Returns the error, if any."""
        self._state = "syncing"
        try:
            self.last_report = self.syncer.sync_once()
        except SyncError as exc:
            self.failures += 1
            self._online = not isinstance(exc, NotEnrolled) and exc.code not in (
                "offline",
                "timeout",
                "bad_answer",
            )
            self._state = {
                "offline": "offline",
                "timeout": "offline",
                "bad_answer": "offline",
                "not_enrolled": "not_enrolled",
            }.get(exc.code, "unauthorized" if isinstance(exc, Unauthorized) else "busy")
            log.info("sync failed", extra={"code": exc.code, "failures": self.failures})
            return exc
        except Exception:  # a bug must not kill the loop; it is logged and retried
            self.failures += 1
            self._state, self._online = "error", False
            log.exception("sync round crashed")
            return SyncError("internal_error")
        finally:
            self.rounds += 1
        self.failures = 0
        self._state, self._online = "idle", True
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            exc = self.run_round()
            self._notify()
            self._wake.wait(self.next_delay(exc))
            self._wake.clear()

    def _notify(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(self.snapshot())
        except Exception:
            log.exception("sync status callback failed")
