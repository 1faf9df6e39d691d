"""The hub's HTTP API (FastAPI), under ``/v1``, with its OpenAPI document at ``/openapi.json``.

Errors are JSON ``{"error": CODE, "detail": …}`` with the matching status: 400 malformed,
401 no or revoked token, 403 not allowed, 404 not found (also for what is not the
caller's business), 409 conflict, 410 cursor gone (pull again from the start), 413 too
large, 415 encoding, 422 invalid fields, 429 slow down (``Retry-After``), 503 busy.
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
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect

from hub import __version__, feed, ingest, photos, registry, stats
from hub.db import HubDB, HubUnavailable
from hub.fastpath import SyncFastPath
from hub.limits import RateLimiter, parse_json, read_body
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


def _body(schema: dict[str, Any], content_type: str = "application/json") -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {content_type: {"schema": schema}}}}


def _error(status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
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
    state = request.app.state
    known, cred = registry.cached_credential(token)
    if not known:
        cred = await state.read(registry.authenticate, state.db, token)
    if cred is None:
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
) -> FastAPI:
    """The hub application over an open database. ``fast_path=False`` leaves push and
    pull to FastAPI alone (the tests compare the two)."""
    app = FastAPI(
        title="Nakama consortium hub",
        version=__version__,
        description="Sync hub for nakama-mawashi terminals: push events, pull a firm's feed.",
    )
    app.state.db = db
    limiter_box: list[anyio.CapacityLimiter] = []

    def limiter() -> anyio.CapacityLimiter:
        # Few threads at a time: the work is short and holds the GIL; forty runnable
        # threads spent more CPU handing the GIL round than on the requests. PostgreSQL
        # work waits on the network (GIL released), so it gets more.
        if not limiter_box:
            limiter_box.append(anyio.CapacityLimiter(4 if db.is_sqlite else 16))
        return limiter_box[0]

    app.state.limiter = RateLimiter(rate_per_s, burst)
    enroll_limiter = RateLimiter(2.0, 20.0)
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
            return _error(exc.status, exc.code, exc.detail or None, headers)  # type: ignore[no-any-return]
        if isinstance(exc, feed.CursorGone):
            return JSONResponse({"error": "cursor_gone", "resnapshot": True}, status_code=410)
        if isinstance(exc, HubUnavailable):
            log.error("database unavailable", extra={"detail": str(exc)[:500]})
            return _error(503, "hub_busy", headers={"Retry-After": "2"})  # type: ignore[no-any-return]
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

    @app.get("/healthz", tags=["ops"])
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
    )
    async def enroll(request: Request) -> dict[str, Any]:
        """Spend a one-time code from ``nakama-hub enroll-code``; returns the terminal's token."""
        host = request.client.host if request.client else "?"
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
        log.info("terminal enrolled", extra={"terminal": tid, "firm": result["firm_id"]})
        return result

    @app.get("/v1/me", tags=["terminals"])
    async def me(cred: Anyone) -> dict[str, Any]:
        """Who this token is, and the hub's identity and clock."""
        return {
            "terminal_id": cred.terminal_id,
            "firm_id": cred.firm_id,
            "role": cred.role,
            "hub_id": db.hub_id,
            "server_time": time.time(),
        }

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

    @app.get("/v1/feed", tags=["sync"])
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

    @app.get("/v1/keys", tags=["keys"])
    async def keys(cred: Anyone) -> dict[str, Any]:
        """The whole key directory (public keys for checking travelers)."""

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
    )
    async def add_key(request: Request, cred: Terminal) -> dict[str, Any]:
        """Publish (or revoke) one of this firm's traveler-signing public keys."""
        body = await json_body(request)
        if not isinstance(body, dict):
            raise RegistryError("bad_request", 422)
        return await run(registry.upsert_key, db, cred, body)  # type: ignore[no-any-return]

    @app.get("/v1/firms", tags=["firms"])
    async def firms(_cred: Anyone) -> dict[str, Any]:
        """The consortium's firms: code, name, region, processes, equipment."""
        return {"firms": await run(registry.firms, db)}

    @app.get("/v1/jobs/{job_id}", tags=["sync"])
    async def job(job_id: str, cred: Terminal) -> dict[str, Any]:
        """One job as this firm may see it; 404 when it is not the firm's business."""
        if "\x00" in job_id or len(job_id) > 200:
            raise RegistryError("not_found", 404)
        view = await run(feed.job_view, db, cred, job_id)
        if view is None:
            raise RegistryError("not_found", 404)
        return view  # type: ignore[no-any-return]

    @app.post(
        "/v1/photos",
        tags=["photos"],
        openapi_extra=_body(
            {
                "type": "object",
                "required": ["photo_id", "size"],
                "properties": {
                    "photo_id": {"type": "string"},
                    "size": {"type": "integer"},
                    "content_type": {"type": "string"},
                    "event_id": {"type": "string"},
                },
            }
        ),
    )
    async def announce_photo(request: Request, cred: Terminal) -> dict[str, Any]:
        """Announce a photo (sha256 name and size); answers how much the hub already has."""
        return await run(photos.announce, db, cred, await json_body(request))  # type: ignore[no-any-return]

    @app.get("/v1/photos/{photo_id}", tags=["photos"])
    async def photo_status(photo_id: str, cred: Terminal) -> dict[str, Any]:
        """How much of a photo has arrived."""
        return await run(photos.status, db, cred, photo_id)  # type: ignore[no-any-return]

    @app.put(
        "/v1/photos/{photo_id}/chunks",
        tags=["photos"],
        openapi_extra=_body({"type": "string", "format": "binary"}, "application/octet-stream"),
    )
    async def photo_chunk(
        photo_id: str, offset: int, request: Request, cred: Terminal
    ) -> dict[str, Any]:
        """Append bytes at ``offset`` (must equal what the hub has; 409 tells where to resume)."""
        data = await read_body(request, photos.CHUNK_MAX)
        return await run(photos.put_chunk, db, cred, photo_id, offset, data)  # type: ignore[no-any-return]

    @app.get("/v1/stats", tags=["office"])
    async def office_stats(cred: Anyone) -> dict[str, Any]:
        """The consortium office's figures (office tokens only)."""
        if cred.role != "office":
            raise RegistryError("forbidden", 403)
        return await run(stats.figures, db)  # type: ignore[no-any-return]

    return app
