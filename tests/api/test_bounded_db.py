"""Database use bounded per request: a few connections whatever the aliases, statements that
cannot outrun the statement timeout, a whole-request deadline (TIMEOUT) that gives the
connections back, over GraphQL and for the CSV report (WebSocket operations:
tests/api/test_websocket_deadline.py)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from httpx import Response
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.seeding import plain_url
from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from schema.deadlines import DEADLINE_MESSAGE
from schema.relay import to_global_id
from tests.api.helpers import app_with
from tests.conftest import bearer

GROUPS = "{ delegateGroups { name } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


class PeakConnections:
    """The most connections an engine had checked out at once while active."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.pool = engine.sync_engine.pool
        self.now = 0
        self.peak = 0

    def _out(self, *_: Any) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)

    def _in(self, *_: Any) -> None:
        self.now -= 1

    def __enter__(self) -> "PeakConnections":
        event.listen(self.pool, "checkout", self._out)
        event.listen(self.pool, "checkin", self._in)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.pool, "checkout", self._out)
        event.remove(self.pool, "checkin", self._in)


async def checked_out(engine: AsyncEngine) -> int:
    """Connections still out of the pool, after giving a cancelled one's cleanup a moment."""
    pool = engine.sync_engine.pool
    for _ in range(30):
        if pool.checkedout() == 0:  # type: ignore[attr-defined]
            return 0
        await asyncio.sleep(0.1)
    return int(pool.checkedout())  # type: ignore[attr-defined]


@asynccontextmanager
async def locked(db_url: str, table: str) -> AsyncIterator[None]:
    """`table` locked by another connection (every read of it waits) until the block ends."""
    connection = await asyncpg.connect(plain_url(db_url))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


async def test_aliases_share_a_few_connections(db_url: str) -> None:
    # Thirty aliases, each a count of its own list: without the gate, up to thirty connections.
    document = (
        "{ "
        + " ".join(
            f"a{i}: petitions(first: 1, filter: {{ category: {c} }}) {{ totalCount }}"
            for i, c in enumerate(["OTHER", "HEALTH", "EDUCATION"] * 10)
        )
        + " }"
    )
    async with app_with(db_url, db_connections_per_request=2, db_pool_size=20) as (app, http):
        with PeakConnections(app.state.engine) as peak:
            body = (await http.post("/graphql", json={"query": document})).json()
        assert "errors" not in body, body
        assert len(body["data"]) == 30
        assert peak.peak == 2


async def test_a_statement_over_the_timeout_is_a_timeout_error(db_url: str) -> None:
    async with app_with(db_url, statement_timeout=0.2) as (app, http):
        async with locked(db_url, "delegate_group"):
            response = await http.post("/graphql", json={"query": GROUPS})
        body = response.json()
        assert codes(body) == ["TIMEOUT"], body
        assert body["data"] is None
        assert "SELECT" not in response.text and "statement" not in response.text
        assert await checked_out(app.state.engine) == 0
        # The lock gone, the same app answers.
        again = (await http.post("/graphql", json={"query": GROUPS})).json()
        assert len(again["data"]["delegateGroups"]) == 8


async def test_the_request_deadline_answers_timeout_and_gives_connections_back(
    db_url: str,
) -> None:
    async with app_with(db_url, statement_timeout=30, request_timeout=0.5) as (app, http):
        async with locked(db_url, "delegate_group"):
            started = asyncio.get_running_loop().time()
            response = await http.post("/graphql", json={"query": GROUPS})
            waited = asyncio.get_running_loop().time() - started
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            body = response.json()
            assert codes(body) == ["TIMEOUT"]
            assert "data" not in body
            assert waited < 10  # ended by the deadline, not by the 30 s statement timeout
            assert await checked_out(app.state.engine) == 0
        again = (await http.post("/graphql", json={"query": GROUPS})).json()
        assert len(again["data"]["delegateGroups"]) == 8
        assert await checked_out(app.state.engine) == 0


async def test_the_service_engine_carries_the_timeouts(db_url: str) -> None:
    async with app_with(db_url, statement_timeout=2.5) as (app, _http):
        async with app.state.engine.connect() as connection:
            statement = (await connection.exec_driver_sql("SHOW statement_timeout")).scalar()
            idle = (
                await connection.exec_driver_sql("SHOW idle_in_transaction_session_timeout")
            ).scalar()
        assert (statement, idle) == ("2500ms", "5s")


# ---- the CSV report: the same deadline, the same statement timeout -----------------------------


async def monitor_and_session(db_url: str, sessionmaker: Sessionmaker) -> str:
    """The path of a session's compliance report, with the account `monitor` made MONITOR."""
    async with transaction(sessionmaker) as session:
        await grant_role(session, "monitor", Role.MONITOR)
    connection = await asyncpg.connect(plain_url(db_url))
    try:
        pk = await connection.fetchval(
            "INSERT INTO council_session (term_id, number, title, kind, starts_on, ends_on, "
            "status, required_discussions, required_questions) "
            "SELECT id, 901, 'Kỳ họp thử thời hạn', 'REGULAR', DATE '2026-12-01', "
            "DATE '2026-12-02', 'IN_PROGRESS', 1, 1 FROM term ORDER BY id LIMIT 1 RETURNING id"
        )
    finally:
        await connection.close()
    return f"/reports/sessions/{to_global_id('Session', pk)}/compliance.csv"


def assert_report_timed_out(response: Response) -> None:
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == DEADLINE_MESSAGE
    assert "SELECT" not in response.text


async def test_the_report_ends_at_the_request_deadline(
    db_url: str, sessionmaker: Sessionmaker, settings: Settings
) -> None:
    path = await monitor_and_session(db_url, sessionmaker)
    headers = bearer(settings, "monitor")
    async with app_with(db_url, statement_timeout=30, request_timeout=2) as (app, http):
        async with locked(db_url, "council_session"):
            started = asyncio.get_running_loop().time()
            response = await http.get(path, headers=headers)
            waited = asyncio.get_running_loop().time() - started
            assert_report_timed_out(response)
            assert waited < 10  # ended by the deadline, not by the 30 s statement timeout
            assert await checked_out(app.state.engine) == 0
        again = await http.get(path, headers=headers)
        assert again.status_code == 200, again.text
        assert again.text.startswith("\ufeffTổ đại biểu,")


async def test_a_report_statement_over_its_timeout_answers_503(
    db_url: str, sessionmaker: Sessionmaker, settings: Settings
) -> None:
    path = await monitor_and_session(db_url, sessionmaker)
    headers = bearer(settings, "monitor")
    async with app_with(db_url, statement_timeout=1, request_timeout=30) as (app, http):
        async with locked(db_url, "council_session"):
            assert_report_timed_out(await http.get(path, headers=headers))
            assert await checked_out(app.state.engine) == 0
        assert (await http.get(path, headers=headers)).status_code == 200
