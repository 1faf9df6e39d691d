"""Names for the core's codes (reasons, statuses, catalogue entries) in the UI language.

The core returns stable codes; this is where they become words. Catalogue entries carry
their own Japanese and English names; everything else goes through Qt's translator.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from app.core import catalog

_PROCESSES = catalog.processes()
_DEFECTS = catalog.defects()
_PAUSES = catalog.pause_reasons()


def lang() -> str:
    app = QCoreApplication.instance()
    value = app.property("nakama_lang") if app is not None else None
    return value if value in ("ja", "en") else "ja"


def tr(text: str) -> str:
    return QCoreApplication.translate("Nakama", text)


def process_name(code: str) -> str:
    e = _PROCESSES.get(code)
    return e.name(lang()) if e else code


def defect_name(code: str) -> str:
    e = _DEFECTS.get(code)
    return e.name(lang()) if e else code


def pause_name(code: str) -> str:
    e = _PAUSES.get(code)
    return e.name(lang()) if e else code


def status_name(status: str) -> str:
    return {
        "waiting": tr("Waiting"),
        "running": tr("Running"),
        "paused": tr("Paused"),
        "done": tr("Done"),
        "open": tr("Not started"),
        "in_progress": tr("In progress"),
    }.get(status, status)


def action_name(action: str) -> str:
    return {
        "receive": tr("Receive"),
        "start": tr("Start"),
        "pause": tr("Pause"),
        "resume": tr("Resume"),
        "finish": tr("Finish"),
        "defect": tr("Defect"),
        "measure": tr("Measure"),
        "hand_off": tr("Hand off"),
        "split": tr("Split"),
    }.get(action, action)


def reason_text(code: str) -> str:
    """A refusal reason from the core or the store, as a sentence for the machinist."""
    texts = {
        "unknown_job": tr("This job is not known on this terminal."),
        "job_exists": tr("This job already exists."),
        "not_lead_firm": tr("Only the lead firm can do this."),
        "bad_route": tr("The route is not valid."),
        "unknown_op": tr("This step is not on the route."),
        "op_not_for_this_firm": tr("This step belongs to another firm."),
        "unknown_lot": tr("This lot is not known."),
        "lot_exists": tr("This lot already exists."),
        "already_received": tr("This lot was already received here."),
        "count_exceeds_lot": tr("The count is larger than the lot."),
        "lot_not_received": tr("Receive the lot first."),
        "op_already_started": tr("This step was already started."),
        "op_already_finished": tr("This step is already finished."),
        "op_not_started": tr("Start the step first."),
        "op_not_running": tr("The step is not running."),
        "op_not_paused": tr("The step is not paused."),
        "unknown_pause_reason": tr("Choose a reason for the pause."),
        "counts_exceed_received": tr("Good + defect + scrap is more than was received."),
        "defects_exceed_received": tr("More defects than parts received."),
        "unknown_defect_code": tr("Unknown defect code."),
        "bad_disposition": tr("Choose rework, scrap or hold."),
        "bad_tolerance": tr("The tolerance is not valid."),
        "handoff_exceeds_good": tr("You cannot hand off more than the good parts."),
        "handoff_to_self": tr("Choose another firm to hand off to."),
        "split_exceeds_lot": tr("A split must leave parts in the lot."),
        "cannot_correct": tr("That record cannot be corrected."),
        "job_id_not_yours": tr("A job number must begin with your firm's code."),
        "not_your_event": tr("That record is another firm's: only they can correct it."),
        "replacement_type": tr("A correction must keep the kind of record it corrects."),
        "already_corrected": tr("That record has already been corrected."),
        "bad_lot_id": tr("That is not a lot of this job."),
        "split_while_running": tr("A lot cannot split while its step is running or paused."),
        "skips_steps": tr("Earlier steps have no records here yet."),
        "not_at_this_step": tr("The lot is no longer at this step."),
        "no_operator": tr("Sign in first: every record says who made it."),
        "not_owner": tr("Only the owner can do this (or correct another person's record)."),
        "unknown_operator": tr("This person is not registered at this firm."),
        "bad_pin": tr("The PIN is not right. Try again."),
        "bad_count": tr("The number is not valid."),
        "not_your_firm": tr("That belongs to another firm."),
        "badge_taken": tr("That badge is already someone else's."),
        "bad_field": tr("A field is not valid."),
        "no_firm": tr("This terminal has no firm set."),
        "disk_full": tr("The disk is full. This record was NOT saved."),
        "io_error": tr("Saving failed. This record was NOT saved."),
    }
    return texts.get(code, tr("Refused") + f" ({code})")


def event_name(type_: str) -> str:
    return {
        "JobCreated": tr("Job created"),
        "LotReceived": tr("Received"),
        "LotSplit": tr("Lot split"),
        "OpStarted": tr("Started"),
        "OpPaused": tr("Paused"),
        "OpResumed": tr("Resumed"),
        "OpFinished": tr("Finished"),
        "DefectRecorded": tr("Defect"),
        "MeasurementTaken": tr("Measured"),
        "LotHandedOff": tr("Handed off"),
        "MachineStateChanged": tr("Machine"),
        "TravelerIssued": tr("Traveler issued"),
        "EventCorrected": tr("Corrected"),
    }.get(type_, type_)


def event_detail(type_: str, p: dict[str, Any]) -> str:
    """The numbers of an event in a few words."""
    if type_ == "LotReceived":
        if p.get("skipped"):
            steps = ", ".join(str(s) for s in p["skipped"])
            return f"{p['count']}  " + tr("(skipping steps {0})").format(steps)
        return f"{p['count']}"
    if type_ == "LotSplit":
        child = str(p["child_lot_id"]).rsplit("-", 1)[-1]
        return f"→ {child}  {p['count']}"
    if type_ == "OpPaused":
        return pause_name(p["reason"])
    if type_ == "OpFinished":
        return tr("Good {0} / Defect {1} / Scrap {2}").format(p["good"], p["defect"], p["scrap"])
    if type_ == "DefectRecorded":
        return f"{defect_name(p['code'])} × {p['count']}"
    if type_ == "MeasurementTaken":
        return f"{p['characteristic']} {p['value']} {p['unit']}"
    if type_ == "LotHandedOff":
        return f"→ {p['to_firm']}  {p['count']}"
    if type_ == "EventCorrected":
        rep = p.get("replacement")
        if rep:
            return f"{event_name(rep['type'])} → {event_detail(rep['type'], rep['payload'])}"
        return tr("Undone")
    return ""
