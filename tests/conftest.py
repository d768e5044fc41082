"""A real PostgreSQL for the suite, and a fresh database for every test that asks for one.

The server: `HDND_TEST_DATABASE_URL` (a server URL whose user may create databases) when set,
else an embedded PostgreSQL started for this run. One template database is migrated and loaded
with the demo directory once; each test gets its own copy (CREATE DATABASE … TEMPLATE), so tests
are isolated and may run in any order.

The clock: `HDND_TEST_NOW` (an ISO instant with its offset, e.g. 2028-02-29T10:00:00+07:00) moves
the whole run to that moment, the clock ticking on from there, so the suite can be run "as of"
another day. Tests that depend on the date freeze it themselves (time-machine's marker or
fixture); the app reads time only through db.clock, and SQL gets it as a parameter.
"""

import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
import time_machine
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from api.app import create_app
from api.identity import issue_token
from api.settings import Settings
from db import clock
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import Sessionmaker, make_engine, make_sessionmaker, transaction
from db.migrate import upgrade

TEST_SECRET = "test-secret-for-the-suite-only-0123456789"
TEMPLATE = f"hdnd_tpl_{os.getpid()}"
_TRAVEL = pytest.StashKey[time_machine.travel]()


def test_now() -> datetime | None:
    """The moment `HDND_TEST_NOW` moves the run to; None: the real clock."""
    raw = os.environ.get("HDND_TEST_NOW", "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"HDND_TEST_NOW={raw!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise pytest.UsageError("HDND_TEST_NOW needs an offset, e.g. 2028-02-29T10:00:00+07:00")
    return moment


test_now.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def hdnd_command() -> list[str]:
    """The `hdnd` command for a subprocess, on this run's clock: moved where this process's clock
    is when HDND_TEST_NOW moved the run (tests/travel.py), the plain CLI otherwise."""
    if test_now() is None:
        return [sys.executable, "-m", "api.cli"]
    ahead = clock.now() - time_machine.escape_hatch.datetime.datetime.now(UTC)
    return [sys.executable, "-m", "tests.travel", str(ahead.total_seconds())]


def pytest_configure(config: pytest.Config) -> None:
    moment = test_now()
    if moment is not None:
        travel = time_machine.travel(moment, tick=True)
        travel.start()
        clock.now()  # the moved clock starts ticking at its first reading: now
        config.stash[_TRAVEL] = travel


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(_TRAVEL, None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config: pytest.Config) -> str:
    moment = test_now()
    return f"clock: HDND_TEST_NOW={moment.isoformat()}" if moment else "clock: real time"


def _server_url() -> Iterator[str]:
    configured = os.environ.get("HDND_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="hdnd-test-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of the PostgreSQL server the suite runs on (its maintenance database)."""
    yield from _server_url()


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def _admin(server: str) -> asyncpg.Connection:
    url = make_url(server)
    params: dict[str, Any] = {
        "user": url.username or "postgres",
        "password": url.password,
        "database": url.database or "postgres",
    }
    host = url.query.get("host") or url.host or "127.0.0.1"
    params["host"] = host if isinstance(host, str) else host[0]
    if url.port:
        params["port"] = url.port
    return await asyncpg.connect(**params)


@pytest_asyncio.fixture(scope="session")
async def template_db(server_url: str) -> AsyncIterator[str]:
    """A migrated database holding the demo directory, copied for each test."""
    admin = await _admin(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
    await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    url = database_url(server_url, TEMPLATE)
    engine = make_engine(url, pool_size=1)
    await upgrade(engine)
    async with transaction(make_sessionmaker(engine)) as session:
        await load_directory(session, DEMO_DIRECTORY)
    await engine.dispose()
    try:
        yield TEMPLATE
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        await admin.close()


async def _own_database(server: str, template: str | None) -> AsyncIterator[str]:
    """A database of the caller's own (a copy of `template`, else empty), dropped afterwards."""
    name = f"hdnd_t_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server)
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
        yield database_url(server, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture
async def db_url(server_url: str, template_db: str) -> AsyncIterator[str]:
    """A database of this test's own: migrated, with the demo directory."""
    async for url in _own_database(server_url, template_db):
        yield url


@pytest_asyncio.fixture
async def empty_db_url(server_url: str) -> AsyncIterator[str]:
    """A database of this test's own with nothing in it (not even the first migration)."""
    async for url in _own_database(server_url, None):
        yield url


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings of the app under test (token secret known to the tests). The deadlines are
    wide: a shared, loaded machine must not turn a slow answer into a TIMEOUT; the tests of the
    deadlines themselves (tests/api/test_bounded_db.py) set theirs."""
    return Settings(
        database_url=db_url,
        jwt_secret=TEST_SECRET,
        request_timeout=60,
        statement_timeout=30,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest_asyncio.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return make_sessionmaker(engine)


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The application with its lifespan running."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: Starlette) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


class StatementCounter:
    """Counts SQL statements an engine runs while active."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine_async = engine
        self.engine = engine.sync_engine
        self.statements: list[str] = []

    def _count(self, *args: Any) -> None:
        self.statements.append(str(args[2]))

    def __enter__(self) -> "StatementCounter":
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(app: Starlette) -> StatementCounter:
    """Counts the statements the app's engine runs inside `with count_statements:`."""
    return StatementCounter(app.state.engine)


def bearer(settings: Settings, sub: str, **claims: Any) -> dict[str, str]:
    """Headers of a request signed in as `sub`."""
    return {"Authorization": f"Bearer {issue_token(settings, sub, **claims)}"}


async def gql(
    client: AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request and return the decoded body (asserting HTTP 200)."""
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
