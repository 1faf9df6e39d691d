"""``nakama traveler print JOB --out FILE.pdf`` and ``nakama traveler verify TEXT``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from app import texts
from app.commands.common import add_operator_options, open_store, print_json, resolve_actor
from app.core.traveler import (
    TravelerError,
    Verdict,
    verification_to_dict,
    verify,
)
from app.core.traveler_job import traveler_view
from app.store import StoreError
from app.store.keyring import key_directory
from app.store.travelers import Refusal, adopt

VERDICT_TEXT: dict[str, tuple[str, str]] = {
    Verdict.VALID: ("正しい現品票です。", "Valid traveler."),
    Verdict.UNKNOWN_KEY: (
        "登録されていない鍵で署名されています。鍵リストを同期してください。",
        "Signed by a key this terminal does not know. Sync the key directory.",
    ),
    Verdict.BAD_SIGNATURE: (
        "署名が一致しません。偽造または改ざんされた現品票です。",
        "The signature does not match: the traveler was forged or altered.",
    ),
    Verdict.EXPIRED_KEY: (
        "署名した鍵の有効期限外です。元請に再発行を依頼してください。",
        "The signing key is outside its validity dates. Ask the lead firm to reissue.",
    ),
    Verdict.REVOKED_KEY: (
        "署名した端末の鍵は失効しています。元請に再発行を依頼してください。",
        "The signing terminal's key was revoked. Ask the lead firm to reissue.",
    ),
    Verdict.UNSUPPORTED_VERSION: (
        "新しい形式の現品票です。Nakama を更新してください。",
        "A newer traveler format. Update Nakama.",
    ),
    Verdict.NOT_NAKAMA: ("Nakama の現品票ではありません。", "Not a Nakama traveler."),
    Verdict.MALFORMED: (
        "コードが壊れています。読み直すか、元請に再発行を依頼してください。",
        "The code is damaged. Scan again or ask the lead firm to reissue.",
    ),
}


def _say(code: str, detail: str = "") -> str:
    return texts.explain(code, detail)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tr = sub.add_parser("traveler", help="print and verify travelers")
    tsub = tr.add_subparsers(dest="traveler_command", metavar="ACTION", required=True)
    pr = tsub.add_parser("print", help="issue a traveler and write it as a PDF")
    pr.add_argument("job", help="job number")
    pr.add_argument("--lot", help="lot id (default: the first lot, JOB-L1)")
    pr.add_argument("--out", required=True, help="PDF file to write")
    pr.add_argument("--lang", choices=["ja", "en"], default="ja", help="sheet language")
    pr.add_argument("--format", choices=["a4", "label"], default="a4", help="A4 sheet or label")
    pr.add_argument("--firm", help="this terminal's firm code")
    add_operator_options(pr)
    pr.set_defaults(func=cmd_print)
    ve = tsub.add_parser("verify", help="check a scanned traveler text ('-' reads stdin)")
    ve.add_argument("text", help="the QR text, or - to read it from standard input")
    ve.add_argument(
        "--adopt", action="store_true", help="if valid, make the job known here (offline)"
    )
    ve.set_defaults(func=cmd_verify)


def cmd_print(args: argparse.Namespace) -> int:
    out = Path(args.out)
    with open_store(args, firm_id=args.firm) as store:
        if not store.firm_id:
            print(_say("no_firm"), file=sys.stderr)
            return 2
        actor = resolve_actor(store, args.operator, args.pin)
        if isinstance(actor, Refusal):
            print(_say(actor.reason, actor.detail), file=sys.stderr)
            return 1
        from app.ui.traveler_print import issue_pdf  # Qt only when really printing

        try:
            issued = issue_pdf(
                store, args.job, args.lot, out, lang=args.lang, fmt=args.format, actor=actor
            )
        except TravelerError as exc:
            print(_say(exc.code), file=sys.stderr)
            return 1
        except OSError as exc:
            print(_say("write_failed", str(exc)), file=sys.stderr)
            return 2
        if isinstance(issued, Refusal):
            print(_say(issued.reason, issued.detail), file=sys.stderr)
            return 1
        prepared, facts = issued.prepared, issued.facts
        print_json(
            {
                "ok": True,
                "job_id": prepared.traveler.job_id,
                "lot_id": prepared.traveler.lot_id,
                "out": str(out),
                "key_id": prepared.key_id,
                "chars": len(prepared.text),
                "qr": {
                    "version": facts.version,
                    "error": facts.error,
                    "modules": facts.modules,
                    "module_mm": facts.module_mm,
                },
            }
        )
        return 0


def cmd_verify(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    now = datetime.now(UTC)
    with open_store(args) as store:
        v = verify(text, key_directory(store), now)
        result = verification_to_dict(v)
        ja, en = VERDICT_TEXT[v.verdict]
        result["message"] = {"ja": ja, "en": en}
        if v.ok and v.traveler is not None and store.firm_id:
            view = traveler_view(v.traveler, store.firm_id, now.date())
            result["my_ops"] = list(view.my_ops)
            result["days_left"] = view.days_left
        if args.adopt:
            with contextlib.suppress(StoreError):
                result["adopted"] = adopt(store, v)
    print_json(result)
    return 0 if v.ok else 1
