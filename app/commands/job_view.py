"""A job as the screen sees it, as plain data: ``nakama job show JOB --json``.

Everything comes from the core's ``JobState`` (the one replay of the job's events):
lots with the steps each has records for (a split lot's parent steps before the split
included, as ``JobState.history`` gives them), the counts, the working time (a running
step counted up to now), who last acted at each step, receipts that skipped steps and
are still waiting for those records, and the anomalies with their sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import texts
from app.core import drawings
from app.core.clock import utc_now_iso
from app.core.operators import OperatorRecord
from app.core.state import JobState, OpProgress, correction_target, working_seconds
from wire.events import STEP_TYPES, Event


def last_actors(job: JobState, events: list[Event]) -> dict[tuple[str, int], str]:
    """(lot, op) -> the operator of the latest applied record there (a correction counts
    for the lot and step of the record it corrects)."""
    by_id: dict[str, list[Event]] = {}
    for e in events:
        by_id.setdefault(e.event_id, []).append(e)
    out: dict[tuple[str, int], str] = {}
    for e in sorted(events, key=lambda e: e.order_key):
        operator = job.operators.get((e.terminal_id, e.event_id))
        if operator is None or e.op is None:
            continue  # refused (an anomaly), or recorded by no one
        payload = e.payload
        if e.type == "EventCorrected":
            target = correction_target(by_id.get(str(e.payload.get("supersedes")), []), e)
            if target is None:
                continue
            payload = target.payload
        elif e.type not in STEP_TYPES:
            continue
        lot = payload.get("lot_id")
        if isinstance(lot, str):
            out[(lot, e.op)] = operator
    return out


def _step(
    prog: OpProgress,
    inherited: bool,
    who: str | None,
    names: Mapping[str, OperatorRecord],
    now: str,
) -> dict[str, Any]:
    return {
        "op": prog.seq,
        "process": prog.process,
        "firm": prog.firm,
        "status": prog.status,
        "received": prog.received,
        "receipt_gap": prog.receipt_gap,
        "good": prog.good,
        "defect": prog.defect,
        "scrap": prog.scrap,
        "defects_recorded": prog.defects_recorded,
        "handed_off": prog.handed_off,
        "split_off": prog.split_off,
        "available": prog.available,
        "working_s": round(working_seconds(prog, now), 3),
        "started_at": prog.started_at,
        "finished_at": prog.finished_at,
        "pause_reason": prog.pause_reason,
        "last_operator": who,
        "last_operator_name": names[who].name if who is not None and who in names else None,
        "inherited": inherited,  # recorded on the parent lot before this lot split off
    }


def job_view(
    job: JobState,
    events: list[Event],
    roster: Mapping[str, OperatorRecord],
    now: str | None = None,
) -> dict[str, Any]:
    now = now or utc_now_iso()
    who = last_actors(job, events)
    lots = []
    for lot in job.lots.values():
        steps = []
        for seq, prog in sorted(job.history(lot.lot_id).items()):
            inherited = seq not in lot.ops
            owner = lot.parent if inherited and lot.parent else lot.lot_id
            actor = who.get((lot.lot_id, seq)) or who.get((owner, seq))
            steps.append(_step(prog, inherited, actor, roster, now))
        lots.append(
            {
                "lot_id": lot.lot_id,
                "qty": lot.qty,
                "parent": lot.parent,
                "split_at": lot.split_at,
                "children": list(lot.children),
                "holder": lot.holder,
                "in_transit_to": lot.in_transit_to,
                "missing_steps": job.missing_steps(lot.lot_id),
                "steps": steps,
            }
        )
    return {
        "job_id": job.job_id,
        "part_no": job.part_no,
        "drawing_no": job.drawing_no,
        "qty": job.qty,
        "due": job.due,
        "lead_firm": job.lead_firm,
        "status": job.status,
        "route": [{"op": o.seq, "process": o.process, "firm": o.firm} for o in job.route.ops],
        "lots": lots,
        "open_skips": [
            {"lot_id": lot, "op": op, "missing": missing} for lot, op, missing in job.open_skips()
        ],
        "anomalies": [
            {
                "event_id": event_id,
                "reason": reason,
                "ja": texts.sentence(reason, "ja"),
                "en": texts.sentence(reason, "en"),
            }
            for event_id, reason in job.anomalies
        ],
        "measurements": [
            {
                "event_id": m.event_id,
                "lot_id": m.lot_id,
                "op": m.op,
                "characteristic": m.characteristic,
                "nominal": str(m.nominal),
                "tol_minus": str(m.tol_minus),
                "tol_plus": str(m.tol_plus),
                "value": str(m.value),
                "unit": m.unit,
                "in_tolerance": m.in_tolerance,
            }
            for m in job.measurements
        ],
        "defects": [
            {
                "event_id": d.event_id,
                "lot_id": d.lot_id,
                "op": d.op,
                "code": d.code,
                "count": d.count,
                "disposition": d.disposition,
                "photos": list(d.photos),
            }
            for d in job.defects
        ],
        # The drawings the lead attached, the current last, and what disagrees with it.
        "drawings": [
            {
                "event_id": d.event_id,
                "sha256": d.sha256,
                "file_name": d.file_name,
                "drawing_no": d.drawing_no,
                "revision": d.revision,
                "size": d.size,
            }
            for d in sorted(job.drawings, key=lambda d: d.hlc)
        ],
        "drawing_mismatches": [
            {"code": m.code, "shown": m.shown, "expected": m.expected}
            for m in drawings.mismatches(job)
        ],
    }
