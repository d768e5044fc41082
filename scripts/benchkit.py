"""What the benchmark scripts share: a throwaway database on a PostgreSQL server, waiting for a
server they started to answer /readyz, timed and counted requests, and percentiles. Scripts run as `python scripts/x.py`, so
this folder is on their import path."""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from db.listener import connect_params

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def bench_server() -> str:
    """The server the benchmarks make their databases on (a user that may create databases)."""
    return os.environ.get("HDND_BENCH_DATABASE_URL", DEFAULT_SERVER)


async def admin_connection(server: str) -> asyncpg.Connection:
    """A plain asyncpg connection to the database the server URL names (unix sockets too)."""
    return await asyncpg.connect(**connect_params(server))


@asynccontextmanager
async def scratch_database(server: str, prefix: str = "hdnd_bench") -> AsyncIterator[str]:
    """A new empty database named `<prefix>_<random>`, dropped (sessions and all) on the way out;
    yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await admin_connection(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def wait_ready(http: httpx.AsyncClient, seconds: float = 60) -> None:
    """Until the started server answers /readyz with 200 (refused connections are expected while
    it starts); TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


def percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def post_many(
    client: httpx.AsyncClient,
    body: dict[str, object],
    requests: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
) -> list[float]:
    """`requests` POSTs of `body` to /graphql from `concurrency` workers; each one's latency in
    seconds. An error in any answer stops the benchmark (figures of failures mean nothing)."""
    latencies: list[float] = []
    remaining = iter(range(requests))

    async def worker() -> None:
        for _ in remaining:
            start = time.perf_counter()
            response = await client.post("/graphql", json=body, headers=headers or {})
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200 and "errors" not in response.json(), response.text

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def count_statements(
    app: Starlette,
    client: httpx.AsyncClient,
    body: dict[str, object],
    headers: dict[str, str] | None = None,
) -> int:
    """How many SQL statements one request of `body` sends through the app's engine."""
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(args[2])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        await post_many(client, body, 1, 1, headers)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)
