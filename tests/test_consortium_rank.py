"""A firm's QCD record moves it in a request's proposals (and is never named there)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from factories import Terminal as Maker
from hub_support import fresh_db_url, running_hub

from hub import registry

JST = timezone(timedelta(hours=9))
PROFILE = {
    "processes": ["LATHE"],
    "equipment": [{"kind": "LATHE", "max_size_mm": 300, "count": 2}],
    "materials": ["S45C"],
    "region": {"class": "ota"},
    "private": {"load_pct": 0},
}
REQUEST = {
    "part": "PIN-5",
    "material": "S45C",
    "qty": 100,
    "due": "2026-08-31",
    "steps": [{"seq": 10, "process": "LATHE", "size_mm": 80}, {"seq": 20, "process": "GRIND"}],
}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_late_firm_with_defects_found_downstream_drops_below_its_equal(
    kind: str, tmp_path: Path
) -> None:
    with running_hub(fresh_db_url(kind, tmp_path), rate_per_s=1000, burst=1000) as hub:
        clients: dict[str, httpx.Client] = {}
        makers: dict[str, Maker] = {}
        for code in ("L01", "A02", "B03", "C04"):
            hub.add_firm(code, "ota")
            token = registry.enroll(hub.admin, hub.code(code), f"T-{code}")["token"]
            clients[code] = httpx.Client(
                base_url=hub.url, headers={"Authorization": f"Bearer {token}"}
            )
            makers[code] = Maker(f"T-{code}", code)
        grind = {**PROFILE, "processes": ["GRIND"], "equipment": []}
        for code, body in (("A02", PROFILE), ("B03", PROFILE), ("C04", grind)):
            assert clients[code].put("/v1/profile", json=body).status_code == 200
        lead = clients["L01"]

        def lathe_ranking() -> list[tuple[str, list[str]]]:
            rid = lead.post("/v1/requests", json=REQUEST).json()["request_id"]
            steps = lead.get(f"/v1/requests/{rid}/proposals").json()["steps"]
            return [(c["firm"], c["reasons"]) for c in steps[0]["candidates"]]

        first = lathe_ranking()
        assert [f for f, _r in first] == ["A02", "B03"]  # equals: by code
        assert first[0][1] == first[1][1]

        def push(
            code: str, type_: str, payload: dict[str, object], op: int | None, at: str
        ) -> None:
            when = datetime.fromisoformat(at).replace(tzinfo=JST)
            ev = makers[code].event(type_, payload, job_id="L01-J1", op=op, at=when)
            r = clients[code].post("/v1/events", json={"events": [ev.to_wire()]})
            assert r.json()["results"][0]["status"] == "accepted", r.text

        route = [
            {"seq": 10, "process": "LATHE", "firm": "A02"},
            {"seq": 20, "process": "GRIND", "firm": "C04"},
        ]
        push(
            "L01",
            "JobCreated",
            {
                "part_no": "PIN-4",
                "qty": 100,
                "due": "2026-05-10",
                "lead_firm": "L01",
                "route": route,
                "note": "",
                "unit_price_yen": 900,
            },
            None,
            "2026-05-01T09:00",
        )
        lot = {"lot_id": "L01-J1-L1"}
        push("A02", "LotReceived", {**lot, "count": 100}, 10, "2026-05-02T09:00")
        push(
            "A02",
            "OpFinished",
            {**lot, "good": 100, "defect": 0, "scrap": 0},
            10,
            "2026-05-14T09:00",
        )
        # Handed over four days after the job's due date; the grinder finds 7 short
        # and 12 bad.
        push("A02", "LotHandedOff", {**lot, "to_firm": "C04", "count": 100}, 10, "2026-05-14T10:00")
        push("C04", "LotReceived", {**lot, "count": 93}, 20, "2026-05-15T09:00")
        push(
            "C04",
            "DefectRecorded",
            {**lot, "code": "DIM", "count": 12, "disposition": "scrap", "note": ""},
            20,
            "2026-05-15T11:00",
        )
        own = clients["A02"].get("/v1/qcd").json()["own"]
        assert (own["steps"], own["on_time"], own["found_downstream"]) == (1, 0, 19)

        second = lathe_ranking()
        assert [f for f, _r in second] == ["B03", "A02"]
        # The reasons a lead firm reads are the same for both: the record only ranks.
        assert second[0][1] == second[1][1] == first[0][1]
        for c in clients.values():
            c.close()
