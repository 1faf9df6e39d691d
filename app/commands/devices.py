"""``nakama devices list`` and ``nakama devices read URL``: see what is plugged in and
what a device sends, as JSON lines, through the same driver code the app uses."""

from __future__ import annotations

import argparse
import sys
import time

from app.commands.common import print_json

DEVICE_URL_TEXT = {
    "bad_url": (
        "機器の設定 (URL) の形が正しくありません。",
        "The device setting is not a valid URL.",
    ),
    "unknown_scheme": ("この接続方式は使えません。", "This kind of connection is not supported."),
    "unknown_codec": (
        "この機器の種類 (codec) は使えません。",
        "This device type (codec) is unknown.",
    ),
    "unknown_device": ("このシミュレーターはありません。", "There is no such simulator."),
    "bad_option": ("機器の設定値が正しくありません。", "A device option has a wrong value."),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dev = sub.add_parser("devices", help="list serial ports, read a gauge, scale or machine")
    devsub = dev.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    ls = devsub.add_parser("list", help="serial ports with USB VID/PID/serial number (JSON lines)")
    ls.set_defaults(func=cmd_list)
    rd = devsub.add_parser("read", help="print a device's events as JSON lines")
    rd.add_argument("url", help="e.g. serial:///dev/ttyUSB0?codec=and or sim://mitutoyo")
    rd.add_argument("--count", type=int, help="stop after N readings, scans or machine states")
    rd.add_argument("--seconds", type=float, help="stop after S seconds")
    rd.add_argument("--every", type=float, help="request a reading every S seconds")
    rd.set_defaults(func=cmd_read)


def cmd_list(args: argparse.Namespace) -> int:
    from drivers.ports import list_ports

    for port in list_ports():
        print_json(port.as_json())
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    from drivers import DeviceUrlError, LinkEvent, event_json, open_device

    try:
        dev = open_device(args.url)
    except DeviceUrlError as exc:
        ja, en = DEVICE_URL_TEXT.get(exc.code, DEVICE_URL_TEXT["bad_url"])
        print(f"{ja}\n{en}\n  [{exc.code}] {exc.detail}", file=sys.stderr)
        return 2
    counted = 0
    next_request = time.monotonic()
    try:
        dev.open()
        for ev in dev.iter_events(seconds=args.seconds):
            print_json(event_json(ev))
            sys.stdout.flush()
            if not isinstance(ev, LinkEvent) and ev.kind != "ack":
                counted += 1
                if args.count is not None and counted >= args.count:
                    break
            if args.every and time.monotonic() >= next_request:
                dev.trigger()
                next_request = time.monotonic() + args.every
    except KeyboardInterrupt:
        pass
    finally:
        dev.close()
    return 0
