"""Helpers for the hub and sync tests: a throwaway PostgreSQL, hubs on loopback,
enrolled terminals, and a TCP proxy that breaks connections on purpose."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.store import Store
from app.sync import HubClient, Syncer, enroll
from hub import registry, throwaway_pg
from hub.db import HubDB
from hub.embedded import start
from tests.factories import raw

# -- PostgreSQL -------------------------------------------------------------------------


def fresh_db_url(kind: str, tmp_path: Path) -> str:
    """A new empty hub database: a SQLite file, or a database in a throwaway PostgreSQL
    cluster (skipped only when PostgreSQL is not installed at all)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    try:
        return throwaway_pg.fresh_database()
    except throwaway_pg.PostgresUnavailable as exc:
        if not exc.installed:
            pytest.skip(str(exc))
        pytest.fail(str(exc))


# -- hubs and terminals -----------------------------------------------------------------


@dataclass
class Hub:
    url: str
    db_url: str
    admin: HubDB
    stop: Callable[[], None]

    def add_firm(self, code: str, region: str = "ota") -> None:
        registry.add_firm(self.admin, code, f"{code} 製作所", region)

    def code(self, firm: str) -> str:
        return registry.make_enroll_code(self.admin, firm)

    def count(self, table: str) -> int:
        with self.admin.read() as c:
            return int(c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


@contextlib.contextmanager
def running_hub(db_url: str, **kw: Any) -> Iterator[Hub]:
    url, stop = start(db_url, **kw)
    admin = HubDB(db_url)
    try:
        yield Hub(url, db_url, admin, stop)
    finally:
        admin.close()
        stop()


@dataclass
class Terminal:
    store: Store
    syncer: Syncer
    firm: str
    token: str = ""
    closers: list[Callable[[], None]] = field(default_factory=list)

    def record(self, type_: str, payload: dict[str, object], **kw: object):  # type: ignore[no-untyped-def]
        r = self.store.record(raw(type_, payload, **kw))  # type: ignore[arg-type]
        assert r.ok, (type_, r.reason, r.detail)
        return r.event

    def close(self) -> None:
        self.syncer.close()
        for c in self.closers:
            c()
        self.store.close()


def make_terminal(
    hub: Hub,
    tmp_path: Path,
    firm: str,
    *,
    via: str | None = None,
    timeout: float = 10.0,
    keepalive: bool = True,
) -> Terminal:
    """A terminal store of ``firm`` enrolled at ``hub`` (talking through ``via`` if set)."""
    path = tmp_path / f"{firm}-{secrets.token_hex(3)}.db"
    store = Store.open(path)
    enroll(store, hub.url, hub.code(firm))
    limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
    http = httpx.Client(timeout=httpx.Timeout(timeout, connect=2.0), limits=limits)
    token = store.meta("hub_token") or ""
    client = HubClient(via or hub.url, token, client=http)
    return Terminal(store, Syncer(store, client), firm, token, [http.close])


# -- a faulty network -------------------------------------------------------------------


class FaultProxy:
    """A loopback TCP proxy in front of the hub. Each new connection takes the next
    mode from ``plan`` (then ``mode``):

    - ``pass``; ``drop`` (close at once); ``reset`` (RST);
    - ``delay`` (wait ``delay_s``, then pass);
    - ``slow`` (every piece of the hub's answers waits ``delay_s``);
    - ``cut`` (forward the request, let the hub answer — it has committed — then reset
      the client's connection without the answer);
    - ``http500`` / ``http429`` (answer that status without asking the hub)."""

    def __init__(self, upstream_url: str) -> None:
        host, port = upstream_url.split("://", 1)[1].split(":")
        self.upstream = (host, int(port))
        self.mode = "pass"
        self.delay_s = 0.5
        self.plan: list[str] = []
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(256)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._closed = False
        self._live: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        with self._lock:
            live = list(self._live)
        for s in live:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        for t in self._threads:
            t.join(5)

    def _next_mode(self) -> str:
        with self._lock:
            mode = self.plan.pop(0) if self.plan else self.mode
            self.seen.append(mode)
            return mode

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._live.add(conn)
            t = threading.Thread(target=self._handle, args=(conn, self._next_mode()), daemon=True)
            self._threads.append(t)
            t.start()

    @staticmethod
    def _rst(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        conn.settimeout(5)
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        # The whole request: a body that came in a later packet than the head was once
        # left out, and the hub waited for it while the client timed out.
        return head + b"\r\n\r\n" + body

    def _handle(self, conn: socket.socket, mode: str) -> None:
        up: socket.socket | None = None
        try:
            if mode == "drop":
                return
            if mode == "reset":
                self._rst(conn)
                return
            if mode in ("http500", "http429"):
                self._read_request(conn)
                status = b"500 Internal Server Error" if mode == "http500" else b"429 Too Many"
                body = b'{"error":"injected"}'
                conn.sendall(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                    b"Retry-After: 0\r\nConnection: close\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                return
            if mode == "delay":
                time.sleep(self.delay_s)
            up = socket.create_connection(self.upstream)
            with self._lock:
                self._live.add(up)
            if mode == "cut":
                up.sendall(self._read_request(conn))
                up.settimeout(30)
                up.recv(1)  # the hub answered: its transaction is committed
                self._rst(conn)
                return
            self._pipe(conn, up, self.delay_s if mode == "slow" else 0.0)
        except OSError:
            pass
        finally:
            for s in (conn, up):
                if s is not None:
                    with contextlib.suppress(OSError):
                        s.close()
                    with self._lock:
                        self._live.discard(s)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket, answer_delay: float = 0.0) -> None:
        def pump(src: socket.socket, dst: socket.socket, delay: float = 0.0) -> None:
            try:
                while True:
                    chunk = src.recv(65536)
                    if not chunk:
                        break
                    time.sleep(delay)
                    dst.sendall(chunk)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        t = threading.Thread(target=pump, args=(b, a, answer_delay), daemon=True)
        t.start()
        pump(a, b)
        t.join(30)
        a.close()
        b.close()


def route_job(t: Terminal, route: str, *, qty: int = 10, customer: str = "トヨタ紡織") -> str:
    """The lead terminal creates a job on ``route`` (``"10:LATHE:A,…"``); returns its id."""
    from datetime import date, timedelta

    from app.core.clock import new_event_id

    job_id = f"{t.firm}-J" + new_event_id().replace("-", "")[-12:].upper()
    steps = [
        {"seq": int(s), "process": p, "firm": f}
        for s, p, f in (part.split(":") for part in route.split(","))
    ]
    t.record(
        "JobCreated",
        {
            "part_no": "SHAFT-2041",
            "drawing_no": "D-2041-C",
            "qty": qty,
            "due": (date.today() + timedelta(days=9)).isoformat(),
            "lead_firm": t.firm,
            "route": steps,
            "customer": customer,
            "unit_price_yen": 1800,
            "note": "",
        },
        job_id=job_id,
    )
    return job_id


def do_op(t: Terminal, job_id: str, lot: str, op: int, count: int, to: str | None) -> None:
    """Receive, start, finish and (unless last) hand off one op of a lot."""
    t.record("LotReceived", {"lot_id": lot, "count": count}, job_id=job_id, op=op)
    t.record("OpStarted", {"lot_id": lot}, job_id=job_id, op=op)
    t.record(
        "OpFinished", {"lot_id": lot, "good": count, "defect": 0, "scrap": 0}, job_id=job_id, op=op
    )
    if to is not None:
        t.record(
            "LotHandedOff", {"lot_id": lot, "to_firm": to, "count": count}, job_id=job_id, op=op
        )
