"""A firm's own defect code and pause reason travel through the real hub on loopback: the
hub accepts them, the other firm's replay accepts them (no anomaly), and its screens name
them in either language, from the names the events carry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_support import Hub, Terminal, do_op, fresh_db_url, make_terminal, route_job, running_hub

from app.core import commands
from app.core.catalog import CatalogueEntry
from app.sync.syncer import sync_until_idle
from app.ui.app import make_application
from app.ui.language import set_language
from app.ui.text import event_detail

LEAD, GRINDER = "FA01", "FB02"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as h:
        h.add_firm(LEAD)
        h.add_firm(GRINDER)
        yield h


def _sync(*ts: Terminal) -> None:
    for _ in range(2):
        for t in ts:
            sync_until_idle(t.syncer)


def test_own_codes_reach_the_other_firm_with_their_names(hub: Hub, tmp_path: Path) -> None:
    a, b = make_terminal(hub, tmp_path, LEAD), make_terminal(hub, tmp_path, GRINDER)
    try:
        job = route_job(a, f"10:LATHE:{LEAD},20:GRIND:{GRINDER}")
        lot = f"{job}-L1"
        do_op(a, job, lot, 10, 10, GRINDER)
        _sync(a, b)
        worker = commands.Actor(GRINDER, f"{GRINDER}-OP-0001")
        assert b.store.record(commands.receive(b.store.job(job), worker, lot, 20, 10)).ok
        assert b.store.record(commands.start(b.store.job(job), worker, lot, 20)).ok
        meeting = CatalogueEntry("MEETING", "朝礼", "Morning meeting")
        cmd = commands.pause(b.store.job(job), worker, lot, 20, "MEETING", meeting)
        assert b.store.record(cmd).ok
        assert b.store.record(commands.resume(b.store.job(job), worker, lot, 20)).ok
        chip = CatalogueEntry("CHIP", "欠け", "Chipped edge")
        cmd = commands.record_defect(
            b.store.job(job), worker, lot, 20, "CHIP", 2, "rework", own=chip
        )
        assert b.store.record(cmd).ok
        # Without its names a code nobody knows is refused, before it is recorded.
        bare = commands.record_defect(b.store.job(job), worker, lot, 20, "DUST", 1, "rework")
        assert isinstance(bare, commands.Refusal) and bare.reason == "unknown_defect_code"
        _sync(a, b)
        assert b.store.outbox_stats()["rejected"] == 0  # the hub took every event

        ja = a.store.job(job)
        assert ja is not None and not ja.anomalies
        prog = ja.lots[lot].ops[20]
        assert prog.defects_recorded == 2
        events = {e.type: e for e in a.store.job_events(job) if e.firm_id == GRINDER}
        defect, pause = events["DefectRecorded"], events["OpPaused"]
        make_application("ja")
        assert event_detail(defect.type, dict(defect.payload)) == "欠け × 2"
        assert event_detail(pause.type, dict(pause.payload)) == "朝礼"
        app = make_application("ja")
        set_language(app, "en")
        try:
            assert event_detail(defect.type, dict(defect.payload)) == "Chipped edge × 2"
            assert event_detail(pause.type, dict(pause.payload)) == "Morning meeting"
        finally:
            set_language(app, "ja")
    finally:
        a.close()
        b.close()
