"""Property: any interleaving of several terminals' streams, each kept in its own order,
gives the same state, whether applied one by one through the store or replayed at once."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.state import fold
from app.store import Store
from app.store.migrations import PROJECTION_TABLES
from app.store.projection import dump
from tests.factories import Terminal, job_created
from wire.events import Event

ROUTE = [
    {"seq": 10, "process": "LATHE", "firm": "F001"},
    {"seq": 20, "process": "HEAT", "firm": "F007"},
    {"seq": 30, "process": "GRIND", "firm": "F012"},
    {"seq": 40, "process": "INSPECT", "firm": "F001"},
]


@st.composite
def scenario(draw: Any) -> list[list[Event]]:
    """Streams of four terminals passing lots along A → B → C → A, with pauses, defects,
    measurements, a correction and conflicting offline actions."""
    terms = {
        "F001": Terminal("TA", "F001", start_ms=1_000_000),
        "F007": Terminal("TB", "F007", start_ms=1_000_000),
        "F012": Terminal("TC", "F012", start_ms=1_000_000),
    }
    second_a = Terminal("TA2", "F001", start_ms=1_000_000)
    streams: dict[str, list[Event]] = {t.terminal_id: [] for t in [*terms.values(), second_a]}
    clock = 1_000_000

    def emit(t: Terminal, type_: str, payload: dict[str, Any], op: int | None, job: str) -> Event:
        nonlocal clock
        # Causality: a firm acts after it has seen what came before (HLC observe).
        clock += draw(st.integers(1, 5000))
        t.ms = max(t.ms, clock) - 1
        e = t.event(type_, payload, job_id=job, op=op, advance_ms=1)
        clock = max(clock, t.ms)
        streams[t.terminal_id].append(e)
        return e

    for j in range(draw(st.integers(1, 2))):
        job = f"F001-J{j}"
        qty = draw(st.integers(5, 50))
        a = terms["F001"]
        streams[a.terminal_id].append(job_created(a, qty=qty, route=ROUTE))
        streams[a.terminal_id][-1] = Event(
            **{**streams[a.terminal_id][-1].to_wire(), "job_id": job}  # type: ignore[arg-type]
        )
        lots = ["L1", "L2"] if draw(st.booleans()) else ["L1"]
        emit(a, "LotReceived", {"lot_id": f"{job}-L1", "count": qty}, 10, job)
        if len(lots) == 2:
            emit(
                a,
                "LotSplit",
                {"lot_id": f"{job}-L1", "child_lot_id": f"{job}-L2", "count": qty // 2},
                10,
                job,
            )
        for lot in lots:
            lot_id = f"{job}-{lot}"
            count = (
                qty - qty // 2
                if lot == "L1" and len(lots) == 2
                else (qty // 2 if lot == "L2" else qty)
            )
            for step in ROUTE:
                firm, op = step["firm"], step["seq"]
                t = terms[firm]
                if op != 10:  # a split lot was received with its parent at 10
                    emit(t, "LotReceived", {"lot_id": lot_id, "count": count}, op, job)
                if draw(st.integers(0, 5)) == 0:
                    break  # this lot stops here for now
                emit(t, "OpStarted", {"lot_id": lot_id}, op, job)
                if draw(st.booleans()):
                    emit(t, "OpPaused", {"lot_id": lot_id, "reason": "BREAK"}, op, job)
                    emit(t, "OpResumed", {"lot_id": lot_id}, op, job)
                bad = draw(st.integers(0, min(3, count)))
                if bad:
                    emit(
                        t,
                        "DefectRecorded",
                        {
                            "lot_id": lot_id,
                            "code": "BURR",
                            "count": bad,
                            "disposition": "scrap",
                            "note": "",
                        },
                        op,
                        job,
                    )
                emit(
                    t,
                    "MeasurementTaken",
                    {
                        "lot_id": lot_id,
                        "characteristic": "OD",
                        "nominal": "10",
                        "tol_minus": "0.01",
                        "tol_plus": "0.01",
                        "value": draw(st.sampled_from(["10.000", "10.02", "9.995"])),
                        "unit": "mm",
                    },
                    op,
                    job,
                )
                fin = emit(
                    t,
                    "OpFinished",
                    {"lot_id": lot_id, "good": count - bad, "defect": 0, "scrap": bad},
                    op,
                    job,
                )
                if draw(st.integers(0, 4)) == 0:
                    emit(
                        t,
                        "EventCorrected",
                        {
                            "supersedes": fin.event_id,
                            "reason": "recount",
                            "replacement": {
                                "type": "OpFinished",
                                "payload": {
                                    "lot_id": lot_id,
                                    "good": max(0, count - bad - 1),
                                    "defect": 1 if count - bad else 0,
                                    "scrap": bad,
                                },
                            },
                        },
                        op,
                        job,
                    )
                    if count - bad:
                        bad += 1
                if draw(st.integers(0, 6)) == 0:
                    # A second terminal of the lead firm acted on stale knowledge.
                    emit(second_a, "OpStarted", {"lot_id": lot_id}, 10, job)
                count -= bad
                nxt = [s for s in ROUTE if s["seq"] > op]
                if not nxt or count == 0:
                    break
                emit(
                    t,
                    "LotHandedOff",
                    {"lot_id": lot_id, "to_firm": nxt[0]["firm"], "count": count},
                    op,
                    job,
                )
    return [s for s in streams.values() if s]


@st.composite
def interleaving(draw: Any, streams: list[list[Event]]) -> list[Event]:
    cursors = [0] * len(streams)
    out: list[Event] = []
    while any(c < len(s) for c, s in zip(cursors, streams, strict=True)):
        live = [i for i, s in enumerate(streams) if cursors[i] < len(s)]
        i = draw(st.sampled_from(live))
        out.append(streams[i][cursors[i]])
        cursors[i] += 1
    return out


def projections(events_in_order: list[Event], *, one_by_one: bool) -> dict[str, Any]:
    store = Store.open(":memory:", firm_id="F999")
    try:
        if one_by_one:
            for e in events_in_order:
                store.ingest([e])
        else:
            store.ingest(events_in_order)
        return dump(store.conn, PROJECTION_TABLES)
    finally:
        store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_interleaving_gives_the_same_state(data: Any) -> None:
    streams = data.draw(scenario())
    first = data.draw(interleaving(streams))
    second = data.draw(interleaving(streams))
    reference = projections(first, one_by_one=False)
    assert projections(first, one_by_one=True) == reference
    assert projections(second, one_by_one=True) == reference
    by_job: dict[str, list[Event]] = {}
    for e in second:
        by_job.setdefault(e.job_id or "", []).append(e)
    for job_id, evs in by_job.items():
        a, b = fold(evs), fold(list(reversed(evs)))
        assert a == b, job_id


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rebuild_gives_identical_projections(data: Any) -> None:
    streams = data.draw(scenario())
    order = data.draw(interleaving(streams))
    store = Store.open(":memory:", firm_id="F999")
    try:
        for e in order:
            store.ingest([e])
        before = dump(store.conn, PROJECTION_TABLES)
        assert store.rebuild() == len(order)
        assert dump(store.conn, PROJECTION_TABLES) == before
        assert store.check_integrity() == []
    finally:
        store.close()
