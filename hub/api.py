"""The hub's HTTP API (FastAPI), under ``/v1``, with its OpenAPI document at ``/openapi.json``.

Errors are JSON ``{"error": CODE, "detail": …}`` with the matching status: 400 malformed,
401 no or revoked token, 403 not allowed, 404 not found (also for what is not the
caller's business), 409 conflict, 410 cursor gone (pull again from the start), 413 too
large, 415 encoding, 422 invalid fields, 429 slow down (``Retry-After``), 503 busy. The
OpenAPI document lists, for every operation, each status it answers and this body
(``components/schemas/Error``); ``tests/test_hub_schemathesis.py`` holds the hub to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import anyio
import anyio.to_thread
import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect

from hub import __version__, feed, ingest, photos, registry, stats
from hub.db import HubDB, HubUnavailable
from hub.fastpath import SyncFastPath
from hub.limits import Network, RateLimiter, client_address, parse_json, read_body
from hub.registry import Credential, RegistryError

log = logging.getLogger("nakama.hub")

PUSH_LIMIT = 4 * 1024 * 1024  # on the wire; 1,000 events gzip to far less
PUSH_INFLATED = 16 * 1024 * 1024
SMALL_LIMIT = 64 * 1024

bearer = HTTPBearer(auto_error=False, description="a terminal's token from POST /v1/enroll")

EVENT_SCHEMA = {
    "type": "object",
    "description": "one event in the wire format of wire.events (Event.to_wire)",
    "required": ["event_id", "terminal_id", "seq", "hlc", "occurred_at", "firm_id", "type"],
    "properties": {
        "event_id": {"type": "string"},
        "terminal_id": {"type": "string"},
        "seq": {"type": "integer"},
        "hlc": {"type": "integer"},
        "occurred_at": {"type": "string"},
        "firm_id": {"type": "string"},
        "job_id": {"type": ["string", "null"]},
        "op": {"type": ["integer", "null"]},
        "type": {"type": "string"},
        "schema_version": {"type": "integer"},
        "payload": {"type": "object"},
    },
}


ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every refusal: a stable code in ``error``; the status says its kind.",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "a stable code, e.g. unauthorized"},
        "detail": {
            "description": "more about it: text (for 429 the seconds to wait, for 409 "
            "wrong_offset the offset to resume from), or for invalid_request the fields",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"loc": {"type": "array"}, "msg": {"type": "string"}},
                    },
                },
            ],
        },
        "resnapshot": {
            "type": "boolean",
            "description": "410 cursor_gone: pull again from the start (no cursor)",
        },
        "quota": {
            "type": "object",
            "description": "413 photo_quota_exceeded: the firm's photo quota and its use",
            "properties": {
                "bytes": {"type": "integer"},
                "count": {"type": "integer"},
                "used_bytes": {"type": "integer"},
                "used_count": {"type": "integer"},
            },
        },
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
ERROR_CODES = {
    400: "malformed: malformed_json, bad_unicode (NUL, lone surrogates), bad_gzip, bad_cursor",
    401: "unauthorized: no bearer token, or an unknown or revoked one",
    403: "forbidden (an office token on a terminal route or the reverse), "
    "bad_enroll_code (unknown, used or expired), terminal_revoked, not_lead_firm, not_capable "
    "(the firm's profile does not fit the step)",
    404: "not_found (also what is not the caller's business), unknown_photo",
    409: "terminal_taken, key_id_conflict, key_of_another_terminal, photo_conflict, "
    "wrong_offset (detail: the offset the hub holds), photo_incomplete, request_closed, "
    "job_linked, not_delivered",
    410: "cursor_gone (resnapshot: true): pull again without a cursor",
    413: "body_too_large, batch_too_large, photo_quota_exceeded (detail: bytes or count; "
    "quota: the limits and the firm's use)",
    415: "unsupported_encoding (gzip and identity only)",
    422: "invalid_request (detail: the fields), bad_request, bad_terminal_id, "
    "bad_public_key, bad_key_id, bad_field, bad_photo_id, bad_size, bad_content_type, "
    "bad_event_id, unknown_event (push the event before its photo), bad_chunk, "
    "bad_offset (detail: the file's size), unknown_firm, job_not_on_hub (sync the job "
    "first), route_mismatch",
    429: "rate_limited (detail and Retry-After: seconds): too many requests from this "
    "terminal, enrolments or bad tokens from this address",
    503: "hub_busy: the database is unavailable for now (Retry-After)",
}
AUTH = (401, 429, 503)  # any route behind a token
BODY = (400, 413, 415, 422)  # any route that reads a JSON body


def responses(ok: dict[str, Any] | None, *statuses: int) -> dict[int | str, Any]:
    """The documented answers of one operation: 200 with ``ok`` as its body schema, and
    each status in ``statuses`` with the error body (and ``Retry-After`` on 429/503)."""
    out: dict[int | str, Any] = {}
    if ok is not None:
        out[200] = {"content": {"application/json": {"schema": ok}}}
    for status in sorted(set(statuses)):
        entry: dict[str, Any] = {
            "description": ERROR_CODES[status],
            "content": {"application/json": {"schema": ERROR_REF}},
        }
        if status in (429, 503):
            entry["headers"] = RETRY_AFTER
        out[status] = entry
    return out


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
KEY_ROW = _obj(
    ["firm", "key_id", "public_key"],
    firm=STR,
    key_id=STR,
    terminal_id=NSTR,
    public_key=STR,
    valid_from=NSTR,
    valid_until=NSTR,
    revoked_at={**NSTR, "description": "from this time on, travelers it signed are refused"},
)
PHOTO_STATUS = _obj(
    ["photo_id", "size", "received", "complete"],
    photo_id=STR,
    size=INT,
    received=INT,
    complete=BOOL,
    error={"type": "string", "description": "digest_mismatch: start again from offset 0"},
)
STATS_FIGURES: dict[str, str] = {
    "firms": "count of member firms (the office itself not counted)",
    "firms_by_region": "member firms per region ('ota' or where the firm is)",
    "firms_on_jobs": "count of firms that are a member (lead or on the route) of at least one job",
    "jobs": "count of jobs (JobCreated events held by the hub)",
    "jobs_with_firms_outside_ota": "count of jobs whose route names at least one firm outside Ota",
    "sales_yen": "SUM over all jobs of unit_price_yen x qty from the lead firms' "
    "JobCreated events. These prices are private to each lead firm: this is a total over "
    "the whole consortium, shown to the office only and never broken down per firm or job; "
    "jobs without a price count 0",
    "events": "count of events the hub holds",
}
STATS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The consortium office's figures, totals over the whole consortium "
    "(never per firm). ``basis`` says what each figure is; ``private_inputs`` names the "
    "figures computed from lead firms' private prices.",
    "required": [*STATS_FIGURES, "basis", "private_inputs"],
    "properties": {
        **{
            name: (
                {"type": "object", "additionalProperties": INT, "description": text}
                if name == "firms_by_region"
                else {"type": "integer", "description": text}
            )
            for name, text in STATS_FIGURES.items()
        },
        "basis": {
            "type": "object",
            "description": "figure name -> what it is and how it is computed",
            "additionalProperties": STR,
        },
        "private_inputs": {
            "type": "array",
            "items": STR,
            "description": "figures that are sums over the lead firms' private prices",
        },
    },
}


def _body(schema: dict[str, Any], content_type: str = "application/json") -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {content_type: {"schema": schema}}}}


def _error(status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None):
    body: dict[str, Any] = {"error": code}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


async def authorise(request: Request, token: str) -> Credential:
    """The credential behind a bearer token; 401 unknown/revoked, 429 too fast, 403 for
    an office token (the sync routes are for terminals)."""
    cred = await _identify(request, token)
    if cred.role != "terminal":
        raise RegistryError("forbidden", 403)
    return cred


async def _identify(request: Request, token: str) -> Credential:
    """Valid tokens are answered from the cache (no database read) and limited per
    terminal. A token the cache does not vouch for costs a read, so bad tokens (unknown,
    revoked, garbage) are limited per client address: past the limit the hub answers 429
    without reading, and a valid token that is not cached yet waits with them."""
    state = request.app.state
    known, cred = registry.cached_credential(token)
    if cred is None:
        addr = client_address(request.scope, state.proxies)
        if not known:
            wait = state.bad_tokens.wait(addr)
            if wait:
                raise RegistryError("rate_limited", 429, str(max(1, round(wait))))
            cred = await state.read(registry.authenticate, state.db, token)
        if cred is None:
            wait = state.bad_tokens.take(addr)
            if wait:
                raise RegistryError("rate_limited", 429, str(max(1, round(wait))))
            raise RegistryError("unauthorized", 401)
    request.scope.setdefault("state", {})["terminal"] = cred.terminal_id
    wait = state.limiter.take(cred.terminal_id)
    if wait:
        raise RegistryError("rate_limited", 429, str(max(1, round(wait))))
    return cred


async def credential(
    request: Request, auth: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Credential:
    """The caller's credential from its bearer token; 401 unknown/revoked, 429 too fast."""
    if auth is None:
        raise RegistryError("unauthorized", 401)
    return await _identify(request, auth.credentials)


