"""Issuing travelers from the local store, and taking in a job known only from a traveler.

Issuing is two steps so that no event claims a sheet that was never written: ``prepare``
signs the QR text, the caller writes the PDF, then ``record_issued`` appends the
``TravelerIssued`` event (which the hub and the owner see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.core import commands
from app.core.commands import Refusal
from app.core.traveler import (
    FORMAT_VERSION,
    Traveler,
    Verification,
    digest,
    encode,
)
from app.core.traveler_job import job_created_event, traveler_from_job
from app.store.keyring import signing_key
from app.store.store import AppendResult, Store
from wire.events import Event


@dataclass(frozen=True, slots=True)
class PreparedTraveler:
    traveler: Traveler
    text: str
    key_id: str


def job_created(store: Store, job_id: str) -> Event | None:
    for ev in store.job_events(job_id):
        if ev.type == "JobCreated":
            return ev
    return None


def prepare(
    store: Store, job_id: str, lot_id: str | None = None, now: datetime | None = None
) -> PreparedTraveler | Refusal:
    """Sign a traveler for one lot of a job this terminal's firm leads."""
    job = store.job(job_id)
    created = job_created(store, job_id)
    if job is None or created is None or not job.created_at:
        return Refusal("unknown_job", job_id)
    if store.firm_id != job.lead_firm:
        return Refusal("not_lead_firm", f"{store.firm_id} is not {job.lead_firm}")
    named = commands.traveler_lot(job, job_id, lot_id)
    if isinstance(named, Refusal):
        return named
    lot_id = named
    lot = job.lots.get(lot_id)
    qty = lot.qty if lot is not None else job.qty
    parent = lot.parent if lot is not None else None
    when = (now or datetime.now(UTC)).astimezone(UTC)
    key, key_id = signing_key(store, when)
    traveler = traveler_from_job(created, lot_id=lot_id, qty=qty, issued_at=when, parent_lot=parent)
    return PreparedTraveler(traveler, encode(traveler, key, key_id), key_id)


def record_issued(
    store: Store, prepared: PreparedTraveler, actor: commands.Actor | None = None
) -> AppendResult:
    """Append the ``TravelerIssued`` event for a traveler that has been written out."""
    t = prepared.traveler
    return store.record(
        commands.issue_traveler(
            store.job(t.job_id),
            actor or store.actor,
            t.lot_id,
            prepared.key_id,
            FORMAT_VERSION,
            digest(prepared.text),
        )
    )


def adopt(store: Store, verification: Verification) -> str:
    """Make a verified traveler's job known to this terminal, offline.

    Rebuilds the lead firm's ``JobCreated`` event from the traveler and ingests it as if
    the hub had sent it (no outbox row; the hub's own copy later is a duplicate by id).
    Returns ``adopted``, ``known`` (the job was here already), or why not: the verdict,
    or ``no_origin`` for a traveler that carries no job envelope."""
    t = verification.traveler
    if not verification.ok or t is None:
        return verification.verdict.value
    if store.job(t.job_id) is not None:
        return "known"
    ev = job_created_event(t)
    if ev is None:
        return "no_origin"
    store.ingest([ev])
    return "adopted"
