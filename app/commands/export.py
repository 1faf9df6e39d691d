"""``nakama export jobs|steps|defects|measurements [--from D --to D] --out F.csv``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import texts
from app.commands.common import open_store, print_json
from app.store.daily import SHOP_TZ
from app.store.export import KINDS, Period, write_csv


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export", help="CSV for Excel: jobs, steps, defects or measurements (UTF-8 BOM, CRLF)"
    )
    p.add_argument("kind", choices=KINDS, help="what to export")
    p.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (shop's time zone)")
    p.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (included)")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="column heads' language")
    p.add_argument("--tz", default=SHOP_TZ, help=f"the shop's time zone (default {SHOP_TZ})")
    p.add_argument("--firm", help="this terminal's firm code")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        tz = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(texts.explain("bad_field", f"--tz {args.tz}"), file=sys.stderr)
        return 2
    days: list[date | None] = []
    for flag, value in (("--from", args.start), ("--to", args.end)):
        try:
            days.append(date.fromisoformat(value) if value else None)
        except ValueError:
            print(texts.explain("bad_field", f"{flag} {value}"), file=sys.stderr)
            return 2
    out = Path(args.out)
    with open_store(args, firm_id=args.firm) as store:
        try:
            n = write_csv(
                store, args.kind, out, period=Period(days[0], days[1], tz), lang=args.lang
            )
        except OSError as exc:
            print(texts.explain("write_failed", str(exc)), file=sys.stderr)
            return 2
    print_json({"ok": True, "kind": args.kind, "out": str(out), "rows": n})
    return 0
