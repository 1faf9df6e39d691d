"""One sync round: push the outbox, pull the feed, upload photos; and the status the UI shows.

Push sends the outbox in gzip batches (500 events); a timeout halves the batch; a 4xx
for a batch splits it until the one event at fault is parked as rejected (visible in
``outbox_stats``), so one bad event never blocks the queue. Pull applies each page with
its cursor in one local transaction (``Store.ingest``), so the cursor never runs ahead
of the data; the hybrid clock observes every pulled stamp.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core.clock import utc_now_iso
from app.store import Store
from app.store.backup import RECOVER
from app.store.firms import save_firms
from app.sync import keys as keydir
from app.sync import photos
from app.sync.client import CursorGone, HubClient
from app.sync.errors import HubRefused, HubTimeout, NotEnrolled, SyncError
from wire.events import Event, WireError, from_wire

log = logging.getLogger("nakama.sync")

MAX_BATCH = 500
CURSOR = "feed_cursor"


@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    pulled: int = 0
    photos: int = 0
    files_fetched: int = 0  # drawings and photos of other firms that arrived
    resnapshots: int = 0
    unreadable: int = 0
    directory: int = 0  # firm directory rows saved
    recovered: int = 0  # own events taken back from the hub after a restore
    photo_error: str | None = None


@dataclass(slots=True)
class SyncStatus:
    """What the status bar shows; ``state`` is a translatable code."""

    enrolled: bool
    online: bool
    state: str  # not_enrolled | idle | syncing | offline | busy | unauthorized | error
    waiting: int
    oldest_waiting_s: float | None
    rejected: int
    photos_waiting: int
    last_success: str | None
    last_error: str | None
    hub_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _age_s(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return max(0.0, (datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds())
    except ValueError:
        return None


def status(store: Store, *, state: str | None = None, online: bool | None = None) -> SyncStatus:
    """The sync status from the store (and the live loop's ``state``, if running)."""
    ob = store.outbox_stats()
    enrolled = bool(store.meta("hub_token"))
    last_error = store.meta("sync_last_error") or None
    if state is None:
        state = "not_enrolled" if not enrolled else ("error" if last_error else "idle")
    return SyncStatus(
        enrolled=enrolled,
        online=bool(online) if online is not None else (enrolled and not last_error),
        state=state,
        waiting=ob["pending"],
        oldest_waiting_s=_age_s(ob["oldest_pending_at"]),
        rejected=ob["rejected"],
        photos_waiting=photos.stats(store).get("pending", 0),
        last_success=store.meta("sync_last_success") or None,
        last_error=last_error,
        hub_url=store.meta("hub_url"),
        extra={"restore_recovering": True} if store.meta(RECOVER) else {},
    )


def enroll(
    store: Store,
    hub_url: str,
    code: str,
    *,
    client: HubClient | None = None,
    public_key: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Spend a one-time enrolment code and keep the token in the store.

    Refuses (``SyncError("firm_differs")``) when this terminal already records events
    for another firm: they could never be pushed under the new credential."""
    c = client or HubClient(hub_url)
    if public_key is None and store.firm_id:
        public_key = keydir.hub_key(store)  # so other firms can verify our travelers
    try:
        answer = c.enroll(code, store.terminal_id, public_key)
    finally:
        if client is None:
            c.close()
    firm = answer["firm_id"]
    if store.firm_id and store.firm_id != firm and store.count_events():
        raise SyncError("firm_differs", f"terminal is {store.firm_id}, code is for {firm}")
    values = {
        "hub_url": hub_url.rstrip("/"),
        "hub_token": answer["token"],
        "hub_id": answer.get("hub_id", ""),
        "firm_id": firm,
    }
    if store.meta("hub_id") not in (None, "", answer.get("hub_id")):
        values[CURSOR] = ""  # another hub: its feed positions mean nothing here
    store.set_meta(values)
    store.firm_id = firm
    return answer


class Syncer:
    """Runs sync rounds for one store. ``client`` defaults to one built from the store's
    enrolment; tests pass one over a mock transport or a faulty proxy."""

    def __init__(self, store: Store, client: HubClient | None = None) -> None:
        self.store = store
        self._client = client
        self.batch = MAX_BATCH

    @property
    def client(self) -> HubClient:
        if self._client is None:
            url, token = self.store.meta("hub_url"), self.store.meta("hub_token")
            if not url or not token:
                raise NotEnrolled("not_enrolled")
            self._client = HubClient(url, token)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def sync_once(self, *, photos_too: bool = True) -> SyncReport:
        """Push everything waiting, pull everything new, then photos. Raises ``SyncError``
        (after recording it for the status) when the hub cannot be reached or refuses us."""
        report = SyncReport()
        try:
            if self.store.meta(RECOVER):
                self.recover_own(report)
            self.push_all(report)
            self.pull_all(report)
        except SyncError as exc:
            self.store.set_meta({"sync_last_error": exc.code})
            raise
        self.store.set_meta({"sync_last_success": utc_now_iso(), "sync_last_error": ""})
        try:
            self.publish_key()
        except SyncError as exc:
            log.warning("signing key not published yet", extra={"why": exc.code})
        if photos_too:
            try:
                report.photos = photos.upload_pending(self.store, self.client)
            except SyncError as exc:
                # Photos retry on the next round; they never hold back events.
                report.photo_error = exc.code
            try:
                report.files_fetched = photos.download_wanted(self.store, self.client)
            except SyncError as exc:
                report.photo_error = report.photo_error or exc.code
        return report

    def publish_key(self) -> None:
        """Register this terminal's traveler-signing key with the hub once (again after a
        change), so every firm on a route can verify the travelers it prints."""
        key = keydir.hub_key(self.store)
        if self.store.meta("published_key_id") == key["key_id"]:
            return
        self.client.publish_key(key)
        self.store.set_meta({"published_key_id": key["key_id"]})

    # -- after a restore ----------------------------------------------------------------

    def recover_own(self, report: SyncReport | None = None) -> int:
        """Take back this terminal's own events the hub holds beyond the restored log, page
        by page (each page in one transaction), then allow new records again: they are
        numbered after the last one, so no seq is used twice. Returns the events taken."""
        taken = 0
        for _ in range(100_000):
            page = self.client.own_events(self.store.own_max_seq())
            events = []
            for raw in page.get("events") or []:
                try:
                    events.append(from_wire(raw))
                except WireError:
                    if report is not None:
                        report.unreadable += 1
            more = bool(page.get("more")) and bool(events)
            done = {} if more else {RECOVER: ""}
            result = self.store.ingest(events, meta=done, origin="local")
            taken += result.applied
            if not more:
                if report is not None:
                    report.recovered += taken
                log.info("own events taken back after a restore", extra={"events": taken})
                return taken
        raise AssertionError("own events did not end")

    # -- push ---------------------------------------------------------------------------

    def push_all(self, report: SyncReport) -> None:
        timeouts = 0
        while True:
            batch = self.store.outbox_pending(self.batch)
            if not batch:
                return
            try:
                self._push(batch, report)
            except HubTimeout:
                # A slow link: the next try sends less, and the round ends after a few.
                self.batch = max(1, self.batch // 2)
                timeouts += 1
                if timeouts >= 3:
                    raise
                continue
            self.batch = min(MAX_BATCH, self.batch * 2)

    def _push(self, batch: list[Event], report: SyncReport) -> None:
        try:
            results = self.client.push(batch)
        except HubRefused as exc:
            if len(batch) > 1:
                half = len(batch) // 2
                self._push(batch[:half], report)
                self._push(batch[half:], report)
                return
            self.store.settle_outbox([], {batch[0].event_id: f"{exc.code}:{exc.status}"})
            report.rejected += 1
            return
        sent = {e.event_id for e in batch}
        delivered, rejected = [], {}
        for r in results:
            eid = r.get("event_id") if isinstance(r, dict) else None
            if eid not in sent:
                continue
            if r.get("status") == "accepted":
                delivered.append(eid)
                report.pushed += 1
            elif r.get("status") == "duplicate":
                delivered.append(eid)
                report.duplicates += 1
            else:
                rejected[eid] = str(r.get("reason") or "rejected")
                report.rejected += 1
        self.store.settle_outbox(delivered, rejected)
        if rejected:
            log.warning("hub rejected events", extra={"rejected": rejected})

    # -- pull ---------------------------------------------------------------------------

    def pull_all(self, report: SyncReport) -> None:
        for _ in range(100_000):
            cursor = self.store.meta(CURSOR) or None
            try:
                page = self.client.pull(cursor)
            except CursorGone:
                # The hub was restored or rebuilt: take everything again; applying an
                # event twice changes nothing.
                report.resnapshots += 1
                self.store.set_meta({CURSOR: ""})
                if report.resnapshots > 2:
                    raise
                continue
            events = []
            for raw in page.get("events") or []:
                try:
                    events.append(from_wire(raw))
                except WireError:
                    # From a newer terminal (schema version); kept on the hub for a
                    # later version of this program, counted here so it shows.
                    report.unreadable += 1
            keydir.save_keys(self.store, page.get("keys") or [])
            firms = page.get("firms")
            report.directory += save_firms(self.store, firms if isinstance(firms, list) else [])
            result = self.store.ingest(events, meta={CURSOR: str(page["cursor"])})
            report.pulled += result.applied
            if not page.get("more"):
                return
        raise AssertionError("feed did not end")


def sync_until_idle(syncer: Syncer, *, rounds: int = 20, pause_s: float = 0.05) -> SyncReport:
    """Sync rounds until nothing is waiting (for tests and ``nakama sync --once``)."""
    total = SyncReport()
    for _ in range(rounds):
        r = syncer.sync_once()
        names = ("pushed", "duplicates", "rejected", "pulled", "photos", "files_fetched")
        for name in (*names, "resnapshots", "recovered"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        if not syncer.store.outbox_pending(1):
            return total
        time.sleep(pause_s)
    return total
