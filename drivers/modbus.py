"""Machine signals over Modbus RTU/TCP (pymodbus): run/stop/alarm/off and a cycle counter.

Per-machine mapping lives in the device URL, e.g.
``modbus-tcp://10.0.0.7:502/1?machine=LATHE1&run=coil:0&alarm=di:1&counter=hr:10``.
A signal is ``TABLE:ADDRESS`` (coil, di, hr, ir), optionally ``:BIT`` for one bit of
a register (stack-light monitors pack lamps that way) or a comparison for current
transducers (``ir:0>150`` = cutting while the spindle draws more than 15.0 A).
State precedence: off > alarm > run > stop. The 16-bit counter is unwrapped, so
65535 → 0 counts one cycle, not minus 65535.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException

from drivers.readings import DeviceEvent, Fault, MachineState
from drivers.transport import TransportError
from drivers.url import DeviceUrl, DeviceUrlError

# pymodbus logs every failed request with a packet dump; the session reports failures
# itself as link events and faults, so only pymodbus's own errors are let through.
logging.getLogger("pymodbus").setLevel(logging.ERROR)

_SIGNAL = re.compile(r"(coil|di|hr|ir):(\d+)(?::(\d{1,2}))?(?:(>=|<=|>|<|==|!=)(-?\d+))?")
_EXCEPTIONS = {
    1: "illegal_function",
    2: "illegal_address",
    3: "illegal_value",
    4: "device_failure",
    6: "device_busy",
    10: "gateway_path_unavailable",
    11: "gateway_no_response",
}


@dataclass(frozen=True)
class Signal:
    table: str
    address: int
    bit: int | None = None
    op: str | None = None
    threshold: int = 0

    @classmethod
    def parse(cls, text: str) -> Signal:
        m = _SIGNAL.fullmatch(text.strip().lower())
        if not m:
            raise DeviceUrlError(
                "bad_option", f"{text!r}: use coil:N, di:N, hr:N, ir:N, hr:N:BIT or ir:N>VALUE"
            )
        table, address, bit, op, threshold = m.groups()
        return cls(table, int(address), int(bit) if bit else None, op, int(threshold or 0))

    def active(self, raw: int) -> bool:
        """Whether the raw coil/register value means "on" for this signal."""
        if self.bit is not None:
            raw = (raw >> self.bit) & 1
        if self.op is None:
            return bool(raw)
        t = self.threshold
        return {
            ">": raw > t,
            "<": raw < t,
            ">=": raw >= t,
            "<=": raw <= t,
            "==": raw == t,
            "!=": raw != t,
        }[self.op]


@dataclass(frozen=True)
class MachineMapping:
    machine: str
    run: Signal
    alarm: Signal | None = None
    off: Signal | None = None
    counter: Signal | None = None

    @classmethod
    def from_url(cls, url: DeviceUrl) -> MachineMapping:
        def sig(name: str) -> Signal | None:
            raw = url.get(name)
            return Signal.parse(raw) if raw else None

        run = sig("run")
        if run is None:
            raise DeviceUrlError("bad_option", "a machine needs run=… (e.g. run=coil:0)")
        counter = sig("counter")
        if counter is not None and counter.table not in ("hr", "ir"):
            raise DeviceUrlError("bad_option", "counter= must be a register (hr:N or ir:N)")
        return cls(url.get("machine") or "machine", run, sig("alarm"), sig("off"), counter)

    def signals(self) -> list[Signal]:
        return [s for s in (self.run, self.alarm, self.off, self.counter) if s is not None]


class CounterUnwrapper:
    """Turns a 16-bit counter that wraps at 65535 into a running total.

    A backwards step larger than ``max_step`` (default 10,000 cycles between two polls,
    far above any machine's rate) is taken as a counter reset, not a wrap.
    """

    def __init__(self, max_step: int = 10_000) -> None:
        self.max_step = max_step
        self.total: int | None = None
        self.last: int | None = None

    def feed(self, raw: int) -> int:
        raw &= 0xFFFF
        if self.last is None or self.total is None:
            self.total = raw
        else:
            step = (raw - self.last) % 65536
            self.total += raw if step > self.max_step else step
        self.last = raw
        return self.total


class MachineSignalDecoder:
    """Pure: raw values of the mapped signals → ``MachineState`` (None if unchanged)."""

    def __init__(self, mapping: MachineMapping, max_step: int = 10_000) -> None:
        self.mapping = mapping
        self.counter = CounterUnwrapper(max_step)
        self.state: str | None = None
        self.count: int | None = None

    def decode(self, values: dict[Signal, int], at: float) -> MachineState | None:
        m = self.mapping
        if m.off is not None and m.off.active(values[m.off]):
            state = "off"
        elif m.alarm is not None and m.alarm.active(values[m.alarm]):
            state = "alarm"
        elif m.run.active(values[m.run]):
            state = "run"
        else:
            state = "stop"
        count = self.counter.feed(values[m.counter]) if m.counter is not None else None
        changed = state != self.state
        if not changed and count == self.count:
            return None
        self.state, self.count = state, count
        raw = {f"{s.table}:{s.address}": v for s, v in values.items()}
        return MachineState(m.machine, state, count, changed, raw, at=at)


def _make_client(url: DeviceUrl, timeout: float) -> Any:
    if url.scheme == "modbus-tcp":
        host, _, port = url.netloc.partition(":")
        if not host:
            raise DeviceUrlError("bad_url", "modbus-tcp://HOST:PORT/UNIT")
        return ModbusTcpClient(host, port=int(port or 502), timeout=timeout, retries=0)
    if not url.path:
        raise DeviceUrlError("bad_url", "modbus-rtu:///dev/ttyUSB0?unit=1")
    return ModbusSerialClient(
        url.path,
        baudrate=url.integer("baud", 19200),
        bytesize=url.integer("bytesize", 8),
        parity=(url.get("parity") or "N").upper(),
        stopbits=url.integer("stopbits", 1),
        timeout=timeout,
        retries=0,
    )


class ModbusSession:
    """Polls one machine every ``interval`` seconds; a timeout or a dropped connection
    is a lost link (the supervisor reconnects), an exception response is a ``Fault``
    (reported once per new code: the link itself is fine)."""

    def __init__(
        self,
        client_factory: Any,
        mapping: MachineMapping,
        *,
        unit: int = 1,
        interval: float = 0.5,
        max_step: int = 10_000,
        describe: str = "",
    ) -> None:
        self.client_factory = client_factory
        self.mapping = mapping
        self.unit = unit
        self.interval = interval
        self.decoder = MachineSignalDecoder(mapping, max_step)
        self.port_name: str | None = None
        self.describe = describe
        self._client: Any = None
        self._wake = threading.Event()
        self._next = 0.0
        self._fault: str | None = None

    @classmethod
    def from_url(cls, url: DeviceUrl) -> ModbusSession:
        mapping = MachineMapping.from_url(url)
        timeout = url.number("timeout", 1.0)
        unit = url.integer(
            "unit", int(url.path.strip("/") or 1) if url.scheme == "modbus-tcp" else 1
        )
        _make_client(url, timeout)  # checks the URL now, not in the device thread
        return cls(
            lambda: _make_client(url, timeout),
            mapping,
            unit=unit,
            interval=url.number("interval", 0.5),
            max_step=url.integer("max_step", 10_000),
            describe=f"{url.scheme}://{url.netloc}{url.path}",
        )

    def open(self) -> None:
        client = self.client_factory()
        try:
            ok = client.connect()
        except (ModbusException, OSError) as exc:
            ok, detail = False, str(exc)
        else:
            detail = "connect failed"
        if not ok:
            client.close()
            raise TransportError("open_failed", detail)
        self._client = client
        self.port_name = self.describe
        self._next = 0.0
        self._fault = None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(ModbusException, OSError):
                client.close()

    def interrupt(self) -> None:
        self._wake.set()

    def _read(self, sig: Signal) -> int | Fault:
        client = self._client
        if client is None:
            raise TransportError("lost", "not connected")
        read = {
            "coil": client.read_coils,
            "di": client.read_discrete_inputs,
            "hr": client.read_holding_registers,
            "ir": client.read_input_registers,
        }[sig.table]
        try:
            rr = read(sig.address, count=1, device_id=self.unit)
        except ModbusIOException as exc:
            raise TransportError("timeout", str(exc)) from None
        except (ConnectionException, ModbusException, OSError) as exc:
            raise TransportError("lost", str(exc)) from None
        if rr.isError():
            code = int(getattr(rr, "exception_code", 0) or 0)
            name = _EXCEPTIONS.get(code, f"exception_{code}")
            return Fault(f"modbus_{name}", f"{sig.table}:{sig.address} unit {self.unit}")
        return int(rr.bits[0]) if sig.table in ("coil", "di") else int(rr.registers[0])

    def poll(self) -> list[DeviceEvent]:
        wait = self._next - time.monotonic()
        if wait > 0:
            self._wake.wait(wait)
            self._wake.clear()
            return []
        self._next = time.monotonic() + self.interval
        values: dict[Signal, int] = {}
        for sig in self.mapping.signals():
            got = self._read(sig)
            if isinstance(got, Fault):
                if got.code == self._fault:
                    return []
                self._fault = got.code
                return [got]
            values[sig] = got
        self._fault = None
        state = self.decoder.decode(values, time.time())
        return [state] if state is not None else []

    def send(self, command: str) -> str:
        return "unsupported"  # machine signals are read-only: Nakama never drives a machine
