"""``nakama enroll HUB_URL CODE``, ``nakama sync [--once]`` and ``nakama sync status``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import asdict

from app.commands.common import open_store, print_json

SYNC_ERROR_TEXT = {
    "offline": ("ハブに接続できません。ネットワークを確認してください。", "Cannot reach the hub."),
    "timeout": ("ハブの応答がありません。", "The hub did not answer in time."),
    "unauthorized": (
        "この端末の登録は無効です。事務局に新しい登録コードを依頼してください。",
        "This terminal's token is not accepted (revoked?). Ask the office for a new code.",
    ),
    "bad_enroll_code": (
        "登録コードが正しくないか、使用済み・期限切れです。",
        "The enrolment code is wrong, used or expired.",
    ),
    "not_enrolled": (
        "ハブに登録されていません。nakama enroll を実行してください。",
        "This terminal is not enrolled with a hub. Run: nakama enroll HUB_URL CODE",
    ),
    "firm_differs": (
        "この端末は別の事業者の記録を持っています。登録できません。",
        "This terminal holds another firm's records; it cannot join this firm.",
    ),
}


def explain(code: str, detail: str = "") -> str:
    ja, en = SYNC_ERROR_TEXT.get(code, ("同期に失敗しました。", "Sync failed."))
    return f"{ja}\n{en}\n  [{code}] {detail}".rstrip()


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    en = sub.add_parser("enroll", help="join this terminal to a consortium hub")
    en.add_argument("hub_url", metavar="HUB_URL")
    en.add_argument("code", metavar="CODE", help="one-time code from nakama-hub enroll-code")
    en.set_defaults(func=cmd_enroll)
    sy = sub.add_parser("sync", help="sync with the hub (until Ctrl-C, or --once)")
    sy.add_argument("--once", action="store_true", help="one full round, then exit")
    sy.add_argument("--interval", type=float, default=15.0, help="seconds between rounds")
    sy.set_defaults(func=cmd_sync)
    sysub = sy.add_subparsers(dest="sync_command", metavar="ACTION")
    st = sysub.add_parser("status", help="sync status as JSON")
    st.set_defaults(func=cmd_status)


def cmd_enroll(args: argparse.Namespace) -> int:
    from app.sync import SyncError, enroll

    with open_store(args) as store:
        try:
            answer = enroll(store, args.hub_url, args.code)
        except SyncError as exc:
            print(explain(exc.code, exc.detail), file=sys.stderr)
            return 2
        print_json({k: v for k, v in answer.items() if k != "token"} | {"enrolled": True})
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.sync import status

    with open_store(args) as store:
        print_json(asdict(status(store)))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from app.sync import Syncer, SyncError, SyncLoop
    from app.sync.syncer import sync_until_idle

    with open_store(args) as store:
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
