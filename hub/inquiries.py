"""Requests (依頼・引合い): a machining need, matched to firms step by step.

The office or a lead firm enters a request; the hub ranks firms for each step
(``hub.matching``) and invites the best; firms whose profile fits a step see the request
and may volunteer for it with a price and a date; the lead firm assembles the route and
creates the job on its own terminal (its ``JobCreated``), then links the job here
(``confirm``). The hub never writes a terminal's event.

Who sees what: the lead firm and the office see the whole request (its budget too) and
its whole history; a firm invited to it, or whose profile fits one of its steps, sees the
request without the budget and only its own part of the history; anyone else gets 404,
as for a request that does not exist.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hub import matching, profiles, schema, summary
from hub.db import HubDB
from hub.registry import CODE_ALPHABET, Credential, RegistryError

INVITE_PER_STEP = 5
MAX_STEPS = 20


def _bad(field: str) -> RegistryError:
    return RegistryError("bad_field", 422, field)


def _opt_number(v: Any, field: str) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 1e9:
        raise _bad(field)
    return v


def _text(v: Any, field: str, required: bool = False, limit: int = 200) -> str:
    if v is None and not required:
        return ""
    if not isinstance(v, str) or len(v) > limit or "\x00" in v or (required and not v.strip()):
        raise _bad(field)
    return v.strip()


def clean(body: Any) -> tuple[dict[str, Any], int | None, str | None]:
    """A request as sent, checked: ``(public body, budget, lead firm named)``."""
    if not isinstance(body, dict):
        raise RegistryError("bad_request", 422)
    known = {"part", "drawing", "material", "qty", "due", "budget_yen", "steps"}
    known |= {"certification", "lead_firm", "note"}
    if set(body) - known:
        raise _bad(",".join(sorted(set(body) - known)))
    qty = body.get("qty")
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty < 10**9:
        raise _bad("qty")
    due = body.get("due")
    try:
        if not isinstance(due, str) or len(due) != 10:
            raise ValueError(due)
        date.fromisoformat(due)
    except ValueError as exc:
        raise _bad("due") from exc
    budget = body.get("budget_yen")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        raise _bad("budget_yen")
    if budget is not None and not 0 <= budget < 10**13:
        raise _bad("budget_yen")
    raw_steps = body.get("steps")
    if not isinstance(raw_steps, list) or not 0 < len(raw_steps) <= MAX_STEPS:
        raise _bad("steps")
    steps: list[dict[str, Any]] = []
    seqs: list[int] = []
    for i, s in enumerate(raw_steps):
        if not isinstance(s, dict):
            raise _bad("steps")
        extra = set(s) - {"seq", "process", "size_mm", "tolerance_mm", "finish_ra", "hardness"}
        if extra:
            raise _bad("steps." + ",".join(sorted(extra)))
        seq = s.get("seq", (i + 1) * 10)
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < 10_000:
            raise _bad("steps.seq")
        process = _text(s.get("process"), "steps.process", required=True, limit=32).upper()
        if not profiles.PROCESS.match(process):
            raise _bad("steps.process")
        seqs.append(seq)
        steps.append(
            {
                "seq": seq,
                "process": process,
                "size_mm": _opt_number(s.get("size_mm"), "steps.size_mm"),
                "tolerance_mm": _opt_number(s.get("tolerance_mm"), "steps.tolerance_mm"),
                "finish_ra": _opt_number(s.get("finish_ra"), "steps.finish_ra"),
                "hardness": _text(s.get("hardness"), "steps.hardness", limit=40),
            }
        )
    if seqs != sorted(set(seqs)):
        raise _bad("steps.seq")
    public = {
        "part": _text(body.get("part"), "part", required=True),
        "drawing": _text(body.get("drawing"), "drawing"),
        "material": _text(body.get("material"), "material"),
        "certification": _text(body.get("certification"), "certification"),
        "qty": qty,
        "due": due,
        "note": _text(body.get("note"), "note", limit=1000),
        "steps": steps,
    }
    lead = body.get("lead_firm")
    if lead is not None and not isinstance(lead, str):
        raise _bad("lead_firm")
    return public, budget, lead


def _new_id() -> str:
    stamp = datetime.now().strftime("%y%m%d")
    return f"R{stamp}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


def _log(
    c: Connection,
    request_id: str,
    kind: str,
    actor: str,
    firm: str | None = None,
    step: int | None = None,
    body: dict[str, Any] | None = None,
) -> None:
    c.execute(
        schema.request_log.insert().values(
            request_id=request_id,
            at=time.time(),
            kind=kind,
            actor=actor,
            firm_id=firm,
            step=step,
            body=json.dumps(body or {}, ensure_ascii=False),
        )
    )


def create(db: HubDB, cred: Credential, body: Any) -> dict[str, Any]:
    """Enter a request. A firm leads its own requests; the office names the lead firm.
    The best-ranked firms of each step are invited (logged ``asked``)."""
    public, budget, lead = clean(body)
    if cred.role == "office":
        if not lead:
            raise _bad("lead_firm")
        lead = lead.upper()
    elif lead not in (None, cred.firm_id):
        raise RegistryError("not_lead_firm", 403)
    else:
        lead = cred.firm_id
    ids: list[str] = []

    def work(c: Connection) -> None:
        # Drawn inside the transaction: a retry after an id collision draws another.
        request_id = _new_id()
        ids[:] = [request_id]
        f = schema.firms
        if lead == "OFFICE" or c.execute(select(f.c.code).where(f.c.code == lead)).first() is None:
            raise RegistryError("unknown_firm", 422, lead)
        c.execute(
            schema.requests.insert().values(
                request_id=request_id,
                lead_firm=lead,
                entered_by=cred.firm_id,
                body=json.dumps(public, ensure_ascii=False),
                budget_yen=budget,
                state="open",
                created_at=time.time(),
            )
        )
        _log(c, request_id, "entered", cred.firm_id, lead)
        summary.catch_up_in(c)  # the load and QCD record as of the latest push
        ranked = matching.propose(c, public, lead, request_id)
        for step in ranked:
            for cand in step["candidates"][:INVITE_PER_STEP]:
                if cand["firm"] != lead:
                    _log(c, request_id, "asked", "HUB", cand["firm"], step["seq"])

    db.write(work, attempts=3)
    return show(db, cred, ids[0])


def _row(c: Connection, request_id: str) -> Any:
    r = schema.requests
    return c.execute(select(r).where(r.c.request_id == request_id)).first()


def _involved(c: Connection, request_id: str, firm: str) -> bool:
    lg = schema.request_log
    q = select(lg.c.id).where(lg.c.request_id == request_id, lg.c.firm_id == firm).limit(1)
    return c.execute(q.where(lg.c.kind.in_(("asked", "volunteered", "chosen")))).first() is not None


def _fitting_steps(
    c: Connection, public: dict[str, Any], firm: str, mine: dict[str, Any] | None = None
) -> list[int]:
    """The steps of a request that ``firm``'s profile fits (``mine``: that profile, when
    the caller has read it already: a listing asks for every request)."""
    profile = mine if mine is not None else profiles.load_all(c).get(firm, ({}, {}))[0]
    if not profile:
        return []
    return [s["seq"] for s in public["steps"] if matching.fits(s, public, profile) is None]


def _access(
    c: Connection, cred: Credential, request_id: str, mine: dict[str, Any] | None = None
) -> tuple[Any, str]:
    """The request row and how ``cred`` sees it: ``lead`` (the lead firm or the office)
    or ``member``. 404 when it is not the caller's business (or does not exist)."""
    if len(request_id) > 40:
        raise RegistryError("not_found", 404)
    row = _row(c, request_id)
    if row is None:
        raise RegistryError("not_found", 404)
    if cred.role == "office" or row.lead_firm == cred.firm_id:
        return row, "lead"
    public = json.loads(row.body)
    if _involved(c, request_id, cred.firm_id):
        return row, "member"
    if row.state == "open" and _fitting_steps(c, public, cred.firm_id, mine):
        return row, "member"
    raise RegistryError("not_found", 404)


