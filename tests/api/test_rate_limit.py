"""Per-client rate limit: HTTP 429 with Retry-After, one budget per key, account or address."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from httpx import AsyncClient

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
