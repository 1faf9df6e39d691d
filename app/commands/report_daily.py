"""``nakama report daily [--date YYYY-MM-DD] --out FILE.pdf [--lang en]``: the 日報."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import texts
from app.commands.common import open_store, print_json
from app.commands.report import report_parser, write_beside
from app.store.daily import SHOP_TZ, daily_report


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = report_parser(sub).add_parser("daily", help="the shop's daily report (日報) as a PDF")
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: today in the shop's time zone)")
    p.add_argument("--out", required=True, help="PDF file to write")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="report language")
    p.add_argument("--tz", default=SHOP_TZ, help=f"the shop's time zone (default {SHOP_TZ})")
    p.add_argument("--firm", help="this terminal's firm code")
    p.set_defaults(func=cmd_daily)


def cmd_daily(args: argparse.Namespace) -> int:
    try:
        tz = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(texts.explain("bad_field", f"--tz {args.tz}"), file=sys.stderr)
        return 2
    try:
        day = date.fromisoformat(args.date) if args.date else datetime.now(tz).date()
    except ValueError:
        print(texts.explain("bad_field", f"--date {args.date}"), file=sys.stderr)
        return 2
    out = Path(args.out)
    with open_store(args, firm_id=args.firm) as store:
        if not store.firm_id:
            print(texts.explain("no_firm"), file=sys.stderr)
            return 2
        report = daily_report(store, day, store.firm_id, tz)
    from app.ui.daily_report_print import write_pdf  # Qt only when really printing

    pages = write_beside(out, lambda path: write_pdf(report, path, lang=args.lang))
    if pages is None:
        return 2
    print_json(
        {
            "ok": True,
            "out": str(out),
            "day": day.isoformat(),
            "firm": report.firm,
            "pages": pages,
            "steps": len(report.steps),
            "worked_min": round(report.worked_s / 60),
        }
    )
    return 0
