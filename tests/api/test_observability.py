"""Masked unexpected errors, JSON-lines logs without secrets or personal data, metrics."""

import logging
from collections import OrderedDict
from typing import Any, NoReturn

import orjson
import pytest
from httpx import AsyncClient

from api.logs import JsonLines
from api.settings import Settings
from db import council
from schema.compiled.execution import PLANS
from schema.compiled.roots import ROOTS, Root
from tests.api.helpers import auth
from tests.conftest import bearer

NAME = "Phạm Thị Thu Hà"
PHONE = "0987654321"


def log_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The captured records as the JSON lines production would write."""
    formatter = JsonLines()
    return [orjson.loads(formatter.format(record)) for record in caplog.records]


async def test_unexpected_error_is_masked_and_logged_under_its_request_id(
    client: AsyncClient,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object) -> NoReturn:
        # What a driver error may carry: SQL and personal data. None of it may leave.
        raise RuntimeError(f"SELECT * FROM petition WHERE submitter_phone = '{PHONE}' -- {NAME}")

    def broken_build(*args: object) -> NoReturn:
        raise RuntimeError(f"SELECT * FROM petition WHERE submitter_phone = '{PHONE}' -- {NAME}")

    monkeypatch.setattr(council, "list_groups", broken)
    # The compiled read path (schema.compiled) fails the same way, while building its plan.
    monkeypatch.setitem(ROOTS, "delegateGroups", Root(lambda args: {}, broken_build))
    monkeypatch.setattr(PLANS, "entries", OrderedDict())  # no plan made earlier is reused
    caplog.set_level(logging.INFO)
    response = await client.post(
        "/graphql",
        json={"query": "query Groups { delegateGroups { name } units(level: PROVINCE) { name } }"},
        headers={**bearer(settings, "unlucky"), "X-Request-ID": "req-0123456789"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-0123456789"
    body = response.json()
    assert body["data"] == {"delegateGroups": None, "units": [{"name": "Tỉnh Hậu Giang"}]} or (
        body["data"] is None
    )
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-0123456789"}
    assert PHONE not in response.text and "SELECT" not in response.text

    lines = log_lines(caplog)
    [failure] = [line for line in lines if line["event"] == "unexpected error"]
    assert failure["request_id"] == "req-0123456789"
    assert failure["error_type"] == "RuntimeError"
    assert any("broken" in frame for frame in failure["trace"])  # where it failed
    text = "\n".join(orjson.dumps(line).decode() for line in lines)
    assert PHONE not in text and NAME not in text and "SELECT" not in text
    [access] = [line for line in lines if line["event"] == "request"]
    assert access["request_id"] == "req-0123456789"
    assert access["error_codes"] == ["INTERNAL_SERVER_ERROR"]


async def test_logs_carry_the_request_and_never_a_token_a_name_or_a_phone(
    client: AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = bearer(settings, "logged-citizen", name=NAME, phone=PHONE)
    token = headers["Authorization"].removeprefix("Bearer ")
    response = await client.post(
        "/graphql",
        json={
            "query": "query WhoAmI($c: String!) { me { role } delegatesForUnit(code: $c) { id } }",
            "operationName": "WhoAmI",
            "variables": {"c": PHONE},
        },
        headers=headers,
    )
    assert response.status_code == 200
    bad = await client.post(
        "/graphql", json={"query": "{ me { role } }"}, headers=auth(token[:-4] + "AAAA")
    )
    assert bad.status_code == 401
    get = await client.get("/graphql", params={"query": "{ me { role } }", "phone": PHONE})
    assert get.status_code == 200

    lines = log_lines(caplog)
    text = "\n".join(orjson.dumps(line).decode() for line in lines)
    for secret in (token, token.split(".")[2], NAME, PHONE, "logged-citizen"):
        assert secret not in text
    access = [line for line in lines if line["event"] == "request"]
    assert [a["status"] for a in access] == [200, 401, 200]
    first = access[0]
    assert first["operation"] == "WhoAmI"
    assert first["operation_type"] == "query"
    assert first["viewer"] == "account"
    assert first["role"] == "CITIZEN"
    assert isinstance(first["duration_ms"], float)
    assert len(first["request_id"]) == 32
    assert access[1]["error_codes"] == ["UNAUTHENTICATED"]
    assert access[2]["path"] == "/graphql"  # without its query string


async def test_metrics_count_requests_and_errors_by_code(client: AsyncClient) -> None:
    await client.post("/graphql", json={"query": "{ __typename }"})
    await client.post("/graphql", json={"query": "{ me }"}, headers=auth("x.y.z"))
    await client.post("/graphql", json={"query": "{ nothing }"})
    text = (await client.get("/metrics")).text
    assert 'hdnd_http_requests_total{method="POST",path="/graphql",status="200"}' in text
    assert 'hdnd_http_requests_total{method="POST",path="/graphql",status="401"}' in text
    assert 'hdnd_errors_total{code="UNAUTHENTICATED"}' in text
    assert 'hdnd_errors_total{code="GRAPHQL_VALIDATION_FAILED"}' in text
    assert 'hdnd_graphql_operations_total{operation_type="query",viewer="anonymous"}' in text
    assert "hdnd_http_request_duration_seconds_bucket" in text
    # Scanners cannot make a series per path.
    await client.get("/wp-admin/setup.php")
    text = (await client.get("/metrics")).text
    assert "wp-admin" not in text and 'path="other"' in text
