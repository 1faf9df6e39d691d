"""The rules of nakama-mawashi, table-driven: each command against a prepared job state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.core.rules import Reason
from app.core.state import DONE, PAUSED, RUNNING, check, fold, working_seconds
from tests.factories import T0, Terminal, job_created
from wire.events import WireError, check_payload

A = Terminal("TA", "F001")  # lead firm, ops 10 and 40
B = Terminal("TB", "F007")  # op 20
X = Terminal("TX", "F099")  # not on the route


def history(*steps: str) -> list[Any]:
    """A job's events up to a named point, all made by the right firms."""
    a, b = Terminal("TA", "F001"), Terminal("TB", "F007", start_ms=2_000_000)
    evs = [job_created(a)]
    table = {
        "received": lambda: a.event("LotReceived", {"lot_id": "F001-J1-L1", "count": 100}, op=10),
        "started": lambda: a.event("OpStarted", {"lot_id": "F001-J1-L1"}, op=10),
        "paused": lambda: a.event("OpPaused", {"lot_id": "F001-J1-L1", "reason": "BREAK"}, op=10),
        "resumed": lambda: a.event("OpResumed", {"lot_id": "F001-J1-L1"}, op=10),
        "finished": lambda: a.event(
            "OpFinished", {"lot_id": "F001-J1-L1", "good": 95, "defect": 3, "scrap": 2}, op=10
        ),
        "handed": lambda: a.event(
            "LotHandedOff", {"lot_id": "F001-J1-L1", "to_firm": "F007", "count": 95}, op=10
        ),
        "b_received": lambda: b.event("LotReceived", {"lot_id": "F001-J1-L1", "count": 94}, op=20),
    }
    evs += [table[s]() for s in steps]
    return evs


def ev(t: Terminal, type_: str, op: int | None = 10, **payload: Any) -> Any:
    return t.event(type_, payload, op=op, advance_ms=10_000_000)


