"""Machine signals: counter wrap, timeouts, exception responses, wrong unit id, and the
bridge into the store — against a real pymodbus server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.machines import MachineStateRecorder
from app.store import Store
from drivers import Device, Fault, Link, LinkEvent, MachineState
from drivers.device import wait_for_link
from drivers.modbus import CounterUnwrapper, MachineMapping, MachineSignalDecoder, Signal
from drivers.sim.machine import MachineSimulator
from drivers.supervisor import Backoff
from drivers.url import parse_device_url


def test_counter_wraps_at_65535_counted_correctly() -> None:
    c = CounterUnwrapper(max_step=40_000)
    assert [c.feed(v) for v in (65533, 65535, 0, 1, 3)] == [65533, 65535, 65536, 65537, 65539]
    assert c.feed(3) == 65539  # no change is no cycle
    for _ in range(3):  # many wraps in a long shift
        for v in (30000, 60000, 10):
            c.feed(v)
    assert c.total == 65539 + 3 * 65536 + 7


def test_counter_reset_is_not_taken_for_a_wrap() -> None:
    c = CounterUnwrapper(max_step=1000)
    c.feed(40000)
    assert c.feed(2) == 40002  # operator reset the counter: 2 new cycles, not 25538


def test_signals_and_state_precedence() -> None:
    assert Signal.parse("ir:0>150").active(151) and not Signal.parse("ir:0>150").active(150)
    lamp = Signal.parse("hr:5:3")
    assert lamp.active(0b1000) and not lamp.active(0b0111)
    m = MachineMapping.from_url(
        parse_device_url(
            "modbus-tcp://h/1?machine=L1&run=coil:0&alarm=di:1&off=ir:11<5&counter=hr:10"
        )
    )
    d = MachineSignalDecoder(m)
    run, alarm, off, counter = m.run, m.alarm, m.off, m.counter
    assert alarm and off and counter

    def state(r: int, a: int, current: int, n: int) -> MachineState | None:
        return d.decode({run: r, alarm: a, off: current, counter: n}, 0.0)

    first = state(1, 0, 150, 7)
    assert first and (first.state, first.counter, first.changed) == ("run", 7, True)
    assert state(1, 0, 150, 7) is None  # nothing new, nothing emitted
    assert (s := state(1, 0, 150, 8)) and (s.state, s.changed) == ("run", False)
    assert (s := state(1, 1, 150, 8)) and s.state == "alarm"
    assert (s := state(1, 1, 0, 8)) and s.state == "off"
    assert (s := state(0, 0, 20, 8)) and s.state == "stop"


@pytest.fixture
def machine() -> Iterator[MachineSimulator]:
    sim = MachineSimulator(unit=1, counter=65534)
    sim.start()
    yield sim
    sim.stop()


def _device(sim: MachineSimulator, unit: int = 1, **opts: str) -> Device:
    query = "&".join(f"{k}={v}" for k, v in {"interval": "0.05", "timeout": "0.3", **opts}.items())
    url = (
        f"modbus-tcp://127.0.0.1:{sim.port}/{unit}?machine=LATHE1&run=coil:0&alarm=di:1"
        f"&counter=hr:10&off=ir:11<5&{query}"
    )
    return Device(url, backoff=Backoff(initial=0.05, maximum=0.2))


def _next(dev: Device, kind: type, timeout: float = 3.0):  # type: ignore[no-untyped-def]
    for ev in dev.iter_events(seconds=timeout):
        if isinstance(ev, kind):
            return ev
    return None


def test_counter_wrap_through_the_full_driver(machine: MachineSimulator) -> None:
    with _device(machine) as dev:
        first = _next(dev, MachineState)
        assert first and (first.state, first.counter) == ("run", 65534)
        machine.advance(3)  # 65534 → 1 across the wrap
        s = _next(dev, MachineState)
        assert s and s.counter == 65537 and s.raw["hr:10"] == 1
        machine.running = False
        s = _next(dev, MachineState)
        assert s and (s.state, s.changed) == ("stop", True)
        machine.powered = False
        s = _next(dev, MachineState)
        assert s and s.state == "off"


def test_exception_response_is_a_fault_and_the_link_stays_up(machine: MachineSimulator) -> None:
    with _device(machine) as dev:
        assert _next(dev, MachineState)
        machine.mode = "exception"
        fault = _next(dev, Fault)
        assert fault and fault.code == "modbus_device_failure"
        assert dev.link is Link.UP
        machine.mode = "normal"
        machine.advance()
        assert _next(dev, MachineState)


def test_timeout_is_a_lost_link_that_recovers(machine: MachineSimulator) -> None:
    with _device(machine) as dev:
        assert _next(dev, MachineState)
        machine.mode = "timeout"
        lost = wait_for_link(dev, Link.LOST, 3)
        assert lost and "No response" in lost.detail
        machine.mode = "normal"
        assert wait_for_link(dev, Link.UP, 5)
        machine.advance()
        assert _next(dev, MachineState, 3)


def test_wrong_unit_id_is_reported_not_read_as_data(machine: MachineSimulator) -> None:
    with _device(machine, unit=7) as dev:
        seen = [ev for ev in dev.iter_events(seconds=0.6)]
    assert not any(isinstance(ev, MachineState) for ev in seen)
    faults = [ev for ev in seen if isinstance(ev, Fault)]
    assert len(faults) == 1 and "unit 7" in faults[0].detail  # once, not every poll


def test_no_server_means_retrying_with_backoff() -> None:
    sim = MachineSimulator()  # never started: nothing listens on its port
    with _device(sim) as dev:
        delays = []
        for ev in dev.iter_events(seconds=1.5):
            if isinstance(ev, LinkEvent) and ev.state is Link.RETRYING:
                delays.append(ev.delay_s)
                if len(delays) == 3:
                    break
    assert len(delays) == 3 and delays[0] < delays[2]


def test_machine_states_become_store_events(tmp_path, machine: MachineSimulator) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "n.db", firm_id="F001")
    recorder = MachineStateRecorder(store)
    try:
        with _device(machine) as dev:
            for step in ("run", "advance", "stop", "alarm"):
                if step == "advance":
                    machine.advance(2)
                elif step == "stop":
                    machine.running = False
                elif step == "alarm":
                    machine.alarm = True
                ev = _next(dev, MachineState)
                assert ev is not None
                recorder.handle(ev)
        rows = store.rows(
            "SELECT type, payload, job_id FROM events"
            " WHERE type = 'MachineStateChanged' ORDER BY seq"
        )
    finally:
        store.close()
    import json

    payloads = [json.loads(r["payload"]) for r in rows]
    assert [p["state"] for p in payloads] == ["run", "stop", "alarm"]  # counts alone not recorded
    assert payloads[0] == {"machine": "LATHE1", "state": "run", "counter": 65534}
    assert payloads[1]["counter"] == 65536
    assert all(r["job_id"] is None for r in rows)


def test_sim_machine_url() -> None:
    with Device("sim://machine?cycle=0.05&counter_start=65535&interval=0.05") as dev:
        first = _next(dev, MachineState)
        second = _next(dev, MachineState)
    assert first and second and second.counter is not None and first.counter is not None
    assert second.counter > first.counter >= 65535
