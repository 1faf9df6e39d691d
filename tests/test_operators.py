"""Operators: who did the work, on every event; PINs as slow salted hashes; the roster
travels between one firm's terminals and never to another firm."""

from __future__ import annotations

from pathlib import Path

from app.core import commands as C
from app.core import operators as ops
from app.core.commands import Actor
from app.store import Store
from app.sync.syncer import sync_until_idle
from tests.hub_support import fresh_db_url, make_terminal, route_job, running_hub


def test_pin_hash_is_salted_and_checked() -> None:
    a, b = ops.hash_pin("1234"), ops.hash_pin("1234")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert ops.check_pin("1234", a) and ops.check_pin("1234", b)
    assert not ops.check_pin("1235", a)
    assert not ops.check_pin("1234", "md5$nope") and not ops.check_pin("1234", "garbage")
    assert ops.pin_ok("0042") and not ops.pin_ok("12") and not ops.pin_ok("12a4")


def test_badges_round_trip_and_other_codes_are_not_badges() -> None:
    rec = ops.OperatorRecord("F001-OP-7K3Q", "F001", "佐藤 花子", C.OPERATOR, badge="1002")
    assert ops.parse_badge(ops.badge_text(rec)) == ("F001-OP-7K3Q", "1002")
    assert ops.parse_badge("NK1:ABC") is None and ops.parse_badge("NKOP:") is None


def _add(store: Store, by: Actor, name: str, role: str = C.OPERATOR, pin: str = "") -> str:
    oid = ops.new_operator_id(store.firm_id)
    cmd = C.save_operator(
        store.operators(),
        by,
        operator_id=oid,
        name=name,
        role=role,
        pin_hash=ops.hash_pin(pin) if pin else "",
    )
    r = store.record(cmd)
    assert r.ok, r
    return oid


def test_every_event_names_its_operator_and_the_roster_is_a_projection(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.db", firm_id="F001") as s:
        boss_id = "F001-OP-BOSS"
        boss = Actor("F001", boss_id, C.OWNER)
        r = s.record(C.save_operator({}, boss, operator_id=boss_id, name="山田", role=C.OWNER))
        assert r.ok and r.event is not None and r.event.operator == boss_id
        worker = _add(s, boss, "佐藤", pin="2468")
        roster = s.operators()
        assert set(roster) == {boss_id, worker}
        assert ops.check_pin("2468", roster[worker].pin_hash)
        # Retiring keeps the record (events are never deleted) but not on the sign-in list.
        retire = C.save_operator(roster, boss, operator_id=worker, name="佐藤", active=False)
        assert s.record(retire).ok
        assert set(s.operators(active_only=True)) == {boss_id}
        before = s.rows("SELECT * FROM operators ORDER BY operator_id")
        s.rebuild()
        assert s.rows("SELECT * FROM operators ORDER BY operator_id") == before
        assert s.check_integrity() == []


def test_the_roster_stays_within_the_firm(tmp_path: Path) -> None:
    with running_hub(fresh_db_url("sqlite", tmp_path)) as hub:
        for f in ("FA01", "FB02"):
            hub.add_firm(f)
        a1 = make_terminal(hub, tmp_path, "FA01")
        a2 = make_terminal(hub, tmp_path, "FA01")
        b = make_terminal(hub, tmp_path, "FB02")
        try:
            boss = Actor("FA01", "FA01-OP-BOSS", C.OWNER)
            assert a1.store.record(
                C.save_operator(
                    {}, boss, operator_id=boss.operator or "", name="山田", role=C.OWNER
                )
            ).ok
            worker = _add(a1.store, boss, "佐藤 花子", pin="1357")
            job = route_job(a1, "10:LATHE:FA01,20:HEAT:FB02")
            for t in (a1, a2, b):
                sync_until_idle(t.syncer)
            # The firm's other terminal knows its people (and can check their PINs).
            assert set(a2.store.operators()) == {"FA01-OP-BOSS", worker}
            assert ops.check_pin("1357", a2.store.operators()[worker].pin_hash)
            # The other firm sees the job and who acted by id, never the names or PINs.
            assert b.store.job(job) is not None
            assert b.store.rows("SELECT * FROM operators") == []
            assert not [e for e in b.store.events() if e.type == "OperatorSaved"]
        finally:
            for t in (a1, a2, b):
                t.close()
