"""The names of a firm's own defect codes and pause reasons, as its events carry them.

A firm may define codes of its own (``KAKE`` = 欠け / Chipped); the built-in catalogue
does not know them, so every ``DefectRecorded`` or ``OpPaused`` with such a code carries
``name_ja`` and ``name_en`` (``app.core.commands``). Reports and the review show a code by
those names: the latest event that named it wins (a firm may reword a name).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.core import catalog
from app.store.store import Store

_KINDS = {
    "defect": ("DefectRecorded", "$.code", catalog.defects()),
    "pause": ("OpPaused", "$.reason", catalog.pause_reasons()),
}


def own_names(store: Store, kind: str, codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{code: (name_ja, name_en)}`` for those of ``codes`` that are not built in
    (``kind``: ``defect`` or ``pause``) and that some event names; a code no event
    names is left out (shown by its code)."""
    event_type, path, builtin = _KINDS[kind]
    own = sorted({c for c in codes if c not in builtin})
    if not own:
        return {}
    marks = ",".join("?" * len(own))
    rows = store.conn.execute(
        f"SELECT json_extract(payload, '{path}'), json_extract(payload, '$.name_ja'), "
        "json_extract(payload, '$.name_en') FROM events WHERE type = ? "
        f"AND json_extract(payload, '{path}') IN ({marks}) ORDER BY hlc",
        (event_type, *own),
    ).fetchall()
    out: dict[str, tuple[str, str]] = {}
    for code, ja, en in rows:
        if ja or en:
            out[str(code)] = (str(ja or en), str(en or ja))
    return out


def code_name(code: str, lang: str, kind: str, names: dict[str, tuple[str, str]]) -> str:
    """A built-in code by its name; a firm's own by its name with the code beside it
    (``欠け (KAKE)``), both in ``lang``; an unnamed code by itself."""
    entry = _KINDS[kind][2].get(code)
    if entry is not None:
        return entry.name(lang)
    if code in names:
        ja, en = names[code]
        return f"{ja if lang == 'ja' else en} ({code})"
    return code
