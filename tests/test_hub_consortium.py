"""Issue 13, against the real hub on loopback (SQLite and PostgreSQL): firm profiles,
requests matched to firms, volunteering and confirming, prices per step, and the ward's
figures per fiscal year. Every route is attacked by a member firm too: a member is not
an outsider, but it must not read another firm's private fields or prices, edit another
firm's profile, volunteer as another firm or confirm another firm's request."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import Terminal as Maker
from hub_support import Hub, fresh_db_url, running_hub

from hub import cli, kpi, registry

JST = timezone(timedelta(hours=9))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_db_url(request.param, tmp_path)


FIRMS = {  # code: region as the office registered it
    "A01": "ota",
    "B02": "ota",
    "C03": "hitachi",
    "D04": "tokyo",
    "E05": "ota",
}


@pytest.fixture
def hub(db_url: str) -> Iterator[Hub]:
    with running_hub(db_url, rate_per_s=1000, burst=1000) as h:
        for code, region in FIRMS.items():
            h.add_firm(code, region)
        yield h


@dataclass
class Member:
    firm: str
    token: str
    maker: Maker
    http: httpx.Client

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, json=body)

    def put(self, path: str, body: Any) -> httpx.Response:
        return self.http.put(path, json=body)

    def push(self, *events: Any) -> list[dict[str, Any]]:
        r = self.post("/v1/events", {"events": [e.to_wire() for e in events]})
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        assert all(x["status"] == "accepted" for x in results), results
        return results


@pytest.fixture
def members(hub: Hub) -> Iterator[dict[str, Member]]:
    out = {}
    for code in FIRMS:
        tid = f"T-{code}"
        token = registry.enroll(hub.admin, hub.code(code), tid)["token"]
        http = httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"})
        out[code] = Member(code, token, Maker(tid, code), http)
    office = registry.office_token(hub.admin)
    out["OFFICE"] = Member(
        "OFFICE",
        office,
        Maker("T-OFFICE", "OFFICE"),
        httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {office}"}),
    )
    yield out
    for m in out.values():
        m.http.close()


PROFILES: dict[str, dict[str, Any]] = {
    "A01": {"processes": ["INSPECT"], "region": {"class": "ota"}},
    "B02": {
        "processes": ["LATHE", "MILL"],
        "equipment": [{"kind": "LATHE", "max_size_mm": 300, "axes": 2, "count": 3}],
        "materials": ["S45C", "SUS304"],
        "certifications": ["ISO9001"],
        "lot_sizes": {"min": 10, "max": 500},
        "region": {"class": "ota", "prefecture": "東京都", "city": "大田区"},
        "contact": {"name": "山田", "phone": "03-0000-0000"},
        "private": {"load_pct": 85, "note": "secret-note-B02"},
    },
    "C03": {
        "processes": ["HEAT", "LATHE"],
        "equipment": [
            {"kind": "FURNACE", "max_size_mm": 800, "count": 1},
            {"kind": "LATHE", "max_size_mm": 400, "count": 6},
        ],
        "materials": ["S45C"],
        "region": {"class": "regional", "prefecture": "茨城県", "city": "日立市"},
        "private": {"load_pct": 10},
    },
    "D04": {
        "processes": ["GRIND"],
        "equipment": [{"kind": "GRINDER", "max_size_mm": 250}],
        "region": {"class": "tokyo", "prefecture": "東京都", "city": "品川区"},
    },
    "E05": {
        "processes": ["LATHE"],
        "equipment": [{"kind": "LATHE", "max_size_mm": 100, "count": 1}],
        "region": {"class": "ota"},
        "private": {"load_pct": 0},
    },
}

REQUEST = {
    "part": "SHAFT-77",
    "drawing": "D-77-B.pdf",
    "material": "S45C",
    "qty": 200,
    "due": "2027-02-20",
    "budget_yen": 1_500_000,
    "steps": [
        {"seq": 10, "process": "LATHE", "size_mm": 200, "tolerance_mm": 0.005, "finish_ra": 0.8},
        {"seq": 20, "process": "HEAT", "hardness": "HRC58"},
        {"seq": 30, "process": "GRIND", "size_mm": 200, "finish_ra": 0.2},
    ],
}


def set_profiles(members: dict[str, Member]) -> None:
    for code, body in PROFILES.items():
        r = members[code].put("/v1/profile", body)
        assert r.status_code == 200, r.text


# -- profiles --------------------------------------------------------------------------


def test_profiles_are_edited_by_their_firm_and_private_fields_never_leak(
    hub: Hub, members: dict[str, Member]
) -> None:
    set_profiles(members)
    a, b, e, office = members["A01"], members["B02"], members["E05"], members["OFFICE"]
    own = b.get("/v1/profile").json()
    assert own["firm"] == "B02" and own["private"] == {"load_pct": 85, "note": "secret-note-B02"}
    assert own["equipment"][0]["max_size_mm"] == 300 and own["region"]["city"] == "大田区"

    # A firm that leads nothing reads no other profile: as if the firm did not exist.
    assert a.get("/v1/profiles/B02").status_code == 404
    assert a.get("/v1/profiles/NOPE").status_code == 404
    assert a.get("/v1/profiles").status_code == 404
    # Once it leads a request, it reads the public part, never the private one.
    assert a.post("/v1/requests", REQUEST).status_code == 200
    seen = a.get("/v1/profiles/B02")
    assert seen.status_code == 200 and seen.json()["materials"] == ["S45C", "SUS304"]
    for reader in (a, office):
        one = reader.get("/v1/profiles/B02").text
        assert "secret-note-B02" not in one and "load_pct" not in one and "private" not in one
        for p in reader.get("/v1/profiles").json()["profiles"]:
            text = json.dumps(p)
            assert "secret-note-B02" not in text
            assert ("private" in p) == (p["firm"] == reader.firm)  # its own only
    listed = {p["firm"]: p for p in office.get("/v1/profiles").json()["profiles"]}
    assert set(listed) == set(FIRMS) and listed["C03"]["region"]["class"] == "regional"

    # Only its own profile: the body cannot name another firm, and the office cannot write.
    assert e.put("/v1/profile", {**PROFILES["B02"], "firm": "B02"}).status_code == 422
    assert office.put("/v1/profile", PROFILES["E05"]).status_code == 403
    assert e.put("/v1/profile", {"processes": ["LATHE"], "region": {"class": "mars"}}).json() == {
        "error": "bad_field",
        "detail": "region.class",
    }
    assert b.get("/v1/profile").json()["private"]["note"] == "secret-note-B02"
    assert e.get("/v1/profile").json()["processes"] == ["LATHE"]
    # The CLI reads them too, as the office.
    rc = cli.main(["--db", hub.db_url, "profile", "show", "B02"])
    assert rc == 0


# -- requests and matching -------------------------------------------------------------


def test_requests_are_matched_step_by_step_with_reasons_and_no_private_load(
    hub: Hub, members: dict[str, Member], capsys: pytest.CaptureFixture[str]
) -> None:
    set_profiles(members)
    a, b, c, e = members["A01"], members["B02"], members["C03"], members["E05"]
    made = a.post("/v1/requests", REQUEST)
    assert made.status_code == 200, made.text
    req = made.json()
    rid = req["request_id"]
    assert req["lead_firm"] == "A01" and req["budget_yen"] == 1_500_000
    asked = {(h["firm"], h["step"]) for h in req["history"] if h["kind"] == "asked"}
    assert ("B02", 10) in asked and ("C03", 20) in asked and ("D04", 30) in asked
    assert not any(f == "E05" for f, _s in asked)  # its lathe is too small

    prop = a.get(f"/v1/requests/{rid}/proposals")
    assert prop.status_code == 200
    steps = {s["seq"]: s for s in prop.json()["steps"]}
    lathe = [cand["firm"] for cand in steps[10]["candidates"]]
    assert "E05" not in lathe and set(lathe) == {"B02", "C03"}
    b_cand = next(x for x in steps[10]["candidates"] if x["firm"] == "B02")
    assert "material" in b_cand["reasons"] and "near" in b_cand["reasons"]
    assert [x["firm"] for x in steps[20]["candidates"]] == ["C03"]
    assert "load" not in prop.text and "secret" not in prop.text and "85" not in prop.text

    # Firms see what fits them, without the budget; a firm it does not fit sees nothing.
    seen = b.get(f"/v1/requests/{rid}").json()
    assert "budget_yen" not in seen and seen["your_steps"] == [10]
    assert [h["firm"] for h in seen["history"]] == ["B02"]  # only its own part
    assert [r["request_id"] for r in c.get("/v1/requests").json()["requests"]] == [rid]
    assert e.get(f"/v1/requests/{rid}").status_code == 404
    assert e.get("/v1/requests").json()["requests"] == []
    assert e.get(f"/v1/requests/{rid}").json() == e.get("/v1/requests/R000000-NONE").json()
    assert b.get(f"/v1/requests/{rid}/proposals").status_code == 403  # not the lead

    # The office enters a request for a lead firm from the hub's command line.
    capsys.readouterr()
    argv = ["--db", hub.db_url, "request", "add", "--lead", "D04", "--part", "PIN-3"]
    argv += ["--qty", "5000", "--due", "2027-03-01", "--step", "10:LATHE:size_mm=150"]
    assert cli.main(argv) == 0
    entered = json.loads(capsys.readouterr().out)
    assert entered["lead_firm"] == "D04" and entered["history"][0]["actor"] == "OFFICE"
    volume = members["D04"].get(f"/v1/requests/{entered['request_id']}/proposals").json()
    first = volume["steps"][0]["candidates"][0]
    assert first["firm"] == "C03" and "volume_regional" in first["reasons"]  # 5,000 pieces
    assert cli.main(["--db", hub.db_url, "request", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2

    # A process no firm has, and a part too big for every machine: a clear answer.
    odd = {
        **REQUEST,
        "steps": [{"seq": 10, "process": "EDM"}, {"seq": 20, "process": "LATHE", "size_mm": 900}],
    }
    rid2 = a.post("/v1/requests", odd).json()["request_id"]
    nobody = a.get(f"/v1/requests/{rid2}/proposals").json()["steps"]
    assert [(s["candidates"], s["none"]) for s in nobody] == [([], "no_process"), ([], "too_small")]


def test_volunteering_and_its_attacks(hub: Hub, members: dict[str, Member]) -> None:
    set_profiles(members)
    a, b, c, e = members["A01"], members["B02"], members["C03"], members["E05"]
    rid = a.post("/v1/requests", REQUEST).json()["request_id"]
    offer = {"step": 10, "price_yen": 180_000, "date": "2027-01-20"}
    assert b.post(f"/v1/requests/{rid}/volunteer", offer).status_code == 200
    # Another firm's name in the body is refused; the firm is the token's.
    assert b.post(f"/v1/requests/{rid}/volunteer", {**offer, "firm": "C03"}).status_code == 422
    # A step its profile does not fit; a request it cannot see; the office.
    wrong = b.post(f"/v1/requests/{rid}/volunteer", {**offer, "step": 20})
    assert wrong.status_code == 403 and wrong.json()["error"] == "not_capable"
    assert e.post(f"/v1/requests/{rid}/volunteer", offer).status_code == 404
    assert members["OFFICE"].post(f"/v1/requests/{rid}/volunteer", offer).status_code == 403
    assert (
        c.post(f"/v1/requests/{rid}/volunteer", {**offer, "price_yen": 150_000}).status_code == 200
    )

    lead_view = a.get(f"/v1/requests/{rid}").json()
    offers = [
        (h["firm"], h["price_yen"]) for h in lead_view["history"] if h["kind"] == "volunteered"
    ]
    assert offers == [("B02", 180_000), ("C03", 150_000)]
    # A competitor's offer is not shown to another volunteer.
    assert "180000" not in c.get(f"/v1/requests/{rid}").text
    assert "150000" not in b.get(f"/v1/requests/{rid}").text
    cands = a.get(f"/v1/requests/{rid}/proposals").json()["steps"][0]["candidates"]
    assert {x["firm"]: x["offer"]["price_yen"] for x in cands if "offer" in x} == {
        "B02": 180_000,
        "C03": 150_000,
    }


def _operator(run: Any) -> None:
    assert run("operators", "add", "社長", "--role", "owner", "--badge", "BOSS") == 0


def test_confirm_creates_the_job_on_the_leads_terminal_and_prices_stay_private(
    hub: Hub,
    members: dict[str, Member],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``nakama request confirm`` on the lead's terminal: the core's create_job makes the
    JobCreated, sync carries it, and only then the hub links it to the request."""
    from app import cli as terminal_cli
    from app.store import Store
    from app.sync import enroll

    set_profiles(members)
    a, b, c, d = members["A01"], members["B02"], members["C03"], members["D04"]
    rid = a.post("/v1/requests", REQUEST).json()["request_id"]
    b.post(f"/v1/requests/{rid}/volunteer", {"step": 10, "price_yen": 90_000, "date": "2027-01-10"})
    c.post(f"/v1/requests/{rid}/volunteer", {"step": 20, "price_yen": 40_000, "date": "2027-01-20"})

    db = tmp_path / "lead.db"
    with Store.open(db, firm_id="A01") as store:
        enroll(store, hub.url, hub.code("A01"))
    monkeypatch.setenv("NAKAMA_PIN", "")

    def run(*argv: str) -> int:
        return terminal_cli.main(["--db", str(db), *argv])

    _operator(run)
    capsys.readouterr()
    # Another firm cannot confirm it (it may see it: 403; E05 cannot: 404).
    cannot = b.post(f"/v1/requests/{rid}/confirm", {"job_id": "B02-X"})
    assert cannot.status_code == 403 and cannot.json()["error"] == "not_lead_firm"
    assert members["E05"].post(f"/v1/requests/{rid}/confirm", {"job_id": "x"}).status_code == 404
    # A job the hub does not hold, or one of another firm, is not linked.
    assert a.post(f"/v1/requests/{rid}/confirm", {"job_id": "A01-NOPE"}).json()["error"] == (
        "job_not_on_hub"
    )

    assert run("request", "confirm", rid, "--operator", "BOSS", "--price", "7000") == 0
    answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    job_id = answer["job_id"]
    assert answer["state"] == "confirmed" and job_id.startswith("A01-")
    with Store.open(db) as store:
        job = store.job(job_id)
        assert job is not None and [(o.seq, o.firm) for o in job.route.ops] == [
            (10, "B02"),
            (20, "C03"),
            (30, "D04"),
        ]
        created = [ev for ev in store.job_events(job_id) if ev.type == "JobCreated"]
        assert created[0].terminal_id == store.terminal_id  # made here, not by the hub
        assert rid in created[0].payload["note"]
    chosen = [(h["firm"], h["step"]) for h in answer["history"] if h["kind"] == "chosen"]
    assert chosen == [("B02", 10), ("C03", 20), ("D04", 30)]
    # Confirming twice is refused, and one job answers one request only.
    again = a.post(f"/v1/requests/{rid}/confirm", {"job_id": job_id})
    assert again.status_code == 409 and again.json()["error"] == "request_closed"
    other = a.post("/v1/requests", REQUEST).json()["request_id"]
    twice = a.post(f"/v1/requests/{other}/confirm", {"job_id": job_id})
    assert twice.status_code == 409 and twice.json()["error"] == "job_linked"

    # Prices: the volunteers' offers became the lead's prices; each firm sees its own.
    lead_prices = {s["op"]: s["yen"] for s in a.get(f"/v1/jobs/{job_id}/prices").json()["steps"]}
    assert lead_prices == {10: 90_000, 20: 40_000, 30: None}
    assert [s["op"] for s in b.get(f"/v1/jobs/{job_id}/prices").json()["steps"]] == [10]
    assert "40000" not in b.get(f"/v1/jobs/{job_id}/prices").text
    assert "90000" not in d.get(f"/v1/jobs/{job_id}/prices").text
    assert members["E05"].get(f"/v1/jobs/{job_id}/prices").status_code == 404
    assert members["OFFICE"].get(f"/v1/jobs/{job_id}/prices").status_code == 403
    # Only the lead records a price; a correction is the newest, with its history.
    assert c.post(f"/v1/jobs/{job_id}/prices", {"op": 20, "yen": 99}).status_code == 403
    assert a.post(f"/v1/jobs/{job_id}/prices", {"op": 20, "yen": 45_000}).status_code == 200
    mine = c.get(f"/v1/jobs/{job_id}/prices").json()["steps"]
    assert mine[0]["yen"] == 45_000 and [h["yen"] for h in mine[0]["history"]] == [40_000, 45_000]
    # B02 promised 10 January for its step (the job is due 20 February): a hand-off on
    # the 12th is late in its QCD record.
    _did(b, job_id, 10, "LotReceived", "2027-01-08T09:00", count=200)
    _did(b, job_id, 10, "LotHandedOff", "2027-01-12T09:00", to_firm="C03", count=200)
    own = b.get("/v1/qcd").json()["own"]
    assert (own["steps"], own["on_time"]) == (1, 0)
    # The lead firm's terminal CLI shows the prices too.
    capsys.readouterr()
    assert run("price", "show", job_id) == 0
    assert '"yen": 45000' in capsys.readouterr().out
    # Rating before delivery is refused, in both languages; the lead's own QCD record.
    assert run("rate", job_id, "--firm", "B02", "--q", "4", "--c", "4", "--d", "2") == 1
    assert "not_delivered" in capsys.readouterr().err
    assert run("qcd") == 0
    assert json.loads(capsys.readouterr().out)["firm"] == "A01"


