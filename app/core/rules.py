"""Reason codes for refused commands and for anomalies found while replaying.

The core never raises for a rule: it returns one of these codes and the UI turns it
into Japanese or English (``app/ui/text.py``).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    UNKNOWN_JOB = "unknown_job"
    JOB_EXISTS = "job_exists"
    NOT_LEAD_FIRM = "not_lead_firm"
    BAD_ROUTE = "bad_route"
    UNKNOWN_PROCESS = "unknown_process"
    UNKNOWN_OP = "unknown_op"
    OP_NOT_FOR_THIS_FIRM = "op_not_for_this_firm"
    UNKNOWN_LOT = "unknown_lot"
    LOT_EXISTS = "lot_exists"
    ALREADY_RECEIVED = "already_received"
    COUNT_EXCEEDS_LOT = "count_exceeds_lot"
    LOT_NOT_RECEIVED = "lot_not_received"
    OP_ALREADY_STARTED = "op_already_started"
    OP_ALREADY_FINISHED = "op_already_finished"
    OP_NOT_STARTED = "op_not_started"
    OP_NOT_RUNNING = "op_not_running"
    OP_NOT_PAUSED = "op_not_paused"
    OP_NOT_FINISHED = "op_not_finished"
    UNKNOWN_PAUSE_REASON = "unknown_pause_reason"
    COUNTS_EXCEED_RECEIVED = "counts_exceed_received"
    SCRAP_BELOW_RECORDED = "scrap_below_recorded"
    DEFECTS_EXCEED_RECEIVED = "defects_exceed_received"
    UNKNOWN_DEFECT_CODE = "unknown_defect_code"
    BAD_DISPOSITION = "bad_disposition"
    BAD_TOLERANCE = "bad_tolerance"
    HANDOFF_EXCEEDS_GOOD = "handoff_exceeds_good"
    HANDOFF_TO_SELF = "handoff_to_self"
    SPLIT_EXCEEDS_LOT = "split_exceeds_lot"
    UNKNOWN_EVENT = "unknown_event"
    CANNOT_CORRECT = "cannot_correct"
    BAD_MACHINE_STATE = "bad_machine_state"
    JOB_MISMATCH = "job_mismatch"
    JOB_ID_NOT_OURS = "job_id_not_yours"  # a job id is namespaced by its lead firm
    NOT_YOUR_EVENT = "not_your_event"  # only an event's own firm corrects it
    REPLACEMENT_TYPE = "replacement_type"  # a correction keeps the corrected event's type
    ALREADY_CORRECTED = "already_corrected"
    BAD_LOT_ID = "bad_lot_id"
    SPLIT_WHILE_RUNNING = "split_while_running"
    SKIPS_STEPS = "skips_steps"  # a receipt past steps with no records: confirm first
    NOT_AT_THIS_STEP = "not_at_this_step"
    NO_OPERATOR = "no_operator"
    NOT_OWNER = "not_owner"
    UNKNOWN_OPERATOR = "unknown_operator"
    BAD_PIN = "bad_pin"
    BAD_COUNT = "bad_count"
    NOT_YOUR_FIRM = "not_your_firm"
    BAD_FIELD = "bad_field"
    NOT_A_JOB_EVENT = "not_a_job_event"
    NOT_APPROVER = "not_approver"  # only the owner or an inspector signs records off
    NOT_ON_ROUTE = "not_on_route"  # a lot's results are approved by a firm of its job
    NOTHING_TO_APPROVE = "nothing_to_approve"
