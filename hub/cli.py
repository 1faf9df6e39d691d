"""``nakama-hub``: serve the consortium hub and administer firms and terminals.

    nakama-hub serve [--db URL] [--host H] [--port P] [--rate N] [--trusted-proxy ADDR]…
                     [--photo-quota-mb N] [--photo-quota-count N]
                     [--tls-cert PEM --tls-key PEM] [--insecure-http]
    nakama-hub migrate
    nakama-hub backup --to DIR [--keep N]
    nakama-hub firm add CODE NAME [--region R] [--processes P,…] [--equipment E,…]
    nakama-hub firm list
    nakama-hub enroll-code --firm F [--qr --url HUB_URL [--png FILE]]
    nakama-hub revoke TERMINAL        (its token and its traveler-signing keys)
    nakama-hub unrevoke TERMINAL      (its token only; its keys stay revoked)
    nakama-hub terminals [--revoked]
    nakama-hub office-token
    nakama-hub office-account add NAME [--password-stdin] | passwd NAME [--password-stdin] | list
    nakama-hub kpi [--fiscal-year YYYY] [--csv] [--pdf FILE] [--out FILE]
    nakama-hub plan [--first-fiscal-year YYYY]
    nakama-hub request add --lead F --part P --qty N --due D --step SEQ:PROC[:specs]…
    nakama-hub request list [--state S] | show R | propose R
    nakama-hub profile list | show FIRM
    nakama-hub qcd

``--db`` (or ``NAKAMA_HUB_DB``) is a SQLAlchemy URL: ``sqlite:///hub.db`` (default
``sqlite:///nakama-hub.db``) or ``postgresql://user@host/dbname``. ``--trusted-proxy``
(or ``NAKAMA_HUB_TRUSTED_PROXIES``, comma-separated) names the reverse proxies whose
``X-Forwarded-For`` is believed; by default none is. ``serve`` refuses a non-loopback
``--host`` over plain HTTP unless TLS is served here, a proxy is named, or
``--insecure-http`` is given.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.db import HubDB, default_url
from hub.registry import RegistryError

if TYPE_CHECKING:
    from hub.limits import Network
    from hub.photos import Quota


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line (for journald, Loki, or grep)."""

    SKIP = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in self.SKIP})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nakama-hub", description="Nakama consortium hub.")
    p.add_argument("--db", default=None, help="database URL (default: NAKAMA_HUB_DB or SQLite)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--db", dest="db_sub", default=None, help="database URL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--rate", type=float, default=50.0, help="requests/s per terminal")
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=None,
        metavar="ADDR",
        help="a reverse proxy (address or network) whose X-Forwarded-For is believed; "
        "repeatable (default: NAKAMA_HUB_TRUSTED_PROXIES, else none)",
    )
    serve.add_argument(
        "--photo-quota-mb", type=float, default=5120.0, help="photo bytes per firm (MiB)"
    )
    serve.add_argument("--photo-quota-count", type=int, default=50_000, help="photos per firm")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file"
    )
    serve.add_argument("--tls-key", metavar="PEM", help="the certificate's private key file")
    serve.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain HTTP on a non-loopback address (tokens cross the network unencrypted)",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    bk = sub.add_parser("backup", help="back the hub database up (SQLite VACUUM INTO, pg_dump)")
    bk.add_argument("--to", required=True, metavar="DIR")
    bk.add_argument("--keep", type=int, default=14, help="backups to keep in DIR (0: all)")
    firm = sub.add_parser("firm", help="member firms")
    fsub = firm.add_subparsers(dest="firm_command", metavar="ACTION", required=True)
    add = fsub.add_parser("add", help="register a firm")
    add.add_argument("code")
    add.add_argument("name")
    add.add_argument("--region", default="ota", help="'ota' or where the firm is")
    add.add_argument("--processes", default="", help="comma list: LATHE,HEAT,…")
    add.add_argument("--equipment", default="", help="comma list of machines")
    fsub.add_parser("list", help="list firms (JSON lines)")
    code = sub.add_parser("enroll-code", help="make a one-time enrolment code for a terminal")
    code.add_argument("--firm", required=True)
    code.add_argument("--ttl-hours", type=float, default=168.0)
    code.add_argument(
        "--qr",
        action="store_true",
        help="also show the enrolment QR (hub address and code) for the terminal's first-run "
        "wizard to scan",
    )
    code.add_argument("--url", help="the hub's address as terminals reach it (with --qr)")
    code.add_argument("--png", metavar="FILE", help="also write the QR as a PNG (with --qr)")
    rev = sub.add_parser("revoke", help="revoke a terminal's token and its signing keys")
    rev.add_argument("terminal")
    unrev = sub.add_parser(
        "unrevoke", help="undo a terminal's revocation (its signing keys stay revoked)"
    )
    unrev.add_argument("terminal")
    ts = sub.add_parser("terminals", help="list terminals with their state (JSON lines)")
    ts.add_argument("--revoked", action="store_true", help="only revoked terminals")
    sub.add_parser("office-token", help="make a token for the consortium office's figures")
    oa = sub.add_parser("office-account", help="accounts for the office's web page /office")
    oasub = oa.add_subparsers(dest="account_command", required=True)
    for name, text in (("add", "a new account"), ("passwd", "a new password (ends its sessions)")):
        one = oasub.add_parser(name, help=text)
        one.add_argument("name")
        one.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
    oasub.add_parser("list", help="the accounts (JSON lines)")
    k = sub.add_parser("kpi", help="the ward's figures for one fiscal year (April-March)")
    k.add_argument("--fiscal-year", type=int, help="YYYY: April YYYY to March YYYY+1")
    k.add_argument("--csv", action="store_true", help="CSV for Excel (UTF-8 with BOM)")
    k.add_argument("--pdf", metavar="FILE", help="write the yearly evaluation report (A4 PDF)")
    k.add_argument("--out", metavar="FILE", help="write the JSON or CSV here")
    plan = sub.add_parser("plan", help="the plan's first fiscal year (a setting)")
    plan.add_argument("--first-fiscal-year", type=int, help="set it")
    req = sub.add_parser("request", help="requests for machining, as the office")
    rsub = req.add_subparsers(dest="request_command", metavar="ACTION", required=True)
    radd = rsub.add_parser("add", help="enter a request for a lead firm")
    radd.add_argument("--lead", required=True, help="the firm that leads it")
    radd.add_argument("--part", required=True)
    radd.add_argument("--qty", type=int, required=True)
    radd.add_argument("--due", required=True, help="YYYY-MM-DD")
    radd.add_argument("--material")
    radd.add_argument("--drawing")
    radd.add_argument("--certification")
    radd.add_argument("--budget", type=int, help="yen")
    radd.add_argument("--step", action="append", required=True, metavar="SEQ:PROC[:k=v,…]")
    rlist = rsub.add_parser("list", help="every request (JSON lines)")
    rlist.add_argument("--state", choices=["open", "confirmed", "cancelled"])
    for name, text in (("show", "one request and its history"), ("propose", "ranked firms")):
        one = rsub.add_parser(name, help=text)
        one.add_argument("request")
    sub.add_parser("qcd", help="every firm's QCD record and the network median (JSON)")
    prof = sub.add_parser("profile", help="firm profiles (without their private parts)")
    psub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    psub.add_parser("list", help="every firm's profile (JSON lines)")
    pshow = psub.add_parser("show", help="one firm's profile")
    pshow.add_argument("firm")
    return p


