"""Request hygiene: bounded bodies (also after gzip), JSON that every backend can store,
a token bucket per key (terminal, or client address), and the client address behind
trusted proxies."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import threading
import time
import zlib
from collections.abc import Iterable
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

    MAX_KEYS = 100_000

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
                if len(self._buckets) > self.MAX_KEYS:
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def wait(self, key: str) -> float:
        """What ``take`` would answer, without taking anything."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        # A flood of keys must not grow memory forever. Full buckets say nothing (a new
        # key starts full), so they go first; only if that is not enough, everything.
        rate, burst = self.rate, self.burst
        full = [k for k, (t, at) in self._buckets.items() if t + (now - at) * rate >= burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) > self.MAX_KEYS:
            self._buckets.clear()


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(items: Iterable[str]) -> tuple[Network, ...]:
    """Trusted proxy addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``), from
    ``--trusted-proxy`` or ``NAKAMA_HUB_TRUSTED_PROXIES`` (comma-separated). Raises
    ValueError on anything else."""
    out = []
    for item in items:
        for part in item.split(","):
            if part.strip():
                out.append(ipaddress.ip_network(part.strip(), strict=False))
    return tuple(out)


def _trusted(addr: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in proxies)


def client_address(scope: Any, proxies: tuple[Network, ...] = ()) -> str:
    """The address to rate-limit by: the direct peer, unless the peer is a trusted proxy;
    then the nearest address in ``X-Forwarded-For`` that is not itself a trusted proxy
    (each proxy appends the address it saw, so the right end is the one that can be
    believed). IPv6 addresses count by their /64: one host usually holds a whole one."""
    client = scope.get("client")
    addr = str(client[0]) if client else "?"
    if proxies and _trusted(addr, proxies):
        hops: list[str] = []
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                hops += [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
        for hop in reversed(hops):
            addr = hop
            if not _trusted(hop, proxies):
                break
    return _bucket(addr)


def _bucket(addr: str) -> str:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
