"""Writing derived state into the projection tables, whole jobs or just what one event touched."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.core.state import DefectEntry, JobState, LotState, Measurement, OpProgress
from wire.events import Event

JOB_SQL = """INSERT OR REPLACE INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"""
LOT_SQL = """INSERT OR REPLACE INTO lots VALUES (?,?,?,?,?,?)"""
OP_SQL = """INSERT OR REPLACE INTO ops VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"""
MEAS_SQL = """INSERT INTO measurements VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"""
DEFECT_SQL = """INSERT INTO defects VALUES (?,?,?,?,?,?,?,?,?)"""
TRAVELER_SQL = """INSERT INTO travelers VALUES (?,?,?,?)"""
ANOMALY_SQL = """INSERT OR REPLACE INTO anomalies VALUES (?,?,?)"""
MACHINE_SQL = """INSERT OR REPLACE INTO machines VALUES (?,?,?,?,?,?,?)"""

JOB_TABLES = ("jobs", "lots", "ops", "measurements", "defects", "travelers", "anomalies")


def job_row(j: JobState) -> tuple[Any, ...]:
    route = json.dumps(j.route.to_dicts(), separators=(",", ":"))
    return (
        j.job_id,
        j.part_no,
        j.drawing_no,
        j.qty,
        j.due,
        j.lead_firm,
        j.customer,
        j.unit_price_yen,
        j.note,
        j.created_at,
        j.status,
        route,
    )


def lot_row(job_id: str, lot: LotState) -> tuple[Any, ...]:
    return (lot.lot_id, job_id, lot.parent, lot.qty, lot.holder, lot.in_transit_to)


def op_row(job_id: str, lot_id: str, p: OpProgress) -> tuple[Any, ...]:
    return (
        job_id,
        lot_id,
        p.seq,
        p.process,
        p.firm,
        p.status,
        p.received,
        p.receipt_gap,
        p.good,
        p.defect,
        p.scrap,
        p.defects_recorded,
        p.handed_off,
        round(p.working_s, 3),
        p.started_at,
        p.finished_at,
        p.pause_reason,
        p.run_since,
    )


def measurement_row(job_id: str, m: Measurement) -> tuple[Any, ...]:
    return (
        m.event_id,
        job_id,
        m.lot_id,
        m.op,
        m.characteristic,
        str(m.nominal),
        str(m.tol_minus),
        str(m.tol_plus),
        str(m.value),
        m.unit,
        m.gauge,
        int(m.in_tolerance),
        m.occurred_at,
    )


def defect_row(job_id: str, d: DefectEntry) -> tuple[Any, ...]:
    return (
        d.event_id,
        job_id,
        d.lot_id,
        d.op,
        d.code,
        d.count,
        d.disposition,
        d.note,
        d.occurred_at,
    )


def write_jobs(conn: sqlite3.Connection, jobs: list[JobState], *, replace: bool = True) -> None:
    """Write every row of the given jobs; with ``replace`` their old rows go first."""
    if replace:
        for table in JOB_TABLES:
            conn.executemany(f"DELETE FROM {table} WHERE job_id = ?", [(j.job_id,) for j in jobs])
    for j in jobs:
        j.written_row = job_row(j) if j.created_at else None
    conn.executemany(JOB_SQL, [j.written_row for j in jobs if j.written_row])
    conn.executemany(LOT_SQL, [lot_row(j.job_id, lot) for j in jobs for lot in j.lots.values()])
    conn.executemany(
        OP_SQL,
        [
            op_row(j.job_id, lot.lot_id, p)
            for j in jobs
            for lot in j.lots.values()
            for p in lot.ops.values()
        ],
    )
    conn.executemany(MEAS_SQL, [measurement_row(j.job_id, m) for j in jobs for m in j.measurements])
    conn.executemany(DEFECT_SQL, [defect_row(j.job_id, d) for j in jobs for d in j.defects])
    conn.executemany(
        TRAVELER_SQL,
        [(j.job_id, t["lot_id"], t["key_id"], t["at"]) for j in jobs for t in j.travelers],
    )
    conn.executemany(ANOMALY_SQL, [(e, j.job_id, r) for j in jobs for e, r in j.anomalies])


def write_step(conn: sqlite3.Connection, job: JobState, ev: Event, anomalies_before: int) -> None:
    """Write only the rows one in-order event can have changed."""
    if job.created_at:
        row = job_row(job)
        if row != job.written_row:
            conn.execute(JOB_SQL, row)
            job.written_row = row
    if len(job.anomalies) > anomalies_before:
        conn.executemany(
            ANOMALY_SQL, [(e, job.job_id, r) for e, r in job.anomalies[anomalies_before:]]
        )
        return
    lot_id = ev.payload.get("lot_id")
    if ev.type == "TravelerIssued":
        t = job.travelers[-1]
        conn.execute(TRAVELER_SQL, (job.job_id, t["lot_id"], t["key_id"], t["at"]))
        return
    if ev.type == "MeasurementTaken":
        conn.execute(MEAS_SQL, measurement_row(job.job_id, job.measurements[-1]))
        return
    if ev.type == "DefectRecorded":
        conn.execute(DEFECT_SQL, defect_row(job.job_id, job.defects[-1]))
    touched = [lot_id, ev.payload.get("child_lot_id")]
    for lid in touched:
        lot = job.lots.get(lid) if lid else None
        if lot is None:
            continue
        conn.execute(LOT_SQL, lot_row(job.job_id, lot))
        if ev.op is not None and ev.op in lot.ops:
            conn.execute(OP_SQL, op_row(job.job_id, lot.lot_id, lot.ops[ev.op]))


OPERATOR_SQL = """INSERT OR REPLACE INTO operators VALUES (?,?,?,?,?,?,?,?,?,?)"""


def write_firm_level(conn: sqlite3.Connection, ev: Event) -> None:
    """Events with no job: machine signals and the firm's operators (a day's sign-off
    is read from the event log itself: ``app/store/approvals.py``)."""
    if ev.type == "OperatorSaved":
        write_operator(conn, ev)
    elif ev.type == "MachineStateChanged":
        write_machine(conn, ev)


def write_operator(conn: sqlite3.Connection, ev: Event) -> None:
    """Keep the latest record of an operator, latest by the event order."""
    p = ev.payload
    row = conn.execute(
        "SELECT hlc, terminal_id, seq FROM operators WHERE operator_id = ?", (p["operator_id"],)
    ).fetchone()
    if row is not None and tuple(row) >= ev.order_key:
        return
    conn.execute(
        OPERATOR_SQL,
        (
            p["operator_id"],
            ev.firm_id,
            p["name"],
            p["role"],
            p.get("badge") or "",
            p.get("pin_hash") or "",
            int(p["status"] == "active"),
            ev.hlc,
            ev.terminal_id,
            ev.seq,
        ),
    )


def write_machine(conn: sqlite3.Connection, ev: Event) -> None:
    """Keep the latest state of a machine, latest by the event order."""
    row = conn.execute(
        "SELECT hlc, terminal_id, seq FROM machines WHERE machine = ?", (ev.payload["machine"],)
    ).fetchone()
    if row is not None and tuple(row) >= ev.order_key:
        return
    conn.execute(
        MACHINE_SQL,
        (
            ev.payload["machine"],
            ev.payload["state"],
            ev.payload.get("counter"),
            ev.occurred_at,
            ev.hlc,
            ev.terminal_id,
            ev.seq,
        ),
    )


def dump(conn: sqlite3.Connection, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables in a stable order, for comparing two states."""
    return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
