"""Drawings at the machine: which drawing number and revision a job's drawing is, and
what on the screen disagrees with what (the job, the file, the printed travelers).

The job's own drawing field may carry its revision (``SD-2041 rev B``); a file's name
often does too (``SD-2041_revC.pdf``). Nothing here reads files: the caller gives names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.state import DrawingEntry, JobState

# "rev B", "Rev.C", "REV-2", "_revC", "改訂B", "改B" at the end of a drawing number or
# file stem. The letter or number after it is the revision.
_REV = re.compile(r"(?:^|[\s_\-.(])(?:rev\.?|改訂?)\s*[-_:]?\s*([A-Za-z0-9]{1,4})\)?\s*$", re.I)


def split_revision(text: str) -> tuple[str, str]:
    """``("SD-2041", "B")`` for ``"SD-2041 rev B"``; ``(text, "")`` when none is stated."""
    text = (text or "").strip()
    m = _REV.search(text)
    if m is None:
        return text, ""
    return text[: m.start()].rstrip(" _-.(") or text, m.group(1).upper()


def revision_in_name(file_name: str) -> str:
    """The revision a file's name states (``SD-2041_revC.pdf`` → ``C``), or ``""``."""
    stem = file_name.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return split_revision(stem)[1]


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"[\s_\-]", "", s).upper()

    return norm(a) == norm(b)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One disagreement: a reason code (sentence in ``app/texts.py``) and the two sides."""

    code: str
    shown: str  # what the drawing on screen says
    expected: str  # what the job, the file name or the traveler says


def current(job: JobState) -> DrawingEntry | None:
    """The drawing attached last (the job's drawing now)."""
    return max(job.drawings, key=lambda d: d.hlc) if job.drawings else None


def mismatches(job: JobState, drawing: DrawingEntry | None = None) -> list[Mismatch]:
    """What disagrees with the drawing shown (the current one by default):

    - ``drawing_no_mismatch``: its number is not the job's (which the traveler carries);
    - ``drawing_rev_mismatch``: the job states a revision and the drawing is another;
    - ``drawing_file_rev_mismatch``: the file's name states another revision than the
      drawing was attached as;
    - ``drawing_revised_after_traveler``: a traveler was printed while an earlier
      revision was the job's drawing, so the sheet in hand goes with the old one.
    """
    d = drawing or current(job)
    if d is None:
        return []
    out: list[Mismatch] = []
    job_no, job_rev = split_revision(job.drawing_no)
    if job_no and d.drawing_no and not _same(job_no, d.drawing_no):
        out.append(Mismatch("drawing_no_mismatch", d.drawing_no, job_no))
    if job_rev and d.revision and not _same(job_rev, d.revision):
        out.append(Mismatch("drawing_rev_mismatch", d.revision, job_rev))
    file_rev = revision_in_name(d.file_name)
    if file_rev and d.revision and not _same(file_rev, d.revision):
        out.append(Mismatch("drawing_file_rev_mismatch", d.revision, file_rev))
    earlier = sorted((x for x in job.drawings if x.hlc < d.hlc), key=lambda x: x.hlc)
    for t in job.travelers:
        hlc = int(t.get("hlc") or 0)
        if hlc >= d.hlc:
            continue
        before = [x for x in earlier if x.hlc < hlc]
        if before and not _same(before[-1].revision, d.revision):
            out.append(Mismatch("drawing_revised_after_traveler", d.revision, before[-1].revision))
            break
    return out
