"""Defect photos: queued locally, uploaded apart from events, chunked and resumable.

A photo is named by its SHA-256, so the hub can tell a resumed upload from a new one and
check the bytes. A week of photos waits here without holding back a single event.

The hub takes a photo only for an event it already holds, so a photo waits while its
event is still in the outbox (``pending`` leaves it out); a photo refused for the firm's
quota stays waiting (the office may raise the quota), and the round's photos stop there.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from app.core.clock import utc_now_iso
from app.store import Store
from app.sync.client import HubClient
from app.sync.errors import HubRefused, SyncError

CHUNK = 256 * 1024
WAIT_CODES = ("photo_quota_exceeded",)  # refusals that a later round may get past


def queue_photo(store: Store, path: Path | str, event_id: str | None = None) -> str:
    """Add a photo file to the upload queue; returns its id (SHA-256)."""
    p = Path(path)
    h = hashlib.sha256()
    with p.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    photo_id = h.hexdigest()
    ctype = mimetypes.guess_type(p.name)[0] or "image/jpeg"
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO sync_photos (photo_id, path, size, content_type, event_id, "
            "added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (photo_id, str(p), p.stat().st_size, ctype, event_id, utc_now_iso()),
        )
    return photo_id


def pending(store: Store) -> list[dict[str, Any]]:
    """Photos to upload now: waiting ones whose event has left the outbox (delivered, or
    parked as rejected, when the hub refuses the photo too)."""
    return store.rows(
        "SELECT photo_id, path, size, content_type, event_id, sent, attempts FROM sync_photos "
        "WHERE state = 'pending' AND (event_id IS NULL OR event_id NOT IN ("
        "SELECT e.event_id FROM outbox o JOIN events e USING (pos) WHERE o.state = 'pending'"
        ")) ORDER BY added_at"
    )


def stats(store: Store) -> dict[str, int]:
    rows = store.rows("SELECT state, count(*) AS n FROM sync_photos GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


def _mark(store: Store, photo_id: str, **fields: Any) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    with store.transaction() as conn:
        conn.execute(
            f"UPDATE sync_photos SET {sets} WHERE photo_id = ?", (*fields.values(), photo_id)
        )


def upload_pending(store: Store, client: HubClient, *, limit: int = 20) -> int:
    """Upload queued photos, resuming each from what the hub has. Returns photos finished.
    Network errors propagate (retried by the caller's timer); a refused photo is parked."""
    done = 0
    for row in pending(store)[:limit]:
        photo_id = row["photo_id"]
        try:
            data = Path(row["path"]).read_bytes()
        except OSError:
            _mark(store, photo_id, state="rejected", last_error="file_missing")
            continue
        try:
            st = client.request(
                "POST",
                "/v1/photos",
                json_body={
                    "photo_id": photo_id,
                    "size": row["size"],
                    "content_type": row["content_type"],
                    "event_id": row["event_id"],
                },
            )
            sent = int(st["received"])
            while not st.get("complete"):
                try:
                    st = client.request(
                        "PUT",
                        f"/v1/photos/{photo_id}/chunks",
                        params={"offset": sent},
                        content=data[sent : sent + CHUNK],
                        headers={"Content-Type": "application/octet-stream"},
                    )
                except HubRefused as exc:
                    if exc.code != "wrong_offset":
                        raise
                    st = client.request("GET", f"/v1/photos/{photo_id}")
                sent = int(st["received"])
                _mark(store, photo_id, sent=sent)
        except HubRefused as exc:
            if exc.code in WAIT_CODES:
                _mark(store, photo_id, attempts=row["attempts"] + 1, last_error=exc.code)
                raise
            _mark(store, photo_id, state="rejected", last_error=exc.code)
            continue
        except SyncError as exc:
            _mark(store, photo_id, attempts=row["attempts"] + 1, last_error=exc.code)
            raise
        _mark(store, photo_id, state="done", sent=row["size"], last_error=None)
        done += 1
    return done
