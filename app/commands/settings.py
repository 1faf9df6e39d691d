"""``nakama settings show`` and ``nakama settings set KEY VALUE``."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import print_json
from app.settings import OPTIONS, Settings, SettingsError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("settings", help="show or change this terminal's settings")
    ps = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = ps.add_parser("show", help="print every setting with its value")
    show.set_defaults(func=cmd_show)
    put = ps.add_parser("set", help="change one setting")
    put.add_argument("key", choices=[o.key for o in OPTIONS])
    put.add_argument("value")
    put.set_defaults(func=cmd_set)


def cmd_show(args: argparse.Namespace) -> int:
    s = Settings()
    for o in OPTIONS:
        print_json({"key": o.key, "value": s[o.key], "title": o.ja, "title_en": o.en})
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    s = Settings()
    try:
        s.set(args.key, args.value)
    except SettingsError as exc:
        print(f"設定できません / cannot set: {exc.key} ({exc.code})", file=sys.stderr)
        return 2
    s.save()
    print_json({"key": args.key, "value": s[args.key], "path": str(s.path)})
    return 0
