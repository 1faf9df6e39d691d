"""A sign-off as words, for the screen and the printed 日報 / 検査成績書 (one wording)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.store.approvals import ApprovalStatus

WORDS: dict[str, tuple[str, str]] = {
    "approved": ("承認 {who}", "Approved by {who}"),
    "at": ("{t}", "at {t}"),
    "corrected": ("承認後に訂正あり ({n}件)", "Corrected after approval ({n})"),
    "added": ("承認後の記録 ({n}件)", "Recorded after approval ({n})"),
    "not_yet": ("未承認", "Not approved"),
}


def word(key: str, lang: str, **kw: object) -> str:
    ja, en = WORDS[key]
    return (ja if lang == "ja" else en).format(**kw)


def approval_lines(
    a: ApprovalStatus | None, lang: str, tz: Any = None, *, short: bool = False
) -> list[str]:
    """``["承認 山田 太郎", "2026-12-01 18:00", "承認後に訂正あり (1件)"]``; the first
    two always, the warnings only when something changed after the approval. ``short``:
    the time as 12/01 18:00 (a stamp box is 22 mm wide)."""
    if a is None:
        return [word("not_yet", lang)]
    fmt = "%m/%d %H:%M" if short else "%Y-%m-%d %H:%M"
    when = datetime.fromisoformat(a.at).astimezone(tz).strftime(fmt)
    lines = [word("approved", lang, who=a.approver_name or a.approver), word("at", lang, t=when)]
    if a.corrected_after:
        lines.append(word("corrected", lang, n=len(a.corrected_after)))
    if a.added_after:
        lines.append(word("added", lang, n=a.added_after))
    return lines
