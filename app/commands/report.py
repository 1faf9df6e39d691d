"""``nakama report …``: the shop's paperwork. Each report is a module of its own
(``report_daily``, ``report_inspection``) that adds its action through
``report_parser``, so whichever registers first creates the ``report`` command."""

from __future__ import annotations

import argparse

_ACTIONS = "_nakama_report_actions"


def report_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The sub-commands action of ``nakama report``, created on first use and cached on
    the ``report`` parser itself."""
    existing = sub.choices.get("report")
    if existing is not None:
        actions: argparse._SubParsersAction[argparse.ArgumentParser] = getattr(existing, _ACTIONS)
        return actions
    parser = sub.add_parser("report", help="print the shop's paperwork (PDF)")
    actions = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    setattr(parser, _ACTIONS, actions)
    return actions
