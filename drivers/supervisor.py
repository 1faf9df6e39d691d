"""The reconnect state machine that runs one device in its own thread.

A ``Session`` is a transport and a codec joined (serial) or a poller (Modbus); the
supervisor opens it, pumps its events to the sink, and on any link error reports
``lost``, closes, and retries with exponential backoff and jitter until it opens
again. Commands are written at once or refused: nothing is queued across a
reconnect, so a tare or zero is never replayed on a gauge that came back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from drivers.codecs import LineCodec
from drivers.readings import DeviceEvent, Link, LinkEvent
from drivers.transport import SerialTransport, TransportError

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    """Delay before retry ``attempt`` (1-based): initial × factor^(attempt-1), capped,
    ± jitter so a shop's devices do not all hammer a hub or a bus in step."""

    initial: float = 0.2
    factor: float = 1.5
    maximum: float = 5.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor ** max(0, attempt - 1))
        return max(0.0, base * (1 + self.rng.uniform(-self.jitter, self.jitter)))


class Session(Protocol):
    @property
    def port_name(self) -> str | None: ...

    def open(self) -> None: ...
    def close(self) -> None: ...
    def poll(self) -> list[DeviceEvent]: ...
    def send(self, command: str) -> str: ...
    def interrupt(self) -> None: ...


class SerialSession:
    """A serial transport feeding a codec."""

    def __init__(self, transport: SerialTransport, codec: LineCodec) -> None:
        self.transport = transport
        self.codec = codec

    @property
    def port_name(self) -> str | None:
        return self.transport.port_name

    def open(self) -> None:
        self.codec.reset()
        self.transport.open()

    def close(self) -> None:
        self.transport.close()
        self.codec.reset()

    def poll(self) -> list[DeviceEvent]:
        data = self.transport.read()
        return self.codec.feed(data, time.time()) if data else []

    def send(self, command: str) -> str:
        payload = self.codec.request(command)
        if payload is None:
            return "unsupported"
        self.transport.write(payload)
        return "sent"

    def interrupt(self) -> None:
        self.transport.interrupt()


class Supervisor:
    """Runs a session in a daemon thread; ``stop`` returns within ``timeout``."""

    def __init__(
        self,
        session: Session,
        sink: Callable[[DeviceEvent], None],
        *,
        backoff: Backoff | None = None,
        name: str = "device",
    ) -> None:
        self.session = session
        self.sink = sink
        self.backoff = backoff or Backoff()
        self.name = name
        self.state = Link.CLOSED
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"drv-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and close; idempotent. True if the thread ended in time."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        self.session.interrupt()
        thread.join(timeout)
        alive = thread.is_alive()
        if not alive:
            self._thread = None
        return not alive

    def send(self, command: str) -> str:
        """Write ``command`` now if the link is up: ``sent``, ``not_connected``,
        ``unsupported`` or ``write_failed``. Never queued for later."""
        with self._lock:
            if self.state is not Link.UP:
                return "not_connected"
            try:
                return self.session.send(command)
            except TransportError:
                return "write_failed"

    def _emit(self, ev: DeviceEvent) -> None:
        try:
            self.sink(ev)
        except Exception:  # the consumer's bug must not kill the device thread
            log.exception("device event sink failed")

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self.session.open()
            except TransportError as exc:
                attempt += 1
                delay = self.backoff.delay(attempt)
                self._emit(LinkEvent(Link.RETRYING, None, exc.code, attempt=attempt, delay_s=delay))
                if self._stop.wait(delay):
                    break
                continue
            with self._lock:
                self.state = Link.UP
            attempt = 0
            self._emit(LinkEvent(Link.UP, self.session.port_name))
            try:
                while not self._stop.is_set():
                    for ev in self.session.poll():
                        self._emit(ev)
                detail = ""
            except TransportError as exc:
                detail = exc.detail or exc.code
            except Exception as exc:  # a codec or library bug: report it as a lost link
                log.exception("device %s failed", self.name)
                detail = f"internal: {exc!r}"
            port = self.session.port_name
            with self._lock:
                self.state = Link.LOST
                self.session.close()
            if self._stop.is_set():
                break
            self._emit(LinkEvent(Link.LOST, port, detail))
        with self._lock:
            self.state = Link.CLOSED
            self.session.close()
        self._emit(LinkEvent(Link.CLOSED, None))
