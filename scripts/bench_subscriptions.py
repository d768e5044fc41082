"""Benchmark: a hundred concurrent `groupPosts` subscribers on one `hdnd serve` process.

    uv run python scripts/bench_subscriptions.py [--subscribers 100] [--posts 50]
        [--server-url postgresql://postgres@127.0.0.1/postgres]

Makes a scratch database on the given PostgreSQL server (HDND_TEST_DATABASE_URL when set,
else an embedded one), migrates it, loads the demo directory, starts one server process,
opens the subscribers over WebSocket (graphql-transport-ws), then posts through the same
process one post at a time. It checks that every subscriber receives every post, and prints
the delivery latency (from sending the mutation, and from its response, i.e. after commit)
as p50 / p99 / max. Not part of the test suite: figures, not assertions about time.
"""

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit import percentile, scratch_database, wait_ready  # noqa: E402

from api.identity import issue_token  # noqa: E402
from api.settings import Settings  # noqa: E402
from db.accounts import grant_role  # noqa: E402
from db.council.load import DEMO_DIRECTORY, load_directory  # noqa: E402
from db.engine import make_engine, make_sessionmaker, transaction  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.tables import DelegateGroup  # noqa: E402
from db.viewer import Role  # noqa: E402
from schema.relay import to_global_id  # noqa: E402

SECRET = "bench-secret-0123456789-0123456789-0123456789"
SUBSCRIBE = "subscription($g: ID!) { groupPosts(groupId: $g) { id body } }"
POST = "mutation($g: ID!, $b: String!) { postToGroup(groupId: $g, body: $b) { post { id } userErrors { code } } }"


@contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="hdnd-bench-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def prepare(db_url: str) -> tuple[str, str]:
    """Migrated database with the demo directory; (group global id, leader sub)."""
    engine = make_engine(db_url, pool_size=1)
    try:
        await upgrade(engine)
        async with transaction(make_sessionmaker(engine)) as session:
            await load_directory(session, DEMO_DIRECTORY)
            group = (
                await session.execute(sa.select(DelegateGroup).order_by(DelegateGroup.id).limit(1))  # type: ignore[arg-type]
            ).scalar_one()
            assert group.id is not None and group.leader_id is not None
            await grant_role(session, "bench-leader", Role.DELEGATE, group.leader_id)
            await grant_role(session, "bench-staff", Role.STAFF)
        return to_global_id("DelegateGroup", group.id), "bench-leader"
    finally:
        await engine.dispose()


class Subscriber:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.received: dict[str, float] = {}  # post id -> perf_counter at receipt
        self.task: asyncio.Task[None] | None = None

    async def run(self, arrived: asyncio.Queue[None]) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            message = orjson.loads(raw)
            if message["type"] == "ping":
                await self.ws.send('{"type":"pong"}')
            elif message["type"] == "next":
                self.received[message["payload"]["data"]["groupPosts"]["id"]] = now
                arrived.put_nowait(None)
            else:
                raise RuntimeError(f"unexpected message {message}")


async def open_subscriber(port: int, token: str, group: str) -> Subscriber:
    ws = await connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    )
    await ws.send(
        orjson.dumps(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        ).decode()
    )
    assert orjson.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        orjson.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"g": group}},
            }
        ).decode()
    )
    return Subscriber(ws)


async def open_count(http: httpx.AsyncClient) -> float:
    for line in (await http.get("/metrics")).text.splitlines():
        if line.startswith("hdnd_subscriptions_active "):
            return float(line.split()[1])
    return 0.0


async def bench(server_url: str, subscribers: int, posts: int) -> None:
    async with scratch_database(server_url) as db_url:
        await run(db_url, subscribers, posts)


async def run(db_url: str, subscribers: int, posts: int) -> None:
    process: asyncio.subprocess.Process | None = None
    try:
        group, leader = await prepare(db_url)
        settings = Settings(jwt_secret=SECRET, _env_file=None)  # type: ignore[call-arg]
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")} | {
            "HDND_DATABASE_URL": db_url,
            "HDND_JWT_SECRET": SECRET,
            "HDND_PORT": str(port),
            "HDND_LOG_LEVEL": "WARNING",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await wait_ready(http, 90)

            reader = issue_token(settings, "bench-staff")
            subs = await asyncio.gather(
                *(open_subscriber(port, reader, group) for _ in range(subscribers))
            )
            arrived: asyncio.Queue[None] = asyncio.Queue()
            for sub in subs:
                sub.task = asyncio.create_task(sub.run(arrived))
            async with asyncio.timeout(60):
                while await open_count(http) < subscribers:  # noqa: ASYNC110 (another process)
                    await asyncio.sleep(0.05)

            headers = {"Authorization": f"Bearer {issue_token(settings, leader)}"}
            from_send: list[float] = []
            from_commit: list[float] = []
            for n in range(posts):
                sent = time.perf_counter()
                response = await http.post(
                    "/graphql",
                    json={"query": POST, "variables": {"g": group, "b": f"Bài thử {n}"}},
                    headers=headers,
                )
                committed = time.perf_counter()
                body = response.json()["data"]["postToGroup"]
                assert body["userErrors"] == [], body
                post_id = body["post"]["id"]
                async with asyncio.timeout(30):
                    for _ in range(subscribers):
                        await arrived.get()
                for sub in subs:
                    at = sub.received[post_id]
                    from_send.append((at - sent) * 1000)
                    from_commit.append((at - committed) * 1000)

            missing = sum(posts - len(sub.received) for sub in subs)
            for sub in subs:
                assert sub.task is not None
                sub.task.cancel()
                await sub.ws.close()

        print(
            f"subscribers: {subscribers}, posts: {posts}, deliveries: {len(from_send)}, missing: {missing}"
        )
        print(
            "delivery latency from sending the mutation (ms): "
            f"p50 {statistics.median(from_send):.1f}  p99 {percentile(from_send, 0.99):.1f}  "
            f"max {max(from_send):.1f}"
        )
        print(
            "delivery latency after the mutation's response (ms): "
            f"p50 {statistics.median(from_commit):.1f}  p99 {percentile(from_commit, 0.99):.1f}  "
            f"max {max(from_commit):.1f}"
        )
        if missing:
            raise SystemExit(f"{missing} deliveries missing")
    finally:
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument(
        "--server-url",
        default=os.environ.get("HDND_TEST_DATABASE_URL"),
        help="PostgreSQL server whose user may create databases (default: an embedded one).",
    )
    args = parser.parse_args()
    with postgres_server(args.server_url) as url:
        asyncio.run(bench(url, args.subscribers, args.posts))


if __name__ == "__main__":
    main()
