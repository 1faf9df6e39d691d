"""Property-based API testing: schemathesis generates requests from ``/openapi.json``
for every operation (with a real enrolled terminal's token, and with an office token for
the office's figures) and holds every answer to the document: no server error, no status
the operation does not list, bodies (success and the Error body) and headers
(``Retry-After``) as documented, and the documented content type.

The operations are driven through schemathesis' Hypothesis strategies rather than its
pytest plugin, which does not run under this pytest version."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hub import registry
from hub.api import create_app
from hub.db import HubDB

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    response_headers_conformance,
    content_type_conformance,
]


def drive(strategy: Any, examples: int, headers: dict[str, str], seen: set[int]) -> None:
    """Run ``examples`` generated requests of one operation, every check on."""

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.add(response.status_code)

    run()


def test_every_operation_keeps_to_its_document(tmp_path: Path) -> None:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    registry.add_firm(db, "FA01", "山田精機", equipment=["NL2000"])
    registry.add_firm(db, "FB02", "大森熱処理")
    token = registry.enroll(db, registry.make_enroll_code(db, "FA01"), "TSCHEMA1")["token"]
    office = registry.office_token(db)
    app = create_app(
        db,
        rate_per_s=10_000,
        burst=10_000,
        enroll_rate=10_000,
        enroll_burst=10_000,
        bad_token_rate=10_000,
        bad_token_burst=10_000,
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    identities = {
        "terminal": {"Authorization": f"Bearer {token}"},
        "office": {"Authorization": f"Bearer {office}"},
        "stranger": {"Authorization": "Bearer nkt_not-a-token"},
        "anonymous": {},
    }
    tried: dict[tuple[str, str], set[int]] = {}
    started = time.monotonic()
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for who, headers in identities.items():
                seen = tried.setdefault((op.label, who), set())
                examples = 30 if who in ("terminal", "office") else 8

                try:
                    drive(op.as_strategy(mode), examples, headers, seen)
                except Unsatisfiable:
                    # Nothing to make invalid (no parameters, no body): /healthz.
                    assert mode is GenerationMode.NEGATIVE and op.label == "GET /healthz"
    db.close()
    labels = {label for label, _ in tried}
    assert {"POST /v1/events", "GET /v1/feed", "GET /v1/stats", "POST /v1/photos"} <= labels
    # The tokens worked: generated requests got past authentication...
    assert 200 in tried["GET /v1/stats", "office"] and 200 in tried["GET /v1/firms", "terminal"]
    assert 200 in tried["POST /v1/events", "terminal"] and 200 in tried["GET /v1/feed", "terminal"]
    # ...and a terminal token on the office's route, or none at all, is refused as listed.
    assert 403 in tried["GET /v1/stats", "terminal"] and 403 in tried["GET /v1/feed", "office"]
    assert tried["GET /v1/me", "stranger"] == tried["GET /v1/me", "anonymous"] == {401}
    # The consortium's routes: the office's figures for the office only.
    assert 200 in tried["GET /v1/kpi", "office"] and 403 in tried["GET /v1/kpi", "terminal"]
    assert (
        200 in tried["PUT /v1/profile", "terminal"]
        and 200 in tried["POST /v1/requests", "terminal"]
    )
    # A budget per operation, against a hang (the consortium's routes doubled their
    # number): about 3 s each on an idle machine, up to 8 s on a shared, busy one.
    assert time.monotonic() - started < 12 * len(operations)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/v1/events", "post", {200, 400, 401, 403, 413, 415, 422, 429, 503}),
        ("/v1/feed", "get", {200, 400, 401, 403, 410, 422, 429, 503}),
        ("/v1/enroll", "post", {200, 400, 403, 409, 413, 415, 422, 429, 503}),
        ("/v1/photos", "post", {200, 400, 401, 403, 409, 413, 415, 422, 429, 503}),
        ("/v1/stats", "get", {200, 401, 403, 429, 503}),
        ("/v1/kpi", "get", {200, 401, 403, 422, 429, 503}),
        ("/v1/profile", "put", {200, 400, 401, 403, 413, 415, 422, 429, 503}),
        (
            "/v1/requests/{request_id}/volunteer",
            "post",
            {200, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503},
        ),
    ],
)
def test_documented_statuses_and_error_body(
    tmp_path: Path, path: str, method: str, statuses: set[int]
) -> None:
    """The statuses a generated client must handle are all listed, each error with the
    Error body, and 429/503 with ``Retry-After``."""
    db = HubDB(f"sqlite:///{tmp_path / 'doc.db'}")
    try:
        doc = create_app(db).openapi()
    finally:
        db.close()
    op = doc["paths"][path][method]
    assert {int(s) for s in op["responses"]} == statuses
    for status, answer in op["responses"].items():
        schema = answer["content"]["application/json"]["schema"]
        if int(status) >= 400:
            assert schema == {"$ref": "#/components/schemas/Error"}
        if int(status) in (429, 503):
            assert answer["headers"]["Retry-After"]["required"] is True
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and {"detail", "resnapshot", "quota"} <= set(
        error["properties"]
    )
