"""``nakama report …``: the paperwork a shop prints (検査成績書, 日報 …).

Each report lives in its own module (``report_inspection``, ``report_daily`` …) listed in
``COMMAND_MODULES``; each calls ``report_parser(sub)`` from its ``register`` to hang its
own ``nakama report NAME`` under the one ``report`` parser, made by whichever comes first.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app import texts

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
_CACHE = "_nakama_report_actions"


def report_parser(sub: Subparsers) -> Subparsers:
    """The sub-commands of ``nakama report``, made on first use and kept on ``sub`` (the
    parent's sub-command action), so every report module gets the same one."""
    existing: Subparsers | None = getattr(sub, _CACHE, None)
    if existing is not None:
        return existing
    rp = sub.add_parser("report", help="print paperwork: inspection records, daily reports")
    actions = rp.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    setattr(sub, _CACHE, actions)
    return actions


def write_beside(out: Path, write: Callable[[Path], int]) -> int | None:
    """Write a report with ``write(path) -> pages`` beside ``out`` first and move it into
    place, so a failure never leaves half a PDF; None (after saying why) when it fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        pages = write(tmp)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        print(texts.explain("write_failed", str(exc)), file=sys.stderr)
        return None
    return pages
