"""Per-client rate limit: HTTP 429 with Retry-After, one budget per key, account, device or
address; every answer's RateLimit-* headers and the `rateLimit` field say where it stands."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from time import time as real_time

import limits.aio.storage.memory
import pytest
from httpx import AsyncClient, Response

import api.ratelimit
from db import clock
from db.engine import Sessionmaker, transaction
from db.integrators import create_api_key
from tests.api.helpers import app_with, auth, claims, counter, signed

QUERY = {"query": "{ __typename }"}


async def spend(http: AsyncClient, times: int, headers: dict[str, str] | None = None) -> list[int]:
    statuses = []
    for _ in range(times):
        response = await http.post("/graphql", json=QUERY, headers=headers or {})
        statuses.append(response.status_code)
    return statuses


async def test_over_the_limit_is_429_with_retry_after(db_url: str) -> None:
    async with app_with(db_url, rate_limit=3) as (application, http):
        token = auth(signed(claims(sub="eager")))
        assert await spend(http, 3, token) == [200, 200, 200]
        with counter(application) as count:
            response = await http.post("/graphql", json=QUERY, headers=token)
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 60
        body = response.json()
        assert "data" not in body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] == int(response.headers["retry-after"])
        assert count.count == 0  # refused before the account was read
        # Health probes are not GraphQL requests and stay up.
        assert (await http.get("/healthz")).status_code == 200


async def test_each_client_has_its_own_budget(db_url: str, sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        key = (await create_api_key(session, "budget test")).secret
    async with app_with(db_url, rate_limit=2) as (_, http):
        citizen_a = auth(signed(claims(sub="budget-a")))
        citizen_b = auth(signed(claims(sub="budget-b")))
        integrator = {"X-API-Key": key}
        assert await spend(http, 3, citizen_a) == [200, 200, 429]
        # Same address, other account: its own budget; likewise the key and the address.
        assert await spend(http, 3, citizen_b) == [200, 200, 429]
        assert await spend(http, 3, integrator) == [200, 200, 429]
        assert await spend(http, 3) == [200, 200, 429]
        # A new token of the same account spends the same budget (keyed by `sub`, not token).
        assert await spend(http, 1, auth(signed(claims(sub="budget-a", jti="other")))) == [429]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway Redis server on a free port (skipped where none is installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):  # wait until it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_processes_share_one_budget_through_redis(db_url: str, redis_url: str) -> None:
    token = auth(signed(claims(sub="two-processes")))
    async with (
        app_with(db_url, rate_limit=3, redis_url=redis_url) as (_, first),
        app_with(db_url, rate_limit=3, redis_url=redis_url) as (_, second),
    ):
        assert await spend(first, 2, token) == [200, 200]
        assert await spend(second, 2, token) == [200, 429]
        assert await spend(first, 1, token) == [429]


async def test_an_unreachable_redis_does_not_take_the_api_down(db_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here
    async with app_with(db_url, rate_limit=1, redis_url=f"redis://127.0.0.1:{port}/0") as (_, http):
        assert await spend(http, 2) == [200, 200]


async def test_reports_spend_the_same_budget_and_know_integrator_keys(
    db_url: str, sessionmaker: Sessionmaker
) -> None:
    async with transaction(sessionmaker) as session:
        key = (await create_api_key(session, "report test")).secret
    url = "/reports/sessions/U2Vzc2lvbjox/compliance.csv"  # Session:1
    async with app_with(db_url, rate_limit=2) as (_, http):
        citizen = auth(signed(claims(sub="report-reader")))
        # One GraphQL request and one report spend the account's two requests.
        assert await spend(http, 1, citizen) == [200]
        assert (await http.get(url, headers=citizen)).status_code == 403
        refused = await http.get(url, headers=citizen)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # An API key is an integrator (public data only), not an anonymous caller.
        assert (await http.get(url, headers={"X-API-Key": key})).status_code == 403
        assert (await http.get(url, headers={"X-API-Key": "hdnd_unknown"})).status_code == 401


# ---- where the budget stands: RateLimit-* headers, `rateLimit`, device ids ----------------------

BUDGET = """query Budget { rateLimit { limit remaining resetAt cost } }"""


def quota(response: Response) -> tuple[int, int, int]:
    """(limit, remaining, reset) of an answer's RateLimit-* headers."""
    headers = response.headers
    return (
        int(headers["ratelimit-limit"]),
        int(headers["ratelimit-remaining"]),
        int(headers["ratelimit-reset"]),
    )


