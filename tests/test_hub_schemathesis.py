"""Property-based API testing: schemathesis generates requests from ``/openapi.json``
for every operation (with a valid token) and no answer may be a server error.

The operations are driven through schemathesis' Hypothesis strategies rather than its
pytest plugin, which does not run under this pytest version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from hub import registry
from hub.api import create_app
from hub.db import HubDB


def test_no_server_errors(tmp_path: Path) -> None:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    registry.add_firm(db, "FA01", "山田精機")
    token = registry.enroll(db, registry.make_enroll_code(db, "FA01"), "TSCHEMA1")["token"]
    app = create_app(db, rate_per_s=10_000, burst=10_000)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    tried: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
        tried.append(op.label)
    db.close()
    assert "POST /v1/events" in tried and "GET /v1/feed" in tried
