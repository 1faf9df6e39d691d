"""The consortium office's web page, ``/office``: server-rendered HTML (Jinja2), Japanese
first with an English switch, for people signed in with an office account.

- Sign-in (``hub.office_accounts``): a server-side session in an HttpOnly,
  SameSite=Strict cookie (Secure when the page is served over TLS, here or by a trusted
  proxy), limited per address and per account; sign-out revokes the session.
- Every POST carries a CSRF token: the session's own, or before sign-in a random value
  that must match the sign-in form's cookie (double submit).
- Pages: the fiscal year's figures against the plan (SVG charts, tables, the CSV and
  PDF downloads), requests with their history, firms' public profiles, the QCD table.
  They read through the same functions as the API, as the office (``hub.kpi``,
  ``hub.inquiries``, ``hub.profiles``, ``hub.qcd``): private fields never reach a page.

A member firm's bearer token opens nothing here: only the session cookie counts.
"""

from __future__ import annotations

import hmac
import importlib.util
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import func, select

from hub import inquiries, kpi, office_accounts, profiles, qcd, schema
from hub.db import HubDB
from hub.kpi import JST
from hub.limits import _trusted, client_address, read_body
from hub.office_charts import amount, chart
from hub.office_texts import LANGS, TEXTS, text
from hub.registry import Credential, RegistryError

SESSION_COOKIE = "nakama_office"
LOGIN_COOKIE = "nakama_office_login"
LANG_COOKIE = "nakama_lang"
FORM_LIMIT = 8 * 1024
PAGE_SIZE = 100
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=PackageLoader("hub", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def pdf_available() -> bool:
    """The PDF is drawn by Qt in a child process; a hub without PySide6 offers none."""
    return importlib.util.find_spec("PySide6") is not None


def _when(ts: float | None) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).astimezone(JST).strftime("%Y-%m-%d %H:%M")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:g}"


def _section(path: str) -> str:
    for prefix, key in (("/office/requests", "nav_requests"), ("/office/firms", "nav_firms")):
        if path.startswith(prefix):
            return key
    return "nav_qcd" if path.startswith("/office/qcd") else "nav_kpi"


def _lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "ja")
    return lang if lang in LANGS else "ja"


def _secure(request: Request, proxies: tuple[Any, ...]) -> bool:
    """Served over TLS: by this hub, or by a trusted proxy that says so."""
    if request.url.scheme == "https":
        return True
    client = request.scope.get("client")
    peer = str(client[0]) if client else ""
    return bool(
        proxies
        and _trusted(peer, proxies)
        and request.headers.get("x-forwarded-proto", "").lower() == "https"
    )


def _safe_next(target: str | None) -> str:
    """Only a path of this page may be the place to return to (no open redirect)."""
    if not target or not target.startswith("/office") or "//" in target or "\\" in target:
        return "/office"
    return target


