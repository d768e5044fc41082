"""Real HTTP receivers for the notification tests: a Starlette app served by uvicorn on an
ephemeral port of 127.0.0.1, standing in for App Hậu Giang's push endpoint or Zalo's ZNS API.
It checks each request's signature, can fail attempts on purpose, and counts deliveries by
their idempotency id, as a careful receiver does."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.settings import Settings
from api.worker import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    OutboxWorker,
    verify,
)
from db import clock
from tests.conftest import TEST_SECRET


@dataclass
class Receiver:
    """What arrived: every request (`attempts`), each delivery once in the order first
    accepted (`accepted`), the duplicates answered without doing anything again."""

    secret: str = "push-secret-for-tests-0123456789abcdef"
    fail_next: int = 0  # answer this many requests with `fail_status`
    fail_status: int = 503
    down: bool = False  # answer every request with 503 while set
    zalo: bool = False  # speak ZNS: check access_token, answer {"error": …}
    zalo_token: str = "zalo-token-for-tests"
    zalo_errors: int = 0  # answer this many ZNS requests with an error code
    hold: asyncio.Event | None = None  # accept, then wait for this before answering
    attempts: list[str] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    bad_signatures: int = 0
    received: asyncio.Event = field(default_factory=asyncio.Event)

    def order_for(self, recipient: str) -> list[str]:
        """The kinds a push recipient got, in the order they were accepted."""
        return [b["kind"] for b in self.accepted.values() if b.get("recipient") == recipient]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        self.attempts.append(key)
        self.received.set()
        if self.zalo:
            if request.headers.get("access_token") != self.zalo_token:
                return JSONResponse({"error": -124, "message": "Access token is invalid"})
        elif not verify(
            self.secret,
            request.headers.get(TIMESTAMP_HEADER, ""),
            body,
            request.headers.get(SIGNATURE_HEADER, ""),
        ):
            self.bad_signatures += 1
            return Response(status_code=401)
        if self.down:
            return Response(status_code=503)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=self.fail_status)
        if self.zalo and self.zalo_errors > 0:
            self.zalo_errors -= 1
            return JSONResponse({"error": -1, "message": "Lỗi tạm thời"})
        payload = orjson.loads(body)
        if self.zalo:
            key = payload["tracking_id"]
        if key in self.accepted:
            self.duplicates += 1  # already done: answer success, do nothing again
        else:
            self.accepted[key] = payload
        if self.hold is not None:
            await self.hold.wait()
        if self.zalo:
            return JSONResponse({"error": 0, "message": "Success", "data": {"msg_id": key}})
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[str]:
    """The receiver listening on an ephemeral port; yields its URL."""
    app = Starlette(routes=[Route("/notify", receiver.handle, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    # uvicorn offers a flag, not an event, for "listening".
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/notify"
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.should_exit = True
        await task


def worker_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "postgresql://unused",
        "jwt_secret": TEST_SECRET,
        "push_url": url,
        "push_secret": Receiver.secret,
        "outbox_backoff": 30,
        "outbox_backoff_max": 600,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Shifted:
    """The worker's clock: the test's clock moved on by `shift`, so backoffs pass at once."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return clock.now() + self.shift


async def deliver_everything(
    worker: OutboxWorker, moved: Shifted, done: Callable[[], bool], step: timedelta
) -> int:
    """Drain, move the worker's clock past the next backoff, again, until `done` (bounded)."""
    rounds = 0
    while not done():
        rounds += 1
        assert rounds < 40, "the outbox did not drain"
        await worker.drain()
        moved.shift += step
    return rounds
