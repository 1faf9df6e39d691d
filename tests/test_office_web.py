"""The office's web page ``/office`` against a real hub on loopback (SQLite and the real
PostgreSQL): who gets in (a session from a signed-in office account, nothing else), the
CSRF token on every POST, the sign-in limit, the cookie's flags, and what each page
shows against the hub's own figures (``hub.kpi``, ``hub.qcd``, ``hub.inquiries``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_support import Hub, fresh_db_url, running_hub
from office_support import (
    PASSWORD,
    Tables,
    add_account,
    build_consortium,
    csrf_of,
    expected_year_cells,
    sign_in,
)
from test_hub_consortium import FIRMS, Member
from test_hub_consortium import db_url as db_url  # fixtures, used by name
from test_hub_consortium import hub as hub
from test_hub_consortium import members as members

from hub import cli, kpi, office_accounts, qcd, registry
from hub.db import HubDB
from hub.limits import parse_proxies
from hub.office_texts import TEXTS

PAGES = ["/office", "/office/requests", "/office/firms", "/office/qcd", "/office/kpi.csv"]


@pytest.fixture
def browser(hub: Hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, follow_redirects=False) as http:
        yield http


def test_nothing_without_a_session_and_the_session_ends_at_sign_out(
    hub: Hub,
    members: dict[str, Member],
    browser: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_account(hub, monkeypatch)
    # Without signing in: every page sends the browser to the sign-in form.
    for path in PAGES:
        r = browser.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/office/login?next=%2Foffice")
        assert "参加企業数" not in r.text
    # A member firm's token, and the office's API token, open nothing here.
    for who in ("B02", "OFFICE"):
        r = browser.get("/office", headers={"Authorization": f"Bearer {members[who].token}"})
        assert r.status_code == 303 and "/office/login" in r.headers["location"]
    # A made-up session cookie is no session.
    assert (
        httpx.get(f"{hub.url}/office", headers={"Cookie": "nakama_office=" + "x" * 43}).status_code
        == 303
    )

    # Sign-in without the form's token, or with another one, is refused before any check.
    assert sign_in(browser, csrf="").status_code == 403
    r = sign_in(browser, csrf="forged-token")
    assert r.status_code == 403 and TEXTS["csrf_failed"][0] in r.text
    no_cookie = httpx.post(
        f"{hub.url}/office/login",
        data={"csrf": "abc", "username": "clerk", "password": PASSWORD},
    )
    assert no_cookie.status_code == 403
    assert sign_in(browser, password="wrong password!").status_code == 401

    r = sign_in(browser)
    assert r.status_code == 303 and r.headers["location"] == "/office"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and "office=" in v)
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/office"} <= flags
    assert "secure" not in flags  # plain HTTP on loopback: a Secure cookie would be dropped
    secret = browser.cookies["nakama_office"]
    with hub.admin.read() as c:  # the table keeps only its digest
        assert secret not in str(c.exec_driver_sql("SELECT * FROM office_sessions").all())
    for path in PAGES:
        assert browser.get(path).status_code == 200, path

    # Sign-out is a POST with the session's token: missing or wrong, refused.
    page = browser.get("/office/qcd")
    token = csrf_of(page.text)
    assert browser.post("/office/logout", data={}).status_code == 403
    assert browser.post("/office/logout", data={"csrf": token[:-2] + "xx"}).status_code == 403
    assert browser.get("/office/qcd").status_code == 200  # still signed in
    r = browser.post("/office/logout", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/office/login?note=out"
    # The old cookie, sent again by hand, opens nothing: the session is revoked.
    for path in PAGES:
        again = httpx.get(f"{hub.url}{path}", headers={"Cookie": f"nakama_office={secret}"})
        assert again.status_code == 303, path
    assert office_accounts.session(hub.admin, secret) is None


def test_a_session_ends_after_an_idle_hour_and_after_a_working_day(
    hub: Hub, browser: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_mod

    add_account(hub, monkeypatch)
    start = time_mod.time()
    clock = {"now": start}
    monkeypatch.setattr(office_accounts.time, "time", lambda: clock["now"])
    assert sign_in(browser).status_code == 303
    # Busy all day: a page every 50 minutes keeps the session, up to 8 hours after sign-in.
    while clock["now"] + 50 * 60 < start + office_accounts.SESSION_S:
        clock["now"] += 50 * 60
        assert browser.get("/office/qcd").status_code == 200, (clock["now"] - start) / 3600
    secret = browser.cookies["nakama_office"]
    clock["now"] = start + office_accounts.SESSION_S + 1
    assert office_accounts.session(hub.admin, secret) is None  # the server's side
    r = browser.get("/office/qcd")  # the browser dropped the cookie at its max-age
    assert r.status_code == 303 and r.headers["location"] == "/office/login?next=%2Foffice%2Fqcd"

    # Signed in again, then the browser is left open: after an idle hour it opens nothing,
    # and the sign-in form says why.
    assert sign_in(browser).status_code == 303
    clock["now"] += 59 * 60
    assert browser.get("/office/requests").status_code == 200  # 59 minutes: still on
    clock["now"] += office_accounts.IDLE_S + 1
    r = browser.get("/office/requests")
    assert r.status_code == 303
    assert r.headers["location"] == "/office/login?next=%2Foffice%2Frequests&note=ended"
    page = browser.get(r.headers["location"])
    assert page.status_code == 200 and TEXTS["session_ended"][0] in page.text
    assert office_accounts.session(hub.admin, browser.cookies["nakama_office"]) is None


def test_sign_in_is_limited_per_address_and_per_account(
    hub: Hub,
    browser: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_account(hub, monkeypatch)
    add_account(hub, monkeypatch, "chief", "another long password")
    for _ in range(office_accounts.MAX_FAILURES):
        assert sign_in(browser, password="not the password").status_code == 401
    # The sixth try is refused even with the right password, with a clear message.
    r = sign_in(browser)
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= office_accounts.WINDOW_S
    assert "ログインの失敗が続いたため" in r.text and "15分後" in r.text
    # Per address: another account from the same address waits too.
    assert sign_in(browser, user="chief", password="another long password").status_code == 429
    # Per account: the same account from elsewhere waits; another account from
    # elsewhere does not.
    with pytest.raises(registry.RegistryError) as refused:
        office_accounts.sign_in(hub.admin, "clerk", PASSWORD, "198.51.100.7")
    assert refused.value.code == "rate_limited"
    secret, session = office_accounts.sign_in(
        hub.admin, "chief", "another long password", "198.51.100.7"
    )
    assert session.username == "chief" and office_accounts.session(hub.admin, secret)
    # Once the window has passed, the account signs in again.
    later = office_accounts.wait_s(hub.admin, "127.0.0.1", "clerk")
    assert 0 < later <= office_accounts.WINDOW_S
    import time as time_mod

    now = time_mod.time()
    monkeypatch.setattr(office_accounts.time, "time", lambda: now + later + 1)
    assert sign_in(browser).status_code == 303


def _sign_in_as_behind_tls(hub: Hub) -> str:
    """Sign in saying ``X-Forwarded-Proto: https``; the session cookie's Set-Cookie line.
    (httpx keeps Secure cookies away from http:// as a browser would, so the form's
    cookie is sent back by hand, as a TLS proxy's client would send it.)"""
    proto = {"X-Forwarded-Proto": "https"}
    form = httpx.get(f"{hub.url}/office/login", headers=proto)
    login_cookie = form.headers["set-cookie"].split(";")[0]
    r = httpx.post(
        f"{hub.url}/office/login",
        headers=proto | {"Cookie": login_cookie},
        data={"csrf": csrf_of(form.text), "username": "clerk", "password": PASSWORD},
    )
    assert r.status_code == 303
    return next(v.lower() for k, v in r.headers.multi_items() if v.startswith("nakama_office="))


def test_cookie_is_secure_behind_a_tls_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_db_url("sqlite", tmp_path)
    with running_hub(url, trusted_proxies=parse_proxies(["127.0.0.1"])) as h:
        add_account(h, monkeypatch)
        assert "secure" in {f.strip() for f in _sign_in_as_behind_tls(h).split(";")}
    # Without a trusted proxy, the same header is not believed.
    (tmp_path / "b").mkdir()
    with running_hub(fresh_db_url("sqlite", tmp_path / "b")) as h:
        add_account(h, monkeypatch)
        assert "secure" not in {f.strip() for f in _sign_in_as_behind_tls(h).split(";")}


def test_pages_show_the_hubs_own_figures_and_no_private_field(
    hub: Hub,
    members: dict[str, Member],
    browser: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid = build_consortium(members)
    kpi.set_first_fiscal_year(hub.admin, 2026)
    add_account(hub, monkeypatch)
    assert sign_in(browser).status_code == 303

    # KPIs: the year's table and the monthly table match hub.kpi's answer.
    fig = kpi.figures(hub.admin, 2026)
    assert fig["year"]["sales_yen"] > 0 and fig["year"]["regional_yen"] > 0
    page = browser.get("/office", params={"fiscal_year": "2026"})
    assert page.status_code == 200 and '<html lang="ja">' in page.text
    tables = Tables(page.text)
    for label, cell in expected_year_cells(fig).items():
        assert tables.row(label)[1] == cell, label
    t = fig["targets"]
    assert tables.row("ネットワーク売上")[2] == "20,000,000円" == f"{t['sales_yen']:,}円"
    assert tables.row("参加企業数")[2] == "40 (累計)"
    for month in fig["months"]:
        row = tables.row(month["month"])
        assert row[1] == f"{month['firms']:,}" and row[5] == f"{month['delivered_jobs']:,}"
    assert page.text.count('role="img"') == 3  # the charts, each with a title and desc
    assert "<title id=" in page.text and "<desc id=" in page.text
    # Downloads: the CSV is hub.kpi's, for Excel (BOM); the PDF is a PDF.
    csv = browser.get("/office/kpi.csv", params={"fiscal_year": "2026"})
    assert csv.content == kpi.csv_text(fig).encode("utf-8-sig")
    assert "attachment" in csv.headers["content-disposition"]
    from hub.office_web import pdf_available

    if pdf_available():
        pdf = browser.get("/office/kpi.pdf", params={"fiscal_year": "2026"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Requests: the list and one request's history (asked, answered).
    listed = browser.get("/office/requests")
    assert rid in listed.text and "SHAFT-77" in listed.text
    row = Tables(listed.text).row(rid)
    assert row[6] == "受付中" and int(row[7]) >= 3 and row[8] == "1"
    one = browser.get(f"/office/requests/{rid}")
    kinds = re.findall(r'data-kind="(\w+)"', one.text)
    assert kinds[0] == "entered" and "asked" in kinds and kinds[-1] == "volunteered"
    assert "180,000円 / 2027-01-20まで" in one.text and "旋盤3台で対応" in one.text
    assert browser.get("/office/requests/R-NOPE").status_code == 404
    confirmed = browser.get("/office/requests", params={"state": "confirmed"})
    rows = [r for r in Tables(confirmed.text).tables[0] if r[0].startswith("R")]
    assert len(rows) == 1 and rows[0][1] == "FLANGE-12" and rows[0][6] == "確定"
    assert rows[0][9] == "3" and rows[0][10] == "A01-J7"  # three steps chosen
    assert rid not in confirmed.text
    closed = browser.get(f"/office/requests/{rows[0][0]}")
    assert re.findall(r'data-kind="(\w+)"', closed.text)[-4:] == ["chosen"] * 3 + ["confirmed"]

    # Firms: every firm's public profile; the private part never.
    firms = browser.get("/office/firms")
    for code in FIRMS:
        assert f'id="firm-{code}"' in firms.text
    assert "secret-note-B02" not in firms.text and "load_pct" not in firms.text
    assert "茨城県 日立市" in firms.text and "地方企業" in firms.text

    # QCD: every firm's row as hub.qcd reports it to the office.
    report = qcd.report(hub.admin, registry.Credential("x", "OFFICE", "office"))
    qcd_tables = Tables(browser.get("/office/qcd").text)
    for f in report["firms"]:
        row = qcd_tables.row(f["firm"])
        assert row[1] == str(f["steps"])
        if f["on_time_rate"] is not None:
            assert row[2].startswith(f"{100 * f['on_time_rate']:.1f}%")
    assert "熱処理の硬度が安定" in qcd_tables.row("C03")[9]
    assert qcd_tables.row("ネットワーク中央値")

    # English: the switch sets a preference and returns to the same page.
    r = browser.get("/office/lang", params={"to": "en", "next": "/office/qcd"})
    assert r.status_code == 303 and r.headers["location"] == "/office/qcd"
    english = browser.get("/office", params={"fiscal_year": "2026"})
    assert '<html lang="en">' in english.text and "Sales through the network" in english.text
    assert Tables(english.text).row("Firms taking part")[1] == f"{fig['year']['firms']:,}"
    # The switch never sends the browser off the page.
    off = browser.get("/office/lang", params={"to": "ja", "next": "https://evil.example/"})
    assert off.headers["location"] == "/office"


def test_every_text_has_both_languages_and_every_key_used_exists() -> None:
    used: set[str] = set()
    folder = Path(__file__).parents[1] / "hub" / "templates"
    for template in folder.glob("*.html"):
        found = re.findall(r"(?<![\w.])t\([\"'](\w+)[\"'][,)]", template.read_text("utf-8"))
        used |= set(found)
    assert used and not used - set(TEXTS)
    for key, (ja, en) in TEXTS.items():
        assert ja.strip() and en.strip(), key


def test_office_account_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = fresh_db_url("sqlite", tmp_path)

    def run(*argv: str, typed: list[str] | None = None) -> int:
        answers = iter(typed or [])
        monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
        return cli.main(["--db", url, "office-account", *argv])

    assert run("add", "clerk", typed=["a long password", "a long password"]) == 0
    assert run("add", "clerk", typed=["a long password", "a long password"]) == 2
    assert "account_exists" in capsys.readouterr().err
    assert run("add", "chief", typed=["a long password", "another password"]) == 1
    assert "一致しません" in capsys.readouterr().err
    assert run("add", "chief", typed=["short", "short"]) == 1
    assert run("add", "bad name!", typed=["a long password"] * 2) == 2
    capsys.readouterr()
    assert run("list") == 0
    assert [json.loads(line)["username"] for line in capsys.readouterr().out.splitlines()] == [
        "clerk"
    ]
    # A new password ends the account's open sessions; the old password no longer works.
    db = HubDB(url)
    try:
        secret, _s = office_accounts.sign_in(db, "clerk", "a long password", "192.0.2.1")
        assert office_accounts.session(db, secret) is not None
        assert run("passwd", "clerk", typed=["a new long password"] * 2) == 0
        assert office_accounts.session(db, secret) is None
        with pytest.raises(registry.RegistryError):
            office_accounts.sign_in(db, "clerk", "a long password", "192.0.2.1")
        assert office_accounts.sign_in(db, "clerk", "a new long password", "192.0.2.1")
        with db.read() as c:  # only argon2id hashes are kept
            hashes = [h for (h,) in c.exec_driver_sql("SELECT password_hash FROM office_accounts")]
        assert hashes[0].startswith("$argon2id$") and "long password" not in hashes[0]
    finally:
        db.close()
