"""Files attached to events (defect photos, drawings): queued locally, uploaded apart
from events, chunked and resumable; and the other firms' files fetched the same way.

A photo is named by its SHA-256, so the hub can tell a resumed upload from a new one and
check the bytes. A week of photos waits here without holding back a single event.

The hub takes a photo only for an event it already holds, so a photo waits while its
event is still in the outbox (``pending`` leaves it out); a photo refused for the firm's
quota stays waiting (the office may raise the quota), and the round's photos stop there.

Downloads (``download_wanted``): every file another firm's event names (a drawing the
lead attached, a neighbour's defect photos) is fetched piece by piece into
``<sha256>.part`` beside the database; an interrupted download resumes from the size of
that file, and the whole file is checked against its name before it is kept. Drawings
come first.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from pathlib import Path
from typing import Any

from app.core.clock import utc_now_iso
from app.store import Store
from app.store import files as local_files
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


def queue_own(store: Store) -> int:
    """Queue every file this firm's events name that is here and not queued yet: a
    photo saved just before a crash (its event recorded, its queue row not) still goes."""
    queued = {r["photo_id"] for r in store.rows("SELECT photo_id FROM sync_photos")}
    n = 0
    for w in local_files.named(store):
        if w.firm_id != store.firm_id or w.sha256 in queued:
            continue
        path = local_files.path_of(store, w.sha256)
        if path is None:
            continue
        queue_file(store, path, w.event_id)
        queued.add(w.sha256)
        n += 1
    return n


def queue_file(store: Store, path: Path, event_id: str) -> str:
    """Queue a file kept by ``app.store.files`` (named by its SHA-256, type by its bytes)."""
    with path.open("rb") as f:
        head = f.read(16)
    ctype = local_files.sniff(head) or "application/octet-stream"
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO sync_photos (photo_id, path, size, content_type, event_id, "
            "added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (path.name, str(path), path.stat().st_size, ctype, event_id, utc_now_iso()),
        )
    return path.name


def download_wanted(store: Store, client: HubClient, *, limit: int = 20) -> int:
    """Fetch files other firms' events name, resuming each from what is here. Returns
    files completed. A file the hub does not have yet (or not for us) waits for a later
    round; network errors propagate, keeping what arrived."""
    done = 0
    folder = local_files.files_dir(store)
    for w in local_files.wanted(store)[:limit]:
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / (w.sha256 + local_files.PART)
        while True:
            have = part.stat().st_size if part.exists() else 0
            try:
                data, headers = client.fetch(
                    f"/v1/photos/{w.sha256}/content", params={"offset": have, "length": CHUNK * 4}
                )
            except HubRefused as exc:
                if exc.code == "bad_offset":  # a .part longer than the file: start again
                    part.unlink(missing_ok=True)
                    continue
                break  # not there yet (or not ours to read): a later round
            size = int(headers.get("x-nakama-size", "0"))
            with part.open("ab") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if have + len(data) < size and data:
                continue
            h = hashlib.sha256()
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            if h.hexdigest() != w.sha256:
                part.unlink()  # not the file its name promises: fetch it again next round
                break
            os.replace(part, folder / w.sha256)
            done += 1
            break
    return done


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
    queue_own(store)
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
