"""What comes with a file: a drawing attached to a job, a defect's photos.

The file is kept first (by its SHA-256, ``app.store.files``), then the core decides the
event, then the recorded file is queued for the hub. A crash between the last two loses
nothing: every sync round queues the files its firm's events name (``photos.queue_own``).
The screens and the command line share these, so both attach the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.core import commands
from app.core.catalog import CatalogueEntry
from app.core.commands import Actor, Command, Refusal
from app.core.state import JobState
from app.store import AppendResult, Store, files

Recorder = Callable[[Command | Refusal], AppendResult]


def attach_drawing(
    store: Store,
    record: Recorder,
    job: JobState | None,
    actor: Actor,
    path: Path,
    *,
    drawing_no: str = "",
    revision: str = "",
) -> AppendResult:
    """Keep a copy of the drawing file and record it on the job (the lead firm only)."""
    try:
        kept = files.put_file(store, path)
    except files.FileRefused as exc:
        return AppendResult(False, reason=exc.code)
    except OSError as exc:
        return AppendResult(False, reason="file_unreadable", detail=str(exc))
    cmd = commands.attach_drawing(
        job,
        actor,
        sha256=kept.sha256,
        file_name=path.name,
        content_type=kept.content_type,
        size=kept.size,
        drawing_no=drawing_no,
        revision=revision,
    )
    result = record(cmd)
    if result.ok:
        _queue_own(store)
    return result


def record_defect_with_photos(
    store: Store,
    record: Recorder,
    job: JobState | None,
    actor: Actor,
    lot_id: str,
    op: int,
    code: str,
    count: int,
    disposition: str,
    shots: Sequence[bytes],
    own: CatalogueEntry | None = None,
) -> AppendResult:
    """Keep the photos (JPEG), record the defect naming them, queue them for the hub;
    ``own``: the firm's own defect code, when ``code`` is not a built-in one."""
    kept = [files.put_photo(store, jpeg) for jpeg in shots]
    cmd = commands.record_defect(
        job,
        actor,
        lot_id,
        op,
        code,
        count,
        disposition,
        photos=[k.sha256 for k in kept],
        own=own,
    )
    result = record(cmd)
    if result.ok and kept:
        _queue_own(store)
    return result


def _queue_own(store: Store) -> None:
    # The hub client (httpx) is imported when a file is first kept, not with the screens
    # that import this module: they are on the terminal's cold start.
    from app.sync import photos

    photos.queue_own(store)