CASES = [
    # (history, command, expected reason or None)
    ((), lambda: ev(A, "LotReceived", lot_id="F001-J1-L1", count=100), None),
    ((), lambda: ev(X, "LotReceived", lot_id="F001-J1-L1", count=100), Reason.OP_NOT_FOR_THIS_FIRM),
    ((), lambda: ev(A, "LotReceived", op=99, lot_id="F001-J1-L1", count=1), Reason.UNKNOWN_OP),
    ((), lambda: ev(A, "OpStarted", lot_id="F001-J1-L1"), Reason.UNKNOWN_LOT),
    (
        ("received",),
        lambda: ev(A, "LotReceived", lot_id="F001-J1-L1", count=5),
        Reason.ALREADY_RECEIVED,
    ),
    (("received",), lambda: ev(A, "OpStarted", lot_id="F001-J1-L1"), None),
    (
        ("received",),
        lambda: ev(A, "OpPaused", lot_id="F001-J1-L1", reason="BREAK"),
        Reason.OP_NOT_RUNNING,
    ),
    (
        ("received",),
        lambda: ev(A, "OpFinished", lot_id="F001-J1-L1", good=1, defect=0, scrap=0),
        Reason.OP_NOT_STARTED,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "OpStarted", lot_id="F001-J1-L1"),
        Reason.OP_ALREADY_STARTED,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "OpPaused", lot_id="F001-J1-L1", reason="NAPTIME"),
        Reason.UNKNOWN_PAUSE_REASON,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "OpResumed", lot_id="F001-J1-L1"),
        Reason.OP_NOT_PAUSED,
    ),
    (("received", "started", "paused"), lambda: ev(A, "OpResumed", lot_id="F001-J1-L1"), None),
    (
        ("received", "started", "paused"),
        lambda: ev(A, "OpFinished", lot_id="F001-J1-L1", good=100, defect=0, scrap=0),
        None,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "OpFinished", lot_id="F001-J1-L1", good=99, defect=1, scrap=1),
        Reason.COUNTS_EXCEED_RECEIVED,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "OpFinished", lot_id="F001-J1-L1", good=98, defect=1, scrap=1),
        None,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "DefectRecorded",
            lot_id="F001-J1-L1",
            code="BURR",
            count=3,
            disposition="rework",
            note="",
        ),
        None,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "DefectRecorded",
            lot_id="F001-J1-L1",
            code="WOBBLE",
            count=3,
            disposition="rework",
            note="",
        ),
        Reason.UNKNOWN_DEFECT_CODE,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "DefectRecorded",
            lot_id="F001-J1-L1",
            code="RUST",
            count=3,
            disposition="burn",
            note="",
        ),
        Reason.BAD_DISPOSITION,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "DefectRecorded",
            lot_id="F001-J1-L1",
            code="RUST",
            count=101,
            disposition="scrap",
            note="",
        ),
        Reason.DEFECTS_EXCEED_RECEIVED,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "MeasurementTaken",
            lot_id="F001-J1-L1",
            characteristic="OD",
            nominal="10",
            tol_minus="-0.1",
            tol_plus="0.1",
            value="10.01",
            unit="mm",
        ),
        Reason.BAD_TOLERANCE,
    ),
    (
        ("received", "started"),
        lambda: ev(
            A,
            "MeasurementTaken",
            lot_id="F001-J1-L1",
            characteristic="OD",
            nominal="10",
            tol_minus="0.1",
            tol_plus="0.1",
            value="10.01",
            unit="mm",
        ),
        None,
    ),
    (
        ("received", "started"),
        lambda: ev(A, "LotHandedOff", lot_id="F001-J1-L1", to_firm="F007", count=1),
        Reason.OP_NOT_FINISHED,
    ),
    (
        ("received", "started", "finished"),
        lambda: ev(A, "OpFinished", lot_id="F001-J1-L1", good=1, defect=0, scrap=0),
        Reason.OP_ALREADY_FINISHED,
    ),
    (
        ("received", "started", "finished"),
        lambda: ev(A, "LotHandedOff", lot_id="F001-J1-L1", to_firm="F007", count=96),
        Reason.HANDOFF_EXCEEDS_GOOD,
    ),
    (
        ("received", "started", "finished"),
        lambda: ev(A, "LotHandedOff", lot_id="F001-J1-L1", to_firm="F001", count=5),
        Reason.HANDOFF_TO_SELF,
    ),
    (
        ("received", "started", "finished"),
        lambda: ev(A, "LotHandedOff", lot_id="F001-J1-L1", to_firm="F007", count=95),
        None,
    ),
    (
        ("received", "started", "finished", "handed"),
        lambda: ev(A, "LotHandedOff", lot_id="F001-J1-L1", to_firm="F007", count=1),
        Reason.HANDOFF_EXCEEDS_GOOD,
    ),
    (
        ("received", "started", "finished", "handed"),
        lambda: ev(B, "LotReceived", op=20, lot_id="F001-J1-L1", count=101),
        Reason.COUNT_EXCEEDS_LOT,
    ),
    (
        ("received", "started", "finished", "handed"),
        lambda: ev(B, "LotReceived", op=20, lot_id="F001-J1-L1", count=95),
        None,
    ),
    (
        ("received",),
        lambda: ev(A, "LotSplit", lot_id="F001-J1-L1", child_lot_id="F001-J1-L2", count=100),
        Reason.SPLIT_EXCEEDS_LOT,
    ),
    (
        ("received",),
        lambda: ev(A, "LotSplit", lot_id="F001-J1-L1", child_lot_id="F001-J1-L2", count=40),
        None,
    ),
    (
        ("received",),
        lambda: ev(A, "LotSplit", lot_id="F001-J1-L1", child_lot_id="F001-J1-L1", count=40),
        Reason.LOT_EXISTS,
    ),
    ((), lambda: job_created(A), Reason.JOB_EXISTS),
]


@pytest.mark.parametrize(("steps", "make", "expected"), CASES)
def test_rule(steps: tuple[str, ...], make: Any, expected: Reason | None) -> None:
    job = fold(history(*steps))
    assert job is not None and not job.anomalies
    assert check(job, make()) == expected


def test_unknown_job_and_wrong_lead_firm() -> None:
    assert check(None, ev(A, "OpStarted", lot_id="F001-J1-L1")) == Reason.UNKNOWN_JOB
    forged = job_created(Terminal("TX", "F099"))
    forged = forged.__class__(
        **{**forged.to_wire(), "payload": {**forged.payload, "lead_firm": "F001"}}
    )
    # The id F001-J1 is F001's: another firm's claim to it is refused whatever it says.
    assert check(None, forged) == Reason.JOB_ID_NOT_OURS
    own_id = forged.__class__(**{**forged.to_wire(), "job_id": "F099-J1"})
    assert check(None, own_id) == Reason.NOT_LEAD_FIRM


