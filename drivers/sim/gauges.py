"""Simulated gauges, balances and scanners on a pseudo-terminal.

One thread per device: it plugs a ``SimUsbPort``, streams frames at ``rate`` per
second and answers the device's request commands, with the faults second-hand
devices show: noise, drift, unstable periods, overload, error codes, garbage bytes,
frames split across writes or glued together, and unplug/replug after N seconds.
Every command received is kept in ``received`` so tests can prove nothing was
replayed.
"""

from __future__ import annotations

import itertools
import random
import select
import threading
import time
from dataclasses import dataclass

from drivers.sim import frames
from drivers.sim.pty import SimUsbPort
from drivers.url import DeviceUrl, DeviceUrlError

# Identities the simulators plug in with (VID, PID), like the adapters sold with the
# real devices; override with vid=/pid=/serial= in the sim:// URL.
IDENTITIES: dict[str, tuple[int, int]] = {
    "mitutoyo": (0x0FE7, 0x4001),  # Mitutoyo USB-ITN
    "and": (0x0403, 0x6001),  # FTDI RS-232 adapter
    "shimadzu": (0x0403, 0x6015),
    "sylvac": (0x067B, 0x2303),  # Prolific adapter
    "scanner": (0x05E0, 0x1200),  # scanner in USB-COM mode
}
DEFAULT_VALUE = {"mitutoyo": 12.345, "and": 123.45, "shimadzu": 186.65, "sylvac": 25.4}
_serials = itertools.count(1)


@dataclass
class SimSettings:
    kind: str
    rate: float = 2.0  # frames per second streamed; 0 = only on request
    value: float = 0.0
    noise: float = 0.0  # standard deviation added to each value
    drift: float = 0.0  # change per second
    period: float = 0.0  # a new load every `period` s (balances) …
    unstable: float = 0.0  # … unstable for the first `unstable` s of it
    overload: float = 0.0  # probability per frame
    error: float = 0.0
    garbage: float = 0.0
    split: float = 0.0
    glue: float = 0.0
    unplug_after: float = 0.0  # s after each plug-in; 0 = never
    replug_after: float = 1.0  # s unplugged; negative = stays out
    decimals: int = 3
    unit: str = ""
    eol: str = "cr"
    seed: int | None = None
    codes: tuple[str, ...] = ("JOB-0001",)

    @classmethod
    def from_url(cls, url: DeviceUrl) -> SimSettings:
        kind = url.netloc.lower()
        if kind not in IDENTITIES:
            raise DeviceUrlError("unknown_device", f"sim://{kind}: one of {', '.join(IDENTITIES)}")
        n = url.number
        d = 2 if kind in ("and", "shimadzu") else 3
        return cls(
            kind=kind,
            rate=n("rate", 2.0),
            value=n("value", DEFAULT_VALUE.get(kind, 0.0)),
            noise=n("noise", 0.0),
            drift=n("drift", 0.0),
            period=n("period", 0.0),
            unstable=n("unstable", 0.0),
            overload=n("overload", 0.0),
            error=n("error", 0.0),
            garbage=n("garbage", 0.0),
            split=n("split", 0.0),
            glue=n("glue", 0.0),
            unplug_after=n("unplug_after", 0.0),
            replug_after=n("replug_after", 1.0),
            decimals=url.integer("decimals", d),
            unit=url.get("sim_unit") or ("g" if kind in ("and", "shimadzu") else "mm"),
            eol=url.get("eol") or "cr",
            seed=url.integer("seed", 0) if url.get("seed") else None,
            codes=tuple((url.get("codes") or "JOB-0001").split(",")),
        )


