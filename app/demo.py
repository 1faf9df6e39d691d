"""Demo data: a small nakama-mawashi network and a few jobs in progress.

Used when the app starts with no configuration, so a newcomer sees a living shop.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.core.job_input import new_job_id
from app.store import Store
from app.store.firms import save_firms

DEMO_FIRM = "F001"
DEMO_FIRMS = {
    "F001": ("山田精機", "ota"),
    "F007": ("大森熱処理", "ota"),
    "F012": ("蒲田研削", "ota"),
    "F020": ("川崎めっき工業", "kawasaki"),
}


def seed(store: Store, today: date | None = None) -> int:
    """Fill an empty store with demo jobs made by the demo firm, and the firm directory
    with its neighbours. Returns events written."""
    save_firms(
        store,
        [{"code": c, "name": n, "region": r} for c, (n, r) in DEMO_FIRMS.items()],
        source="demo",
    )
    if store.count_events():
        return 0
    today = today or date.today()
    written = 0
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
        job_id = new_job_id(DEMO_FIRM, today)  # the lead firm's namespace: the hub insists
        route = [
            {"seq": int(s), "process": p, "firm": f}
            for s, p, f in (step.split(":") for step in route_text.split(","))
        ]
        payload = {
            "part_no": part,
            "drawing_no": drawing,
            "qty": qty,
            "due": (today + timedelta(days=days)).isoformat(),
            "lead_firm": DEMO_FIRM,
            "route": route,
            "note": "",
        }
        ok = store.record("JobCreated", payload, job_id=job_id).ok
        lot = f"{job_id}-L1"
        ok = (
            ok
            and store.record("LotReceived", {"lot_id": lot, "count": qty}, job_id=job_id, op=10).ok
        )
        written += 2
        if part == "SHAFT-2041":
            store.record("OpStarted", {"lot_id": lot}, job_id=job_id, op=10)
            store.record(
                "OpFinished",
                {"lot_id": lot, "good": qty - 2, "defect": 2, "scrap": 0},
                job_id=job_id,
                op=10,
            )
            store.record(
                "LotHandedOff",
                {"lot_id": lot, "to_firm": "F007", "count": qty - 2},
                job_id=job_id,
                op=10,
            )
            written += 3
        elif part == "FLANGE-88":
            store.record("OpStarted", {"lot_id": lot}, job_id=job_id, op=10)
            written += 1
    return written
