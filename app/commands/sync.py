"""``nakama enroll HUB_URL CODE``, ``nakama sync [--once]`` and ``nakama sync status``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import asdict

from app import texts
from app.commands.common import open_store, print_json
from app.settings import Settings
from app.store import Store


def explain(code: str, detail: str = "") -> str:
    ja, en = texts.REASONS.get(code, ("同期に失敗しました。", "Sync failed."))
    return f"{ja}\n{en}\n  [{code}] {detail}".rstrip()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    en = sub.add_parser("enroll", help="join this terminal to a consortium hub")
    en.add_argument(
        "target",
        nargs="+",
        metavar="[HUB_URL] CODE",
        help="hub address (default: the hub_url setting) and the one-time code from "
        "nakama-hub enroll-code",
    )
    en.set_defaults(func=cmd_enroll)
    sy = sub.add_parser("sync", help="sync with the hub (until Ctrl-C, or --once)")
    sy.add_argument("--once", action="store_true", help="one full round, then exit")
    sy.add_argument("--interval", type=float, default=15.0, help="seconds between rounds")
    sy.set_defaults(func=cmd_sync)
    sysub = sy.add_subparsers(dest="sync_command", metavar="ACTION")
    st = sysub.add_parser("status", help="sync status as JSON")
    st.set_defaults(func=cmd_status)


def hub_address(settings: Settings, store: Store) -> str:
    """The one hub address: the ``hub_url`` setting; a store enrolled before the setting
    existed lends its own (and the setting is written, so both agree from then on). The
    store's copy follows the setting, so ``sync`` talks to the hub the settings name."""
    url = str(settings["hub_url"] or "").rstrip("/")
    if not url:
        url = store.meta("hub_url") or ""
        if url:
            settings.values["hub_url"] = url
            settings.save()
    elif store.meta("hub_url") not in (None, "", url):
        store.set_meta({"hub_url": url})
    return url


def cmd_enroll(args: argparse.Namespace) -> int:
    from app.sync import SyncError, enroll

    if len(args.target) > 2:
        print(explain("bad_enroll_code", " ".join(args.target)), file=sys.stderr)
        return 2
    settings = Settings()
    *given, code = args.target
    url = (given[0] if given else settings["hub_url"]).rstrip("/")
    if not url:
        print(explain("no_hub_url"), file=sys.stderr)
        return 2
    with open_store(args) as store:
        try:
            answer = enroll(store, url, code)
        except SyncError as exc:
            print(explain(exc.code, exc.detail), file=sys.stderr)
            return 2
        settings.values["hub_url"] = url  # one address for enroll, sync and the app
        settings.save()
        print_json(
            {k: v for k, v in answer.items() if k != "token"} | {"enrolled": True, "hub_url": url}
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.sync import status

    with open_store(args) as store:
        hub_address(Settings(), store)
        print_json(asdict(status(store)))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from app.sync import Syncer, SyncError, SyncLoop
    from app.sync.syncer import sync_until_idle

    with open_store(args) as store:
        hub_address(Settings(), store)
        syncer = Syncer(store)
        if args.once:
            try:
                report = sync_until_idle(syncer)
            except SyncError as exc:
                print(explain(exc.code, exc.detail), file=sys.stderr)
                return 1
            finally:
                syncer.close()
            print_json(asdict(report))
            return 0
        done = threading.Event()
        loop = SyncLoop(
            store, syncer, interval_s=args.interval, on_change=lambda s: print_json(s.to_dict())
        )
        signal.signal(signal.SIGINT, lambda *_: done.set())
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        loop.start()
        done.wait()
        loop.stop()
        syncer.close()
    return 0
