"""``nakama keys show`` and ``nakama keys import FILE``: the traveler key directory."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.common import open_store, print_json
from app.store.keyring import KeyImportError, key_rows, own_public_key, signing_key, upsert_keys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="traveler signing keys")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    show = ksub.add_parser("show", help="this terminal's public key and the key directory")
    show.add_argument("--own", action="store_true", help="only this terminal's key (to register)")
    show.add_argument("--firm", help="this terminal's firm code")
    show.set_defaults(func=cmd_show)
    imp = ksub.add_parser("import", help="add keys from a JSON file (list of key objects)")
    imp.add_argument("file")
    imp.add_argument(
        "--replace", action="store_true", help="the file is the whole directory (own key kept)"
    )
    imp.set_defaults(func=cmd_import)


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args, firm_id=args.firm) as store:
        if store.firm_id:
            signing_key(store)  # made on first use, so there is something to register
        own = own_public_key(store)
        if args.own:
            print_json(own)
            return 0 if own else 1
        print_json({"own": own, "directory": key_rows(store)})
        return 0


def cmd_import(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"ファイルを読めません。\nCannot read the file. [bad_file] {exc}", file=sys.stderr)
        return 2
    if isinstance(data, dict):
        data = data.get("keys", [data])
    if not isinstance(data, list):
        print("鍵のリストではありません。\nNot a list of keys. [bad_file]", file=sys.stderr)
        return 2
    with open_store(args) as store:
        try:
            n = upsert_keys(store, data, source="import", replace=args.replace)
        except KeyImportError as exc:
            print(
                f"{exc.index + 1} 件目の鍵が正しくありません。何も取り込んでいません。\n"
                f"Key {exc.index + 1} is not valid; nothing was imported. [{exc.code}]",
                file=sys.stderr,
            )
            return 1
        print_json({"ok": True, "imported": n})
        return 0