def test_confirm_with_the_leads_own_route_creates_that_job_on_its_terminal(
    hub: Hub,
    members: dict[str, Member],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``nakama request confirm R --route …``: the lead firm's own choice over the hub's
    proposals and the volunteers; a route with other processes is refused by the hub."""
    from app import cli as terminal_cli
    from app.store import Store
    from app.sync import enroll

    set_profiles(members)
    a, b = members["A01"], members["B02"]
    rid = a.post("/v1/requests", REQUEST).json()["request_id"]
    b.post(f"/v1/requests/{rid}/volunteer", {"step": 10, "price_yen": 90_000, "date": "2027-01-10"})
    db = tmp_path / "lead.db"
    with Store.open(db, firm_id="A01") as store:
        enroll(store, hub.url, hub.code("A01"))
    monkeypatch.setenv("NAKAMA_PIN", "")

    def run(*argv: str) -> int:
        return terminal_cli.main(["--db", str(db), *argv])

    _operator(run)
    wrong = "10:LATHE:C03,20:GRIND:D04,30:HEAT:C03"
    assert run("request", "confirm", rid, "--route", wrong, "--operator", "BOSS") == 1
    assert "route_mismatch" in capsys.readouterr().err
    other = a.post("/v1/requests", REQUEST).json()["request_id"]
    b.post(f"/v1/requests/{other}/volunteer", {"step": 10, "price_yen": 1, "date": "2027-01-10"})
    own = "10:LATHE:C03,20:HEAT:C03,30:GRIND:D04"
    assert run("request", "confirm", other, "--route", own, "--operator", "BOSS") == 0
    answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    job_id = answer["job_id"]
    assert answer["state"] == "confirmed"
    with Store.open(db) as store:
        job = store.job(job_id)
        assert job is not None
        assert [(o.seq, o.firm) for o in job.route.ops] == [(10, "C03"), (20, "C03"), (30, "D04")]
        created = [ev for ev in store.job_events(job_id) if ev.type == "JobCreated"]
        assert created[0].terminal_id == store.terminal_id
    chosen = [(h["firm"], h["step"]) for h in answer["history"] if h["kind"] == "chosen"]
    assert chosen == [("C03", 10), ("C03", 20), ("D04", 30)]
    # The lead's own route records no volunteer's price: B02's offer was not taken.
    steps = a.get(f"/v1/jobs/{job_id}/prices").json()["steps"]
    assert [s["yen"] for s in steps] == [None, None, None]
    # The hub's summaries hold the new job's three open steps at once (load in matching).
    assert hub.count("summary_steps") >= 3
    with hub.admin.read() as c:
        open_now = c.exec_driver_sql(
            "SELECT firm_id, open FROM summary_steps WHERE job_id = ? ORDER BY op"
            if hub.db_url.startswith("sqlite")
            else "SELECT firm_id, open FROM summary_steps WHERE job_id = %s ORDER BY op",
            (job_id,),
        ).all()
    assert [tuple(r) for r in open_now] == [("C03", 1), ("C03", 1), ("D04", 1)]


# -- the ward's figures ----------------------------------------------------------------


def at(text: str) -> datetime:
    """A time given in Japan time."""
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def job_events(
    m: dict[str, Member],
    job_id: str,
    route: list[tuple[int, str]],
    *,
    created: datetime,
    delivered: datetime | None,
    unit: int,
    qty: int,
) -> list[Any]:
    """Push a job from its creation to (optionally) its last step's finish; returns the
    events pushed (the test computes the figures from these)."""
    lead = m[job_id.split("-")[0]]
    steps = [{"seq": op, "process": f"P{op}", "firm": firm} for op, firm in route]
    ev = lead.maker.event(
        "JobCreated",
        {
            "part_no": "P",
            "drawing_no": "",
            "qty": qty,
            "due": "2027-06-30",
            "lead_firm": lead.firm,
            "route": steps,
            "note": "",
            "unit_price_yen": unit,
        },
        job_id=job_id,
        at=created,
    )
    lead.push(ev)
    pushed = [ev]
    if delivered is None:
        return pushed
    for i, (op, firm) in enumerate(route):
        when = delivered if i == len(route) - 1 else created + timedelta(hours=i + 1)
        w = m[firm].maker
        lot = f"{job_id}-L1"
        evs = [
            w.event("LotReceived", {"lot_id": lot, "count": qty}, job_id=job_id, op=op, at=when),
            w.event(
                "OpFinished",
                {"lot_id": lot, "good": qty, "defect": 0, "scrap": 0},
                job_id=job_id,
                op=op,
                at=when,
            ),
        ]
        m[firm].push(*evs)
        pushed += evs
    return pushed


def expected(events: list[Any], prices: dict[tuple[str, int], int], year: int) -> dict[str, int]:
    """The year's figures computed here, straight from the events the test pushed."""
    regions = {"C03": "regional"}
    lo = datetime(year, 4, 1, tzinfo=JST)
    hi = datetime(year + 1, 4, 1, tzinfo=JST)
    first: dict[str, datetime] = {}
    worked: set[str] = set()
    jobs: dict[str, dict[str, Any]] = {}
    done: dict[str, datetime] = {}
    for ev in events:
        t = datetime.fromisoformat(ev.occurred_at)
        first[ev.firm_id] = min(first.get(ev.firm_id, t), t)
        if lo <= t < hi:
            worked.add(ev.firm_id)
        if ev.type == "JobCreated":
            jobs[ev.job_id] = {**ev.payload, "at": t}
        if ev.type == "EventCorrected":  # the lead's correction of its order
            jobs[ev.job_id].update(ev.payload["replacement"]["payload"])
        if ev.type == "OpFinished":
            last = max(jobs[ev.job_id]["route"], key=lambda s: s["seq"])
            if ev.op == last["seq"] and ev.firm_id == last["firm"]:
                done[ev.job_id] = t
    sales = sum(
        j["unit_price_yen"] * j["qty"]
        for jid, j in jobs.items()
        if jid in done and lo <= done[jid] < hi and len({s["firm"] for s in j["route"]}) >= 2
    )
    regional = 0
    for jid, j in jobs.items():
        if not lo <= j["at"] < hi:
            continue
        for s in j["route"]:
            lead_regional = regions.get(j["lead_firm"]) == "regional"
            if s["firm"] != j["lead_firm"] and (lead_regional or regions.get(s["firm"])):
                regional += prices.get((jid, s["seq"]), 0)
    return {
        "firms": len(worked),
        "new_firms": sum(1 for f in worked if lo <= first[f] < hi),
        "sales_yen": sales,
        "regional_yen": regional,
        "delivered_jobs": sum(
            1
            for jid in done
            if lo <= done[jid] < hi and len({s["firm"] for s in jobs[jid]["route"]}) >= 2
        ),
    }


def test_kpi_per_fiscal_year_from_the_events_with_jst_boundaries(
    hub: Hub, members: dict[str, Member], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_profiles(members)
    m = members
    events: list[Any] = []
    # FY2025 (the plan's first year): one job, delivered on 31 March 23:59 JST.
    events += job_events(
        m,
        "A01-J1",
        [(10, "B02"), (20, "C03")],
        created=at("2026-02-10T09:00"),
        delivered=at("2026-03-31T23:59:59"),
        unit=1000,
        qty=100,
    )
    # FY2026: delivered one second later in Japan (1 April 00:00 JST = 31 March UTC).
    events += job_events(
        m,
        "A01-J2",
        [(10, "B02"), (20, "D04")],
        created=at("2026-03-20T10:00"),
        delivered=at("2026-04-01T00:00:00"),
        unit=2500,
        qty=40,
    )
    # FY2026: a regional lead (C03) orders from B02; delivered in May.
    events += job_events(
        m,
        "C03-J3",
        [(10, "C03"), (20, "B02")],
        created=at("2026-04-15T08:00"),
        delivered=at("2026-05-02T12:00"),
        unit=5000,
        qty=10,
    )
    # FY2026: one firm only (not through the network); and one not delivered.
    events += job_events(
        m,
        "B02-J4",
        [(10, "B02")],
        created=at("2026-06-01T08:00"),
        delivered=at("2026-06-03T08:00"),
        unit=9999,
        qty=10,
    )
    events += job_events(
        m,
        "A01-J5",
        [(10, "E05"), (20, "C03")],
        created=at("2026-07-01T08:00"),
        delivered=None,
        unit=100,
        qty=1,
    )
    a, c = m["A01"], m["C03"]
    prices = {
        ("A01-J1", 20): 30_000,  # C03 is regional: counts in FY2025 (ordered in Feb)
        ("A01-J2", 10): 50_000,  # Ota to Ota: does not count
        ("C03-J3", 20): 12_000,  # a regional lead orders from B02: counts
        ("A01-J5", 20): 7_000,
    }
    for (job, op), yen in prices.items():
        lead = c if job.startswith("C03") else a
        assert lead.post(f"/v1/jobs/{job}/prices", {"op": op, "yen": 1}).status_code == 200
        assert lead.post(f"/v1/jobs/{job}/prices", {"op": op, "yen": yen}).status_code == 200
    # A correction of the order: J3's unit price becomes 5,200 (the lead's EventCorrected).
    j3 = next(e for e in events if e.job_id == "C03-J3" and e.type == "JobCreated")
    fix = c.maker.event(
        "EventCorrected",
        {
            "supersedes": j3.event_id,
            "reason": "price",
            "replacement": {
                "type": "JobCreated",
                "payload": {**j3.payload, "unit_price_yen": 5200},
            },
        },
        job_id="C03-J3",
        at=at("2026-05-10T09:00"),
    )
    c.push(fix)
    events.append(fix)

    office = m["OFFICE"]
    assert cli.main(["--db", hub.db_url, "plan", "--first-fiscal-year", "2025"]) == 0
    for year in (2025, 2026):
        got = office.get("/v1/kpi", params={"fiscal_year": year})
        assert got.status_code == 200, got.text
        fig = got.json()
        assert fig["year"] == expected(events, prices, year), year
        months = {row["month"]: row for row in fig["months"]}
        assert len(months) == 12 and next(iter(months)) == f"{year}-04"
        assert sum(r["sales_yen"] for r in fig["months"]) == fig["year"]["sales_yen"]
    fy25 = office.get("/v1/kpi", params={"fiscal_year": 2025}).json()
    assert fy25["months"][-1]["sales_yen"] == 100_000  # March 2026 holds J1
    assert fy25["targets"] == {
        "plan_year": 1,
        "new_firms": 40,
        "firms_cumulative": 40,
        "sales_yen": 20_000_000,
        "regional_yen": 2_000_000,
    }
    fy26 = office.get("/v1/kpi", params={"fiscal_year": 2026}).json()
    assert fy26["months"][0]["sales_yen"] == 100_000  # J2 on 1 April JST
    assert fy26["months"][1]["sales_yen"] == 52_000  # J3 at the corrected price
    assert fy26["year"]["regional_yen"] == 12_000 + 7_000
    assert fy26["targets"]["sales_yen"] == 50_000_000
    assert office.get("/v1/kpi", params={"fiscal_year": 2040}).json()["targets"] is None

    # Office only: a member's token, even the lead's, is refused.
    for code in FIRMS:
        assert m[code].get("/v1/kpi").status_code == 403
    # The CSV opens in Japanese Excel: UTF-8 with a BOM, CRLF, Japanese headers.
    out = tmp_path / "kpi.csv"
    assert (
        cli.main(["--db", hub.db_url, "kpi", "--fiscal-year", "2026", "--csv", "--out", str(out)])
        == 0
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("月 / month,参加企業数") and lines[1].startswith("2026-04,")
    assert lines[13].split(",")[3] == str(fy26["year"]["sales_yen"])
    assert lines[14].startswith("計画2年目")

    # The yearly evaluation report: one A4 page with the year's figures in it.
    pdf = tmp_path / "kpi.pdf"
    assert cli.main(["--db", hub.db_url, "kpi", "--fiscal-year", "2026", "--pdf", str(pdf)]) == 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "(A4)" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "yearly evaluation report" in text and "plan year 2" in text
    assert f"¥{fy26['year']['sales_yen']:,}" in text and "¥50,000,000" in text


def test_kpi_fiscal_year_of_a_moment() -> None:
    assert kpi.fiscal_year(datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC)) == 2026
    assert kpi.fiscal_year(datetime(2027, 3, 31, 15, 0, 0, tzinfo=UTC)) == 2027
    assert kpi.fiscal_months(2026)[0] == "2026-04" and kpi.fiscal_months(2026)[-1] == "2027-03"
    assert kpi.month_key(datetime(2027, 3, 31, 15, 0, tzinfo=UTC)) == "2027-04"


# -- QCD records -----------------------------------------------------------------------


def _create(m: dict[str, Member], job_id: str, route: list[tuple[int, str]], due: str) -> None:
    lead = m[job_id.split("-")[0]]
    steps = [{"seq": op, "process": f"P{op}", "firm": firm} for op, firm in route]
    payload = {
        "part_no": "Q",
        "drawing_no": "",
        "qty": 100,
        "due": due,
        "lead_firm": lead.firm,
        "route": steps,
        "note": "",
    }
    lead.push(lead.maker.event("JobCreated", payload, job_id=job_id, at=at("2027-01-01T08:00")))


def _did(m: Member, job_id: str, op: int, type_: str, when: str, **payload: Any) -> None:
    lot = {"lot_id": f"{job_id}-L1"}
    m.push(m.maker.event(type_, {**lot, **payload}, job_id=job_id, op=op, at=at(when)))


def test_qcd_records_from_the_events_each_firm_its_own(
    hub: Hub, members: dict[str, Member], capsys: pytest.CaptureFixture[str]
) -> None:
    m = members
    a, b, c, d = m["A01"], m["B02"], m["C03"], m["D04"]
    # Q1: B02 on time; C03 receives 97 of 100 and records 2 defects, hands off late;
    # D04 finishes late (the job was due 31 January).
    _create(m, "A01-Q1", [(10, "B02"), (20, "C03"), (30, "D04")], "2027-01-31")
    _did(b, "A01-Q1", 10, "LotReceived", "2027-01-05T09:00", count=100)
    _did(b, "A01-Q1", 10, "LotHandedOff", "2027-01-06T09:00", to_firm="C03", count=100)
    _did(c, "A01-Q1", 20, "LotReceived", "2027-01-07T09:00", count=97, from_firm="B02")
    _did(
        c,
        "A01-Q1",
        20,
        "DefectRecorded",
        "2027-01-07T10:00",
        code="DIM",
        count=2,
        disposition="scrap",
        note="",
    )
    _did(c, "A01-Q1", 20, "LotHandedOff", "2027-02-02T09:00", to_firm="D04", count=95)
    _did(d, "A01-Q1", 30, "LotReceived", "2027-02-02T15:00", count=95, from_firm="C03")
    _did(d, "A01-Q1", 30, "OpFinished", "2027-02-03T09:00", good=95, defect=0, scrap=0)
    # Q2: B02 hands off after 12 hours; D04 finishes half an hour late in Japan time
    # (00:30 on 1 April JST is still 31 March, the due date, in UTC).
    _create(m, "A01-Q2", [(10, "B02"), (20, "D04")], "2027-03-31")
    _did(b, "A01-Q2", 10, "LotReceived", "2027-02-28T22:00", count=50)
    _did(b, "A01-Q2", 10, "LotHandedOff", "2027-03-01T10:00", to_firm="D04", count=50)
    _did(d, "A01-Q2", 20, "LotReceived", "2027-03-02T09:00", count=50, from_firm="B02")
    _did(d, "A01-Q2", 20, "OpFinished", "2027-04-01T00:30", good=50, defect=0, scrap=0)
    # Q3: not delivered.
    _create(m, "A01-Q3", [(10, "B02"), (20, "C03")], "2027-03-31")
    # A step event from a firm the route does not name counts for nobody.
    _did(m["E05"], "A01-Q2", 10, "LotHandedOff", "2027-03-01T10:00", to_firm="D04", count=9)

    # Ratings: only the lead, only after delivery, only of another firm on the route.
    rating = {"firm": "C03", "q": 2, "c": 4, "d": 1, "comment": "納期遅れ-C03"}
    assert a.post("/v1/jobs/A01-Q1/ratings", rating).status_code == 200
    assert b.post("/v1/jobs/A01-Q1/ratings", rating).json()["error"] == "not_lead_firm"
    assert m["E05"].post("/v1/jobs/A01-Q1/ratings", rating).status_code == 404
    assert a.post("/v1/jobs/A01-Q3/ratings", {**rating, "firm": "B02"}).json()["error"] == (
        "not_delivered"
    )
    assert a.post("/v1/jobs/A01-Q1/ratings", {**rating, "firm": "A01"}).status_code == 422
    assert a.post("/v1/jobs/A01-Q1/ratings", {**rating, "q": 6}).status_code == 422
    assert (
        a.post("/v1/jobs/A01-Q2/ratings", {"firm": "B02", "q": 5, "c": 3, "d": 5}).status_code
        == 200
    )

    office = m["OFFICE"].get("/v1/qcd").json()
    every = {f["firm"]: f for f in office["firms"]}
    b_rec, c_rec, d_rec = every["B02"], every["C03"], every["D04"]
    assert (b_rec["steps"], b_rec["on_time"], b_rec["handed_parts"]) == (2, 2, 150)
    assert b_rec["found_downstream"] == 3 + 2  # the receipt gap and C03's defects
    assert b_rec["lead_time_hours_median"] == (24 + 12) / 2
    assert (c_rec["steps"], c_rec["on_time"], c_rec["found_downstream"]) == (1, 0, 0)
    assert c_rec["lead_time_hours_median"] == 26 * 24
    assert (c_rec["rating_q"], c_rec["rating_c"], c_rec["rating_d"]) == (2, 4, 1)
    assert (d_rec["steps"], d_rec["on_time"], d_rec["handed_parts"]) == (2, 0, 0)
    assert "E05" not in every or every["E05"]["steps"] == 0
    assert office["median"]["on_time_rate"] == 0.0  # 1.0, 0.0, 0.0
    # D04: 18 h (Q1) and 711.5 h (Q2), median 364.75; the network: B02 18, C03 624.
    assert d_rec["lead_time_hours_median"] == 364.75
    assert office["median"]["lead_time_hours_median"] == 364.75

    # A firm: its own record and the median, nothing of another firm's.
    mine = b.get("/v1/qcd")
    assert mine.status_code == 200
    got = mine.json()
    assert (
        got["firm"] == "B02" and got["own"]["rating_q"] == 5 and got["median"] == office["median"]
    )
    assert "firms" not in got and "C03" not in mine.text and "納期遅れ" not in mine.text
    capsys.readouterr()
    assert cli.main(["--db", hub.db_url, "qcd"]) == 0
    assert json.loads(capsys.readouterr().out)["firms"] == office["firms"]
    theirs = c.get("/v1/qcd").json()
    assert theirs["own"]["comments"] == ["納期遅れ-C03"] and "B02" not in json.dumps(theirs)