def _history(c: Connection, request_id: str, cred: Credential, view: str) -> list[dict[str, Any]]:
    lg = schema.request_log
    q = select(lg).where(lg.c.request_id == request_id).order_by(lg.c.id)
    out = []
    for r in c.execute(q):
        if view != "lead" and r.firm_id != cred.firm_id:
            continue
        out.append(
            {
                "at": r.at,
                "kind": r.kind,
                "actor": r.actor,
                "firm": r.firm_id,
                "step": r.step,
                **json.loads(r.body),
            }
        )
    return out


def _view(
    c: Connection,
    cred: Credential,
    row: Any,
    view: str,
    mine: dict[str, Any] | None = None,
    history: bool = True,
) -> dict[str, Any]:
    public = json.loads(row.body)
    out: dict[str, Any] = {
        "request_id": row.request_id,
        "lead_firm": row.lead_firm,
        "state": row.state,
        "job_id": row.job_id if view == "lead" else None,
        "created_at": row.created_at,
        **public,
    }
    if history:
        out["history"] = _history(c, row.request_id, cred, view)
    if view == "lead":
        out["budget_yen"] = row.budget_yen
    else:
        out["your_steps"] = _fitting_steps(c, public, cred.firm_id, mine)
    return out


def show(db: HubDB, cred: Credential, request_id: str) -> dict[str, Any]:
    with db.read() as c:
        row, view = _access(c, cred, request_id)
        return _view(c, cred, row, view)


