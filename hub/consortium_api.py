"""The consortium's routes: firm profiles, requests, prices per step and the KPIs.

Each route takes its firm from the token, never from the body or the path, and answers
404 for what is not the caller's business exactly as for what does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request

from hub import inquiries, kpi, prices, profiles, qcd
from hub.api import (
    AUTH,
    BODY,
    INT,
    NSTR,
    STR,
    Anyone,
    Terminal,
    _body,
    _obj,
    responses,
)
from hub.db import HubDB
from hub.registry import RegistryError

OBJ: dict[str, Any] = {"type": "object"}
ARR_STR = {"type": "array", "items": STR}
PROFILE_BODY: dict[str, Any] = {
    "type": "object",
    "description": "a whole profile (unknown fields are refused)",
    "properties": {
        "processes": ARR_STR,
        "equipment": {
            "type": "array",
            "items": _obj(
                ["kind"],
                kind=STR,
                model=STR,
                max_size_mm={"type": "number"},
                axes=INT,
                tonnage={"type": "number"},
                count=INT,
            ),
        },
        "materials": ARR_STR,
        "certifications": ARR_STR,
        "lot_sizes": _obj([], min=INT, max=INT),
        "region": _obj(
            [], **{"class": {"enum": list(profiles.REGION_CLASSES)}}, prefecture=STR, city=STR
        ),
        "contact": _obj([], name=STR, phone=STR, email=STR),
        "private": {
            **_obj([], load_pct={"type": "number"}, note=STR),
            "description": "used only in matching; returned to the firm itself only",
        },
    },
}
PROFILE = {
    **_obj(
        ["firm", "name", "processes", "equipment", "region"],
        firm=STR,
        name=STR,
        processes=ARR_STR,
        equipment={"type": "array", "items": OBJ},
        materials=ARR_STR,
        certifications=ARR_STR,
        lot_sizes=OBJ,
        region=OBJ,
        contact=OBJ,
        updated_at={"type": ["number", "null"]},
        private={**OBJ, "description": "only in the firm's own profile"},
    )
}
NUM = {"type": ["number", "null"], "minimum": 0, "maximum": 1e9}
TEXT = {"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"}
STEP = _obj(
    ["process"],
    seq={**INT, "minimum": 1, "maximum": 9999, "description": "default: 10, 20, …"},
    process={"type": "string", "pattern": "^[A-Za-z0-9_]{1,32}$"},
    size_mm={**NUM, "description": "largest dimension of the work"},
    tolerance_mm={**NUM, "description": "tightest tolerance"},
    finish_ra={**NUM, "description": "surface finish Ra (µm)"},
    hardness={**TEXT, "maxLength": 40},
)
REQUEST_BODY = _obj(
    ["part", "qty", "due", "steps"],
    part={**TEXT, "pattern": "^[^\\x00]*[^\\s\\x00][^\\x00]*$"},
    drawing=TEXT,
    material=TEXT,
    certification={**TEXT, "description": "required of every firm on the route"},
    qty={**INT, "minimum": 1, "maximum": 999_999_999},
    due={"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    budget_yen={**INT, "minimum": 0, "description": "private to the lead firm and the office"},
    lead_firm={**STR, "description": "office only: the firm that leads the request"},
    note={**TEXT, "maxLength": 1000},
    steps={
        "type": "array",
        "items": STEP,
        "minItems": 1,
        "maxItems": 20,
        "description": "in order; seq strictly increasing",
    },
)
REQUEST = _obj(
    ["request_id", "lead_firm", "state", "part", "qty", "due", "steps"],
    request_id=STR,
    lead_firm=STR,
    state={"type": "string", "enum": ["open", "confirmed", "cancelled"]},
    job_id=NSTR,
    part=STR,
    qty=INT,
    due=STR,
    steps={"type": "array", "items": OBJ},
    budget_yen={"type": ["integer", "null"], "description": "lead firm and office only"},
    your_steps={"type": "array", "items": INT, "description": "steps your profile fits"},
    history={"type": "array", "items": OBJ},
)
PRICES = _obj(["job_id", "steps"], job_id=STR, steps={"type": "array", "items": OBJ})
MONTH = _obj(["month", *kpi.FIGURES], month=STR, **{k: INT for k in kpi.FIGURES})
KPI = _obj(
    ["fiscal_year", "period", "months", "year", "targets"],
    fiscal_year=INT,
    period=OBJ,
    first_fiscal_year={"type": ["integer", "null"]},
    months={"type": "array", "items": MONTH},
    year=OBJ,
    targets={"type": ["object", "null"]},
)


def _id(text: str) -> str:
    if "\x00" in text or len(text) > 200:
        raise RegistryError("not_found", 404)
    return text


def add_routes(
    app: FastAPI,
    db: HubDB,
    run: Callable[..., Awaitable[Any]],
    json_body: Callable[[Request], Awaitable[Any]],
) -> None:
    """Register the consortium's routes on ``app``."""

    @app.get("/v1/profile", tags=["consortium"], responses=responses(PROFILE, *AUTH, 403))
    async def own_profile(cred: Terminal) -> dict[str, Any]:
        """This firm's own profile, with its private part."""
        out: dict[str, Any] = await run(profiles.show, db, cred)
        return out

    @app.put(
        "/v1/profile",
        tags=["consortium"],
        openapi_extra=_body(PROFILE_BODY),
        responses=responses(PROFILE, *AUTH, *BODY, 403),
    )
    async def save_profile(request: Request, cred: Terminal) -> dict[str, Any]:
        """Replace this firm's profile (the firm is the token's)."""
        body = await json_body(request)
        out: dict[str, Any] = await run(profiles.save, db, cred, body)
        return out

    @app.get(
        "/v1/profiles",
        tags=["consortium"],
        responses=responses(
            _obj(["profiles"], profiles={"type": "array", "items": PROFILE}), *AUTH, 404
        ),
    )
    async def all_profiles(cred: Anyone) -> dict[str, Any]:
        """Every firm's profile without private parts: for the office and lead firms."""
        return {"profiles": await run(profiles.listing, db, cred)}

    @app.get("/v1/profiles/{firm}", tags=["consortium"], responses=responses(PROFILE, *AUTH, 404))
    async def one_profile(firm: str, cred: Anyone) -> dict[str, Any]:
        """One firm's profile: the office and lead firms (private part: the firm only)."""
        out: dict[str, Any] = await run(profiles.show, db, cred, _id(firm)[:40])
        return out

    @app.get(
        "/v1/requests",
        tags=["consortium"],
        responses=responses(
            _obj(["requests"], requests={"type": "array", "items": REQUEST}), *AUTH, 422
        ),
    )
    async def request_list(cred: Anyone, state: str | None = None) -> dict[str, Any]:
        """The requests the caller may see: its own as lead, the ones it was asked for or
        whose steps fit its profile (without budget), all for the office."""
        return {"requests": await run(inquiries.listing, db, cred, state)}

    @app.post(
        "/v1/requests",
        tags=["consortium"],
        openapi_extra=_body(REQUEST_BODY),
        responses=responses(REQUEST, *AUTH, *BODY, 403),
    )
    async def request_create(request: Request, cred: Anyone) -> dict[str, Any]:
        """Enter a request: a firm leads its own; the office names ``lead_firm``."""
        body = await json_body(request)
        out: dict[str, Any] = await run(inquiries.create, db, cred, body)
        return out

    @app.get(
        "/v1/requests/{request_id}",
        tags=["consortium"],
        responses=responses(REQUEST, *AUTH, 404),
    )
    async def request_show(request_id: str, cred: Anyone) -> dict[str, Any]:
        """One request with its history (a member firm sees only its own part)."""
        out: dict[str, Any] = await run(inquiries.show, db, cred, _id(request_id))
        return out

    @app.get(
        "/v1/requests/{request_id}/proposals",
        tags=["consortium"],
        responses=responses(
            _obj(["request_id", "steps"], request_id=STR, steps={"type": "array", "items": OBJ}),
            *AUTH,
            403,
            404,
        ),
    )
    async def request_proposals(request_id: str, cred: Anyone) -> dict[str, Any]:
        """Firms for each step, best first, with reasons and volunteers' offers (lead
        firm and office). A step no firm fits says why in ``none``."""
        out: dict[str, Any] = await run(inquiries.proposals, db, cred, _id(request_id))
        return out

    @app.post(
        "/v1/requests/{request_id}/volunteer",
        tags=["consortium"],
        openapi_extra=_body(
            _obj(["step", "price_yen", "date"], step=INT, price_yen=INT, date=STR, note=STR)
        ),
        responses=responses(REQUEST, *AUTH, *BODY, 403, 404, 409),
    )
    async def request_volunteer(request_id: str, request: Request, cred: Terminal) -> Any:
        """Offer to do one step (this firm, from the token) for a price, by a date."""
        body = await json_body(request)
        return await run(inquiries.volunteer, db, cred, _id(request_id), body)

    @app.post(
        "/v1/requests/{request_id}/confirm",
        tags=["consortium"],
        openapi_extra=_body(
            _obj(
                ["job_id"],
                job_id={**STR, "description": "the job the lead firm's terminal created"},
                prices={**OBJ, "description": "op -> yen paid for that step"},
            )
        ),
        responses=responses(REQUEST, *AUTH, *BODY, 403, 404, 409),
    )
    async def request_confirm(request_id: str, request: Request, cred: Terminal) -> Any:
        """The lead firm links the job its terminal created and synced for the request."""
        body = await json_body(request)
        return await run(inquiries.confirm, db, cred, _id(request_id), body)

    @app.get(
        "/v1/jobs/{job_id}/prices",
        tags=["consortium"],
        responses=responses(PRICES, *AUTH, 403, 404),
    )
    async def job_prices(job_id: str, cred: Terminal) -> Any:
        """Prices per step: every step for the lead firm, its own for a firm on the route."""
        return await run(prices.view, db, cred, _id(job_id))

    @app.post(
        "/v1/jobs/{job_id}/prices",
        tags=["consortium"],
        openapi_extra=_body(_obj(["op", "yen"], op=INT, yen=INT)),
        responses=responses(PRICES, *AUTH, *BODY, 403, 404),
    )
    async def job_price_set(job_id: str, request: Request, cred: Terminal) -> Any:
        """The lead firm records or corrects what it pays for one step."""
        body = await json_body(request)
        return await run(prices.record, db, cred, _id(job_id), body)

    @app.get(
        "/v1/qcd",
        tags=["consortium"],
        responses=responses(
            {
                **OBJ,
                "description": "a firm: ``own`` and the network ``median``; the office: "
                "``firms`` (every firm's record) and the ``median``",
                "properties": {
                    "firm": STR,
                    "own": OBJ,
                    "firms": {"type": "array", "items": OBJ},
                    "median": OBJ,
                },
                "required": ["median"],
            },
            *AUTH,
        ),
    )
    async def qcd_record(cred: Anyone) -> Any:
        """QCD records from the events: a firm its own beside the network's median, the
        office every firm's. No firm reads another's."""
        return await run(qcd.report, db, cred)

    @app.post(
        "/v1/jobs/{job_id}/ratings",
        tags=["consortium"],
        openapi_extra=_body(
            _obj(
                ["firm", "q", "c", "d"],
                firm=STR,
                q={**INT, "minimum": 1, "maximum": 5},
                c={**INT, "minimum": 1, "maximum": 5},
                d={**INT, "minimum": 1, "maximum": 5},
                comment={**TEXT, "maxLength": 1000},
            )
        ),
        responses=responses(
            _obj(["job_id", "firm", "q", "c", "d"], job_id=STR, firm=STR, q=INT, c=INT, d=INT),
            *AUTH,
            *BODY,
            403,
            404,
            409,
        ),
    )
    async def job_rating(job_id: str, request: Request, cred: Terminal) -> Any:
        """The lead firm rates a firm's Q, C and D (1-5) on a delivered job."""
        body = await json_body(request)
        return await run(qcd.rate, db, cred, _id(job_id), body)

    @app.get("/v1/kpi", tags=["office"], responses=responses(KPI, *AUTH, 403, 422))
    async def office_kpi(cred: Anyone, fiscal_year: int | None = None) -> Any:
        """The ward's figures for one fiscal year (April–March, Japan time) per month and
        for the year, beside the plan's targets. Office tokens only."""
        if cred.role != "office":
            raise RegistryError("forbidden", 403)
        if fiscal_year is not None and not 2000 <= fiscal_year <= 2100:
            raise RegistryError("bad_field", 422, "fiscal_year")
        return await run(kpi.figures, db, fiscal_year)
