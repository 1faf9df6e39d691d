"""Hub client: enrol, push the outbox, pull the firm's feed, upload photos, keep retrying.

No Qt here: ``SyncLoop`` runs in a plain thread and reports a ``SyncStatus`` snapshot
through a callback; the UI marshals that to its own thread.
"""

from app.sync.client import HubClient
from app.sync.errors import (
    HubBusy,
    HubRefused,
    HubTimeout,
    NotEnrolled,
    Offline,
    SyncError,
    Unauthorized,
)
from app.sync.loop import SyncLoop
from app.sync.syncer import Syncer, SyncReport, SyncStatus, enroll, status

__all__ = [
    "HubBusy",
    "HubClient",
    "HubRefused",
    "HubTimeout",
    "NotEnrolled",
    "Offline",
    "SyncError",
    "SyncLoop",
    "SyncReport",
    "SyncStatus",
    "Syncer",
    "Unauthorized",
    "enroll",
    "status",
]