def add_routes(app: FastAPI, db: HubDB, run: Callable[..., Awaitable[Any]]) -> None:
    """Register ``/office`` and its pages on ``app``."""

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = _lang(request)

        def t(key: str, **values: Any) -> str:
            return text(key, lang, **values)

        html = _env.get_template(template).render(
            t=t,
            lang=lang,
            other_lang="en" if lang == "ja" else "ja",
            path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            quote=quote,
            when=_when,
            pct=_pct,
            num=_num,
            yen=lambda v: amount(v, lang, yen=True),
            count=lambda v: amount(v, lang, yen=False),
            section=_section(request.url.path),
            known_kinds={k for k in TEXTS if k.startswith("kind_")},
            status_error=status >= 400,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def cookie_flags(request: Request) -> dict[str, Any]:
        return {
            "httponly": True,
            "samesite": "strict",
            "secure": _secure(request, app.state.proxies),
            "path": "/office",
        }

    async def signed_in(request: Request) -> office_accounts.Session | None:
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            return None
        found: office_accounts.Session | None = await run(office_accounts.session, db, secret)
        return found

    def to_login(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # A cookie that no longer opens anything: the session ended (idle, a day's end,
        # signed out elsewhere); the sign-in form says so.
        note = "&note=ended" if request.cookies.get(SESSION_COOKIE) else ""
        return RedirectResponse(
            f"/office/login?next={quote(target, safe='')}{note}", status_code=303, headers=HEADERS
        )

    async def form(request: Request) -> dict[str, str]:
        body = await read_body(request, FORM_LIMIT)
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            return {}
        return {k: v[0] for k, v in parsed.items()}

    def office(session: office_accounts.Session) -> Credential:
        return Credential(f"OFFICE-web-{session.username}"[:64], "OFFICE", "office")

    def login_page(
        request: Request, status: int = 200, message: str | None = None, next_: str = "/office"
    ) -> HTMLResponse:
        token = secrets.token_urlsafe(32)
        out = page(
            request,
            "login.html",
            status,
            message=message,
            csrf=token,
            next=_safe_next(next_),
            user=None,
        )
        out.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_flags(request))
        return out

    @app.get("/office/login", include_in_schema=False)
    async def login_form(request: Request, next: str = "/office", note: str = "") -> Response:
        if await signed_in(request):
            return RedirectResponse(_safe_next(next), status_code=303, headers=HEADERS)
        message = {"out": "signed_out", "ended": "session_ended"}.get(note)
        return login_page(request, message=message and text(message, _lang(request)), next_=next)

    @app.post("/office/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        fields = await form(request)
        lang = _lang(request)
        expected = request.cookies.get(LOGIN_COOKIE, "")
        given = fields.get("csrf", "")
        next_ = _safe_next(fields.get("next"))
        if not expected or not hmac.compare_digest(expected, given):
            return login_page(request, 403, text("csrf_failed", lang), next_)
        address = client_address(request.scope, app.state.proxies)
        try:
            secret, _session = await run(
                office_accounts.sign_in,
                db,
                fields.get("username", ""),
                fields.get("password", ""),
                address,
            )
        except RegistryError as exc:
            if exc.code == "rate_limited":
                minutes = max(1, math.ceil(int(exc.detail) / 60))
                refused = login_page(
                    request, 429, text("rate_limited", lang, minutes=minutes), next_
                )
                refused.headers["Retry-After"] = exc.detail
                return refused
            return login_page(request, 401, text("bad_credentials", lang), next_)
        out = RedirectResponse(next_, status_code=303, headers=HEADERS)
        out.set_cookie(
            SESSION_COOKIE, secret, max_age=office_accounts.SESSION_S, **cookie_flags(request)
        )
        out.delete_cookie(LOGIN_COOKIE, path="/office")
        return out

    @app.post("/office/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        fields = await form(request)
        session = await signed_in(request)
        if session is None:
            return RedirectResponse("/office/login", status_code=303, headers=HEADERS)
        if not hmac.compare_digest(session.csrf, fields.get("csrf", "")):
            return page(
                request,
                "message.html",
                403,
                message=text("csrf_failed", _lang(request)),
                user=session,
            )
        await run(office_accounts.sign_out, db, request.cookies[SESSION_COOKIE])
        out = RedirectResponse("/office/login?note=out", status_code=303, headers=HEADERS)
        out.delete_cookie(SESSION_COOKIE, path="/office")
        return out

    @app.get("/office/lang", include_in_schema=False)
    async def switch_language(request: Request, to: str = "ja", next: str = "/office") -> Response:
        """A preference only (no state of the hub changes), so a plain link may set it."""
        out = RedirectResponse(_safe_next(next), status_code=303, headers=HEADERS)
        flags = cookie_flags(request) | {"samesite": "lax"}
        out.set_cookie(LANG_COOKIE, to if to in LANGS else "ja", max_age=365 * 86400, **flags)
        return out

    def year_of(fiscal_year: str | None) -> int:
        if fiscal_year and fiscal_year.isdigit() and 2000 <= int(fiscal_year) <= 2100:
            return int(fiscal_year)
        return kpi.default_fiscal_year()

    @app.get("/office", include_in_schema=False)
    async def kpi_page(request: Request, fiscal_year: str | None = None) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        lang = _lang(request)
        fig: dict[str, Any] = await run(kpi.figures, db, year_of(fiscal_year))
        year = fig["fiscal_year"]
        first = fig["first_fiscal_year"]
        now = kpi.default_fiscal_year()
        years = sorted({year, now, now - 1, *(range(first, first + 5) if first else ())})
        targets = fig["targets"] or {}
        rows = [
            ("firms", fig["year"]["firms"], targets.get("firms_cumulative"), False),
            ("new_firms", fig["year"]["new_firms"], targets.get("new_firms"), False),
            ("sales_yen", fig["year"]["sales_yen"], targets.get("sales_yen"), True),
            ("regional_yen", fig["year"]["regional_yen"], targets.get("regional_yen"), True),
            ("delivered_jobs", fig["year"]["delivered_jobs"], None, False),
        ]
        charts = [
            (
                key,
                Markup(
                    chart(
                        key,
                        [m[key] for m in fig["months"]],
                        targets.get(key),
                        lang,
                        yen=is_yen,
                        chart_id=f"chart-{key}",
                    )
                ),
            )
            for key, is_yen in (("sales_yen", True), ("regional_yen", True), ("new_firms", False))
        ]
        return page(
            request,
            "kpi.html",
            user=session,
            fig=fig,
            years=years,
            rows=rows,
            charts=charts,
            pdf=pdf_available(),
            figures=kpi.FIGURES,
        )

    @app.get("/office/kpi.csv", include_in_schema=False)
    async def kpi_csv(request: Request, fiscal_year: str | None = None) -> Response:
        if await signed_in(request) is None:
            return to_login(request)
        fig = await run(kpi.figures, db, year_of(fiscal_year))
        body = kpi.csv_text(fig).encode("utf-8-sig")
        name = f"nakama-kpi-{fig['fiscal_year']}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers=HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/office/kpi.pdf", include_in_schema=False)
    async def kpi_pdf(request: Request, fiscal_year: str | None = None) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        if not pdf_available():
            msg = text("pdf_unavailable", _lang(request))
            return page(request, "message.html", 501, message=msg, user=session)
        fig = await run(kpi.figures, db, year_of(fiscal_year))
        data: bytes = await run(render_pdf, fig)
        name = f"nakama-kpi-{fig['fiscal_year']}.pdf"
        return Response(
            data,
            media_type="application/pdf",
            headers=HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/office/requests", include_in_schema=False)
    async def requests_page(request: Request, state: str = "", page_no: int = 1) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        state = state if state in ("open", "confirmed", "cancelled") else ""
        listed: list[dict[str, Any]] = await run(
            inquiries.listing, db, office(session), state or None
        )
        pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
        page_no = min(max(1, page_no), pages)
        shown = listed[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
        counts = await run(_history_counts, db, [r["request_id"] for r in shown])
        names = await run(_firm_names, db)
        return page(
            request,
            "requests.html",
            user=session,
            requests=shown,
            counts=counts,
            names=names,
            state=state,
            page_no=page_no,
            pages=pages,
            total=len(listed),
        )

    @app.get("/office/requests/{request_id}", include_in_schema=False)
    async def request_page(request: Request, request_id: str) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        try:
            req = await run(inquiries.show, db, office(session), request_id[:40])
        except RegistryError:
            msg = text("not_found", _lang(request))
            return page(request, "message.html", 404, message=msg, user=session)
        names = await run(_firm_names, db)
        return page(request, "request.html", user=session, req=req, names=names)

    @app.get("/office/firms", include_in_schema=False)
    async def firms_page(request: Request) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        listed = await run(profiles.listing, db, office(session))
        return page(request, "firms.html", user=session, firms=listed)

    @app.get("/office/qcd", include_in_schema=False)
    async def qcd_page(request: Request) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_login(request)
        report = await run(qcd.report, db, office(session))
        names = await run(_firm_names, db)
        return page(request, "qcd.html", user=session, report=report, names=names)


def _history_counts(db: HubDB, request_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per request: how many firms were asked, answered (volunteered) and chosen."""
    lg = schema.request_log
    out: dict[str, dict[str, int]] = {rid: {} for rid in request_ids}
    if not request_ids:
        return out
    q = (
        select(lg.c.request_id, lg.c.kind, func.count())
        .where(lg.c.request_id.in_(request_ids))
        .group_by(lg.c.request_id, lg.c.kind)
    )
    with db.read() as c:
        for rid, kind, n in c.execute(q):
            out[rid][kind] = int(n)
    return out


def _firm_names(db: HubDB) -> dict[str, str]:
    f = schema.firms
    with db.read() as c:
        return {r.code: r.name for r in c.execute(select(f.c.code, f.c.name))}


def render_pdf(fig: dict[str, Any]) -> bytes:
    """The yearly evaluation report, drawn by ``hub.kpi_pdf`` in a child process (the
    server itself never imports Qt)."""
    with tempfile.TemporaryDirectory(prefix="nakama-kpi-") as tmp:
        out = Path(tmp) / "kpi.pdf"
        code = (
            "import json, sys; from pathlib import Path; from hub.kpi_pdf import render; "
            "render(json.load(sys.stdin), Path(sys.argv[1]))"
        )
        env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
        subprocess.run(
            [sys.executable, "-c", code, str(out)],
            input=json.dumps(fig).encode(),
            check=True,
            timeout=120,
            env=env,
            capture_output=True,
        )
        return out.read_bytes()


__all__ = ["TEXTS", "add_routes", "pdf_available", "render_pdf"]