async def terminal(cred: Annotated[Credential, Depends(credential)]) -> Credential:
    if cred.role != "terminal":
        raise RegistryError("forbidden", 403)
    return cred


Anyone = Annotated[Credential, Depends(credential)]
Terminal = Annotated[Credential, Depends(terminal)]


class AccessLog:
    """One structured log line per request (pure ASGI: no per-request task overhead)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [0]

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            state = scope.get("state") or {}
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status[0],
                    "ms": round((time.perf_counter() - start) * 1000, 2),
                    "terminal": state.get("terminal"),
                },
            )


def create_app(
    db: HubDB,
    *,
    rate_per_s: float = 50.0,
    burst: float = 200.0,
    fast_path: bool = True,
    enroll_rate: float = 2.0,
    enroll_burst: float = 20.0,
    bad_token_rate: float = 1.0,
    bad_token_burst: float = 30.0,
    trusted_proxies: tuple[Network, ...] = (),
    photo_quota: photos.Quota | None = None,
) -> FastAPI:
    """The hub application over an open database. ``fast_path=False`` leaves push and
    pull to FastAPI alone (the tests compare the two).

    Rates are token buckets: ``rate_per_s``/``burst`` per terminal, ``enroll_*`` for
    enrolments and ``bad_token_*`` for unknown or revoked tokens per client address.
    The client address is the direct peer, or ``X-Forwarded-For`` only when the peer is
    in ``trusted_proxies`` (``hub.limits.parse_proxies``; none by default)."""
    app = FastAPI(
        title="Nakama consortium hub",
        version=__version__,
        description="Sync hub for nakama-mawashi terminals: push events, pull a firm's feed. "
        "Every refusal is a JSON Error body with the status listed for its operation.",
    )
    app.state.db = db
    app.state.proxies = trusted_proxies
    app.state.bad_tokens = RateLimiter(bad_token_rate, bad_token_burst)
    quota = photo_quota or photos.Quota()
    limiter_box: list[anyio.CapacityLimiter] = []

    def limiter() -> anyio.CapacityLimiter:
        # Few threads at a time: the work is short and holds the GIL; forty runnable
        # threads spent more CPU handing the GIL round than on the requests. PostgreSQL
        # work waits on the network (GIL released), so it gets more.
        if not limiter_box:
            limiter_box.append(anyio.CapacityLimiter(4 if db.is_sqlite else 16))
        return limiter_box[0]

    app.state.limiter = RateLimiter(rate_per_s, burst)
    enroll_limiter = RateLimiter(enroll_rate, enroll_burst)
    if fast_path:  # added first, so it runs inside gzip and the access log
        app.add_middleware(
            SyncFastPath,
            authorise=authorise,
            push=lambda r, c: store_batch(r, c),
            pull=lambda c, cur, n: feed_page(c, cur, n),
            answer=lambda r, e: answer(r, e),
        )
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=1)
    app.add_middleware(AccessLog)

    async def answer(_r: Request, exc: Exception) -> Response | None:
        """The JSON answer for an expected failure (None: not one of those)."""
        if isinstance(exc, RegistryError):
            headers = {"Retry-After": exc.detail} if exc.status == 429 else None
            body: dict[str, Any] = {"error": exc.code}
            if exc.detail:
                body["detail"] = exc.detail
            return JSONResponse(body | exc.extra, status_code=exc.status, headers=headers)
        if isinstance(exc, feed.CursorGone):
            return JSONResponse({"error": "cursor_gone", "resnapshot": True}, status_code=410)
        if isinstance(exc, HubUnavailable):
            log.error("database unavailable", extra={"detail": str(exc)[:500]})
            return _error(503, "hub_busy", headers={"Retry-After": "2"})
        if isinstance(exc, ClientDisconnect):
            return Response(status_code=499)  # nobody is listening; not a hub error
        return None

    async def expected(request: Request, exc: Exception) -> Response:
        response = await answer(request, exc)
        assert response is not None
        return response

    for kind in (RegistryError, feed.CursorGone, HubUnavailable, ClientDisconnect):
        app.add_exception_handler(kind, expected)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        return _error(422, "invalid_request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return _error(500, "internal_error")

    async def json_body(request: Request, limit: int = SMALL_LIMIT) -> Any:
        return parse_json(await read_body(request, limit))

    def run(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return anyio.to_thread.run_sync(fn, *args, limiter=limiter())

    async def read(fn: Callable[..., Any], *args: Any) -> Any:
        """A short read (token lookup, a feed page). SQLite answers those from its page
        cache in well under a millisecond, so they run on the loop: handing them to a
        thread cost more than the read. PostgreSQL waits on the network: a thread.
        (SQLite's pool holds 8 connections, more than the loop (1), the pool threads
        (4) and the writer (1) can hold at once, so a checkout here never waits.)"""
        if db.is_sqlite:
            return fn(*args)
        return await run(fn, *args)

    app.state.read = read

    @app.get(
        "/healthz",
        tags=["ops"],
        responses=responses(_obj(["ok", "db", "hub_id"], ok=BOOL, db=STR, hub_id=STR), 503),
    )
    async def healthz() -> dict[str, Any]:
        """Liveness and database reachability."""

        def probe() -> None:
            with db.read() as c:
                c.exec_driver_sql("SELECT 1")

        await run(probe)
        return {"ok": True, "db": db.engine.dialect.name, "hub_id": db.hub_id}

    @app.post(
        "/v1/enroll",
        tags=["terminals"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["code", "terminal_id"],
                "properties": {
                    "code": {"type": "string"},
                    "terminal_id": {"type": "string"},
                    "public_key": {"type": "object"},
                },
            }
        ),
        responses=responses(
            _obj(
                ["terminal_id", "firm_id", "token", "hub_id"],
                terminal_id=STR,
                firm_id=STR,
                token=STR,
                hub_id=STR,
                reissued={
                    "type": "boolean",
                    "description": "the same terminal spent the same code again within "
                    "15 minutes (its first answer was lost): a new token; the first "
                    "one no longer works",
                },
            ),
            *BODY,
            403,
            409,
            429,
            503,
        ),
    )
    async def enroll(request: Request) -> dict[str, Any]:
        """Spend a one-time code from ``nakama-hub enroll-code``; returns the terminal's
        token. The same terminal may repeat the request with the same code within 15
        minutes (a lost answer) and gets a new token; a revoked terminal id is refused
        (403 terminal_revoked) until the office runs ``nakama-hub unrevoke``. Limited per
        client address (429)."""
        host = client_address(request.scope, trusted_proxies)
        wait = enroll_limiter.take(host)
        if wait:
            raise RegistryError("rate_limited", 429, str(max(1, round(wait))))
        body = await json_body(request)
        if not isinstance(body, dict):
            raise RegistryError("bad_request", 422)
        code, tid, key = body.get("code"), body.get("terminal_id"), body.get("public_key")
        if not isinstance(code, str) or not isinstance(tid, str) or len(code) > 64:
            raise RegistryError("bad_request", 422)
        if key is not None and not isinstance(key, dict):
            raise RegistryError("bad_public_key", 422)
        result: dict[str, Any] = await run(registry.enroll, db, code, tid, key)
        log.info(
            "terminal enrolled",
            extra={"terminal": tid, "firm": result["firm_id"], "reissued": result["reissued"]},
        )
        return result

    @app.get(
        "/v1/me",
        tags=["terminals"],
        responses=responses(
            _obj(
                ["terminal_id", "firm_id", "role", "hub_id", "server_time"],
                terminal_id=STR,
                firm_id=STR,
                role={"type": "string", "enum": ["terminal", "office"]},
                hub_id=STR,
                server_time={"type": "number"},
            ),
            *AUTH,
        ),
    )
    async def me(cred: Anyone) -> dict[str, Any]:
        """Who this token is, and the hub's identity and clock."""
        return {
            "terminal_id": cred.terminal_id,
            "firm_id": cred.firm_id,
            "role": cred.role,
            "hub_id": db.hub_id,
            "server_time": time.time(),
        }

    push_result = _obj(
        ["event_id", "status"],
        event_id={"description": "the event's id as sent (null when it had none)"},
        status={"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
        reason={"type": "string", "description": "why it was rejected"},
    )

    @app.post(
        "/v1/events",
        tags=["sync"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["events"],
                "properties": {
                    "events": {"type": "array", "maxItems": ingest.MAX_BATCH, "items": EVENT_SCHEMA}
                },
            }
        ),
        responses=responses(
            _obj(
                ["results", "accepted", "duplicates", "rejected"],
                results={"type": "array", "items": push_result},
                accepted=INT,
                duplicates=INT,
                rejected=INT,
            ),
            *AUTH,
            *BODY,
            403,
        ),
    )
    async def push(request: Request, cred: Terminal) -> Response:
        """Push a batch; answered per event: accepted, duplicate, or rejected with a reason
        (wire format codes; ``firm_mismatch``, ``terminal_mismatch``, ``id_conflict``;
        ``job_id_not_yours``, ``unknown_firm``, ``job_exists``, ``not_lead_firm``,
        ``op_not_for_this_firm``, ``cannot_correct``: see ``hub.ingest``)."""
        return await store_batch(request, cred)

    async def store_batch(request: Request, cred: Credential) -> Response:
        body = parse_json(await read_body(request, PUSH_LIMIT, PUSH_INFLATED))
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise RegistryError("bad_request", 422, 'expected {"events": [...]}')
        if len(body["events"]) > ingest.MAX_BATCH:
            raise RegistryError("batch_too_large", 413, str(ingest.MAX_BATCH))
        # Checked and stored by the writer thread; awaited here, not by a parked thread.
        work = ingest.transaction(db, cred, body["events"])
        out = ingest.report(cred, await asyncio.wrap_future(db.submit(work)))
        answer = {
            "results": out.results,
            "accepted": out.accepted,
            "duplicates": out.duplicates,
            "rejected": out.rejected,
        }
        # Serialised here: FastAPI's generic encoder walks 1,000 small dicts slowly.
        return Response(orjson.dumps(answer), media_type="application/json")

    @app.get(
        "/v1/feed",
        tags=["sync"],
        responses=responses(
            _obj(
                ["cursor", "more", "events", "keys", "firms"],
                cursor={"type": "string", "description": "pass it back to get the next page"},
                more={"type": "boolean", "description": "another page waits: pull again"},
                events={"type": "array", "items": EVENT_SCHEMA},
                keys={"type": "array", "items": KEY_ROW},
                firms={
                    "type": "array",
                    "items": _obj(["code", "name", "region"], code=STR, name=STR, region=STR),
                },
            ),
            *AUTH,
            400,
            403,
            410,
            422,
        ),
    )
    async def pull(cred: Terminal, cursor: str | None = None, limit: int = feed.PAGE) -> Response:
        """The firm's feed after ``cursor``: events of the jobs it takes part in (without
        other firms' private fields), key directory and firm directory changes. Follow ``more``."""
        return await feed_page(cred, cursor, limit)

    async def feed_page(cred: Credential, cursor: str | None, limit: int) -> Response:
        if cursor is not None and len(cursor) > 200:
            raise RegistryError("bad_cursor", 400)
        try:
            text = await read(feed.pull, db, cred, cursor, limit)
        except ValueError as exc:
            raise RegistryError("bad_cursor", 400) from exc
        return Response(text, media_type="application/json")

    @app.get(
        "/v1/terminal/events",
        tags=["sync"],
        responses=responses(
            _obj(
                ["more", "events"],
                more={"type": "boolean", "description": "another page waits: ask again"},
                events={"type": "array", "items": EVENT_SCHEMA},
            ),
            *AUTH,
            403,
            422,
        ),
    )
    async def own_events(cred: Terminal, after_seq: int = 0, limit: int = feed.PAGE) -> Response:
        """The calling terminal's own events with ``seq`` above ``after_seq``, in seq
        order (no other terminal's): a terminal restored from a backup takes back what
        it had already sent, then numbers new events after them. Follow ``more``."""
        if not 0 <= after_seq < 2**62:
            raise RegistryError("bad_request", 422)
        text = await read(feed.own_events, db, cred, after_seq, limit)
        return Response(text, media_type="application/json")

    @app.get(
        "/v1/keys",
        tags=["keys"],
        responses=responses(_obj(["keys"], keys={"type": "array", "items": KEY_ROW}), *AUTH),
    )
    async def keys(cred: Anyone) -> dict[str, Any]:
        """The whole key directory (public keys for checking travelers). A revoked
        terminal's keys carry the time of its revocation in ``revoked_at``."""

        def read() -> list[dict[str, Any]]:
            with db.read() as c:
                return registry.key_directory(c, 0)[0]

        return {"keys": await run(read)}

    @app.post(
        "/v1/keys",
        tags=["keys"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["key_id", "public_key"],
                "properties": {
                    "key_id": {"type": "string"},
                    "public_key": {"type": "string"},
                    "valid_from": {"type": "string"},
                    "valid_until": {"type": "string"},
                    "revoked_at": {"type": "string"},
                },
            }
        ),
        responses=responses(KEY_ROW, *AUTH, *BODY, 403, 409),
    )
    async def add_key(request: Request, cred: Terminal) -> dict[str, Any]:
        """Publish (or revoke) one of this firm's traveler-signing public keys."""
        body = await json_body(request)
        if not isinstance(body, dict):
            raise RegistryError("bad_request", 422)
        return await run(registry.upsert_key, db, cred, body)

    firm_row = _obj(
        ["code", "name", "region", "in_ota", "processes"],
        code=STR,
        name=STR,
        region=STR,
        in_ota=BOOL,
        processes={"type": "array", "items": STR},
        equipment={
            "type": "array",
            "items": STR,
            "description": "only on the caller's own firm (and for the office on every firm)",
        },
    )

    @app.get(
        "/v1/firms",
        tags=["firms"],
        responses=responses(_obj(["firms"], firms={"type": "array", "items": firm_row}), *AUTH),
    )
    async def firms(cred: Anyone) -> dict[str, Any]:
        """The consortium's firms: code, name, region and processes for every firm; the
        equipment list only for the caller's own firm (every firm's for the office)."""
        rows = await run(registry.firms, db)
        if cred.role != "office":
            for f in rows:
                if f["code"] != cred.firm_id:
                    del f["equipment"]
        return {"firms": rows}

    @app.get(
        "/v1/jobs/{job_id}",
        tags=["sync"],
        responses=responses(
            _obj(
                ["job_id", "lead_firm", "firms", "events"],
                job_id=STR,
                lead_firm=NSTR,
                firms={"type": "array", "items": STR},
                events={"type": "array", "items": EVENT_SCHEMA},
            ),
            *AUTH,
            403,
            404,
        ),
    )
    async def job(job_id: str, cred: Terminal) -> dict[str, Any]:
        """One job as this firm may see it; 404 when it is not the firm's business."""
        if "\x00" in job_id or len(job_id) > 200:
            raise RegistryError("not_found", 404)
        view = await run(feed.job_view, db, cred, job_id)
        if view is None:
            raise RegistryError("not_found", 404)
        return view

    @app.post(
        "/v1/photos",
        tags=["photos"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["photo_id", "size", "event_id"],
                "properties": {
                    "photo_id": {"type": "string"},
                    "size": {"type": "integer"},
                    "content_type": {"type": "string"},
                    "event_id": {
                        "type": "string",
                        "description": "an event of this firm the hub already holds",
                    },
                },
            }
        ),
        responses=responses(PHOTO_STATUS, *AUTH, *BODY, 403, 409),
    )
    async def announce_photo(request: Request, cred: Terminal) -> dict[str, Any]:
        """Announce a photo (sha256 name and size) of an event of this firm that the hub
        holds (422 unknown_event otherwise: push the event first); answers how much the
        hub already has. 413 photo_quota_exceeded past the firm's photo quota."""
        body = await json_body(request)
        return await run(photos.announce, db, cred, body, quota)

    @app.get(
        "/v1/photos/{photo_id}",
        tags=["photos"],
        responses=responses(PHOTO_STATUS, *AUTH, 403, 404),
    )
    async def photo_status(photo_id: str, cred: Terminal) -> dict[str, Any]:
        """How much of a photo has arrived."""
        return await run(photos.status, db, cred, photo_id)

    @app.put(
        "/v1/photos/{photo_id}/chunks",
        tags=["photos"],
        openapi_extra=_body({"type": "string", "format": "binary"}, "application/octet-stream"),
        responses=responses(PHOTO_STATUS, *AUTH, *BODY, 403, 404, 409),
    )
    async def photo_chunk(
        photo_id: str, offset: int, request: Request, cred: Terminal
    ) -> dict[str, Any]:
        """Append bytes at ``offset`` (must equal what the hub has; 409 tells where to resume)."""
        data = await read_body(request, photos.CHUNK_MAX)
        return await run(photos.put_chunk, db, cred, photo_id, offset, data)

    @app.get(
        "/v1/photos/{photo_id}/content",
        tags=["photos"],
        responses={
            200: {
                "description": "the bytes from offset (at most length, at most 1 MiB); "
                "X-Nakama-Size: the whole file's size",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                "headers": {
                    "X-Nakama-Size": {"required": True, "schema": {"type": "string"}},
                },
            },
            **responses(None, *AUTH, 403, 404, 409, 422),
        },
    )
    async def photo_content(
        photo_id: str, cred: Terminal, offset: int = 0, length: int = photos.CHUNK_MAX
    ) -> Response:
        """A piece of a complete photo or drawing, for the uploading firm or a firm on the
        job of the event that names it (404 unknown_photo for anyone else). A download
        resumes by asking from the offset it holds."""
        data, size, ctype = await run(photos.read, db, cred, photo_id, offset, length)
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"X-Nakama-Size": str(size), "X-Nakama-Content-Type": ctype},
        )

    from hub.consortium_api import add_routes

    add_routes(app, db, run, json_body)

    from hub import office_web

    office_web.add_routes(app, db, run)

    @app.get("/v1/stats", tags=["office"], responses=responses(STATS_SCHEMA, *AUTH, 403))
    async def office_stats(cred: Anyone) -> dict[str, Any]:
        """The consortium office's figures (office tokens only): totals over the whole
        consortium, never per firm. ``sales_yen`` is a sum over the lead firms' private
        unit prices; ``basis`` in the answer says what each figure is."""
        if cred.role != "office":
            raise RegistryError("forbidden", 403)
        figures: dict[str, Any] = await run(stats.figures, db)
        return figures | {
            "basis": {k: STATS_FIGURES[k] for k in figures if k in STATS_FIGURES},
            "private_inputs": ["sales_yen"],
        }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            doc.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
