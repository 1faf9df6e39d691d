"""``python -m bench drivers``: codec throughput, CPU of a 10 Hz gauge through the full
driver, and time from unplug to readings flowing again.

Options: ``--cpu-seconds S`` (default 20), ``--reconnects N`` (default 10),
``--replug-after S`` (default 0.3: a cable pulled and pushed back in).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from drivers import Link, LinkEvent, Reading, open_device
from drivers.codecs import CODECS
from drivers.sim import frames
from drivers.url import parse_device_url

SAMPLES = {
    "mitutoyo": frames.mitutoyo(12.345) + frames.mitutoyo(-0.0485, 4) + b"91 1\r",
    "and": frames.and_balance(123.45, stable=True) + frames.and_balance(99.1, stable=False),
    "shimadzu": frames.shimadzu(-186.65, stable=True) + frames.shimadzu(21.6865, stable=None),
    "sylvac": frames.sylvac(25.4) + frames.sylvac(-1.2345, 4) + b"ERR3\r",
    "scanner": frames.scanner("JOB-2026-0001/OP20") + frames.scanner("LOT-7", "stx"),
    "line": b"G  +12.50 mm\rN  +12.7 mm\r",
}
LINE_URL = "sim://x?codec=line&pattern=(?P<flag>[NG])%5Cs%2B(?P<value>[%2B-]?[%5Cd.]%2B)%5Cs*(?P<unit>%5Cw%2B)&unstable=N"


def codec_rates(seconds: float = 0.3) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name, sample in SAMPLES.items():
        url = parse_device_url(LINE_URL if name == "line" else f"sim://{name}?codec={name}")
        codec = CODECS[name](url)
        per_chunk = len(codec.feed(sample * 50, 0.0))
        chunk = sample * 50
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            codec.feed(chunk, 0.0)
            n += per_chunk
        rates[name] = round(n / (time.perf_counter() - t0))
    return rates


def cpu_at_10hz(seconds: float) -> tuple[float, int]:
    dev = open_device("sim://mitutoyo?rate=10&noise=0.001")
    readings = 0
    with dev:
        for ev in dev.iter_events(seconds=5):
            if isinstance(ev, Reading):
                break
        c0, w0 = time.process_time(), time.perf_counter()
        for ev in dev.iter_events(seconds=seconds):
            readings += isinstance(ev, Reading)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return round(100 * cpu / wall, 2), readings


def reconnect_times(n: int, replug_after: float) -> list[float]:
    times: list[float] = []
    with open_device("sim://mitutoyo?rate=10") as dev:
        sim = dev.simulator
        for _ in range(n):
            for ev in dev.iter_events(seconds=5):
                if isinstance(ev, Reading):
                    break
            t0 = time.perf_counter()
            sim.unplug()
            time.sleep(replug_after)
            sim.replug()
            up = False
            for ev in dev.iter_events(seconds=15):
                if isinstance(ev, LinkEvent) and ev.state is Link.UP:
                    up = True
                elif up and isinstance(ev, Reading):
                    times.append(time.perf_counter() - t0)
                    break
    return times


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench drivers")
    p.add_argument("--cpu-seconds", type=float, default=20.0)
    p.add_argument("--reconnects", type=int, default=10)
    p.add_argument("--replug-after", type=float, default=0.3)
    args = p.parse_args(argv)
    rates = codec_rates()
    print(json.dumps({"frames_parsed_per_s": rates}))
    cpu, readings = cpu_at_10hz(args.cpu_seconds)
    print(json.dumps({"cpu_percent_10hz": cpu, "readings": readings}))
    times = reconnect_times(args.reconnects, args.replug_after)
    print(json.dumps({"reconnect_s_each": [round(t, 3) for t in times]}))
    result = {
        "frames_parsed_per_s": rates,
        "cpu_percent_10hz": cpu,
        "cpu_seconds": args.cpu_seconds,
        "readings_in_cpu_run": readings,
        "reconnect_s": round(statistics.median(times), 3) if times else None,
        "reconnect_max_s": round(max(times), 3) if times else None,
        "replug_after_s": args.replug_after,
        "targets": {"cpu_percent_10hz": 2, "reconnect_s": 2},
    }
    print(json.dumps(result))
    ok = cpu <= 2 and bool(times) and statistics.median(times) <= 2
    return 0 if ok else 1
