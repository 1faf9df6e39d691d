"""``nakama run``: start the touchscreen app (also what plain ``nakama`` does)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="start the touchscreen app")
    add_run_options(run)
    run.set_defaults(func=run_app)


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--firm", help="this terminal's firm code (demo: F001)")
    p.add_argument("--lang", choices=["ja", "en"], help="interface language (default ja)")
    p.add_argument("--no-demo", action="store_true", help="do not seed demo data")
    p.add_argument("--screenshot", metavar="PNG", help="render the main window to PNG and exit")
    p.add_argument(
        "--kiosk",
        action="store_true",
        help="full screen without window frame; only an owner's PIN leaves it; screen kept awake",
    )


def run_app(args: argparse.Namespace) -> int:
    from app.ui.app import run  # Qt is imported only when the app really starts

    return run(args)