def _office() -> Any:
    from hub.registry import Credential

    return Credential("OFFICE-cli", "OFFICE", "office")


def _step(text: str) -> dict[str, Any]:
    seq, _, rest = text.partition(":")
    process, _, specs = rest.partition(":")
    step: dict[str, Any] = {"seq": int(seq), "process": process.strip().upper()}
    for part in _split(specs):
        key, _, value = part.partition("=")
        key = key.strip()
        if key == "hardness":
            step[key] = value.strip()
        else:
            number = float(value)
            step[key] = int(number) if number.is_integer() else number
    return step


def consortium(db: HubDB, args: argparse.Namespace) -> int:
    """The office's consortium commands: figures, plan, requests, profiles."""
    from hub import inquiries, kpi, profiles, qcd

    def out(obj: Any) -> None:
        print(json.dumps(obj, ensure_ascii=False))

    if args.command == "plan":
        if args.first_fiscal_year is not None:
            kpi.set_first_fiscal_year(db, args.first_fiscal_year)
        out({"first_fiscal_year": kpi.first_fiscal_year(db)})
    elif args.command == "kpi":
        fig = kpi.figures(db, args.fiscal_year)
        if args.pdf:
            from hub.kpi_pdf import render

            render(fig, Path(args.pdf))
        if args.csv:
            text = kpi.csv_text(fig)
            if args.out:
                Path(args.out).write_text(text, encoding="utf-8-sig", newline="")
            else:
                sys.stdout.buffer.write(text.encode("utf-8-sig"))
        elif args.out:
            Path(args.out).write_text(kpi.dumps(fig) + "\n", encoding="utf-8")
        elif not args.pdf:
            out(fig)
    elif args.command == "request":
        if args.request_command == "add":
            body: dict[str, Any] = {
                "lead_firm": args.lead,
                "part": args.part,
                "qty": args.qty,
                "due": args.due,
                "steps": [_step(s) for s in args.step],
            }
            for key, given in (
                ("material", args.material),
                ("drawing", args.drawing),
                ("certification", args.certification),
                ("budget_yen", args.budget),
            ):
                if given is not None:
                    body[key] = given
            out(inquiries.create(db, _office(), body))
        elif args.request_command == "list":
            for r in inquiries.listing(db, _office(), args.state):
                out(r)
        elif args.request_command == "show":
            out(inquiries.show(db, _office(), args.request))
        else:
            out(inquiries.proposals(db, _office(), args.request))
    elif args.command == "qcd":
        out(qcd.report(db, _office()))
    elif args.command == "profile":
        if args.profile_command == "list":
            for p in profiles.listing(db, _office()):
                out(p)
        else:
            out(profiles.show(db, _office(), args.firm))
    return 0


