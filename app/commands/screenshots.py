"""``nakama screenshots``: every screen and dialog of the terminal, with demo data, as PNGs.

For looking at a layout on sizes and languages one does not have at hand, and for
review: one PNG per screen or dialog, language and panel size (``job-ja-1024x768.png``).
Layout problems found on the way (clipped text, targets under 15 mm, a window larger
than the panel) are printed, and make the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

SIZE = re.compile(r"^(\d{3,5})x(\d{3,5})$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "screenshots", help="render every screen and dialog with demo data to PNG files"
    )
    p.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    p.add_argument("--lang", choices=["ja", "en"], action="append", help="language (default: both)")
    p.add_argument(
        "--size",
        action="append",
        metavar="WxH",
        help="panel size in pixels (default: 1024x768 1280x800 1366x768 1920x1080)",
    )
    p.add_argument(
        "--dpi",
        type=float,
        help="panel density (default: that of a usual panel of each size, e.g. 141 for 1920x1080)",
    )
    p.add_argument("--only", action="append", metavar="NAME", help="only this screen")
    p.set_defaults(func=run)


def sizes(texts: list[str] | None) -> list[tuple[int, int]] | None:
    """``["1024x768"]`` → ``[(1024, 768)]``; None for the defaults."""
    if not texts:
        return None
    out = []
    for text in texts:
        m = SIZE.match(text.strip().lower())
        if m is None:
            raise ValueError(text)
        out.append((int(m[1]), int(m[2])))
    return out


def run(args: argparse.Namespace) -> int:
    try:
        wanted = sizes(args.size)
    except ValueError as exc:
        print(f"--size: not WIDTHxHEIGHT: {exc}", file=sys.stderr)
        return 2
    # Rendered off screen: nothing flashes on the terminal's panel, no display needed.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui import catalogue  # Qt is imported only when it is needed

    unknown = sorted(set(args.only or ()) - set(catalogue.ENTRIES))
    if unknown:
        print(f"--only: no such screen: {', '.join(unknown)}", file=sys.stderr)
        print(f"screens: {' '.join(catalogue.ENTRIES)}", file=sys.stderr)
        return 2
    found = catalogue.render_all(
        args.out,
        langs=args.lang or catalogue.LANGS,
        sizes=wanted or tuple(catalogue.SIZES),
        names=args.only or (),
        dpi=args.dpi,
    )
    bad = 0
    for name, problems in found.items():
        for problem in problems:
            print(f"{name}: {problem}", file=sys.stderr)
        bad += bool(problems)
    print(
        f"{len(found)} PNG files in {args.out}" + (f"; {bad} with layout problems" if bad else "")
    )
    return 1 if bad else 0
