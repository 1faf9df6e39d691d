"""Files attached to events (defect photos, drawings), kept beside the database.

Each file is named by the SHA-256 of its bytes in a folder next to the database
(``nakama.db.files/``), so the same photo taken twice is stored once, a file that came
from the hub is checked against its name, and what the events name but this terminal
lacks is a simple look-up (``wanted``). The files outlive any network: a drawing synced
once opens offline, a photo taken offline waits here for its upload.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.store.store import Store
from wire.errors import NakamaError
from wire.events import DRAWING_TYPES, PHOTO_TYPES

MAX_FILE = 20 * 1024 * 1024  # the hub's limit for one file
PART = ".part"  # a download in progress: its size is where it resumes


class FileRefused(NakamaError, ValueError):
    """A file that cannot be attached: ``code`` is ``not_a_drawing`` or ``file_too_large``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    path: Path
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class Wanted:
    """A file an event names that this terminal does not hold yet."""

    sha256: str
    event_id: str
    firm_id: str
    kind: str  # "drawing" | "photo"


def files_dir(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".files")


def path_of(store: Store, sha256: str) -> Path | None:
    """The local file named ``sha256``, or None while it has not arrived."""
    p = files_dir(store) / sha256
    return p if p.is_file() else None


def sniff(data: bytes) -> str | None:
    """The content type from a file's first bytes (never from its name)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def put_bytes(store: Store, data: bytes, *, allowed: tuple[str, ...] = DRAWING_TYPES) -> StoredFile:
    """Keep ``data`` under its SHA-256 (written whole and synced before it is named).
    Raises ``FileRefused`` for a type outside ``allowed`` or past ``MAX_FILE``."""
    ctype = sniff(data)
    if ctype is None or ctype not in allowed:
        raise FileRefused("not_a_drawing")
    if len(data) > MAX_FILE:
        raise FileRefused("file_too_large")
    sha = hashlib.sha256(data).hexdigest()
    folder = files_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / sha
    if not final.is_file():
        tmp = folder / f"{sha}.tmp{os.getpid()}"
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    return StoredFile(sha, final, len(data), ctype)


def put_photo(store: Store, jpeg: bytes) -> StoredFile:
    return put_bytes(store, jpeg, allowed=PHOTO_TYPES)


def put_file(store: Store, src: Path | str) -> StoredFile:
    """Keep a copy of a drawing file (PDF or image)."""
    p = Path(src)
    if p.stat().st_size > MAX_FILE:
        raise FileRefused("file_too_large")
    return put_bytes(store, p.read_bytes())


def named(store: Store) -> list[Wanted]:
    """Every file the store's events name, oldest event first (drawings and photos)."""
    rows = store.rows(
        "SELECT event_id, firm_id, type, payload FROM events WHERE type = 'DrawingAttached' "
        "OR (type = 'DefectRecorded' AND payload LIKE '%\"photos\"%') ORDER BY pos"
    )
    out: list[Wanted] = []
    for r in rows:
        p = json.loads(r["payload"])
        if r["type"] == "DrawingAttached":
            out.append(Wanted(p["sha256"], r["event_id"], r["firm_id"], "drawing"))
        else:
            for sha in p.get("photos") or ():
                out.append(Wanted(sha, r["event_id"], r["firm_id"], "photo"))
    return out


def wanted(store: Store) -> list[Wanted]:
    """Files named by other firms' events that have not arrived here: drawings first
    (the machinist needs them at the machine), then photos."""
    seen: set[str] = set()
    out: list[Wanted] = []
    for w in named(store):
        if w.sha256 in seen or w.firm_id == store.firm_id or path_of(store, w.sha256):
            continue
        seen.add(w.sha256)
        out.append(w)
    return sorted(out, key=lambda w: w.kind != "drawing")
