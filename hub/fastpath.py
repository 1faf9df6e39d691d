"""The two requests every terminal makes every round (push, pull), served without
FastAPI's routing and dependency solving.

A herd of terminals syncing at once made FastAPI's per-request machinery (dependency
graph, parameter validation, exception wrappers) a large share of the hub's CPU. This
pure ASGI layer sits inside the access log and gzip middlewares and answers the plain,
well-formed form of ``POST /v1/events`` and ``GET /v1/feed`` with the same functions
the FastAPI routes use (credential check, body limits, ingest, feed), so the answers
are the same. Anything unusual (no bearer token, odd query parameters) is passed on to
FastAPI, which stays the reference and documents both routes in ``/openapi.json``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from hub.registry import Credential

Authorise = Callable[[Request, str], Awaitable[Credential]]
Push = Callable[[Request, Credential], Awaitable[Response]]
Pull = Callable[[Credential, str | None, int], Awaitable[Response]]
Answer = Callable[[Request, Exception], Awaitable[Response | None]]

LIMIT = re.compile(r"[0-9]{1,9}")


class SyncFastPath:
    """ASGI middleware: serve plain push and pull requests directly (see module doc)."""

    def __init__(
        self, app: Any, *, authorise: Authorise, push: Push, pull: Pull, answer: Answer
    ) -> None:
        self.app = app
        self.authorise, self.push, self.pull, self.answer = authorise, push, pull, answer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = (scope["method"], scope["path"])
        if route not in (("POST", "/v1/events"), ("GET", "/v1/feed")):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        query = _feed_query(scope) if route[0] == "GET" else None
        if token is None or (route[0] == "GET" and query is None):
            await self.app(scope, receive, send)  # FastAPI gives the full answer
            return
        request = Request(scope, receive)
        try:
            cred = await self.authorise(request, token)
            if route[0] == "POST":
                response = await self.push(request, cred)
            else:
                assert query is not None
                response = await self.pull(cred, *query)
        except Exception as exc:
            answer = await self.answer(request, exc)
            if answer is None:
                raise
            response = answer
        await response(scope, receive, send)


def _bearer(scope: Any) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (as FastAPI's HTTPBearer reads
    it), or None when there is none."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, param = value.decode("latin-1").partition(" ")
            token = param.strip()
            if scheme.lower() == "bearer" and token:
                return token
            return None
    return None


def _feed_query(scope: Any) -> tuple[str | None, int] | None:
    """``(cursor, limit)`` when the query string is the plain kind (each at most once,
    limit a small decimal number), else None."""
    from hub.feed import PAGE

    raw = scope.get("query_string", b"")
    if not raw:
        return None, PAGE
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        return None
    found = dict(pairs)
    cursor = found.get("cursor")
    limit = found.get("limit")
    if limit is not None and not LIMIT.fullmatch(limit):
        return None
    return cursor, int(limit) if limit is not None else PAGE
