"""``nakama report inspection JOB --lot LOT --out FILE.pdf [--lang en]``: the 検査成績書.

Prints the inspection record of one lot from the measurements this terminal has synced
(every firm, every step). The customer is printed only on the lead firm's terminal.
Nothing is recorded: printing a record is not an event.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import texts
from app.commands.common import open_store, print_json
from app.commands.report import report_parser, write_beside


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = report_parser(sub).add_parser(
        "inspection", help="the inspection record (検査成績書) of a lot, as an A4 PDF"
    )
    p.add_argument("job", help="job number")
    p.add_argument("--lot", help="lot id (default: the job's only lot)")
    p.add_argument("--out", required=True, help="PDF file to write")
    p.add_argument("--lang", choices=["ja", "en"], default="ja", help="sheet language")
    p.add_argument("--firm", help="this terminal's firm code")
    p.set_defaults(func=cmd_inspection)


def cmd_inspection(args: argparse.Namespace) -> int:
    from app.store.inspection import NoSuchLot, gather  # statistics: not for every command

    out = Path(args.out)
    with open_store(args, firm_id=args.firm) as store:
        try:
            record = gather(store, args.job, args.lot)
        except NoSuchLot as exc:
            print(texts.explain(exc.code, exc.detail), file=sys.stderr)
            return 1
    from app.ui.inspection_print import write_pdf  # Qt only when really printing

    pages = write_beside(out, lambda path: write_pdf(record, path, lang=args.lang))
    if pages is None:
        return 2
    print_json(
        {
            "ok": True,
            "job_id": record.job_id,
            "lot_id": record.lot_id,
            "out": str(out),
            "pages": pages,
            "characteristics": len(record.characteristics),
            "readings": record.readings,
            "all_pass": record.all_pass,
        }
    )
    return 0
