"""Benchmark: the directory page (50 delegates with group, constituency and committees).

Runs the app in-process against a fresh database on a PostgreSQL server (HDND_BENCH_DATABASE_URL,
a server URL whose user may create databases; default: the local server) and prints
requests per second, latency percentiles and SQL statements per request. Figures only: compare
ratios within one run, never against a fixed number.

    uv run python scripts/bench_directory.py [--requests 300] [--concurrency 8]
"""

import argparse
import asyncio
import os
import statistics
import time
import uuid

import asyncpg
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from api.app import create_app
from api.settings import Settings
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import make_engine, make_sessionmaker, transaction
from db.migrate import upgrade

QUERY = """query Directory($first: Int) { delegates(first: $first) { totalCount edges { cursor node {
  id fullName title workplace isFullTime servedFrom
  group { id name } constituency { id number name } committees { id name kind } } } } }"""
SMALL = "{ delegateGroups { name memberCount areas { name } } }"  # Q3


async def measure(
    client: AsyncClient, body: dict[str, object], requests: int, concurrency: int
) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            start = time.perf_counter()
            response = await client.post("/graphql", json=body)
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200 and "errors" not in response.json(), response.text

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def report(name: str, latencies: list[float], wall: float) -> None:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"{name:<28} {len(ordered) / wall:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"
        f"   mean {statistics.mean(ordered) * 1000:7.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    server = os.environ.get(
        "HDND_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    name = f"hdnd_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(server)
    admin = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    db_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(db_url, pool_size=1)
        await upgrade(engine)
        async with transaction(make_sessionmaker(engine)) as session:
            await load_directory(session, DEMO_DIRECTORY)
        await engine.dispose()

        app = create_app(
            Settings(
                database_url=db_url,
                jwt_secret="bench-secret-0123456789-0123456789-abcdef",
                rate_limit=1_000_000,  # measuring the API, not the limiter
            )
        )
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client,
        ):
            statements: list[str] = []
            listener = lambda *a: statements.append(a[2])  # noqa: E731
            event.listen(app.state.engine.sync_engine, "before_cursor_execute", listener)
            await measure(client, {"query": QUERY, "variables": {"first": 50}}, 1, 1)
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", listener)
            print(f"SQL statements for one page of 50 delegates: {len(statements)}")
            await measure(client, {"query": QUERY, "variables": {"first": 50}}, 20, 2)  # warm-up
            for label, body in (
                ("Q1 directory, 50 delegates", {"query": QUERY, "variables": {"first": 50}}),
                ("directory, 5 delegates", {"query": QUERY, "variables": {"first": 5}}),
                ("Q3 delegateGroups (8 rows)", {"query": SMALL}),
            ):
                start = time.perf_counter()
                latencies = await measure(client, body, args.requests, args.concurrency)
                report(label, latencies, time.perf_counter() - start)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
