"""A machine's signal box on loopback: a real pymodbus TCP server whose registers follow
a simulated lathe (run lamp, alarm lamp, cycle counter that wraps at 65535, spindle
current), with switches for timeouts and exception responses.

Register map (the default mapping of ``sim://machine``)::

    coil / discrete input 0   green lamp: cutting
    coil / discrete input 1   red lamp: alarm
    holding register 10       cycle counter, 0…65535 then 0 again
    input register 11         spindle current in 0.1 A (150 cutting, 20 idle, 0 off)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.url import DeviceUrl

DEFAULT_MAPPING = {"run": "coil:0", "alarm": "di:1", "counter": "hr:10", "off": "ir:11<5"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MachineSimulator:
    def __init__(
        self,
        *,
        unit: int = 1,
        port: int = 0,
        cycle_s: float = 0.0,
        counter: int = 0,
        running: bool = True,
    ) -> None:
        self.unit = unit
        self.port = port or free_port()
        self.cycle_s = cycle_s
        self.counter = counter % 65536
        self.running = running
        self.alarm = False
        self.powered = True
        self.mode = "normal"  # "normal" | "timeout" | "exception"
        self.requests = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: ModbusTcpServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._last_cycle = time.monotonic()

    @classmethod
    def from_url(cls, url: DeviceUrl) -> MachineSimulator:
        return cls(
            unit=url.integer("unit", 1),
            cycle_s=url.number("cycle", 1.0),
            counter=url.integer("counter_start", 0),
            running=url.flag("running", True),
        )

    def client_url(self, url: DeviceUrl) -> DeviceUrl:
        """The modbus-tcp URL that reaches this simulator, keeping the sim URL's options."""
        options = {**DEFAULT_MAPPING, **url.options}
        options.setdefault("machine", "SIM-LATHE")
        return DeviceUrl("modbus-tcp", f"127.0.0.1:{self.port}", f"/{self.unit}", options, url.text)

    # ---- the machine ----------------------------------------------------------------
    def advance(self, cycles: int = 1) -> None:
        self.counter = (self.counter + cycles) % 65536

    def _tick(self) -> None:
        if self.cycle_s > 0 and self.running and self.powered and not self.alarm:
            now = time.monotonic()
            n = int((now - self._last_cycle) / self.cycle_s)
            if n:
                self.advance(n)
                self._last_cycle += n * self.cycle_s
        else:
            self._last_cycle = time.monotonic()

    def registers(self) -> dict[int, int]:
        self._tick()
        on = self.powered
        lamps = (1 if on and self.running and not self.alarm else 0) | (
            2 if on and self.alarm else 0
        )
        current = 0 if not on else (150 if self.running and not self.alarm else 20)
        return {0: lamps, 10: self.counter, 11: current}

    async def _action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        current_registers: list[int],
        set_values: Any,
    ) -> ExcCodes | None:
        self.requests += 1
        if self.mode == "timeout":
            await asyncio.sleep(30)
        if self.mode == "exception":
            return ExcCodes.DEVICE_FAILURE
        for reg, value in self.registers().items():
            if 0 <= reg - start_address < len(current_registers):
                current_registers[reg - start_address] = value
        return None

    # ---- server ---------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="sim-modbus", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("modbus simulator did not start")

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        device = SimDevice(
            id=self.unit,
            simdata=[SimData(0, count=32, values=0, datatype=DataType.REGISTERS)],
            use_bit_addressing=True,
            action=self._action,
        )

        async def main() -> None:
            # pymodbus binds the server to the running loop, so it is made in here.
            self._server = ModbusTcpServer(
                device,
                address=("127.0.0.1", self.port),
            )
            await self._server.serve_forever(background=True)
            self._ready.set()
            await self._server.serving

        try:
            loop.run_until_complete(main())
        finally:
            loop.close()

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is not None and server is not None and loop.is_running():
            fut = asyncio.run_coroutine_threadsafe(server.shutdown(), loop)
            with contextlib.suppress(Exception):
                fut.result(3)
        if self._thread is not None:
            self._thread.join(3)
            self._thread = None