class FrozenTime:
    """`time.time` for the limiter: the real clock plus however far a test moves it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return real_time() + self.offset


@pytest.fixture
def limiter_time(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    """Lets a test move the rate limiter's clock (the moving window's) ahead."""
    fake = FrozenTime()
    monkeypatch.setattr(limits.aio.storage.memory, "time", fake)
    monkeypatch.setattr(api.ratelimit, "time", fake)
    return fake


async def test_every_answer_says_where_the_budget_stands(
    db_url: str, limiter_time: FrozenTime
) -> None:
    async with app_with(db_url, rate_limit=3) as (_, http):
        token = auth(signed(claims(sub="counting")))
        seen = []
        for _ in range(3):
            response = await http.post("/graphql", json=QUERY, headers=token)
            assert response.status_code == 200
            seen.append(quota(response))
        assert [(limit, remaining) for limit, remaining, _ in seen] == [(3, 2), (3, 1), (3, 0)]
        assert all(1 <= reset <= 60 for _, _, reset in seen)

        # Refused: no budget left, and RateLimit-Reset agrees with Retry-After.
        refused = await http.post("/graphql", json=QUERY, headers=token)
        assert refused.status_code == 429
        limit, remaining, reset = quota(refused)
        assert (limit, remaining) == (3, 0)
        assert reset == int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["extensions"]["retryAfter"] == reset

        # A minute on, the window has moved past every request: the whole budget again.
        limiter_time.offset += 61
        again = await http.post("/graphql", json=QUERY, headers=token)
        assert again.status_code == 200
        assert quota(again)[:2] == (3, 2)

        # Other answers after admission carry them too: a validation error, GraphiQL's page.
        invalid = await http.post("/graphql", json={"query": "{ nope }"}, headers=token)
        assert invalid.status_code == 200 and quota(invalid)[:2] == (3, 1)
        page = await http.get("/graphql", headers={**token, "Accept": "text/html"})
        assert page.status_code == 200 and quota(page)[:2] == (3, 0)
        # Probes spend nothing and say nothing about a budget.
        health = await http.get("/healthz")
        assert "ratelimit-limit" not in health.headers


async def test_the_rate_limit_field_reports_the_budget_and_the_cost(db_url: str) -> None:
    async with app_with(db_url, rate_limit=5) as (_, http):
        token = auth(signed(claims(sub="asking")))
        await http.post("/graphql", json=QUERY, headers=token)
        response = await http.post("/graphql", json={"query": BUDGET}, headers=token)
        body = response.json()
        assert "errors" not in body, body
        budget = body["data"]["rateLimit"]
        limit, remaining, reset = quota(response)
        assert (budget["limit"], budget["remaining"]) == (limit, remaining) == (5, 3)
        # The cost of this very request, as extensions.cost reports it: one object.
        assert budget["cost"] == body["extensions"]["cost"]["requested"] == 1
        # resetAt: the request's instant plus RateLimit-Reset, with the local offset.
        reset_at = datetime.fromisoformat(budget["resetAt"])
        assert reset_at.utcoffset() == timedelta(hours=7)
        assert timedelta(0) < reset_at - clock.now() <= timedelta(seconds=reset + 1)

        # A larger document costs more, the same budget answers it.
        page = BUDGET.replace("cost }", "cost } delegates(first: 50) { nodes { fullName } }")
        bigger = (await http.post("/graphql", json={"query": page}, headers=token)).json()
        assert bigger["data"]["rateLimit"]["cost"] == bigger["extensions"]["cost"]["requested"]
        assert bigger["data"]["rateLimit"]["cost"] == 1 + 1 + 50
        assert bigger["data"]["rateLimit"]["remaining"] == 2


async def test_device_ids_have_their_own_budgets_within_the_address_cap(db_url: str) -> None:
    async with app_with(db_url, rate_limit=2, rate_limit_per_address=5) as (_, http):
        phone_a = {"X-Device-Id": "3f2b8c1e-6a4d-4f0e-9b7a-1c2d3e4f5a6b"}
        phone_b = {"X-Device-Id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"}
        phone_c = {"X-Device-Id": "android-0123456789abcdef"}
        # Two phones behind one address: a budget each, not one between them.
        assert await spend(http, 3, phone_a) == [200, 200, 429]
        assert await spend(http, 2, phone_b) == [200, 200]
        # The app's requests without an id share the address's own client budget.
        first = await http.post("/graphql", json=QUERY)
        assert first.status_code == 200
        # Five anonymous requests at this address: its shared budget is spent, whatever id a
        # client makes up next; the headers name the budget that binds.
        refused = await http.post("/graphql", json=QUERY, headers=phone_c)
        assert refused.status_code == 429
        assert quota(refused)[:2] == (5, 0)
        assert int(refused.headers["retry-after"]) >= 1
        assert await spend(http, 1) == [429]
        # A signed-in account is not anonymous: its own budget, whatever device it is on.
        signed_in = await http.post(
            "/graphql", json=QUERY, headers={**auth(signed(claims(sub="on-a"))), **phone_a}
        )
        assert signed_in.status_code == 200
        assert quota(signed_in)[:2] == (2, 1)


async def test_a_device_budget_shows_the_smaller_of_its_two_budgets(db_url: str) -> None:
    async with app_with(db_url, rate_limit=3, rate_limit_per_address=4) as (_, http):
        phone = {"X-Device-Id": "3f2b8c1e-6a4d-4f0e-9b7a-1c2d3e4f5a6b"}
        other = {"X-Device-Id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"}
        response = await http.post("/graphql", json=QUERY, headers=phone)
        assert quota(response)[:2] == (3, 2)  # its own: 2 left; the address's: 3 left
        await http.post("/graphql", json=QUERY, headers=other)
        await http.post("/graphql", json=QUERY, headers=other)
        response = await http.post("/graphql", json={"query": BUDGET}, headers=phone)
        # Its own: 1 left; the address's: 0 left, and that one binds.
        assert quota(response)[:2] == (4, 0)
        assert response.json()["data"]["rateLimit"]["limit"] == 4
        assert response.json()["data"]["rateLimit"]["remaining"] == 0


@pytest.mark.parametrize(
    "given",
    [
        "short",  # under 16 characters
        "x" * 65,  # over 64
        "3f2b8c1e 6a4d 4f0e 9b7a",  # a space
        "thiết-bị-của-tôi-0123",  # letters outside ASCII (sent as UTF-8)
        "",
    ],
)
async def test_a_malformed_device_id_is_refused_clearly(db_url: str, given: str) -> None:
    headers = {"X-Device-Id": given.encode()}
    async with app_with(db_url, rate_limit=2) as (_, http):
        response = await http.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "X-Device-Id" in error["message"] and "16 đến 64" in error["message"]
        assert "data" not in response.json()
        # Refusals spend the address's budget of failures: they cannot be sent without end.
        statuses = [
            (await http.post("/graphql", json=QUERY, headers=headers)).status_code for _ in range(3)
        ]
        assert statuses == [400, 429, 429]
        # A well-formed id (or none) is still served: the failures are a budget of their own.
        assert await spend(http, 1) == [200]


async def test_the_report_says_where_the_budget_stands(db_url: str) -> None:
    url = "/reports/sessions/U2Vzc2lvbjox/compliance.csv"  # Session:1
    async with app_with(db_url, rate_limit=2) as (_, http):
        citizen = auth(signed(claims(sub="report-budget")))
        forbidden = await http.get(url, headers=citizen)
        assert forbidden.status_code == 403
        assert quota(forbidden)[:2] == (2, 1)
        await http.get(url, headers=citizen)
        refused = await http.get(url, headers=citizen)
        assert refused.status_code == 429
        assert quota(refused)[2] == int(refused.headers["retry-after"])
        malformed = await http.get(url, headers={"X-Device-Id": "bad"})
        assert malformed.status_code == 400
        assert "X-Device-Id" in malformed.text
