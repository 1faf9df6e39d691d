"""Request hygiene: bounded bodies (also after gzip), JSON that every backend can store,
and a token bucket per terminal."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import zlib
from typing import Any

import orjson
from starlette.requests import Request

from hub.registry import RegistryError

SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


async def read_body(request: Request, limit: int, inflated_limit: int | None = None) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes on the wire or
    ``inflated_limit`` after gzip (a small bomb must not fill the hub's memory)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise RegistryError("body_too_large", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RegistryError("body_too_large", 413)
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding == "gzip":
        cap = inflated_limit or limit * 4
        d = zlib.decompressobj(wbits=31)
        try:
            out = d.decompress(body, cap + 1)
        except zlib.error as exc:
            raise RegistryError("bad_gzip", 400) from exc
        if len(out) > cap or d.unconsumed_tail:
            raise RegistryError("body_too_large", 413)
        if not d.eof:
            raise RegistryError("bad_gzip", 400)
        return out
    if encoding not in ("identity", ""):
        raise RegistryError("unsupported_encoding", 415)
    return body


def parse_json(body: bytes) -> Any:
    """JSON from a body, refused (400) when malformed or holding text no database
    stores: NUL characters, lone UTF-16 surrogates.

    orjson reads it when it can (several times faster); what orjson refuses (NaN, a byte
    order mark, a lone surrogate…) and anything holding a float (orjson reads an integer
    past 64 bits as one) is read again by the standard library, so what is accepted, and
    as what, stays the standard library's rule."""
    data: Any = None
    fast = False
    with contextlib.suppress(orjson.JSONDecodeError, RecursionError):
        data = orjson.loads(body)
        fast = not _holds_float(data)
    if not fast:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise RegistryError("malformed_json", 400) from exc
    if b"\x00" in body or b"\\u0000" in body:
        raise RegistryError("bad_unicode", 400)  # PostgreSQL text cannot hold NUL
    # orjson refuses lone surrogates, so only what json read needs this check.
    if not fast and SURROGATE.search(body):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RegistryError("bad_unicode", 400) from exc
    return data


def _holds_float(v: Any) -> bool:
    t = type(v)
    if t is dict or t is list:
        for x in v.values() if t is dict else v:
            tx = type(x)
            if tx is float or ((tx is dict or tx is list) and _holds_float(x)):
                return True
        return False
    return t is float


class RateLimiter:
    """A token bucket per key: ``rate`` requests a second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds to wait (for ``Retry-After``)."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > 100_000:
                    self._buckets.clear()  # a flood of keys must not grow memory forever
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
