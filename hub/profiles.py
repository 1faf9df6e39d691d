"""Firm profiles: what each firm can do, kept by the firm itself.

A profile has a public part (processes, equipment, materials, certifications, typical
lot sizes, region, contact), read by the office and by lead firms, and a private part
(``load_pct``, ``note``) that only the firm itself reads back: the hub uses it in
matching requests and returns it to nobody else, the office included.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from hub import schema
from hub.db import HubDB
from hub.registry import Credential, RegistryError

REGION_CLASSES = ("ota", "tokyo", "regional")
PROCESS = re.compile(r"^[A-Z0-9_]{1,32}$")
MAX_ITEMS = 64
MAX_TEXT = 200
EQUIPMENT_FIELDS = ("kind", "max_size_mm", "axes", "tonnage", "count", "model")
PUBLIC_FIELDS = (
    "processes",
    "equipment",
    "materials",
    "certifications",
    "lot_sizes",
    "region",
    "contact",
)
PRIVATE_FIELDS = ("load_pct", "note")


def _bad(field: str) -> RegistryError:
    return RegistryError("bad_field", 422, field)


def _text(v: Any, field: str, *, required: bool = False) -> str:
    if v is None and not required:
        return ""
    if not isinstance(v, str) or len(v) > MAX_TEXT or "\x00" in v or (required and not v.strip()):
        raise _bad(field)
    return v.strip()


def _number(v: Any, field: str, *, integer: bool = False) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or v > 1e9 or v != v:
        raise _bad(field)
    if integer and not isinstance(v, int):
        raise _bad(field)
    return v


def _texts(v: Any, field: str, *, upper: bool = False) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or len(v) > MAX_ITEMS:
        raise _bad(field)
    out = [_text(x, field, required=True) for x in v]
    if upper:
        out = [x.upper() for x in out]
        if not all(PROCESS.match(x) for x in out):
            raise _bad(field)
    return list(dict.fromkeys(out))


def clean(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A profile as sent, checked: ``(public part, private part)``. Unknown fields are
    refused (``bad_field``), so a typo never becomes silent data."""
    if not isinstance(body, dict):
        raise RegistryError("bad_request", 422)
    unknown = set(body) - set(PUBLIC_FIELDS) - {"private"}
    if unknown:
        raise _bad(",".join(sorted(unknown)))
    equipment = []
    raw_eq = body.get("equipment") or []
    if not isinstance(raw_eq, list) or len(raw_eq) > MAX_ITEMS:
        raise _bad("equipment")
    for item in raw_eq:
        if not isinstance(item, dict) or set(item) - set(EQUIPMENT_FIELDS):
            raise _bad("equipment")
        count = _number(item.get("count", 1), "equipment.count", integer=True)
        equipment.append(
            {
                "kind": _text(item.get("kind"), "equipment.kind", required=True).upper(),
                "model": _text(item.get("model"), "equipment.model"),
                "max_size_mm": _number(item.get("max_size_mm"), "equipment.max_size_mm"),
                "axes": _number(item.get("axes"), "equipment.axes", integer=True),
                "tonnage": _number(item.get("tonnage"), "equipment.tonnage"),
                "count": count if count else 1,
            }
        )
    lots = body.get("lot_sizes") or {}
    if not isinstance(lots, dict) or set(lots) - {"min", "max"}:
        raise _bad("lot_sizes")
    lot_sizes = {
        k: _number(lots.get(k), f"lot_sizes.{k}", integer=True)
        for k in ("min", "max")
        if lots.get(k) is not None
    }
    region = body.get("region") or {}
    if not isinstance(region, dict) or set(region) - {"class", "prefecture", "city"}:
        raise _bad("region")
    region_class = region.get("class", "ota")
    if region_class not in REGION_CLASSES:
        raise _bad("region.class")
    contact = body.get("contact") or {}
    if not isinstance(contact, dict) or set(contact) - {"name", "phone", "email"}:
        raise _bad("contact")
    private = body.get("private") or {}
    if not isinstance(private, dict) or set(private) - set(PRIVATE_FIELDS):
        raise _bad("private")
    load = _number(private.get("load_pct"), "private.load_pct")
    if load is not None and load > 100:
        raise _bad("private.load_pct")
    public = {
        "processes": _texts(body.get("processes"), "processes", upper=True),
        "equipment": equipment,
        "materials": _texts(body.get("materials"), "materials"),
        "certifications": _texts(body.get("certifications"), "certifications"),
        "lot_sizes": lot_sizes,
        "region": {
            "class": region_class,
            "prefecture": _text(region.get("prefecture"), "region.prefecture"),
            "city": _text(region.get("city"), "region.city"),
        },
        "contact": {k: _text(contact.get(k), f"contact.{k}") for k in ("name", "phone", "email")},
    }
    secret = {"load_pct": load, "note": _text(private.get("note"), "private.note")}
    return public, secret


def _default(c: Connection, firm_id: str) -> dict[str, Any]:
    """The profile a firm has before it writes its own: what the office registered."""
    f = schema.firms
    row = c.execute(select(f).where(f.c.code == firm_id)).first()
    if row is None:
        return {}
    region = str(row.region)
    cls = region if region in REGION_CLASSES else "regional"
    return {
        "processes": json.loads(row.processes),
        "equipment": [{"kind": str(e).upper(), "count": 1} for e in json.loads(row.equipment)],
        "materials": [],
        "certifications": [],
        "lot_sizes": {},
        "region": {"class": cls, "prefecture": "", "city": "" if cls != "regional" else region},
        "contact": {"name": "", "phone": "", "email": ""},
    }


