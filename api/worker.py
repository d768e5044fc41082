"""The notification worker: takes due rows of the outbox (db.outbox.queue) and delivers them by
App Hậu Giang's push endpoint or Zalo's template messages (ZNS), with retries, exponential
backoff and a dead letter. Runs as `hdnd worker`, and inside `hdnd serve` unless
HDND_SERVE_WORKER=false; several workers may share one database.

At least once: a row is settled only after its receiver answered, so a worker that dies
mid-delivery leaves it to be taken again when its lease ends. Each delivery carries the row's
`delivery_id` (the `Idempotency-Key` header, ZNS `tracking_id`), by which a receiver counts it
once however many times it arrives.
"""

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from api.metrics import OUTBOX_DELIVERIES, OUTBOX_PENDING, OUTBOX_SECONDS
from api.settings import Settings
from db import clock
from db.engine import Sessionmaker, transaction
from db.enums.outbox import Channel
from db.outbox import queue
from db.outbox.rules import Retry, quiet_until
from schema.relay import to_global_id

log = logging.getLogger("hdnd.worker")
# What to record of one attempt, run in the batch's settling transaction; its outcome's label.
Settle = Callable[[AsyncSession], Awaitable[str]]

SIGNATURE_HEADER = "X-HDND-Signature"
TIMESTAMP_HEADER = "X-HDND-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Answers worth another attempt; any other 4xx is the receiver refusing for good.
RETRYABLE = frozenset({408, 409, 425, 429})
# Global ids of what a payload names by database id (db/ knows no global ids).
ENTITIES = {
    "petition": "Petition",
    "group": "DelegateGroup",
    "post": "GroupPost",
    "meeting": "VoterMeeting",
}


@dataclass(frozen=True)
class Attempt:
    """How one delivery went: `ok`, or an error and whether to try again."""

    ok: bool
    error: str = ""
    final: bool = False


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256 of "<timestamp>.<body>" under `secret` (the scheme of
    Stripe's and GitHub's webhooks: the timestamp inside the signature defeats replays)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """The receiver's check of `sign` (also what tests/docs use)."""
    try:
        expected = sign(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature)


def public_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload's data with database ids turned into the API's global ids."""
    shown: dict[str, Any] = {}
    for key, value in data.items():
        if key in ENTITIES and isinstance(value, int):
            shown[f"{key}Id"] = to_global_id(ENTITIES[key], value)
        else:
            shown[key] = value
    return shown


def _classify(response: httpx.Response) -> Attempt:
    if response.is_success:
        return Attempt(True)
    final = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE
    return Attempt(False, f"HTTP {response.status_code}", final=final)


class PushChannel:
    """App Hậu Giang's push endpoint: a signed JSON POST per notification."""

    def __init__(
        self, url: str, secret: str, client: httpx.AsyncClient, now: Callable[[], datetime]
    ) -> None:
        self.url, self.secret, self.client, self.now = url, secret, client, now

    def body(self, taken: queue.Taken) -> bytes:
        payload = taken.payload
        return orjson.dumps(
            {
                "id": taken.delivery_id,
                "kind": taken.kind,
                "recipient": taken.sub,
                "title": payload.get("title", ""),
                "body": payload.get("body", ""),
                "data": public_data(payload.get("data", {})),
                "createdAt": clock.local(taken.created_at).isoformat(),
                "attempt": taken.attempts,
            }
        )

    async def deliver(self, taken: queue.Taken) -> Attempt:
        body = self.body(taken)
        stamp = int(self.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: taken.delivery_id,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(self.secret, stamp, body),
        }
        return _classify(await self.client.post(self.url, content=body, headers=headers))


class ZaloChannel:
    """Zalo Notification Service: a template message to the recipient's Zalo phone, its
    template chosen by the notification's kind (HDND_ZALO_TEMPLATES)."""

    def __init__(
        self,
        url: str,
        access_token: str,
        app_id: str | None,
        templates: dict[str, str],
        client: httpx.AsyncClient,
    ) -> None:
        self.url, self.token, self.app_id = url, access_token, app_id
        self.templates, self.client = templates, client

    def skip_reason(self, taken: queue.Taken) -> str | None:
        if taken.zalo_phone is None:
            return "no Zalo phone"
        if taken.kind not in self.templates:
            return f"no ZNS template for {taken.kind}"
        return None

    def body(self, taken: queue.Taken) -> bytes:
        message: dict[str, Any] = {
            "phone": taken.zalo_phone,
            "template_id": self.templates[taken.kind],
            "template_data": taken.payload.get("template", {}),
            "tracking_id": taken.delivery_id,
        }
        if self.app_id:
            message["app_id"] = self.app_id
        return orjson.dumps(message)

    async def deliver(self, taken: queue.Taken) -> Attempt:
        headers = {
            "Content-Type": "application/json",
            "access_token": self.token,
            IDEMPOTENCY_HEADER: taken.delivery_id,
        }
        response = await self.client.post(self.url, content=self.body(taken), headers=headers)
        if not response.is_success:
            return _classify(response)
        # ZNS answers 200 with {"error": 0, ...} on success, a negative code otherwise.
        try:
            answer = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return Attempt(False, "ZNS: unreadable answer")
        code = answer.get("error") if isinstance(answer, dict) else None
        if code == 0:
            return Attempt(True)
        return Attempt(False, f"ZNS error {code}: {str(answer.get('message', ''))[:200]}")


