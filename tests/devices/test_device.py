"""Devices end to end through real pseudo-terminals: unplug mid-read, re-find by
VID/PID/serial under a new name, no replayed writes, bounded close, hot-plug."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from drivers import Device, DeviceUrlError, Link, LinkEvent, Reading, Status, open_device
from drivers.device import wait_for_link
from drivers.ports import HotplugWatcher, PortInfo, list_ports
from drivers.sim.gauges import GaugeSimulator, SimSettings
from drivers.sim.pty import SimUsbPort
from drivers.supervisor import Backoff


def readings(dev: Device, n: int, timeout: float = 3.0) -> list[Reading]:
    out: list[Reading] = []
    for ev in dev.iter_events(seconds=timeout):
        if isinstance(ev, Reading):
            out.append(ev)
            if len(out) >= n:
                break
    return out


def test_unplug_mid_read_then_refound_under_a_new_name(
    fast_backoff: Backoff, thread_errors: list[BaseException]
) -> None:
    port = SimUsbPort(0x0FE7, 0x4001, "A1B2C3", register=False)
    decoy = PortInfo("/dev/does-not-exist", 0x0FE7, 0x4001, "OTHER")

    def enumerate_ports() -> list[PortInfo]:
        return [decoy] + ([port.info()] if port.plugged else [])

    first = port.plug()
    dev = Device(
        "serial-usb://0FE7:4001/a1b2c3?codec=mitutoyo",
        enumerate=enumerate_ports,
        backoff=fast_backoff,
        read_timeout=0.05,
    )
    try:
        dev.open()
        up = wait_for_link(dev, Link.UP, 3)
        assert up is not None and up.port == str(first)
        port.write(b"01A+0000.123\r01A+00")  # the second frame is cut by the unplug
        (r,) = readings(dev, 1)
        assert r.value == Decimal("0.123")
        port.unplug()
        lost = wait_for_link(dev, Link.LOST, 3)
        assert lost is not None and lost.port == str(first)
        retry = wait_for_link(dev, Link.RETRYING, 3)
        assert retry is not None and retry.detail == "not_found" and retry.delay_s > 0
        assert dev.trigger() == "not_connected"
        second = port.plug()
        assert second != first
        up = wait_for_link(dev, Link.UP, 3)
        assert up is not None and up.port == str(second)
        port.write(b"00.999\r01A+0000.456\r")  # the rest of the old frame must not glue on
        got = readings(dev, 2)
        assert [(g.status, g.value) for g in got] == [
            (Status.INVALID, None),
            (Status.OK, Decimal("0.456")),
        ]
    finally:
        assert dev.close()
        port.close()
    assert not thread_errors


def test_a_tare_is_sent_once_and_never_replayed_after_reconnect(fast_backoff: Backoff) -> None:
    dev = open_device("sim://and?rate=10", backoff=fast_backoff)
    with dev:
        assert wait_for_link(dev, Link.UP, 3)
        assert dev.command("tare") == "sent"
        sim = dev.simulator
        deadline = time.monotonic() + 2
        while sim.received != [b"T"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sim.received == [b"T"]
        sim.unplug()
        assert wait_for_link(dev, Link.LOST, 3)
        assert dev.command("zero") == "not_connected"
        assert dev.command("tare") == "not_connected"
        sim.replug()
        assert wait_for_link(dev, Link.UP, 3)
        assert len(readings(dev, 5)) == 5
        assert sim.received == [b"T"]  # neither the tare nor the refused commands came again
        assert dev.command("launch") == "unsupported"


def test_trigger_requests_a_reading(fast_backoff: Backoff) -> None:
    with open_device("sim://shimadzu?rate=0", backoff=fast_backoff) as dev:
        assert wait_for_link(dev, Link.UP, 3)
        assert readings(dev, 1, timeout=0.3) == []
        assert dev.trigger() == "sent"
        (r,) = readings(dev, 1)
        assert r.value == Decimal("186.65") and r.stable
        assert dev.simulator.received == [b"O8"]


def test_faulty_gauge_stream_never_crashes_and_values_survive(
    fast_backoff: Backoff, thread_errors: list[BaseException]
) -> None:
    url = "sim://and?rate=40&garbage=0.3&split=0.5&glue=0.3&overload=0.1&error=0.1&seed=7"
    with open_device(url, backoff=fast_backoff) as dev:
        got = readings(dev, 60, timeout=5)
    statuses = {r.status for r in got}
    assert Status.OK in statuses and Status.INVALID in statuses
    assert {Status.OVERLOAD, Status.ERROR} & statuses
    for r in got:
        if r.status is Status.OK:
            assert r.value == Decimal("123.45")
        else:
            assert r.value is None or r.status is Status.UNSTABLE
    assert not thread_errors


def test_sim_unplug_after_recovers_by_itself(fast_backoff: Backoff) -> None:
    with open_device(
        "sim://sylvac?rate=20&unplug_after=0.3&replug_after=0.2", backoff=fast_backoff
    ) as dev:
        states = []
        for ev in dev.iter_events(seconds=3):
            if isinstance(ev, LinkEvent):
                states.append(ev.state)
                if states.count(Link.UP) == 2:
                    break
        assert states[:2] == [Link.UP, Link.LOST] and states.count(Link.UP) == 2
        assert readings(dev, 1)[0].value == Decimal("25.400")


def test_close_is_idempotent_and_bounded_even_while_retrying() -> None:
    dev = open_device("serial:///dev/nakama-no-such-port?codec=and", backoff=Backoff(initial=5))
    dev.open()
    ev = wait_for_link(dev, Link.RETRYING, 2)
    assert ev is not None and ev.detail == "open_failed"
    t = time.monotonic()
    assert dev.close() and dev.close()
    assert time.monotonic() - t < 1.0
    with open_device("sim://mitutoyo?rate=10") as live:
        assert wait_for_link(live, Link.UP, 3)
    t = time.monotonic()
    assert live.close()  # already closed by the with block
    assert time.monotonic() - t < 0.5


def test_hotplug_is_noticed_within_two_seconds() -> None:
    seen: list[tuple[float, list[str], list[str]]] = []
    port = SimUsbPort(0x0403, 0x6001, "HOTPLUG1")
    watcher = HotplugWatcher(
        lambda a, r: seen.append((time.monotonic(), [p.device for p in a], [p.device for p in r])),
        enumerate=list_ports,
        interval=0.2,
    )
    watcher.start()
    try:
        t0 = time.monotonic()
        path = str(port.plug())
        while not seen and time.monotonic() - t0 < 2:
            time.sleep(0.02)
        assert seen and path in seen[0][1] and seen[0][0] - t0 < 2
        assert any(p.serial_number == "HOTPLUG1" for p in list_ports())
        t1 = time.monotonic()
        port.unplug()
        while len(seen) < 2 and time.monotonic() - t1 < 2:
            time.sleep(0.02)
        assert len(seen) == 2 and path in seen[1][2]
    finally:
        watcher.stop()
        port.close()


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/dev/ttyUSB0", "bad_url"),
        ("tcp://x", "unknown_scheme"),
        ("serial:///dev/ttyUSB0?codec=ohaus", "unknown_codec"),
        ("serial:///dev/ttyUSB0?codec=and&baud=fast", "bad_option"),
        ("serial:///dev/ttyUSB0?codec=and&parity=X", "bad_option"),
        ("serial:///dev/ttyUSB0?codec=line", "bad_option"),
        ("serial:///dev/ttyUSB0?codec=line&pattern=(", "bad_option"),
        ("serial-usb://zz:4001?codec=and", "bad_url"),
        ("sim://lathe", "unknown_device"),
        ("sim://and?noise=nan", "bad_option"),
        ("modbus-tcp://127.0.0.1:502/1?machine=M", "bad_option"),
        ("modbus-tcp://127.0.0.1:502/1?run=coil", "bad_option"),
    ],
)
def test_bad_settings_are_refused_with_a_code(url: str, code: str) -> None:
    with pytest.raises(DeviceUrlError) as info:
        open_device(url)
    assert info.value.code == code


def test_simulator_frames_match_their_codec() -> None:
    for kind in ("mitutoyo", "and", "shimadzu", "sylvac"):
        sim = GaugeSimulator(
            SimSettings(kind=kind, value=1.5, unit="g" if kind in ("and", "shimadzu") else "mm")
        )
        from drivers.codecs import CODECS
        from drivers.url import parse_device_url

        codec = CODECS[kind](parse_device_url(f"sim://{kind}"))
        (r,) = codec.feed(sim.frame(), 0)
        assert isinstance(r, Reading) and r.value == Decimal("1.5"), kind