def load_all(c: Connection) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Every member firm's ``(public, private)`` profile (defaults where none is written),
    for matching and the figures. Never returned as such to a member."""
    p, f = schema.firm_profiles, schema.firms
    stored = {r.firm_id: (json.loads(r.body), json.loads(r.private)) for r in c.execute(select(p))}
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for (code,) in c.execute(select(f.c.code).where(f.c.code != "OFFICE").order_by(f.c.code)):
        out[code] = stored.get(code) or (_default(c, code), {"load_pct": None, "note": ""})
    return out


_parsed: dict[str, tuple[float, dict[str, Any], dict[str, Any]]] = {}


def load_all_shared(c: Connection) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """``load_all`` for readers that never change what they get (matching, the KPIs):
    profiles are parsed again only when their ``updated_at`` changed, and the parsed
    objects are shared between callers. Parsing 500 profiles on every request was a
    third of a request's ranking."""
    p, f = schema.firm_profiles, schema.firms
    stamps = dict(c.execute(select(p.c.firm_id, p.c.updated_at)).all())
    stale = [firm for firm, at in stamps.items() if _parsed.get(firm, (None,))[0] != at]
    for i in range(0, len(stale), 400):
        q = select(p.c.firm_id, p.c.updated_at, p.c.body, p.c.private)
        for r in c.execute(q.where(p.c.firm_id.in_(stale[i : i + 400]))):
            _parsed[r.firm_id] = (r.updated_at, orjson.loads(r.body), orjson.loads(r.private))
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for (code,) in c.execute(select(f.c.code).where(f.c.code != "OFFICE").order_by(f.c.code)):
        hit = _parsed.get(code)
        if code in stamps and hit is not None and hit[0] == stamps[code]:
            out[code] = (hit[1], hit[2])
        else:
            out[code] = (_default(c, code), {"load_pct": None, "note": ""})
    return out


def region_class(profile: dict[str, Any]) -> str:
    return str((profile.get("region") or {}).get("class") or "ota")


def _view(
    c: Connection,
    firm_id: str,
    *,
    own: bool,
    every: dict[str, tuple[dict[str, Any], dict[str, Any]]] | None = None,
) -> dict[str, Any] | None:
    f = schema.firms
    firm = c.execute(select(f.c.name).where(f.c.code == firm_id, f.c.code != "OFFICE")).first()
    if firm is None:
        return None
    public, private = (every if every is not None else load_all(c))[firm_id]
    p = schema.firm_profiles
    row = c.execute(select(p.c.updated_at).where(p.c.firm_id == firm_id)).first()
    out = {"firm": firm_id, "name": firm.name, **public, "updated_at": row[0] if row else None}
    if own:
        out["private"] = private
    return out


def may_read_others(c: Connection, cred: Credential) -> bool:
    """The office, and a firm that leads a job or a request: a lead firm picks firms."""
    if cred.role == "office":
        return True
    j, r = schema.jobs, schema.requests
    led_job = c.execute(select(j.c.job_id).where(j.c.lead_firm == cred.firm_id).limit(1)).first()
    if led_job is not None:
        return True
    return (
        c.execute(select(r.c.request_id).where(r.c.lead_firm == cred.firm_id).limit(1)).first()
        is not None
    )


def show(db: HubDB, cred: Credential, firm_id: str | None = None) -> dict[str, Any]:
    """One profile as ``cred`` may see it: its own with the private part; another firm's
    without it, for the office and lead firms only (404 for anyone else)."""
    target = (firm_id or cred.firm_id).upper()
    own = cred.role == "terminal" and target == cred.firm_id
    with db.read() as c:
        if not own and not may_read_others(c, cred):
            raise RegistryError("not_found", 404)
        view = _view(c, target, own=own)
    if view is None:
        raise RegistryError("not_found", 404)
    return view


def listing(db: HubDB, cred: Credential) -> list[dict[str, Any]]:
    """Every firm's public profile, for the office and lead firms (404 otherwise)."""
    with db.read() as c:
        if not may_read_others(c, cred):
            raise RegistryError("not_found", 404)
        every = load_all(c)  # once: read per firm, the listing grew with the square of firms
        own = cred.firm_id if cred.role == "terminal" else None
        views = [_view(c, code, own=code == own, every=every) for code in every]
    return [v for v in views if v is not None]


def save(db: HubDB, cred: Credential, body: Any) -> dict[str, Any]:
    """Write the calling firm's own profile (a whole profile; the CLI merges changes
    into the current one first). The firm comes from the token, never from the body."""
    if cred.role != "terminal":
        raise RegistryError("forbidden", 403)
    public, private = clean(body)
    p = schema.firm_profiles
    values = {
        "body": json.dumps(public, ensure_ascii=False),
        "private": json.dumps(private, ensure_ascii=False),
        "updated_at": time.time(),
        "updated_by": cred.terminal_id,
    }

    def work(c: Connection) -> None:
        done = c.execute(update(p).where(p.c.firm_id == cred.firm_id).values(**values))
        if not done.rowcount:
            c.execute(p.insert().values(firm_id=cred.firm_id, **values))

    db.write(work, attempts=3)
    return show(db, cred)
