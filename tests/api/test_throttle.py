"""Bad credentials are throttled like good ones, and a client cannot choose its address."""

from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send

from api.cli import proxy_options
from db.integrators import KEY_PREFIX
from tests.api.helpers import app_with, auth, claims, counter, signed
from tests.conftest import bearer

HEALTHY = "{ units(level: PROVINCE) { name } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_bogus_api_keys_spend_the_address_budget_then_cost_no_sql(db_url: str) -> None:
    async with app_with(db_url, rate_limit=3) as (application, http):
        statuses: list[int] = []
        with counter(application) as count:
            for i in range(8):
                response = await http.post(
                    "/graphql",
                    json={"query": HEALTHY},
                    headers={"X-API-Key": f"{KEY_PREFIX}bogus-{i}"},
                )
                statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429, 429, 429, 429, 429]
        assert response.headers["retry-after"].isdigit()
        assert codes(response.json()) == ["RATE_LIMITED"]
        # One key lookup for each of the three failures the budget allowed, none after.
        assert count.count == 3
        # A signed-in account from the same address keeps its own budget.
        settings = application.state.settings
        ok = await http.post("/graphql", json={"query": HEALTHY}, headers=bearer(settings, "ok"))
        assert ok.status_code == 200


async def test_bad_tokens_are_throttled_too(db_url: str) -> None:
    async with app_with(db_url, rate_limit=2) as (application, http):
        forged = auth(signed(claims(), secret="not-the-secret-" + "x" * 30))
        statuses = []
        with counter(application) as count:
            for _ in range(4):
                response = await http.post("/graphql", json={"query": HEALTHY}, headers=forged)
                statuses.append(response.status_code)
        assert statuses == [401, 401, 429, 429]
        assert count.count == 0


async def test_reports_admit_the_same_way(db_url: str) -> None:
    async with app_with(db_url, rate_limit=1) as (_application, http):
        first = await http.get("/reports/sessions/x/compliance.csv", headers={"X-API-Key": "no"})
        second = await http.get("/reports/sessions/x/compliance.csv", headers={"X-API-Key": "no"})
        assert (first.status_code, second.status_code) == (401, 429)


async def _client_seen(environ: dict[str, str]) -> Any:
    seen: dict[str, Any] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen["client"] = scope["client"]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(app, **proxy_options(environ))
    config.load()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"x-forwarded-for", b"203.0.113.9")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    await config.loaded_app(scope, receive, send)
    return seen["client"][0]


async def test_forwarded_for_is_believed_only_from_forwarded_allow_ips() -> None:
    # Unset: not even a local client may say who it is.
    assert await _client_seen({}) == "127.0.0.1"
    assert await _client_seen({"FORWARDED_ALLOW_IPS": "10.0.0.5"}) == "127.0.0.1"
    # The proxy named: its header is believed.
    assert await _client_seen({"FORWARDED_ALLOW_IPS": "127.0.0.1"}) == "203.0.113.9"
