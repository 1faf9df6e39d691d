"""Files attached to events (defect photos, drawings): uploaded apart from events, in
chunks, resumable from what arrived; fetched by the firms of the job, also in pieces.

A file ("photo" in the API and tables, where drawings joined them) is named by the
SHA-256 of its bytes, so announcing it twice is harmless and a finished upload is checked
against its name before it counts as complete.

A photo belongs to an event of the uploading firm that the hub already holds (terminals
upload photos after the round's push, and hold back a photo whose event still waits in
their outbox), and each firm has a quota of photos (bytes and count, counted as
announced, so an unfinished upload holds its place).

Reading: the uploading firm reads its own files; another firm reads a complete file only
when the event it belongs to names it (a defect's ``photos``, a drawing's ``sha256``) and
both firms are on that event's job. To anyone else a file answers exactly like a missing
one (``unknown_photo``), so a read reveals no more than the feed does.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from hub import schema
from hub.db import HubDB
from hub.registry import Credential, RegistryError
from wire.events import DRAWING_TYPES

PHOTO_ID = re.compile(r"^[0-9a-f]{64}$")
MAX_PHOTO = 20 * 1024 * 1024
CHUNK_MAX = 1024 * 1024
CONTENT_TYPES = DRAWING_TYPES  # photos are images; a drawing may also be a PDF


@dataclass(frozen=True, slots=True)
class Quota:
    """Per firm: at most ``bytes`` of photos and ``count`` photos on the hub."""

    bytes: int = 5 * 1024**3
    count: int = 50_000


class QuotaExceeded(RegistryError):
    """413 ``photo_quota_exceeded``: the body says which limit, the limits and the use."""

    def __init__(self, which: str, quota: Quota, used_bytes: int, used_count: int) -> None:
        super().__init__("photo_quota_exceeded", 413, which)
        self.extra = {
            "quota": {
                "bytes": quota.bytes,
                "count": quota.count,
                "used_bytes": used_bytes,
                "used_count": used_count,
            }
        }


def _status(row: Any) -> dict[str, Any]:
    return {
        "photo_id": row.photo_id,
        "size": int(row.size),
        "received": int(row.received),
        "complete": bool(row.complete),
    }


def _own(c: Connection, cred: Credential, photo_id: str) -> Any:
    if not PHOTO_ID.match(photo_id):
        raise RegistryError("unknown_photo", 404)
    p = schema.photos
    row = c.execute(select(p).where(p.c.photo_id == photo_id)).first()
    # Another firm's photo answers exactly like a missing one.
    if row is None or row.firm_id != cred.firm_id:
        raise RegistryError("unknown_photo", 404)
    return row


def announce(db: HubDB, cred: Credential, body: Any, quota: Quota | None = None) -> dict[str, Any]:
    """Register a photo before its bytes: 422 ``unknown_event`` unless ``event_id`` names
    an event of the caller's firm that the hub holds (another firm's event answers the
    same), 413 ``photo_quota_exceeded`` past the firm's quota."""
    quota = quota or Quota()
    if not isinstance(body, dict):
        raise RegistryError("bad_request", 422)
    photo_id, size = body.get("photo_id"), body.get("size")
    ctype, event_id = body.get("content_type", "image/jpeg"), body.get("event_id")
    if not isinstance(photo_id, str) or not PHOTO_ID.match(photo_id):
        raise RegistryError("bad_photo_id", 422)
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_PHOTO:
        raise RegistryError("bad_size", 422)
    if ctype not in CONTENT_TYPES:
        raise RegistryError("bad_content_type", 422)
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        raise RegistryError("bad_event_id", 422, "a photo belongs to one event (event_id)")

    def work(c: Connection) -> dict[str, Any]:
        p = schema.photos
        row = c.execute(select(p).where(p.c.photo_id == photo_id)).first()
        if row is not None:
            if row.firm_id != cred.firm_id or row.size != size:
                raise RegistryError("photo_conflict", 409)
            return _status(row)
        e = schema.events
        # Ids are unique per terminal only: the event must be one of this firm's (another
        # firm reusing the id, read off its feed, must not hide it).
        own = c.execute(
            select(e.c.event_id).where(e.c.event_id == event_id, e.c.firm_id == cred.firm_id)
        ).first()
        if own is None:
            raise RegistryError("unknown_event", 422, "push the event before its photo")
        used_count, used_bytes = c.execute(
            select(func.count(), func.coalesce(func.sum(p.c.size), 0)).where(
                p.c.firm_id == cred.firm_id
            )
        ).one()
        if used_count + 1 > quota.count:
            raise QuotaExceeded("count", quota, int(used_bytes), int(used_count))
        if used_bytes + size > quota.bytes:
            raise QuotaExceeded("bytes", quota, int(used_bytes), int(used_count))
        c.execute(
            p.insert().values(
                photo_id=photo_id,
                firm_id=cred.firm_id,
                terminal_id=cred.terminal_id,
                size=size,
                received=0,
                content_type=ctype,
                event_id=event_id,
                complete=0,
                created_at=time.time(),
            )
        )
        return {"photo_id": photo_id, "size": size, "received": 0, "complete": False}

    return db.write(work)