def listing(db: HubDB, cred: Credential, state: str | None = None) -> list[dict[str, Any]]:
    """The requests the caller may see, newest first (without their history)."""
    r = schema.requests
    out = []
    with db.read() as c:
        mine = profiles.load_all(c).get(cred.firm_id, ({}, {}))[0]
        q = select(r.c.request_id).order_by(r.c.created_at.desc())
        if state:
            q = q.where(r.c.state == state)
        for (rid,) in c.execute(q):
            try:
                row, view = _access(c, cred, rid, mine)
            except RegistryError:
                continue
            out.append(_view(c, cred, row, view, mine, history=False))
    return out


def proposals(db: HubDB, cred: Credential, request_id: str) -> dict[str, Any]:
    """The hub's ranking per step, with the reasons (lead firm and office only)."""
    summary.catch_up(db)
    with db.read() as c:
        row, view = _access(c, cred, request_id)
        if view != "lead":
            raise RegistryError("not_lead_firm", 403)
        steps = matching.propose(c, json.loads(row.body), row.lead_firm, request_id)
    return {"request_id": request_id, "steps": steps}


def volunteer(db: HubDB, cred: Credential, request_id: str, body: Any) -> dict[str, Any]:
    """The calling firm offers to do one step, with a price and a date it can hand off
    by. Only a firm whose profile fits that step; the firm is the token's."""
    if cred.role != "terminal":
        raise RegistryError("forbidden", 403)
    if not isinstance(body, dict) or set(body) - {"step", "price_yen", "date", "note"}:
        raise RegistryError("bad_request", 422)
    step, price, when = body.get("step"), body.get("price_yen"), body.get("date")
    if isinstance(step, bool) or not isinstance(step, int):
        raise _bad("step")
    if isinstance(price, bool) or not isinstance(price, int) or not 0 <= price < 10**12:
        raise _bad("price_yen")
    try:
        if not isinstance(when, str) or len(when) != 10:
            raise ValueError(when)
        date.fromisoformat(when)
    except ValueError as exc:
        raise _bad("date") from exc
    note = _text(body.get("note"), "note", limit=500)

    def work(c: Connection) -> None:
        row, _view_kind = _access(c, cred, request_id)
        public = json.loads(row.body)
        if row.state != "open":
            raise RegistryError("request_closed", 409, row.state)
        if step not in [s["seq"] for s in public["steps"]]:
            raise _bad("step")
        if step not in _fitting_steps(c, public, cred.firm_id):
            raise RegistryError("not_capable", 403, str(step))
        _log(
            c,
            request_id,
            "volunteered",
            cred.firm_id,
            cred.firm_id,
            step,
            {"price_yen": price, "date": when, "note": note},
        )

    db.write(work, attempts=3)
    return show(db, cred, request_id)


