"""How fast the outbox is written and drained: N notifications (default 10,000) for N/5
accounts, delivered by the worker to a local signed-push receiver (uvicorn on 127.0.0.1, in a
process of its own) that refuses one request in ten with 503. Prints figures, then checks that
every notification was received exactly once (by idempotency id) and in order per account; not
a test.

    HDND_DATABASE_URL=postgresql://… uv run python scripts/bench_outbox.py [N]

The database must be migrated (`hdnd migrate`). The script's accounts are `bench-outbox-*`;
their notifications are deleted at the end.
"""

import asyncio
import secrets
import socket
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.settings import Settings
from api.worker import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, OutboxWorker, verify
from db import clock
from db.engine import make_engine, make_sessionmaker, transaction
from db.enums.outbox import NotificationKind
from db.outbox.queue import pending_count
from db.outbox.writes import enqueue

PER_ACCOUNT = 5
WRITE_BATCH = 500


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.requests = 0
        self.accepted: dict[str, tuple[str, int]] = {}
        self.order: dict[str, list[int]] = defaultdict(list)
        self.duplicates = 0
        self.bad = 0

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        self.requests += 1
        headers = request.headers
        if not verify(self.secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER]):
            self.bad += 1
            return Response(status_code=401)
        if self.requests % 10 == 0:
            return Response(status_code=503)
        key = headers[IDEMPOTENCY_HEADER]
        if key in self.accepted:
            self.duplicates += 1
        else:
            payload: dict[str, Any] = orjson.loads(body)
            seq = int(payload["data"]["seq"])
            self.accepted[key] = (payload["recipient"], seq)
            self.order[payload["recipient"]].append(seq)
        return Response(status_code=204)


def receive(port: int, secret: str) -> None:
    """The receiver's process: serves until killed; GET /stats tells what arrived."""
    receiver = Receiver(secret)

    async def stats(request: Request) -> Response:
        in_order = all(seqs == sorted(seqs) for seqs in receiver.order.values())
        body = {
            "requests": receiver.requests,
            "accepted": len(receiver.accepted),
            "duplicates": receiver.duplicates,
            "bad": receiver.bad,
            "in_order": in_order,
            "accounts": len(receiver.order),
        }
        return Response(orjson.dumps(body), media_type="application/json")

    app = Starlette(
        routes=[
            Route("/push", receiver.handle, methods=["POST"]),
            Route("/stats", stats, methods=["GET"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


async def _stats(port: int) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        found: dict[str, Any] = (await http.get(f"http://127.0.0.1:{port}/stats")).json()
        return found


async def main(n: int) -> None:
    secret = secrets.token_urlsafe(32)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Its own process, so the figures are the worker's, not a receiver's sharing its loop.
    process = subprocess.Popen(  # noqa: ASYNC220  (started once, before anything is timed)
        [sys.executable, __file__, "--receive", str(port), secret]
    )
    for _ in range(200):
        try:
            await _stats(port)
            break
        except httpx.HTTPError:
            await asyncio.sleep(0.1)
    settings = Settings(  # type: ignore[call-arg]
        push_url=f"http://127.0.0.1:{port}/push",
        push_secret=secret,
        outbox_batch=100,
        outbox_backoff=0.05,
        outbox_backoff_max=0.5,
    )
    assert settings.database_url, "set HDND_DATABASE_URL"
    engine = make_engine(settings.database_url, pool_size=4)
    sm = make_sessionmaker(engine)
    run = secrets.token_hex(3)
    accounts = max(1, n // PER_ACCOUNT)
    try:
        async with transaction(sm) as session:
            ids = (
                (
                    await session.execute(
                        sa.text(
                            "INSERT INTO account (sub, role) SELECT 'bench-outbox-' || :run || '-' || g,"
                            " 'CITIZEN' FROM generate_series(1, :k) g RETURNING id"
                        ),
                        {"run": run, "k": accounts},
                    )
                )
                .scalars()
                .all()
            )
            await session.execute(
                sa.text(
                    "INSERT INTO notification_preference (account_id, push, zalo, quiet_hours,"
                    " quiet_from, quiet_until, updated_at)"
                    " SELECT unnest(CAST(:ids AS int[])), true, false, false, '22:00', '06:00', now()"
                ),
                {"ids": list(ids)},
            )
        started = time.perf_counter()
        written = 0
        for seq in range(PER_ACCOUNT):
            for start in range(0, len(ids), WRITE_BATCH):
                async with transaction(sm) as session:
                    for account_id in ids[start : start + WRITE_BATCH]:
                        written += await enqueue(
                            session,
                            NotificationKind.PETITION_ANSWERED,
                            [account_id],
                            {"title": "Thử", "body": "Thử tải", "data": {"seq": seq}},
                            clock.now(),
                        )
        write_seconds = time.perf_counter() - started

        worker = OutboxWorker(sm, settings)
        started = time.perf_counter()
        while True:
            if not await worker.drain():
                async with sm() as session:
                    if not await pending_count(session):
                        break
                await asyncio.sleep(0.05)  # the retried ones wait out their backoff
        drain_seconds = time.perf_counter() - started
        await worker.aclose()

        got = await _stats(port)
        once = got["accepted"] == written and got["duplicates"] == 0
        print(f"notifications written      {written:,} for {accounts:,} accounts")
        print(
            f"writing (enqueue)          {write_seconds:6.2f} s  {written / write_seconds:6,.0f}/s"
        )
        print(
            f"draining (worker)          {drain_seconds:6.2f} s  {written / drain_seconds:6,.0f}/s"
        )
        print(f"HTTP requests              {got['requests']:,} (503s: {got['requests'] // 10:,})")
        print(f"received exactly once      {once}")
        print(f"duplicates, bad signatures {got['duplicates']}, {got['bad']}")
        print(f"in order per account       {got['in_order']} ({got['accounts']:,} accounts)")
    finally:
        async with transaction(sm) as session:
            await session.execute(
                sa.text(
                    "DELETE FROM outbox WHERE account_id IN "
                    "(SELECT id FROM account WHERE sub LIKE 'bench-outbox-' || :run || '-%')"
                ),
                {"run": run},
            )
        await engine.dispose()
        process.terminate()
        process.wait()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--receive":
        receive(int(sys.argv[2]), sys.argv[3])
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
