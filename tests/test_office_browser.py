"""The office page in a real browser: Debian's headless Chromium driven by Selenium
against a real hub on loopback. Signs in with the keyboard, visits every page in
Japanese and English, downloads nothing, signs out; a screenshot of each page goes to
``/tmp/office-shots/`` (or ``$NAKAMA_OFFICE_SHOTS``) to be looked at.

Skipped only when chromium or chromedriver is not installed (bootstrap.sh installs
both for the tests; CI has them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_support import Hub, fresh_db_url
from office_support import PASSWORD, add_account, build_consortium
from test_hub_consortium import Member
from test_hub_consortium import hub as hub
from test_hub_consortium import members as members

from hub import kpi

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None, reason="chromium and chromium-driver are not installed"
)
SHOTS = Path(os.environ.get("NAKAMA_OFFICE_SHOTS", "/tmp/office-shots"))


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return fresh_db_url("sqlite", tmp_path)


@pytest.fixture
def driver() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        opts.add_argument(arg)
    opts.add_argument("--disable-dev-shm-usage")
    opts.add_argument("--lang=ja")
    browser = webdriver.Chrome(options=opts, service=Service(str(DRIVER)))
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


def shot(browser: object, name: str) -> Path:
    """The whole page (the window made as tall as the page) as a PNG."""
    height = browser.execute_script(  # type: ignore[attr-defined]
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
    )
    browser.set_window_size(1280, max(600, min(int(height) + 300, 8000)))  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{name}.png"
    browser.save_screenshot(str(out))  # type: ignore[attr-defined]
    browser.set_window_size(1280, 900)  # type: ignore[attr-defined]
    assert out.stat().st_size > 5000
    return out


def test_office_pages_in_chromium(
    hub: Hub,
    members: dict[str, Member],
    driver: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    b = driver
    rid = build_consortium(members)
    kpi.set_first_fiscal_year(hub.admin, 2026)
    add_account(hub, monkeypatch)
    fig = kpi.figures(hub.admin, 2026)

    def find(css: str):  # type: ignore[no-untyped-def]
        return b.find_element(By.CSS_SELECTOR, css)  # type: ignore[attr-defined]

    def loads(act) -> None:  # type: ignore[no-untyped-def]
        """Do ``act`` (a click, an Enter) and wait until the next page has replaced this
        one (a click returns before the browser has navigated)."""
        old = find("html")
        act()
        WebDriverWait(b, 30).until(staleness_of(old))
        WebDriverWait(b, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    # Not signed in: the browser lands on the sign-in form, in Japanese.
    b.get(f"{hub.url}/office?fiscal_year=2026")  # type: ignore[attr-defined]
    assert "/office/login" in b.current_url  # type: ignore[attr-defined]
    assert find("html").get_attribute("lang") == "ja"
    assert find("label[for=username]").text == "ユーザー名"
    shot(b, "01-login-ja")
    # The keyboard alone: the cursor waits in the username; Tab, type, Enter.
    active = b.switch_to.active_element  # type: ignore[attr-defined]
    assert active.get_attribute("id") == "username"
    loads(lambda: active.send_keys("clerk" + Keys.TAB + "wrong password" + Keys.ENTER))
    assert "ユーザー名またはパスワードが違います" in find("[role=alert]").text
    shot(b, "02-login-wrong-ja")
    find("#username").send_keys("clerk")
    loads(lambda: find("#password").send_keys(PASSWORD + Keys.ENTER))
    assert b.current_url.endswith("/office?fiscal_year=2026")  # type: ignore[attr-defined]
    assert find("h1").text == "2026年度の実績と計画"
    sales = find('td[data-figure="sales_yen"]').text
    assert sales == f"{fig['year']['sales_yen']:,}円"
    assert len(b.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == 3  # type: ignore[attr-defined]
    shot(b, "03-kpi-ja")

    pages = [
        ("04-requests-ja", "依頼", "依頼と状況"),
        ("06-firms-ja", "参加企業", "参加企業とプロフィール"),
        ("07-qcd-ja", "QCD", "QCD 実績(全社)"),
    ]
    for name, link, heading in pages:
        loads(find("nav").find_element(By.LINK_TEXT, link).click)
        assert find("h1").text == heading
        assert find("nav a[aria-current=page]").text == link
        if name.startswith("04"):
            shot(b, name)
            loads(find(f'a[href="/office/requests/{rid}"]').click)
            assert rid in find("h1").text
            kinds = [
                r.get_attribute("data-kind")
                for r in b.find_elements(By.CSS_SELECTOR, "tr[data-kind]")  # type: ignore[attr-defined]
            ]
            assert "asked" in kinds and "volunteered" in kinds
            shot(b, "05-request-ja")
        else:
            shot(b, name)
    assert "secret-note-B02" not in b.page_source  # type: ignore[attr-defined]

    # English, from the switch in the header; the page stays where it was.
    loads(find("header .tools a[hreflang=en]").click)
    assert find("html").get_attribute("lang") == "en"
    assert find("h1").text == "QCD records (every firm)"
    shot(b, "08-qcd-en")
    for name, link in (
        ("09-kpi-en", "Yearly figures"),
        ("10-requests-en", "Requests"),
        ("12-firms-en", "Firms"),
    ):
        loads(find("nav").find_element(By.LINK_TEXT, link).click)
        if link == "Yearly figures":
            find("#fiscal_year").send_keys("2026")
            loads(find("form.toolbar button").click)
            assert find("h1").text == "FY2026: figures against the plan"
        shot(b, name)
        if link == "Requests":
            loads(find(f'a[href="/office/requests/{rid}"]').click)
            assert "Answered" in b.page_source  # type: ignore[attr-defined]
            shot(b, "11-request-en")

    # Sign out: back at the form with a message; the pages are closed again.
    loads(find("header form button").click)
    assert "/office/login" in b.current_url  # type: ignore[attr-defined]
    assert "You have signed out." in find("[role=alert]").text
    shot(b, "13-signed-out-en")
    b.get(f"{hub.url}/office/qcd")  # type: ignore[attr-defined]
    assert "/office/login" in b.current_url  # type: ignore[attr-defined]
    loads(find("header .tools a[hreflang=ja]").click)
    assert find("h1").text == "事務局ログイン"