def show_enrol_qr(url: str, code: str, png: str | None) -> None:
    """Print the enrolment QR as text blocks (a terminal window or a printout shows it to
    the shop's camera or scanner), its text, and write it as a PNG when asked."""
    import segno

    from wire.enrolment import qr_text

    text = qr_text(url, code)
    qr = segno.make(text, error="m", micro=False)
    qr.terminal(compact=True, border=2)
    print(text)
    if png:
        qr.save(png, scale=10, border=4)
        print(f"QR: {png}")


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url = getattr(args, "db_sub", None) or args.db or default_url()
    if args.command == "serve":
        from hub.limits import parse_proxies
        from hub.photos import Quota

        given = args.trusted_proxy
        if given is None:
            given = [os.environ.get("NAKAMA_HUB_TRUSTED_PROXIES", "")]
        try:
            proxies = parse_proxies(given)
        except ValueError as exc:
            print(f"bad_trusted_proxy {exc}", file=sys.stderr)
            return 2
        tls = (args.tls_cert, args.tls_key) if args.tls_cert or args.tls_key else None
        if tls is not None and not all(tls):
            print(
                "--tls-cert と --tls-key は両方必要です / give both --tls-cert and --tls-key",
                file=sys.stderr,
            )
            return 2
        why = plain_http_refusal(args.host, tls is not None, bool(proxies), args.insecure_http)
        if why:
            print(why, file=sys.stderr)
            return 2
        quota = Quota(int(args.photo_quota_mb * 1024 * 1024), args.photo_quota_count)
        return serve(url, args.host, args.port, args.rate, args.log_level, proxies, quota, tls)
    if args.command == "backup":
        from hub.backup import BackupFailed, backup

        try:
            made = backup(url, Path(args.to), keep=args.keep)
        except BackupFailed as exc:
            print(f"バックアップできません / backup failed: {exc}", file=sys.stderr)
            return 3
        print(json.dumps({"backup": str(made), "bytes": made.stat().st_size}))
        return 0
    from hub import registry

    try:
        db = HubDB(url)
    except Exception as exc:
        print(f"データベースを開けません / cannot open the hub database: {exc}", file=sys.stderr)
        return 3
    try:
        if args.command == "migrate":
            print(json.dumps({"ok": True, "hub_id": db.hub_id, "db": db.engine.dialect.name}))
        elif args.command == "firm" and args.firm_command == "add":
            f = registry.add_firm(
                db,
                args.code,
                args.name,
                args.region,
                _split(args.processes),
                _split(args.equipment),
            )
            print(json.dumps(f, ensure_ascii=False))
        elif args.command == "firm":
            for f in registry.firms(db):
                print(json.dumps(f, ensure_ascii=False))
        elif args.command == "enroll-code":
            if args.qr and not args.url:
                need = "--qr には --url (端末から見たハブの URL) が必要です / --qr needs --url"
                print(need, file=sys.stderr)
                return 2
            one_time = registry.make_enroll_code(db, args.firm, args.ttl_hours * 3600)
            print(one_time)
            if args.qr:
                show_enrol_qr(args.url, one_time, args.png)
        elif args.command == "revoke":
            if not registry.revoke(db, args.terminal):
                print(f"端末が見つかりません / no active terminal {args.terminal}", file=sys.stderr)
                return 1
            print(json.dumps({"revoked": args.terminal, "at": time.time()}))
        elif args.command == "unrevoke":
            if not registry.unrevoke(db, args.terminal):
                msg = f"失効した端末はありません / no revoked terminal {args.terminal}"
                print(msg, file=sys.stderr)
                return 1
            print(json.dumps({"unrevoked": args.terminal, "at": time.time()}))
        elif args.command == "terminals":
            for t in registry.terminals(db):
                if args.revoked and t["state"] != "revoked":
                    continue
                print(json.dumps(t, ensure_ascii=False))
        elif args.command == "office-token":
            print(registry.office_token(db))
        elif args.command == "office-account":
            return office_account(db, args)
        else:
            return consortium(db, args)
    except RegistryError as exc:
        print(f"{exc.code} {exc.detail}".strip(), file=sys.stderr)
        return 2
    finally:
        db.close()
    return 0


