"""One LISTEN connection per process, fanning NOTIFY events out to in-process subscribers.

Every server process opens a single asyncpg connection that LISTENs on `hdnd_events` and
hands each event to the bounded queues of the subscribers of its topic. A subscriber that
falls behind (its queue is full) is cut off rather than slowing the others; when the
connection drops it is re-established, and every subscriber is told that it may have missed
events (a `GAP`), so it can catch up from the database.
"""

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import asyncpg
import orjson
from sqlalchemy.engine import make_url

from db.events import CHANNEL

log = logging.getLogger("hdnd.listener")

T = TypeVar("T")
Message = dict[str, Any]


class _Gap:
    """Marker put in every queue after a reconnection: events may have been missed."""

    def __repr__(self) -> str:
        return "GAP"


GAP: Final = _Gap()


class SubscriberTooSlow(Exception):
    """The subscriber's queue overflowed; it was dropped so the others keep their pace."""


class Subscriber:
    """One live subscription's inbox for its topics (the first is what it follows; others,
    such as its account's, tell it to check its access again). Use as an async context manager.
    """

    def __init__(self, hub: "EventHub", topics: tuple[str, ...], queue_size: int) -> None:
        self.hub = hub
        self.topics = topics
        self.queue: asyncio.Queue[Message | _Gap] = asyncio.Queue(maxsize=queue_size)
        self.overflowed = False
        # Set once the subscription has passed its checks and noted where it starts: only then
        # is it counted as open (what /metrics shows and the tests wait for).
        self.established = False

    def establish(self) -> None:
        """The subscription is checked and has its starting point; events after it are its own."""
        self.established = True

    def offer(self, item: Message | _Gap) -> None:
        """Called by the hub; never blocks."""
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            self.hub.unsubscribe(self)

    async def get(self) -> Message | _Gap:
        """The next event; SubscriberTooSlow once the queue has overflowed."""
        if self.overflowed:
            raise SubscriberTooSlow
        return await self.queue.get()

    def close(self) -> None:
        self.hub.unsubscribe(self)

    async def __aenter__(self) -> "Subscriber":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def connect_params(url: str) -> dict[str, Any]:
    """asyncpg.connect() arguments of a PostgreSQL URL (unix sockets via `?host=` too)."""
    parsed = make_url(url)
    host = parsed.query.get("host") or parsed.host or "127.0.0.1"
    params: dict[str, Any] = {
        "user": parsed.username or "postgres",
        "password": parsed.password,
        "database": parsed.database or "postgres",
        "host": host if isinstance(host, str) else host[0],
    }
    if parsed.port:
        params["port"] = parsed.port
    return params


_HUBS: "weakref.WeakSet[EventHub]" = weakref.WeakSet()


def open_subscriptions() -> int:
    """Live subscribers of every hub of this process (for /metrics)."""
    return sum(hub.subscriber_count for hub in list(_HUBS))


def listening_connections() -> int:
    """Hubs of this process whose LISTEN connection is up (for /metrics)."""
    return sum(1 for hub in list(_HUBS) if hub.connected.is_set())


class EventHub:
    """The process's listening connection and its subscribers, by topic."""

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = 100,
        health_interval: float = 10.0,
        application_name: str = "hdnd-listener",
    ) -> None:
        self.url = url
        self.queue_size = queue_size
        self.health_interval = health_interval
        self.application_name = application_name
        self.connected = asyncio.Event()
        self._first_attempt = asyncio.Event()
        self.reconnections = 0
        self._topics: dict[str, set[Subscriber]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._connection: Any = None
        self._shared: dict[object, asyncio.Future[Any]] = {}
        _HUBS.add(self)

    # ---- subscribers -----------------------------------------------------------------------

    def subscribe(self, topic: str, *more: str) -> Subscriber:
        """Register an inbox for `topic` (and the `more` topics) now, before any permission
        check, so nothing that commits after this call is missed."""
        subscriber = Subscriber(self, (topic, *more), self.queue_size)
        for name in subscriber.topics:
            self._topics[name].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        for name in subscriber.topics:
            subscribers = self._topics.get(name)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._topics[name]

    @property
    def subscriber_count(self) -> int:
        """Established subscriptions (registered but still being checked ones are not counted)."""
        return len({s for subs in self._topics.values() for s in subs if s.established})

    def _dispatch(self, raw: str) -> None:
        try:
            message = orjson.loads(raw)
            topic = message["topic"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignored a malformed event on %s", CHANNEL)
            return
        # A copy: a subscriber that overflows removes itself while we iterate.
        for subscriber in list(self._topics.get(topic, ())):
            subscriber.offer(message)

    def _broadcast_gap(self) -> None:
        for subscriber in {s for subs in list(self._topics.values()) for s in subs}:
            subscriber.offer(GAP)

    async def shared(self, key: object, load: Callable[[], Awaitable[T]]) -> T:
        """`load()` once for every subscriber asking for `key` at about the same time: a post
        announced to a hundred subscribers is read from the database once, not a hundred times.
        """
        future = self._shared.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._shared[key] = future
            try:
                future.set_result(await load())
            except BaseException as exc:
                # Failures are not kept: the next subscriber tries again.
                self._shared.pop(key, None)
                future.set_exception(exc)
                future.exception()  # retrieved, so asyncio does not warn about it
                raise
            # Kept briefly: subscribers woken by the same NOTIFY ask within milliseconds.
            asyncio.get_running_loop().call_later(5.0, self._shared.pop, key, None)
        result: T = await asyncio.shield(future)
        return result

    # ---- the connection -------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening; returns after the first attempt to connect, successful or not (a
        failed one keeps retrying in the background, so a database that comes up later is
        still heard)."""
        self._task = asyncio.create_task(self._run(), name="hdnd-listener")
        await self._first_attempt.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        self.connected.clear()
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 5)

    async def _run(self) -> None:
        delay = 0.2
        first = True
        while True:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(
                    **connect_params(self.url),
                    server_settings={"application_name": self.application_name},
                    timeout=10,
                )
                self._connection = connection
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(
                    CHANNEL, lambda _c, _pid, _channel, payload: self._dispatch(payload)
                )
                if not first:
                    self.reconnections += 1
                    log.info("listening again on %s", CHANNEL)
                    self._broadcast_gap()
                first = False
                delay = 0.2
                self.connected.set()
                self._first_attempt.set()
                await self._watch(connection, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: drop the connection and try again
                log.warning("event listener disconnected (%s); retrying", type(exc).__name__)
                self._first_attempt.set()
            await self._close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _watch(self, connection: Any, lost: asyncio.Event) -> None:
        """Return when the connection is gone: closed by the server, or silent on a ping."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.health_interval)
            if not lost.is_set():
                await connection.fetchval("SELECT 1", timeout=5)
