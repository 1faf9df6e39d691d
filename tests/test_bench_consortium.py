"""``python -m bench consortium --small`` end to end: a small consortium loaded on both
backends, its last line the JSON the README's bench table is made from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_consortium_small_runs_end_to_end() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "consortium", "--small"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    backends = [out[b] for b in ("sqlite", "postgresql") if "kpi_year_ms" in out.get(b, {})]
    assert backends, out
    for b in backends:
        assert b["events"] == out["events"] > 5000
        assert set(b["kpi_growth_ms"]) == {"quarter", "half", "three_quarters", "year"}
        assert b["kpi_year_ms"] > 0 and b["match_request_ms_p95"] > 0
        assert b["summary_rows"]["summary_jobs"] == b["jobs"] == 300
        assert b["year"]["delivered_jobs"] > 100 and b["year"]["regional_yen"] > 0
    # The same events give the same figures on every backend.
    assert len({json.dumps(b["year"], sort_keys=True) for b in backends}) == 1
    assert out["kpi_year_ms"] == max(b["kpi_year_ms"] for b in backends)
    assert set(out["kpi_growth"]) == {"half_over_quarter", "year_over_quarter"}
