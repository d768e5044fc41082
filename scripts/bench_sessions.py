"""Benchmark: the council-session reads with the compiled read path off, then on, in one run.

Seeds a fresh database on a PostgreSQL server (HDND_BENCH_DATABASE_URL, a server URL whose user
may create databases; default: the local server) with the demo directory, petitions and
contributions (`hdnd seed --demo`'s code), runs two apps in-process on it (HDND_COMPILED_READS
false and true), and for each request alternates rounds between them. Prints requests per
second (median of the rounds), latency percentiles over all rounds and SQL statements per
request. Figures only: compare the two paths within one run, never against a fixed number.

    uv run python scripts/bench_sessions.py [--requests 200] [--concurrency 8] [--rounds 3]
"""

import argparse
import asyncio
import statistics
import time
from typing import Any

import sqlalchemy as sa
from benchkit import bench_server, count_statements, percentile, post_many, scratch_database
from httpx import ASGITransport, AsyncClient
from sqlmodel import col

from api.app import create_app
from api.identity import issue_token
from api.settings import Settings
from db.accounts import grant_role
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import make_engine, make_sessionmaker, transaction
from db.migrate import upgrade
from db.seed import seed_demo_extras
from db.tables import CouncilSession
from db.viewer import Role
from schema.relay import to_global_id

SECRET = "bench-secret-0123456789-0123456789-abcdef"
STAFF = "bench-staff"

SESSIONS = """{ sessions { totalCount nodes { id number title kind startsOn endsOn status
  term agenda { title } } } }"""
SESSIONS_WITH_CONTRIBUTIONS = """query($first: Int) { sessions { nodes { number title status
  contributions(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor
  node { kind venue topic addressee recordedAt delegate { fullName group { name } } } } } } } }"""
COMPLIANCE = """query($s: ID!) { sessionCompliance(sessionId: $s) { delegateCount compliantCount
  notYetCount excusedCount delegates { discussions questions meetsQuota status excuseReason
  delegate { id fullName group { name } } } groups { delegateCount compliantCount notYetCount
  excusedCount group { name } } } }"""

Body = dict[str, Any]


async def seed(db_url: str) -> str:
    """The demo data and a STAFF account; the in-progress session's global id."""
    engine = make_engine(db_url, pool_size=1)
    await upgrade(engine)
    sm = make_sessionmaker(engine)
    async with transaction(sm) as session:
        await load_directory(session, DEMO_DIRECTORY)
    async with transaction(sm) as session:
        await seed_demo_extras(session)
        await grant_role(session, STAFF, Role.STAFF, None)
        row = await session.execute(
            sa.select(sa.func.min(col(CouncilSession.id))).where(
                col(CouncilSession.status) == "IN_PROGRESS"
            )
        )
        session_pk = int(row.scalar_one())
    await engine.dispose()
    return to_global_id("Session", session_pk)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    async with scratch_database(bench_server()) as db_url:
        session_id = await seed(db_url)
        settings = {
            path: Settings(  # type: ignore[call-arg]
                database_url=db_url,
                jwt_secret=SECRET,
                rate_limit=1_000_000,  # measuring the API, not the limiter
                compiled_reads=path == "on",
            )
            for path in ("off", "on")
        }
        apps = {path: create_app(s) for path, s in settings.items()}
        staff = {"Authorization": f"Bearer {issue_token(settings['on'], STAFF)}"}
        cases: list[tuple[str, Body, dict[str, str]]] = [
            ("sessions with agenda (anonymous)", {"query": SESSIONS}, {}),
            (
                "sessions, 20 contributions each",
                {"query": SESSIONS_WITH_CONTRIBUTIONS, "variables": {"first": 20}},
                {},
            ),
            (
                "sessionCompliance (STAFF)",
                {"query": COMPLIANCE, "variables": {"s": session_id}},
                staff,
            ),
        ]
        async with (
            apps["off"].router.lifespan_context(apps["off"]),
            apps["on"].router.lifespan_context(apps["on"]),
            AsyncClient(transport=ASGITransport(app=apps["off"]), base_url="http://b") as off,
            AsyncClient(transport=ASGITransport(app=apps["on"]), base_url="http://b") as on,
        ):
            clients = {"off": off, "on": on}
            print(
                f"{args.requests} requests a round at concurrency {args.concurrency}, "
                f"{args.rounds} rounds alternating off/on; req/s: median of the rounds"
            )
            print(
                f"{'request':<34} {'path':<4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'stmts':>6}"
            )
            for label, body, headers in cases:
                counts = {}
                for path in ("off", "on"):
                    counts[path] = await count_statements(apps[path], clients[path], body, headers)
                    await post_many(clients[path], body, 20, 2, headers)  # warm-up
                rates: dict[str, list[float]] = {"off": [], "on": []}
                latencies: dict[str, list[float]] = {"off": [], "on": []}
                for _ in range(args.rounds):
                    for path in ("off", "on"):
                        start = time.perf_counter()
                        found = await post_many(
                            clients[path], body, args.requests, args.concurrency, headers
                        )
                        rates[path].append(len(found) / (time.perf_counter() - start))
                        latencies[path].extend(found)
                for path in ("off", "on"):
                    p50, p99 = (percentile(latencies[path], q) * 1000 for q in (0.5, 0.99))
                    print(
                        f"{label:<34} {path:<4} {statistics.median(rates[path]):8.1f} "
                        f"{p50:8.2f} {p99:8.2f} "
                        f"{counts[path]:6d}"
                    )
                ratio = statistics.median(rates["on"]) / statistics.median(rates["off"])
                print(f"{'':<34} on/off {ratio:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