class GaugeSimulator:
    def __init__(self, settings: SimSettings, port: SimUsbPort | None = None) -> None:
        self.s = settings
        vid, pid = IDENTITIES[settings.kind]
        self.port = port or SimUsbPort(vid, pid, f"SIM{next(_serials):04d}")
        self.rng = random.Random(settings.seed)
        self.received: list[bytes] = []
        self.sent_frames = 0
        self.zero_offset = 0.0
        self.unit = settings.unit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = time.monotonic()
        self._glued = b""
        self._inbuf = b""
        self._codes = itertools.cycle(settings.codes)
        self.silent = False  # asleep or battery flat, cable still in: sends and answers nothing

    # ---- control -------------------------------------------------------------------
    def start(self) -> None:
        self.port.plug()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"sim-{self.s.kind}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.port.close()

    def unplug(self) -> None:
        self.port.unplug()

    def replug(self) -> None:
        self.port.plug()

    def fall_silent(self, silent: bool = True) -> None:
        """The device stops talking (or starts again) while its port stays plugged."""
        self.silent = silent

    def press_data(self) -> None:
        """The gauge's DATA button (or a foot switch): one frame of the display, now."""
        self._send(self.frame())

    # ---- the device ----------------------------------------------------------------
    def _value(self) -> tuple[float, bool]:
        t = time.monotonic() - self._t0
        v = self.s.value + self.s.drift * t - self.zero_offset
        stable = True
        if self.s.period > 0 and (t % self.s.period) < self.s.unstable:
            stable = False
            v += self.rng.uniform(-1, 1) * max(abs(self.s.value) * 0.05, 0.01)
        if self.s.noise:
            v += self.rng.gauss(0, self.s.noise)
        if self.unit == "in" and self.s.kind in ("mitutoyo", "sylvac"):
            v /= 25.4
        return v, stable

    def frame(self) -> bytes:
        """The next frame this device would send."""
        k, s, r = self.s.kind, self.s, self.rng
        if k == "scanner":
            return frames.scanner(next(self._codes), s.eol)
        value, stable = self._value()
        decimals = s.decimals + (2 if self.unit == "in" else 0)
        if s.overload and r.random() < s.overload:
            return {
                "mitutoyo": frames.mitutoyo_error(1, "1"),
                "and": frames.and_overload(),
                "shimadzu": frames.shimadzu_overload(self.unit),
                "sylvac": frames.sylvac_error(3),
            }[k]
        if s.error and r.random() < s.error:
            return {
                "mitutoyo": frames.mitutoyo_error(1, "2"),
                "and": frames.and_error("E11"),
                "shimadzu": b"E01\r",
                "sylvac": frames.sylvac_error(0),
            }[k]
        if k == "mitutoyo":
            return frames.mitutoyo(value, decimals)
        if k == "and":
            return frames.and_balance(value, stable=stable, unit=self.unit, decimals=decimals)
        if k == "shimadzu":
            return frames.shimadzu(value, stable=stable, unit=self.unit, decimals=decimals)
        return frames.sylvac(value, decimals)

    def _answer(self, command: bytes) -> bytes | None:
        c = command.strip().upper()
        k = self.s.kind
        value, _ = self._value()
        if k == "and":
            if c in (b"Q", b"S", b"SI"):
                return self.frame()
            if c in (b"R", b"T", b"Z"):
                self.zero_offset += value
                return b"\x06\r\n"
            return frames.and_error("E01")
        if k == "shimadzu":
            if c in (b"O8", b"O9"):
                return self.frame()
            if c == b"T":
                self.zero_offset += value
                return b"A00\r\n"
            return b"E01\r\n"
        if k == "sylvac":
            if c == b"?":
                return self.frame()
            if c == b"SET":
                self.zero_offset += value
                return None
            if c in (b"MM", b"IN"):
                self.unit = "mm" if c == b"MM" else "in"
                return None
            return frames.sylvac_error(1)
        if k == "mitutoyo" and c == b"1":
            return self.frame()
        return None

    def _send(self, data: bytes) -> None:
        r, s = self.rng, self.s
        if s.garbage and r.random() < s.garbage:
            data = bytes(r.choice((0x00, 0x7F, 0x80, 0xFE, 0xFF, 0x3F)) for _ in range(5)) + data
        if s.glue and r.random() < s.glue and not self._glued:
            self._glued = data  # held back, goes out glued to the next frame
            return
        data, self._glued = self._glued + data, b""
        if s.split and r.random() < s.split and len(data) > 2:
            cut = r.randrange(1, len(data) - 1)
            self.port.write(data[:cut])
            time.sleep(0.01)
            data = data[cut:]
        if self.port.write(data):
            self.sent_frames += 1

    def _handle_input(self) -> None:
        self._inbuf += self.port.read()
        while True:
            idx = min(
                (i for i in (self._inbuf.find(b"\r"), self._inbuf.find(b"\n")) if i >= 0),
                default=-1,
            )
            if idx < 0:
                self._inbuf = self._inbuf[-64:]
                return
            line, self._inbuf = self._inbuf[:idx], self._inbuf[idx + 1 :]
            if not line.strip():
                continue
            self.received.append(line)
            answer = None if self.silent else self._answer(line)
            if answer:
                self._send(answer)

    def _run(self) -> None:
        interval = 1.0 / self.s.rate if self.s.rate > 0 else None
        next_frame = time.monotonic() + (interval or 0)
        plugged_at = time.monotonic()
        unplugged_at: float | None = None
        while not self._stop.is_set():
            now = time.monotonic()
            if unplugged_at is None and self.s.unplug_after > 0:
                if now - plugged_at >= self.s.unplug_after:
                    self.port.unplug()
                    unplugged_at, self._inbuf = now, b""
            elif (
                unplugged_at is not None
                and self.s.replug_after >= 0
                and now - unplugged_at >= self.s.replug_after
            ):
                self.port.plug()
                unplugged_at, plugged_at = None, now
            wait = 0.05 if interval is None else max(0.0, min(0.05, next_frame - now))
            master = self.port.master
            if master is None:
                self._stop.wait(wait)
                continue
            try:
                ready, _, _ = select.select([master], [], [], wait)
            except (OSError, ValueError):
                ready = []
            if ready:
                self._handle_input()
            if interval is not None and time.monotonic() >= next_frame and not self.silent:
                next_frame += interval
                if next_frame < time.monotonic():
                    next_frame = time.monotonic() + interval
                self._send(self.frame())
