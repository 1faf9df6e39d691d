"""The devices commands print JSON lines; every sim:// and URL option is in the README."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from app.cli import main
from drivers.sim.gauges import SimSettings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
URL_OPTIONS = [
    "baud", "bytesize", "parity", "stopbits", "rtscts", "xonxoff", "dtr", "rts", "codec",
    "unit", "stability", "framing", "request", "pattern", "stable", "unstable", "overload",
    "error", "machine", "run", "alarm", "off", "counter", "interval", "timeout", "max_step",
    "vid", "pid",
]  # fmt: skip
SIM_OPTIONS = {"kind": None, "unit": "sim_unit", "codes": "codes"}


def test_every_option_is_documented() -> None:
    section = README[README.index("## Devices") :]
    words = set(re.findall(r"`([a-z_]+)", section))
    sim = [SIM_OPTIONS.get(f.name, f.name) for f in dataclasses.fields(SimSettings)]
    names = [n for n in sim if n] + [o for o in URL_OPTIONS if o not in ("vid", "pid")]
    words |= {w for w in re.findall(r"`([a-z_]+)[=`]", section)}
    missing = [n for n in names if n not in words and f"{n}=" not in section]
    assert not missing, missing


def test_devices_read_prints_json_lines(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["devices", "read", "sim://sylvac?rate=20", "--count", "3", "--seconds", "5"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["kind"] == "link" and lines[0]["state"] == "up"
    values = [x for x in lines if x["kind"] == "reading"]
    assert len(values) == 3 and values[0]["value"] == "25.400" and values[0]["unit"] == "mm"


def test_devices_read_refuses_a_bad_url_politely(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["devices", "read", "serial:///dev/ttyUSB0?codec=ohaus"]) == 2
    err = capsys.readouterr().err
    assert "unknown_codec" in err and "機器" in err and "Traceback" not in err


def test_devices_list_prints_ports(capsys) -> None:  # type: ignore[no-untyped-def]
    from drivers.sim.pty import SimUsbPort

    port = SimUsbPort(0x0FE7, 0x4001, "LISTME")
    port.plug()
    try:
        assert main(["devices", "list"]) == 0
    finally:
        port.close()
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    mine = [r for r in rows if r["serial_number"] == "LISTME"]
    assert mine and mine[0]["url"] == "serial-usb://0FE7:4001/LISTME" and mine[0]["vid"] == "0FE7"


def test_bench_runs_and_ends_with_the_result_object(capsys) -> None:  # type: ignore[no-untyped-def]
    from bench.drivers import main as bench_main

    bench_main(["--cpu-seconds", "0.5", "--reconnects", "1"])
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last["frames_parsed_per_s"]) == {
        "mitutoyo",
        "and",
        "shimadzu",
        "sylvac",
        "scanner",
        "line",
    }
    assert all(v > 1000 for v in last["frames_parsed_per_s"].values())
    assert last["reconnect_s"] is not None and last["reconnect_s"] < 5