@pytest.mark.parametrize(
    ("type_", "payload", "code"),
    [
        ("OpStarted", {}, "missing_field"),
        ("OpStarted", {"lot_id": "F001-J1-L1", "colour": "red"}, "unknown_field"),
        ("OpFinished", {"lot_id": "F001-J1-L1", "good": -1, "defect": 0, "scrap": 0}, "bad_field"),
        (
            "OpFinished",
            {"lot_id": "F001-J1-L1", "good": True, "defect": 0, "scrap": 0},
            "bad_field",
        ),
        ("LotReceived", {"lot_id": "F001-J1-L1", "count": 0}, "bad_field"),
        (
            "MeasurementTaken",
            {
                "lot_id": "L",
                "characteristic": "OD",
                "nominal": "NaN",
                "tol_minus": "0",
                "tol_plus": "0",
                "value": "1",
                "unit": "mm",
            },
            "bad_field",
        ),
        (
            "MeasurementTaken",
            {
                "lot_id": "L",
                "characteristic": "OD",
                "nominal": "1",
                "tol_minus": "0",
                "tol_plus": "0",
                "value": "Infinity",
                "unit": "mm",
            },
            "bad_field",
        ),
        (
            "MeasurementTaken",
            {
                "lot_id": "L",
                "characteristic": "OD",
                "nominal": "1",
                "tol_minus": "0",
                "tol_plus": "0",
                "value": 1.5,
                "unit": "mm",
            },
            "bad_field",
        ),
        (
            "JobCreated",
            {
                "part_no": "P",
                "qty": 1,
                "due": "2026-13-01",
                "lead_firm": "F",
                "route": [{"seq": 1, "process": "X", "firm": "F"}],
            },
            "bad_field",
        ),
        (
            "JobCreated",
            {"part_no": "P", "qty": 1, "due": "2026-12-01", "lead_firm": "F", "route": []},
            "bad_field",
        ),
        ("Exploded", {}, "unknown_event_type"),
        (
            "EventCorrected",
            {"supersedes": "E1", "reason": "r", "replacement": {"type": ["x"], "payload": {}}},
            "unknown_event_type",
        ),
    ],
)
def test_payload_validation(type_: str, payload: dict[str, Any], code: str) -> None:
    with pytest.raises(WireError) as err:
        check_payload(type_, payload)
    assert err.value.code == code


def test_working_time_excludes_pauses() -> None:
    a = Terminal("TA", "F001")
    evs = [job_created(a), a.event("LotReceived", {"lot_id": "F001-J1-L1", "count": 10}, op=10)]
    for minutes, type_, extra in [
        (0, "OpStarted", {}),
        (30, "OpPaused", {"reason": "BREAK"}),  # 30 min worked
        (90, "OpResumed", {}),  # 60 min break
        (100, "OpFinished", {"good": 10, "defect": 0, "scrap": 0}),  # 10 min worked
    ]:
        evs.append(
            a.event(
                type_, {"lot_id": "F001-J1-L1", **extra}, op=10, at=T0 + timedelta(minutes=minutes)
            )
        )
    job = fold(evs)
    assert job is not None
    prog = job.lots["F001-J1-L1"].ops[10]
    assert prog.status == DONE
    assert prog.working_s == 40 * 60


def test_working_time_of_running_and_paused_op() -> None:
    a = Terminal("TA", "F001")
    evs = [
        job_created(a),
        a.event("LotReceived", {"lot_id": "F001-J1-L1", "count": 10}, op=10),
        a.event("OpStarted", {"lot_id": "F001-J1-L1"}, op=10, at=T0),
    ]
    job = fold(evs)
    assert job is not None
    prog = job.lots["F001-J1-L1"].ops[10]
    assert prog.status == RUNNING
    now = (T0 + timedelta(minutes=5)).isoformat()
    assert working_seconds(prog, now) == 300
    evs.append(
        a.event(
            "OpPaused",
            {"lot_id": "F001-J1-L1", "reason": "TOOL"},
            op=10,
            at=T0 + timedelta(minutes=7),
        )
    )
    job = fold(evs)
    assert job is not None
    prog = job.lots["F001-J1-L1"].ops[10]
    assert (prog.status, prog.pause_reason, working_seconds(prog, now)) == (PAUSED, "TOOL", 420)


