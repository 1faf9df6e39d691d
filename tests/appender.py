"""Child process for the crash test: appends events as fast as it can and reports each
event id on stdout only after ``record`` returned (i.e. after the UI would confirm it)."""

from __future__ import annotations

import sys

from app.store import Store
from tests.factories import raw


def main(path: str) -> None:
    store = Store.open(path, firm_id="F001")
    route = [{"seq": 10, "process": "LATHE", "firm": "F001"}]
    job = f"F001-J-{store.terminal_id}-{store.count_events()}"
    lot = f"{job}-L1"
    store.record(
        raw(
            "JobCreated",
            {
                "part_no": "P",
                "qty": 10**6,
                "due": "2026-12-31",
                "lead_firm": "F001",
                "route": route,
            },
            job_id=job,
        )
    )
    store.record(raw("LotReceived", {"lot_id": lot, "count": 10**6}, job_id=job, op=10))
    out = sys.stdout
    i = 0
    while True:
        i += 1
        r = store.record(
            raw(
                "MeasurementTaken",
                {
                    "lot_id": lot,
                    "characteristic": "OD",
                    "nominal": "10",
                    "tol_minus": "0.01",
                    "tol_plus": "0.01",
                    "value": f"10.{i % 1000:03d}",
                    "unit": "mm",
                },
                job_id=job,
                op=10,
            )
        )
        assert r.ok and r.event is not None
        out.write(r.event.event_id + "\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