def confirm(db: HubDB, cred: Credential, request_id: str, body: Any) -> dict[str, Any]:
    """Link the job the lead firm created on its terminal for this request. The job must
    be on the hub already (its terminal synced), led by the caller, with the request's
    processes in order. Prices per step given here are recorded as the lead's prices."""
    if cred.role != "terminal":
        raise RegistryError("forbidden", 403)
    if not isinstance(body, dict) or set(body) - {"job_id", "prices"}:
        raise RegistryError("bad_request", 422)
    job_id = body.get("job_id")
    if not isinstance(job_id, str) or not 0 < len(job_id) <= 200:
        raise _bad("job_id")
    prices = body.get("prices") or {}
    if not isinstance(prices, dict):
        raise _bad("prices")

    def work(c: Connection) -> None:
        row, _how = _access(c, cred, request_id)
        if row.lead_firm != cred.firm_id:
            raise RegistryError("not_lead_firm", 403)
        if row.state != "open":
            raise RegistryError("request_closed", 409, row.state)
        j = schema.jobs
        job = c.execute(select(j).where(j.c.job_id == job_id)).first()
        if job is None or job.lead_firm != cred.firm_id:
            raise RegistryError("job_not_on_hub", 422, "sync the job first")
        rq = schema.requests
        if c.execute(select(rq.c.request_id).where(rq.c.job_id == job_id)).first():
            raise RegistryError("job_linked", 409, job_id)  # one request per job
        route = [(int(op), str(firm)) for op, firm in json.loads(job.route or "[]")]
        procs = _route_processes(c, job_id)
        wanted = [s["process"] for s in json.loads(row.body)["steps"]]
        if procs != wanted:
            raise RegistryError("route_mismatch", 422, ",".join(procs))
        c.execute(
            update(schema.requests)
            .where(schema.requests.c.request_id == request_id)
            .values(state="confirmed", job_id=job_id)
        )
        for (op, firm), step in zip(route, json.loads(row.body)["steps"], strict=True):
            _log(c, request_id, "chosen", cred.firm_id, firm, step["seq"], {"op": op})
        _log(c, request_id, "confirmed", cred.firm_id, cred.firm_id, None, {"job_id": job_id})
        ops = dict(route)
        for key, yen in prices.items():
            op = int(key) if str(key).isdigit() else -1
            if op not in ops or isinstance(yen, bool) or not isinstance(yen, int) or yen < 0:
                raise _bad("prices")
            record_price(c, cred, job_id, op, ops[op], yen)
        summary.refresh(c, [job_id])  # promised dates and prices count from now on

    db.write(work, attempts=3)
    return show(db, cred, request_id)


def _route_processes(c: Connection, job_id: str) -> list[str]:
    """The processes of a job's route, in order, from its lead firm's JobCreated."""
    e, j = schema.events, schema.jobs
    job = c.execute(select(j).where(j.c.job_id == job_id)).first()
    if job is None:
        return []
    body = c.execute(
        select(e.c.body).where(
            e.c.event_id == job.created_event, e.c.terminal_id == job.created_terminal
        )
    ).scalar()
    if body is None:
        return []
    route = json.loads(body)["payload"]["route"]
    return [str(s["process"]).upper() for s in sorted(route, key=lambda s: s["seq"])]


def record_price(
    c: Connection, cred: Credential, job_id: str, op: int, firm: str, yen: int
) -> None:
    c.execute(
        schema.step_prices.insert().values(
            job_id=job_id,
            op=op,
            firm_id=firm,
            yen=yen,
            recorded_at=time.time(),
            recorded_by=cred.terminal_id,
        )
    )