def _new_password(from_stdin: bool) -> str | None:
    """The password from stdin, or asked twice at the terminal (None: they differ)."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("パスワード / password: ")
    again = getpass.getpass("もう一度 / again: ")
    return first if first == again else None


def office_account(db: HubDB, args: argparse.Namespace) -> int:
    """``office-account add|passwd|list``: who may sign in to ``/office``."""
    from hub import office_accounts

    if args.account_command == "list":
        for a in office_accounts.accounts(db):
            print(json.dumps(a, ensure_ascii=False))
        return 0
    password = _new_password(args.password_stdin)
    if password is None:
        print("パスワードが一致しません / the passwords differ", file=sys.stderr)
        return 1
    if len(password) < office_accounts.MIN_PASSWORD:
        n = office_accounts.MIN_PASSWORD
        print(f"パスワードは{n}文字以上 / a password needs {n} characters or more", file=sys.stderr)
        return 1
    if args.account_command == "add":
        office_accounts.add_account(db, args.name, password)
    else:
        office_accounts.set_password(db, args.name, password)
    print(json.dumps({"account": args.name, args.account_command: True}))
    return 0


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1: nobody else on the network can listen in."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_refusal(host: str, tls: bool, behind_proxy: bool, insecure: bool) -> str:
    """Why ``serve`` will not start, or "": plain HTTP on an address others can reach
    sends every terminal's token in the clear, so it needs TLS here (``--tls-cert``), a
    TLS proxy in front (``--trusted-proxy``), or ``--insecure-http`` said on purpose."""
    if tls or behind_proxy or insecure or is_loopback(host):
        return ""
    return (
        f"{host} は外部から接続できるアドレスです。暗号化なしの HTTP では端末のトークンが"
        "ネットワークに平文で流れるため起動しません。--tls-cert/--tls-key で HTTPS にするか、"
        "TLS のリバースプロキシの後ろで --trusted-proxy を指定してください"
        "(どうしても必要なら --insecure-http)。\n"
        f"{host} can be reached from the network: plain HTTP would send every terminal's token "
        "in the clear, so the hub does not start. Serve HTTPS (--tls-cert/--tls-key), or run "
        "behind a TLS reverse proxy and name it with --trusted-proxy (or, on purpose, "
        "--insecure-http).\n  [plain_http_refused]"
    )


def serve(
    url: str,
    host: str,
    port: int,
    rate: float,
    level: str,
    proxies: tuple[Network, ...] = (),
    quota: Quota | None = None,
    tls: tuple[str, str] | None = None,
) -> int:
    import uvicorn

    from hub.api import create_app

    setup_logging(level)
    db = HubDB(url)
    logging.getLogger("nakama.hub").info(
        "hub starting",
        extra={
            "db": db.engine.dialect.name,
            "host": host,
            "port": port,
            "trusted_proxies": [str(p) for p in proxies],
            "tls": tls is not None,
        },
    )
    uvicorn.run(
        create_app(db, rate_per_s=rate, burst=rate * 4, trusted_proxies=proxies, photo_quota=quota),
        host=host,
        port=port,
        proxy_headers=False,  # X-Forwarded-For is believed only from --trusted-proxy
        log_config=None,
        access_log=False,
        timeout_keep_alive=30,
        backlog=2048,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
