"""Helpers for the office page's tests: an office account, signing in over real HTTP,
a consortium with figures to show, and reading the tables of a page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from hub_support import Hub
from test_hub_consortium import REQUEST, Member, at, job_events, set_profiles

from hub import cli, kpi

PASSWORD = "correct horse battery"


def add_account(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, name: str = "clerk", pw: str = PASSWORD
) -> None:
    """``nakama-hub office-account add`` as the office would run it."""
    monkeypatch.setattr("sys.stdin", io.StringIO(pw + "\n"))
    argv = ["--db", hub.db_url, "office-account", "add", name, "--password-stdin"]
    assert cli.main(argv) == 0


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(
    http: httpx.Client, user: str = "clerk", password: str = PASSWORD, **over: str
) -> httpx.Response:
    """The sign-in form filled and sent as a browser would (its CSRF token included)."""
    form = http.get("/office/login")
    assert form.status_code == 200
    data = {"csrf": csrf_of(form.text), "username": user, "password": password, "next": "/office"}
    data.update(over)
    return http.post("/office/login", data={k: v for k, v in data.items() if v is not None})


def build_consortium(members: dict[str, Member]) -> str:
    """Profiles, a request with volunteers, and jobs in FY2026 with prices: returns the
    request's id."""
    set_profiles(members)
    m = members
    a, b, c = m["A01"], m["B02"], m["C03"]
    rid = str(a.post("/v1/requests", REQUEST).json()["request_id"])
    offer = {"step": 10, "price_yen": 180_000, "date": "2027-01-20", "note": "旋盤3台で対応"}
    assert b.post(f"/v1/requests/{rid}/volunteer", offer).status_code == 200
    job_events(
        m,
        "A01-J2",
        [(10, "B02"), (20, "D04")],
        created=at("2026-03-20T10:00"),
        delivered=at("2026-04-01T00:00:00"),
        unit=2500,
        qty=40,
    )
    job_events(
        m,
        "C03-J3",
        [(10, "C03"), (20, "B02")],
        created=at("2026-04-15T08:00"),
        delivered=at("2026-05-02T12:00"),
        unit=5000,
        qty=10,
    )
    job_events(
        m,
        "A01-J5",
        [(10, "E05"), (20, "C03")],
        created=at("2026-07-01T08:00"),
        delivered=at("2026-07-01T08:00") + timedelta(days=40),
        unit=30_000,
        qty=100,
    )
    # A second request, confirmed: the lead's job (as its terminal would push it) is
    # linked, so its history gains "chosen" and "confirmed".
    rid2 = str(
        a.post("/v1/requests", {**REQUEST, "part": "FLANGE-12", "qty": 50}).json()["request_id"]
    )
    offer2 = {"step": 20, "price_yen": 40_000, "date": "2027-01-25"}
    assert c.post(f"/v1/requests/{rid2}/volunteer", offer2).status_code == 200
    route = [(10, "B02", "LATHE"), (20, "C03", "HEAT"), (30, "D04", "GRIND")]
    created = a.maker.event(
        "JobCreated",
        {
            "part_no": "FLANGE-12",
            "drawing_no": "D-77-B.pdf",
            "qty": 50,
            "due": "2027-02-20",
            "lead_firm": "A01",
            "route": [{"seq": op, "process": p, "firm": f} for op, f, p in route],
            "note": f"依頼 {rid2}",
            "unit_price_yen": 9_000,
        },
        job_id="A01-J7",
        at=at("2026-11-20T09:00"),
    )
    a.push(created)
    done = a.post(f"/v1/requests/{rid2}/confirm", {"job_id": "A01-J7", "prices": {"20": 40_000}})
    assert done.status_code == 200, done.text
    assert c.post("/v1/jobs/C03-J3/prices", {"op": 20, "yen": 12_000}).status_code == 200
    assert a.post("/v1/jobs/A01-J5/prices", {"op": 20, "yen": 700_000}).status_code == 200
    rating = {"firm": "C03", "q": 4, "c": 3, "d": 5, "comment": "熱処理の硬度が安定"}
    assert a.post("/v1/jobs/A01-J5/ratings", rating).status_code == 200
    return rid


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts (header cells included)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def row(self, first: str) -> list[str]:
        """The first row (of any table) whose first cell starts with ``first``."""
        for table in self.tables:
            for r in table:
                if r and r[0].startswith(first):
                    return r
        raise AssertionError(f"no row {first!r} in {self.tables}")


def expected_year_cells(fig: dict[str, Any]) -> dict[str, str]:
    """How the page writes the year's figures in Japanese, from hub.kpi's answer."""
    y = fig["year"]

    def yen(v: int) -> str:
        return f"{v:,}円"

    return {
        "参加企業数": f"{y['firms']:,}",
        "新規参加企業": f"{y['new_firms']:,}",
        "ネットワーク売上": yen(y["sales_yen"]),
        "地方企業との受発注額": yen(y["regional_yen"]),
        "納品件数": f"{y['delivered_jobs']:,}",
    }


__all__ = ["kpi"]
