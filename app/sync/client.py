"""The HTTP conversation with the hub, over an injectable ``httpx.Client``.

Every call either returns parsed JSON or raises one of ``app.sync.errors``; the callers
never see an httpx exception.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from typing import Any

import httpx

from app.sync.errors import HubBusy, HubRefused, HubTimeout, Offline, SyncError, Unauthorized
from wire.events import Event

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class CursorGone(SyncError):
    """The hub no longer holds this feed position: pull from the start again."""


class HubClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._own = client is None
        self.http = client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._own:
            self.http.close()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        gzip_body: bool = False,
    ) -> Any:
        h = self._headers() | (headers or {})
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            h["Content-Type"] = "application/json"
            if gzip_body:
                content = gzip.compress(content, compresslevel=5)
                h["Content-Encoding"] = "gzip"
        try:
            resp = self.http.request(
                method, self.base_url + path, content=content, headers=h, params=params
            )
        except httpx.TimeoutException as exc:
            raise HubTimeout("timeout", type(exc).__name__) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise Offline("offline", f"{type(exc).__name__}: {exc}") from exc
        return self._answer(resp)

    def fetch(self, path: str, params: dict[str, Any] | None = None) -> tuple[bytes, httpx.Headers]:
        """A binary answer (a piece of a file): its bytes and headers. Errors as ``request``."""
        try:
            resp = self.http.get(self.base_url + path, headers=self._headers(), params=params)
        except httpx.TimeoutException as exc:
            raise HubTimeout("timeout", type(exc).__name__) from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise Offline("offline", f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code >= 300:
            self._answer(resp)  # raises the error the status means
        return resp.content, resp.headers

    @staticmethod
    def _answer(resp: httpx.Response) -> Any:
        try:
            data = resp.json()
        except ValueError:
            data = None
        code = data.get("error", "") if isinstance(data, dict) else ""
        s = resp.status_code
        if s < 300:
            if data is None:
                raise Offline("bad_answer", "not JSON")  # a proxy's page, a cut-off body
            return data
        if s == 410:
            raise CursorGone(code or "cursor_gone")
        if s in (401, 403):
            raise Unauthorized(code or "unauthorized", str(s))
        if s == 408:
            raise HubTimeout("timeout", "408")
        if s == 429 or s >= 500:
            retry = resp.headers.get("retry-after", "")
            after = float(retry) if retry.replace(".", "", 1).isdigit() else None
            raise HubBusy(code or f"http_{s}", str(s), after)
        raise HubRefused(code or f"http_{s}", str(data)[:200] if data else "", s)

    # -- API ----------------------------------------------------------------------------

    def enroll(
        self, code: str, terminal_id: str, public_key: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"code": code, "terminal_id": terminal_id}
        if public_key:
            body["public_key"] = public_key
        out: dict[str, Any] = self.request("POST", "/v1/enroll", json_body=body)
        return out

    def push(self, events: Iterable[Event]) -> list[dict[str, Any]]:
        body = {"events": [e.to_wire() for e in events]}
        out = self.request("POST", "/v1/events", json_body=body, gzip_body=True)
        results = out.get("results") if isinstance(out, dict) else None
        if not isinstance(results, list):
            raise Offline("bad_answer", "no results")
        return results

    def pull(self, cursor: str | None, limit: int = 1000) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        out: dict[str, Any] = self.request("GET", "/v1/feed", params=params)
        return out

    def own_events(self, after_seq: int, limit: int = 1000) -> dict[str, Any]:
        """This terminal's own events above ``after_seq`` (after a restore)."""
        params = {"after_seq": after_seq, "limit": limit}
        out: dict[str, Any] = self.request("GET", "/v1/terminal/events", params=params)
        return out

    def publish_key(self, key: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.request("POST", "/v1/keys", json_body=key)
        return out

    def me(self) -> dict[str, Any]:
        out: dict[str, Any] = self.request("GET", "/v1/me")
        return out