def test_receipt_gap_is_reconciled_not_refused() -> None:
    job = fold(history("received", "started", "finished", "handed", "b_received"))
    assert job is not None
    lot = job.lots["F001-J1-L1"]
    assert lot.ops[20].received == 94
    assert lot.ops[20].receipt_gap == -1  # one part missing between F001 and F007
    assert (lot.holder, lot.in_transit_to) == ("F007", None)


def test_measurement_tolerance_and_defect_tally() -> None:
    a = Terminal("TA", "F001")
    evs = history("received", "started")
    evs.append(
        a.event(
            "MeasurementTaken",
            {
                "lot_id": "F001-J1-L1",
                "characteristic": "OD",
                "nominal": "10.000",
                "tol_minus": "0.010",
                "tol_plus": "0.010",
                "value": "10.011",
                "unit": "mm",
                "gauge": "M1",
            },
            op=10,
            advance_ms=10**7,
        )
    )
    evs.append(
        a.event(
            "DefectRecorded",
            {
                "lot_id": "F001-J1-L1",
                "code": "DIM",
                "count": 1,
                "disposition": "rework",
                "note": "OD +0.011",
            },
            op=10,
            advance_ms=10**7,
        )
    )
    job = fold(evs)
    assert job is not None
    assert [m.in_tolerance for m in job.measurements] == [False]
    assert job.lots["F001-J1-L1"].ops[10].defects_recorded == 1
    assert job.defects[0].code == "DIM"


def test_split_lot_carries_its_own_count() -> None:
    a = Terminal("TA", "F001")
    evs = history("received")
    evs.append(
        a.event(
            "LotSplit",
            {"lot_id": "F001-J1-L1", "child_lot_id": "F001-J1-L2", "count": 30},
            op=10,
            advance_ms=10**7,
        )
    )
    job = fold(evs)
    assert job is not None
    assert (
        job.lots["F001-J1-L1"].qty,
        job.lots["F001-J1-L2"].qty,
        job.lots["F001-J1-L2"].parent,
    ) == (
        70,
        30,
        "F001-J1-L1",
    )


def test_correction_replaces_an_event_in_place() -> None:
    a = Terminal("TA", "F001")
    evs = history("received", "started", "finished")
    wrong = evs[-1]
    evs.append(
        a.event(
            "EventCorrected",
            {
                "supersedes": wrong.event_id,
                "reason": "miscounted",
                "replacement": {
                    "type": "OpFinished",
                    "payload": {"lot_id": "F001-J1-L1", "good": 97, "defect": 3, "scrap": 0},
                },
            },
            op=10,
            advance_ms=10**7,
        )
    )
    job = fold(evs)
    assert job is not None and not job.anomalies
    assert job.lots["F001-J1-L1"].ops[10].good == 97


def test_correction_without_replacement_voids_the_event() -> None:
    a = Terminal("TA", "F001")
    evs = history("received", "started", "finished")
    evs.append(
        a.event(
            "EventCorrected",
            {"supersedes": evs[-1].event_id, "reason": "wrong lot"},
            op=10,
            advance_ms=10**7,
        )
    )
    job = fold(evs)
    assert job is not None
    assert job.lots["F001-J1-L1"].ops[10].status == RUNNING


def test_correcting_the_unknown_is_an_anomaly() -> None:
    a = Terminal("TA", "F001")
    evs = history("received")
    evs.append(
        a.event("EventCorrected", {"supersedes": "nope", "reason": "x"}, op=10, advance_ms=10**7)
    )
    job = fold(evs)
    assert job is not None
    assert job.anomalies == [(evs[-1].event_id, Reason.CANNOT_CORRECT.value)]


def test_conflicting_offline_events_become_anomalies() -> None:
    # Two terminals of the lead firm both finished op 10 while offline.
    a1, a2 = Terminal("TA1", "F001"), Terminal("TA2", "F001", start_ms=1_500_000)
    evs = [job_created(a1), a1.event("LotReceived", {"lot_id": "F001-J1-L1", "count": 10}, op=10)]
    evs.append(a1.event("OpStarted", {"lot_id": "F001-J1-L1"}, op=10))
    late = a2.event("OpStarted", {"lot_id": "F001-J1-L1"}, op=10, advance_ms=10**6)
    job = fold([*evs, late])
    assert job is not None
    assert job.anomalies == [(late.event_id, Reason.OP_ALREADY_STARTED.value)]