def status(db: HubDB, cred: Credential, photo_id: str) -> dict[str, Any]:
    with db.read() as c:
        return _status(_own(c, cred, photo_id))


def put_chunk(
    db: HubDB, cred: Credential, photo_id: str, offset: int, data: bytes
) -> dict[str, Any]:
    if not data or len(data) > CHUNK_MAX:
        raise RegistryError("bad_chunk", 422)

    def work(c: Connection) -> dict[str, Any]:
        row = _own(c, cred, photo_id)
        if row.complete:
            return _status(row)
        if offset != row.received:
            # The client resumes from what the hub has, not from what it thinks it sent.
            raise RegistryError("wrong_offset", 409, str(row.received))
        if offset + len(data) > row.size:
            raise RegistryError("bad_chunk", 422)
        pc, p = schema.photo_chunks, schema.photos
        c.execute(pc.insert().values(photo_id=photo_id, offset=offset, data=data))
        received = offset + len(data)
        complete = 0
        if received == row.size:
            h = hashlib.sha256()
            for (chunk,) in c.execute(
                select(pc.c.data).where(pc.c.photo_id == photo_id).order_by(pc.c.offset)
            ):
                h.update(chunk)
            if h.hexdigest() != photo_id:
                c.execute(pc.delete().where(pc.c.photo_id == photo_id))
                c.execute(update(p).where(p.c.photo_id == photo_id).values(received=0))
                return {
                    "photo_id": photo_id,
                    "size": int(row.size),
                    "received": 0,
                    "complete": False,
                    "error": "digest_mismatch",
                }
            complete = 1
        c.execute(
            update(p).where(p.c.photo_id == photo_id).values(received=received, complete=complete)
        )
        return {
            "photo_id": photo_id,
            "size": int(row.size),
            "received": received,
            "complete": bool(complete),
        }

    return db.write(work)


def _readable(c: Connection, cred: Credential, photo_id: str) -> Any:
    """The photo row if the caller may read it (see the module's docstring)."""
    if not PHOTO_ID.match(photo_id):
        raise RegistryError("unknown_photo", 404)
    p, e, m = schema.photos, schema.events, schema.job_members
    row = c.execute(select(p).where(p.c.photo_id == photo_id)).first()
    if row is None:
        raise RegistryError("unknown_photo", 404)
    if row.firm_id == cred.firm_id:
        return row
    ev = c.execute(
        select(e.c.job_id, e.c.body).where(e.c.event_id == row.event_id, e.c.firm_id == row.firm_id)
    ).first()
    if ev is None or ev.job_id is None or f'"{photo_id}"' not in ev.body:
        raise RegistryError("unknown_photo", 404)
    firms = {
        f
        for (f,) in c.execute(
            select(m.c.firm_id).where(
                m.c.job_id == ev.job_id, m.c.firm_id.in_([cred.firm_id, row.firm_id])
            )
        )
    }
    if firms != {cred.firm_id, row.firm_id}:
        raise RegistryError("unknown_photo", 404)
    return row


def read(
    db: HubDB, cred: Credential, photo_id: str, offset: int, length: int = CHUNK_MAX
) -> tuple[bytes, int, str]:
    """Up to ``length`` bytes of a complete file from ``offset``: (bytes, whole size,
    content type). 409 ``photo_incomplete`` while its upload is unfinished, 422
    ``bad_offset`` past its end."""
    length = max(1, min(length, CHUNK_MAX))
    with db.read() as c:
        row = _readable(c, cred, photo_id)
        if not row.complete:
            raise RegistryError("photo_incomplete", 409)
        size = int(row.size)
        if not 0 <= offset < size:
            raise RegistryError("bad_offset", 422, str(size))
        pc = schema.photo_chunks
        # Chunks are stored as uploaded (at most CHUNK_MAX each): those that overlap.
        parts = c.execute(
            select(pc.c.offset, pc.c.data)
            .where(
                pc.c.photo_id == photo_id,
                pc.c.offset > offset - CHUNK_MAX,
                pc.c.offset < offset + length,
            )
            .order_by(pc.c.offset)
        ).all()
    out = bytearray()
    for start, data in parts:
        start = int(start)
        lo, hi = max(offset, start), min(offset + length, start + len(data))
        if lo < hi:
            out += bytes(data)[lo - start : hi - start]
    return bytes(out), size, str(row.content_type)
