"""Benchmark: the directory page (50 delegates with group, constituency and committees).

Runs the app in-process against a fresh database on a PostgreSQL server (HDND_BENCH_DATABASE_URL,
a server URL whose user may create databases; default: the local server) and prints
requests per second, latency percentiles and SQL statements per request. Figures only: compare
ratios within one run, never against a fixed number.

    uv run python scripts/bench_directory.py [--requests 300] [--concurrency 8]
"""

import argparse
import asyncio
import statistics
import time

from benchkit import bench_server, count_statements, percentile, post_many, scratch_database
from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.settings import Settings
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import make_engine, make_sessionmaker, transaction
from db.migrate import upgrade

QUERY = """query Directory($first: Int) { delegates(first: $first) { totalCount edges { cursor node {
  id fullName title workplace isFullTime servedFrom
  group { id name } constituency { id number name } committees { id name kind } } } } }"""
SMALL = "{ delegateGroups { name memberCount areas { name } } }"  # Q3


def report(name: str, latencies: list[float], wall: float) -> None:
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(
        f"{name:<28} {len(latencies) / wall:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"
        f"   mean {statistics.mean(latencies) * 1000:7.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    async with scratch_database(bench_server()) as db_url:
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
        page = {"query": QUERY, "variables": {"first": 50}}
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client,
        ):
            count = await count_statements(app, client, page)
            print(f"SQL statements for one page of 50 delegates: {count}")
            await post_many(client, page, 20, 2)  # warm-up
            for label, body in (
                ("Q1 directory, 50 delegates", page),
                ("directory, 5 delegates", {"query": QUERY, "variables": {"first": 5}}),
                ("Q3 delegateGroups (8 rows)", {"query": SMALL}),
            ):
                start = time.perf_counter()
                latencies = await post_many(client, body, args.requests, args.concurrency)
                report(label, latencies, time.perf_counter() - start)


if __name__ == "__main__":
    asyncio.run(main())
