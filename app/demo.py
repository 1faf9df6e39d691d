"""Demo data: a small nakama-mawashi network and a few jobs in progress.

Used when the app starts with no configuration, so a newcomer sees a living shop.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.core import commands, lots
from app.core.job_input import new_job_id
from app.core.model import JobSpec, Route
from app.store import Store
from app.store.firms import save_firms

DEMO_FIRM = "F001"
DEMO_FIRMS = {
    "F001": ("山田精機", "ota"),
    "F007": ("大森熱処理", "ota"),
    "F012": ("蒲田研削", "ota"),
    "F020": ("川崎めっき工業", "kawasaki"),
}


DEMO_OPERATORS = (
    ("F001-OP-0001", "山田 太郎", "owner", "1001"),
    ("F001-OP-0002", "佐藤 花子", "operator", "1002"),
    ("F001-OP-0003", "鈴木 一郎", "operator", "1003"),
)
DEMO_OWNER = commands.Actor(DEMO_FIRM, DEMO_OPERATORS[0][0], commands.OWNER)


def seed(store: Store, today: date | None = None) -> int:
    """Fill an empty store with the demo firm's operators and jobs made by the demo firm,
    and the firm directory with its neighbours. Every record goes through the core
    commands, as a person at the screen would make it. Returns events written."""
    save_firms(
        store,
        [{"code": c, "name": n, "region": r} for c, (n, r) in DEMO_FIRMS.items()],
        source="demo",
    )
    if store.count_events():
        return 0
    today = today or date.today()
    written = 0

    def do(outcome: commands.Outcome) -> bool:
        nonlocal written
        result = store.record(outcome)
        written += int(result.ok)
        return result.ok

    for oid, name, role, badge in DEMO_OPERATORS:
        do(
            commands.save_operator(
                store.operators(), DEMO_OWNER, operator_id=oid, name=name, role=role, badge=badge
            )
        )
    worker = commands.Actor(DEMO_FIRM, DEMO_OPERATORS[1][0])
    jobs = [
        (
            "SHAFT-2041",
            "D-2041-C",
            120,
            9,
            "10:LATHE:F001,20:HEAT:F007,30:GRIND:F012,40:INSPECT:F001",
        ),
        ("FLANGE-88", "D-88-A", 40, 4, "10:MC:F001,20:PLATE:F020,30:INSPECT:F001"),
        ("PIN-7", "", 500, 14, "10:LATHE:F001,20:HEAT:F007,30:GRIND:F012,40:PLATE:F020"),
    ]
    for part, drawing, qty, days, route_text in jobs:
        job_id = new_job_id(DEMO_FIRM, today)
        spec = JobSpec(
            job_id,
            part,
            qty,
            today + timedelta(days=days),
            DEMO_FIRM,
            Route.parse(route_text),
            drawing_no=drawing,
        )
        if part == "FLANGE-88":  # what a lead types beyond the part number, as a shop would
            spec.part_name = "フランジ（めっき前）"
            spec.material = "SS400"
            spec.note = "めっき後に外径を再検査"
            due = (today + timedelta(days=2)).isoformat()
            spec.step_info = {"10": {"note": "面取り C0.5、バリなきこと", "due": due}}
        lot = lots.first_lot(job_id)
        # Each command is decided against the job as recorded so far, as at the screen.
        do(commands.create_job(store.job(job_id), DEMO_OWNER, spec))
        do(commands.receive(store.job(job_id), worker, lot, 10, qty))
        if part in ("SHAFT-2041", "FLANGE-88"):
            do(commands.start(store.job(job_id), worker, lot, 10))
        if part == "SHAFT-2041":
            do(commands.finish(store.job(job_id), worker, lot, 10, qty - 2, 2, 0))
            do(commands.hand_off(store.job(job_id), worker, lot, 10, qty - 2))
    return written