class OutboxWorker:
    """Delivers the outbox. `now` is injectable, so tests move time themselves instead of
    waiting out the backoff."""

    def __init__(
        self,
        sessionmaker: Sessionmaker,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.now = now
        self._own_client = client is None
        self.client = client or httpx.AsyncClient(timeout=settings.delivery_timeout)
        self.policy = Retry(
            settings.outbox_max_attempts, settings.outbox_backoff, settings.outbox_backoff_max
        )
        self.push = (
            PushChannel(settings.push_url, settings.push_secret, self.client, now)
            if settings.push_url and settings.push_secret
            else None
        )
        self.zalo = (
            ZaloChannel(
                settings.zalo_zns_url,
                settings.zalo_access_token,
                settings.zalo_app_id,
                settings.zalo_templates,
                self.client,
            )
            if settings.zalo_access_token
            else None
        )

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def run_once(self) -> int:
        """Take one batch of due notifications and settle each; how many were taken."""
        now = self.now()
        async with transaction(self.sessionmaker) as session:
            taken = await queue.claim(
                session,
                now,
                self.settings.outbox_batch,
                timedelta(seconds=self.settings.outbox_lease),
            )
        if not taken:
            return 0
        # Each row is the oldest pending one of its recipient and channel: no two of one
        # recipient's notifications on one channel are in flight at once, order is kept.
        settles = await asyncio.gather(*(self._attempt(t) for t in taken))
        # One transaction settles the whole batch: a commit per batch, not per notification.
        async with transaction(self.sessionmaker) as session:
            outcomes = [await settle(session) for settle in settles]
        for t, outcome in zip(taken, outcomes, strict=True):
            OUTBOX_DELIVERIES.labels(t.channel, outcome).inc()
            if outcome == "dead":
                log.warning("notification %s dead after %d attempts", t.id, t.attempts)
        return len(taken)

    async def _attempt(self, taken: queue.Taken) -> Settle:
        """Try one notification; what to record of it (run in the batch's transaction)."""
        now = self.now()
        channel = taken.channel
        until = quiet_until(taken.quiet, now)
        if until is not None:

            async def postpone(session: AsyncSession) -> str:
                await queue.postponed(session, taken, until)
                return "postponed"

            return postpone
        deliverer: PushChannel | ZaloChannel | None = (
            self.push if channel == Channel.PUSH else self.zalo
        )
        skip = "channel not configured" if deliverer is None else None
        if skip is None and isinstance(deliverer, ZaloChannel):
            skip = deliverer.skip_reason(taken)
        if skip is not None or deliverer is None:
            reason = skip or ""

            async def skipped(session: AsyncSession) -> str:
                await queue.skipped(session, taken, reason)
                return "skipped"

            return skipped
        started = time.perf_counter()
        try:
            attempt = await deliverer.deliver(taken)
        except httpx.HTTPError as exc:
            attempt = Attempt(False, f"{type(exc).__name__}")
        OUTBOX_SECONDS.labels(channel).observe(time.perf_counter() - started)
        settled_at = self.now()

        async def record(session: AsyncSession) -> str:
            if attempt.ok:
                await queue.delivered(session, taken, settled_at)
                return "delivered"
            state = await queue.failed(
                session, taken, settled_at, attempt.error, self.policy, final=attempt.final
            )
            return "dead" if state == "DEAD" else "retried"

        return record

    async def drain(self) -> int:
        """Run batches until nothing is due now; how many were taken in all."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, waiting HDND_OUTBOX_POLL seconds when nothing is due.
        A database or network failure is logged and retried: the worker never dies of one."""
        while not stop.is_set():
            try:
                taken = await self.run_once()
                if not taken:
                    async with self.sessionmaker() as session:
                        OUTBOX_PENDING.set(await queue.pending_count(session))
            except Exception:
                log.exception("notification worker: batch failed; retrying")
                taken = 0
            if not taken:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.outbox_poll)


@contextlib.asynccontextmanager
async def running_worker(
    sessionmaker: Sessionmaker, settings: Settings
) -> AsyncIterator[OutboxWorker]:
    """A worker running in the background for the block (the service's lifespan)."""
    worker = OutboxWorker(sessionmaker, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="hdnd-outbox-worker")
    try:
        yield worker
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.aclose()
