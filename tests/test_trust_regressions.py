"""Attacks found by an adversarial review after the trust work, each now refused or
without effect (a member firm with a valid token against the victim's terminals)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.commands.job_view import job_view
from app.core import commands as C
from app.core.clock import new_event_id
from app.core.state import fold
from app.store import Store
from hub import ingest, photos
from hub.feed import pull
from hub.registry import Credential
from tests.factories import Terminal
from tests.hub_support import do_op, fresh_db_url, make_terminal, route_job, running_hub
from tests.test_core_commands import HEAT, JOB, L1, LEAD, walked
from tests.test_hub_trust_push import GRIND, ROUTE, answers, forge, push, sync_all
from tests.test_hub_trust_push import HEAT as HEAT_FIRM
from tests.test_hub_trust_push import LEAD as LEAD_FIRM
from wire.events import Event

# -- 1. a machine signal or an operator record sent with the victim's job id ----------


@pytest.mark.parametrize("kind", ["machine", "operator"])
def test_a_firm_level_event_cannot_be_tied_to_a_job(tmp_path: Path, kind: str) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1000, burst=1000) as hub:
        for f in (LEAD_FIRM, HEAT_FIRM, GRIND):
            hub.add_firm(f)
        lead = make_terminal(hub, tmp_path, LEAD_FIRM)
        heat = make_terminal(hub, tmp_path, HEAT_FIRM)
        try:
            job = route_job(lead, ROUTE)
            do_op(lead, job, f"{job}-L1", 10, 10, HEAT_FIRM)
            sync_all(lead, heat)
            if kind == "machine":
                payload: dict[str, Any] = {"machine": "LATHE-1", "state": "alarm", "counter": 1}
                ev = forge(heat, "MachineStateChanged", payload, job_id=job)
            else:
                payload = {
                    "operator_id": f"{HEAT_FIRM}-X",
                    "name": "x",
                    "badge": None,
                    "pin_hash": None,
                    "role": "operator",
                    "status": "active",
                }
                ev = forge(heat, "OperatorSaved", payload, job_id=job, op=20)
            assert answers(push(hub, heat, [ev])) == [("rejected", "bad_envelope")]
            # An old hub might still have delivered it: the lead's job stays whole.
            old = Event(**{**ev, "payload": payload})  # type: ignore[arg-type]
            lead.store.ingest([old])
            path = lead.store.path
        finally:
            lead.close()
            heat.close()
        with Store.open(path) as s:
            state = s.job(job)
            assert state is not None and state.lots[f"{job}-L1"].ops[10].handed_off == 10
            assert (old.event_id, "not_a_job_event") in state.anomalies
            assert s.rows("SELECT * FROM machines") == []
            assert s.check_integrity() == []


# -- 2. one terminal's number used twice -------------------------------------------------


def test_a_reused_seq_is_refused_at_the_hub_and_set_aside_by_terminals(tmp_path: Path) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path), rate_per_s=1000, burst=1000) as hub:
        for f in (LEAD_FIRM, HEAT_FIRM, GRIND):
            hub.add_firm(f)
        lead = make_terminal(hub, tmp_path, LEAD_FIRM)
        heat = make_terminal(hub, tmp_path, HEAT_FIRM)
        try:
            job = route_job(lead, ROUTE)
            lot = f"{job}-L1"
            do_op(lead, job, lot, 10, 10, HEAT_FIRM)
            sync_all(lead, heat)
            a = forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=20, seq=999)
            b = forge(heat, "OpStarted", {"lot_id": lot}, job_id=job, op=20, seq=999)
            assert answers(push(hub, heat, [a, b])) == [
                ("accepted", None),
                ("rejected", "seq_conflict"),
            ]
            assert hub.count("quarantine") == 1
            # A feed from an old hub carrying both: the second is set aside, the rest of
            # the page is stored, and sync goes on.
            report = lead.store.ingest(
                [Event(**{**x, "payload": x["payload"]}) for x in (a, b)]  # type: ignore[arg-type]
            )
            assert report.refused == [(b["event_id"], "seq_conflict")]
            kept = lead.store.rows("SELECT event_id, reason FROM refused_events")
            assert kept == [{"event_id": b["event_id"], "reason": "seq_conflict"}]
            assert lead.store.check_integrity() == []
        finally:
            lead.close()
            heat.close()


# -- 3. a downstream receipt deciding the lot's size --------------------------------------


def test_a_backdated_downstream_receipt_does_not_erase_the_leads_step() -> None:
    s = walked("received", "started", "finished")
    created = s.events[0]
    heat = Terminal("TH", "F007", start_ms=(created.hlc >> 16))
    bad = heat.event(
        "LotReceived",
        {"lot_id": L1, "count": 1, "from_firm": "F001", "skipped": [10]},
        job_id=JOB,
        op=20,
        advance_ms=0,
    )
    bad = Event(**{**bad.to_wire(), "hlc": created.hlc + 1})  # type: ignore[arg-type]
    after = fold([*s.events, bad])
    assert after is not None
    assert after.lots[L1].ops[10].status == "done" and after.lots[L1].qty == 100
    assert after.anomalies == []


def test_a_downstream_skip_receipt_does_not_lock_the_lead_out_of_its_first_step() -> None:
    s = walked()
    s.ok(HEAT, lambda j: C.receive(j, HEAT, L1, 20, 1, confirm_skip=True))
    s.ok(LEAD, lambda j: C.receive(j, LEAD, L1, 10, 100))
    job = s.job
    assert job is not None and job.lots[L1].qty == 100 and job.anomalies == []
    assert job.lots[L1].holder == "F007"  # the furthest step recorded is where it is


# -- 4. an event id reused to hide the victim's photo -------------------------------------


def _wire(cred: Credential, type_: str, payload: dict[str, Any], **env: Any) -> dict[str, Any]:
    return {
        "event_id": new_event_id(),
        "terminal_id": cred.terminal_id,
        "seq": env.pop("seq", 1),
        "hlc": env.pop("hlc", 1),
        "occurred_at": "2026-11-30T08:00:00+00:00",
        "firm_id": cred.firm_id,
        "job_id": None,
        "op": None,
        "type": type_,
        "schema_version": 2,
        "operator": None,
        "payload": payload,
    } | env


JOB_ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": LEAD_FIRM},
    {"seq": 20, "process": "HEAT", "firm": HEAT_FIRM},
    {"seq": 30, "process": "GRIND", "firm": GRIND},
]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_reused_event_id_cannot_hide_the_victims_photo(tmp_path: Path, kind: str) -> None:
    with running_hub(fresh_db_url(kind, tmp_path)) as hub:
        for f in (LEAD_FIRM, HEAT_FIRM, GRIND):
            hub.add_firm(f)
        lead = Credential("TZZZZ", LEAD_FIRM, "terminal")
        thief = Credential("TAAAA", HEAT_FIRM, "terminal")  # an id that sorts first
        job = f"{LEAD_FIRM}-261129-7K3Q"
        created = _wire(
            lead,
            "JobCreated",
            {"part_no": "P", "qty": 5, "due": "2026-12-24", "lead_firm": LEAD_FIRM,
             "route": JOB_ROUTE, "note": ""},
            job_id=job,
        )  # fmt: skip
        defect = _wire(
            lead,
            "DefectRecorded",
            {"lot_id": f"{job}-L1", "code": "DIM", "count": 1, "disposition": "scrap",
             "note": ""},
            job_id=job, op=10, seq=2, hlc=2,
        )  # fmt: skip
        results = ingest.push(hub.admin, lead, [created, defect]).results
        assert [r["status"] for r in results] == ["accepted"] * 2
        mine = _wire(thief, "MachineStateChanged", {"machine": "X", "state": "run"})
        mine["event_id"] = defect["event_id"]
        assert ingest.push(hub.admin, thief, [mine]).results[0]["status"] == "accepted"
        body = {"photo_id": "a" * 64, "size": 10, "event_id": defect["event_id"]}
        assert photos.announce(hub.admin, lead, body)["photo_id"] == "a" * 64


# -- 5. an early correction whose target comes with the JobCreated ------------------------


def test_an_early_correction_of_a_target_in_the_jobs_own_batch_is_not_delivered(
    tmp_path: Path,
) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as hub:
        for f in (LEAD_FIRM, HEAT_FIRM, GRIND):
            hub.add_firm(f)
        lead, heat, grind = (
            Credential(f"T{f}", f, "terminal") for f in (LEAD_FIRM, HEAT_FIRM, GRIND)
        )
        job = f"{LEAD_FIRM}-261129-7K3Q"
        rec_id = new_event_id()
        bad = _wire(
            heat,
            "EventCorrected",
            {"supersedes": rec_id, "reason": "x", "replacement": {
                "type": "LotReceived", "payload": {"lot_id": f"{job}-L1", "count": 1}}},
            job_id=job, op=10, seq=50, hlc=50,
        )  # fmt: skip
        assert ingest.push(hub.admin, heat, [bad]).results[0]["status"] == "accepted"
        created = _wire(
            lead,
            "JobCreated",
            {"part_no": "P", "qty": 5, "due": "2026-12-24", "lead_firm": LEAD_FIRM,
             "route": JOB_ROUTE, "note": ""},
            job_id=job, seq=10, hlc=10,
        )  # fmt: skip
        rec = _wire(
            lead, "LotReceived", {"lot_id": f"{job}-L1", "count": 5}, job_id=job, op=10,
            seq=20, hlc=20,
        )  # fmt: skip
        rec["event_id"] = rec_id
        results = ingest.push(hub.admin, lead, [created, rec]).results
        assert [r["status"] for r in results] == ["accepted"] * 2
        feed = json.loads(pull(hub.admin, grind, None))["events"]
        ids = {e["event_id"] for e in feed}
        assert rec_id in ids and bad["event_id"] not in ids


# -- 6. another firm's event under the lead's id naming "who did it" ----------------------


def test_a_reused_id_does_not_change_who_did_the_leads_step() -> None:
    s = walked("received", "started", "finished", "handed", "heat_received")
    handed = s.events[4]
    assert handed.type == "LotHandedOff" and handed.operator == "F001-OP-1"
    heat = Terminal("TH", "F007", start_ms=(s.events[-1].hlc >> 16) + 10)
    mine = heat.event("OpStarted", {"lot_id": L1}, job_id=JOB, op=20)
    mine = Event(**{**mine.to_wire(), "event_id": handed.event_id, "operator": "F007-OP-1"})  # type: ignore[arg-type]
    events = [*s.events, mine]
    job = fold(events)
    assert job is not None and job.lots[L1].ops[20].status == "running"
    steps = {st["op"]: st for st in job_view(job, events, {})["lots"][0]["steps"]}
    assert steps[20]["last_operator"] == "F007-OP-1"
    assert steps[10]["last_operator"] == "F001-OP-1"
