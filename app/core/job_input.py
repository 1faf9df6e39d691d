"""Turning typed or imported job fields into a ``JobSpec``, with a code for each mistake.

Used by ``nakama job create`` and ``nakama job import`` (JSON or CSV rows); pure, so the
same checks apply wherever a job is typed in.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.model import JobSpec, Route
from wire.errors import NakamaError

# Crockford's base32 without I, L, O, U: nothing a person misreads on paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIELDS = ("id", "part", "qty", "due", "route", "drawing", "customer", "price", "note",
          "part_name", "material", "revision", "step_info")  # fmt: skip


class JobInputError(NakamaError, ValueError):
    """``code`` is translatable; ``field`` names the field that is wrong."""

    def __init__(self, code: str, field: str, detail: str = "") -> None:
        super().__init__(f"{code} [{field}] {detail}".strip())
        self.code = code
        self.field = field
        self.detail = detail


def new_job_id(firm: str, today: date) -> str:
    """``F001-261129-7K3Q``: the lead firm, the day, four random characters."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(4))
    return f"{firm}-{today:%y%m%d}-{tail}"


def _text(fields: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    v = fields.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise JobInputError("missing_field", name)
        return ""
    if not isinstance(v, str | int):
        raise JobInputError("bad_field", name)
    text = str(v).strip()
    if len(text) > 200 and name != "note":
        raise JobInputError("too_long", name)
    return text


def _route(v: Any) -> Route:
    if isinstance(v, str):
        try:
            route = Route.parse(v)
        except ValueError as exc:
            raise JobInputError("bad_route", "route", str(exc)) from exc
    elif isinstance(v, list):
        try:
            route = Route.from_dicts(v)
        except (KeyError, TypeError, ValueError) as exc:
            raise JobInputError("bad_route", "route", str(exc)) from exc
    else:
        raise JobInputError("missing_field", "route")
    seqs = [o.seq for o in route.ops]
    if not seqs or seqs != sorted(set(seqs)) or seqs[0] <= 0:
        raise JobInputError("bad_route", "route", "steps must have rising sequence numbers")
    return route


def _step_info(v: Any, route: Route, job_due: date) -> dict[str, dict[str, str]]:
    """Per step a due date and/or an instruction: ``{"10": {"due": …, "note": …}}`` (JSON
    import) or ``"10:due=2026-12-05;10:note=…"`` lines (CSV and the command line). A
    step's due date is never after the job's own."""
    if v is None or v == "":
        return {}
    if isinstance(v, str):
        items: dict[str, dict[str, str]] = {}
        for part in v.split("\n"):
            head, _eq, value = part.partition("=")
            seq, _colon, key = head.strip().partition(":")
            if not part.strip():
                continue
            if not _eq or key not in ("due", "note"):
                raise JobInputError("bad_field", "step_info", part)
            items.setdefault(seq, {})[key] = value.strip()
        v = items
    if not isinstance(v, Mapping):
        raise JobInputError("bad_field", "step_info")
    seqs = {str(o.seq) for o in route.ops}
    out: dict[str, dict[str, str]] = {}
    for seq, info in v.items():
        if str(seq) not in seqs or not isinstance(info, Mapping) or set(info) - {"due", "note"}:
            raise JobInputError("bad_field", "step_info", str(seq))
        entry = {k: str(info[k]).strip() for k in ("due", "note") if str(info.get(k) or "").strip()}
        if "due" in entry:
            try:
                step_due = date.fromisoformat(entry["due"])
            except ValueError as exc:
                raise JobInputError("bad_date", "step_info", entry["due"]) from exc
            if step_due > job_due:
                raise JobInputError("step_due_after_due", "step_info", str(seq))
        if len(entry.get("note", "")) > 500:
            raise JobInputError("too_long", "step_info", str(seq))
        if entry:
            out[str(seq)] = entry
    return out


def job_spec(fields: Mapping[str, Any], *, firm: str, today: date) -> JobSpec:
    """A job led by ``firm`` from fields named as in ``FIELDS``. Raises ``JobInputError``."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise JobInputError("unknown_field", ",".join(sorted(unknown)))
    part = _text(fields, "part", required=True)
    try:
        qty = int(str(fields.get("qty", "")).strip())
    except ValueError as exc:
        raise JobInputError("bad_qty", "qty") from exc
    if not 0 < qty < 10**9:
        raise JobInputError("bad_qty", "qty")
    try:
        due = date.fromisoformat(_text(fields, "due", required=True))
    except ValueError as exc:
        raise JobInputError("bad_date", "due") from exc
    price_text = _text(fields, "price")
    try:
        price = int(price_text) if price_text else None
    except ValueError as exc:
        raise JobInputError("bad_price", "price") from exc
    job_id = _text(fields, "id") or new_job_id(firm, today)
    if any(c.isspace() for c in job_id):
        raise JobInputError("bad_field", "id")
    route = _route(fields.get("route"))
    return JobSpec(
        job_id=job_id,
        part_no=part,
        qty=qty,
        due=due,
        lead_firm=firm,
        route=route,
        drawing_no=_text(fields, "drawing"),
        customer=_text(fields, "customer"),
        unit_price_yen=price,
        note=_text(fields, "note"),
        part_name=_text(fields, "part_name"),
        material=_text(fields, "material"),
        revision=_text(fields, "revision"),
        step_info=_step_info(fields.get("step_info"), route, due),
    )
