"""Benchmark of the protections of issue 10, measured from outside over HTTP: seeds a scratch
database with N petitions (default 200,000), starts `hdnd serve` on it, then prints
- how long the fan-out document and its 30-alias form take to be refused;
- what 30 aliased searches cost and how long they take, sent for the first time and again;
- `me`'s latency while four clients keep sending those searches (from a process of their own,
  so the clients' own work does not delay the measuring one);
- the load average before and after (other work on the machine slows every figure).

    uv run python scripts/bench_limits.py [--petitions N] [--server URL] [--reuse] [--port P]

`--server`: a PostgreSQL server URL whose user may create databases (default the local one).
`--reuse`: keep an already seeded database instead of making it again; `--database`: its name
(default `hdnd_bench_limits`).
"""

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time
from typing import Any

import asyncpg
import httpx
from benchkit import wait_ready
from sqlalchemy.engine import make_url

from api.identity import issue_token
from api.seeding import plain_url, seed_petitions
from api.settings import Settings
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import make_engine, make_sessionmaker, transaction
from db.migrate import upgrade

NAME = "hdnd_bench_limits"
SECRET = "bench-secret-for-the-limits-benchmark-0123456789"
FAN_OUT = (
    "{ delegateGroups { members { group { members { group { members { group { members { group {"
    " members { group { members { id } } } } } } } } } } } } }"
)
FAN_OUT_30 = "{ " + " ".join(f"a{i}: " + FAN_OUT[2:-2] for i in range(30)) + " }"


LOAD_WORDS = ("sạt lở", "ấp", "kênh", "đường")


def searches(word: str) -> str:
    aliases = " ".join(
        f'a{i}: petitions(first: 20, filter: {{ search: "{word}" }}) {{ totalCount nodes {{ id }} }}'
        for i in range(30)
    )
    return "{ " + aliases + " }"


async def prepare(url: str, server: str, petitions: int) -> None:
    name = make_url(url).database
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    engine = make_engine(url, pool_size=1)
    await upgrade(engine)
    async with transaction(make_sessionmaker(engine)) as session:
        await load_directory(session, DEMO_DIRECTORY)
    await engine.dispose()
    await seed_petitions(url, petitions)
    connection = await asyncpg.connect(plain_url(url))
    await connection.execute("ANALYZE")
    size = await connection.fetchval(
        "SELECT pg_size_pretty(pg_relation_size('ix_petition_search_grams'))"
    )
    await connection.close()
    print(f"search grams index (ix_petition_search_grams): {size} for {petitions:,} petitions")


async def timed(http: httpx.AsyncClient, query: str, **kw: Any) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": query}, **kw)
    return (time.perf_counter() - started) * 1000, response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return sorted({e["extensions"]["code"] for e in body.get("errors", [])})


async def measure(base: str) -> None:
    settings = Settings(jwt_secret=SECRET, _env_file=None)  # type: ignore[call-arg]
    me_headers = {"Authorization": f"Bearer {issue_token(settings, 'bench-me')}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for label, document in (("fan-out", FAN_OUT), ("fan-out, 30 aliases", FAN_OUT_30)):
            runs = [await timed(http, document) for _ in range(21)]
            times = sorted(t for t, _ in runs)
            print(
                f"{label}: {codes(runs[-1][1])}, cost {runs[-1][1]['extensions']['cost']}, "
                f"median {statistics.median(times):.1f} ms, max {times[-1]:.1f} ms"
            )
        for word in ("kênh xà no", "sạt lở", "ấp", "x"):
            elapsed, body = await timed(http, searches(word))
            total = (body.get("data") or {}).get("a0", {}) or {}
            print(
                f"30 aliased searches «{word}», first time: {elapsed:.0f} ms, cost "
                f"{body.get('extensions', {}).get('cost')}, errors {codes(body)}, "
                f"totalCount {total.get('totalCount')}"
            )
        again = sorted([(await timed(http, searches("x")))[0] for _ in range(21)])
        print(
            f"30 aliased searches sent again: median {statistics.median(again):.1f} ms, "
            f"max {again[-1]:.1f} ms"
        )
        baseline = sorted(
            [(await timed(http, "{ me { sub } }", headers=me_headers))[0] for _ in range(20)]
        )
        print(f"me alone: median {statistics.median(baseline):.1f} ms, max {baseline[-1]:.1f} ms")

        load = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--load", base, stdout=asyncio.subprocess.PIPE
        )
        assert load.stdout is not None
        # Measure only once every client has had an answer (starting a process takes seconds
        # on a loaded machine), and after two more seconds of load.
        assert (await load.stdout.readline()).strip() == b"ready"
        await asyncio.sleep(2)
        under: list[float] = []
        for _ in range(30):
            under.append((await timed(http, "{ me { sub } }", headers=me_headers))[0])
            await asyncio.sleep(0.1)
        load.terminate()
        sent = (await load.communicate())[0].decode().strip()
        under.sort()
        print(
            f"me while 4 clients send 30 aliased searches: median {statistics.median(under):.1f} ms,"
            f" p90 {under[int(len(under) * 0.9)]:.1f} ms, max {under[-1]:.1f} ms"
            f" ({sent or 'the clients said nothing'})"
        )


async def send_load(base: str) -> None:
    """Four clients sending 30 aliased searches without pause until terminated; prints how many
    they sent and how long each took, on SIGTERM."""
    took: list[float] = []
    started = time.perf_counter()

    async def client(word: str, answered: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as own:
            while True:
                took.append((await timed(own, searches(word)))[0])
                answered.set()

    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    answered = [asyncio.Event() for _ in LOAD_WORDS]
    tasks = [asyncio.create_task(client(w, a)) for w, a in zip(LOAD_WORDS, answered, strict=True)]
    await asyncio.gather(*(a.wait() for a in answered))
    print("ready", flush=True)
    await stopped.wait()
    for task in tasks:
        task.cancel()
    took.sort()
    rate = len(took) / (time.perf_counter() - started)
    print(
        f"the 4 clients sent {len(took)} ({rate:.0f}/s), each refused in median "
        f"{statistics.median(took):.1f} ms, max {took[-1]:.1f} ms",
        flush=True,
    )


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=200_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--database", default=NAME)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--load", metavar="BASE", help=argparse.SUPPRESS)  # the load's process
    args = parser.parse_args()
    if args.load:
        await send_load(args.load)
        return
    url = make_url(args.server).set(database=args.database).render_as_string(hide_password=False)
    if not args.reuse:
        await prepare(url, args.server, args.petitions)
    env = {
        **os.environ,
        "HDND_DATABASE_URL": url,
        "HDND_JWT_SECRET": SECRET,
        "HDND_PORT": str(args.port),
        "HDND_RATE_LIMIT": "1000000",
        "HDND_LOG_LEVEL": "WARNING",
    }
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "api.cli", "serve", env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            await wait_ready(http, 40)
        print(f"load average before: {load_average()}")
        await measure(base)
        print(f"load average after: {load_average()}")
    finally:
        server.terminate()
        await server.wait()


if __name__ == "__main__":
    asyncio.run(main())
