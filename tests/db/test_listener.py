"""The process's event hub: one LISTEN connection, bounded queues, reconnection."""

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import Sessionmaker, transaction
from db.events import notify
from db.listener import GAP, EventHub, SubscriberTooSlow

WAIT = 20.0


async def send(sessionmaker: Sessionmaker, topic: str, n: int) -> None:
    async with transaction(sessionmaker) as session:
        await notify(session, topic, {"n": n})


async def test_a_slow_subscriber_is_cut_off_without_holding_back_the_others(
    db_url: str, sessionmaker: Sessionmaker
) -> None:
    hub = EventHub(db_url, queue_size=2)
    await hub.start()
    try:
        slow = hub.subscribe("group:1")
        fast = hub.subscribe("group:1")
        other_topic = hub.subscribe("group:2")
        for inbox in (slow, fast, other_topic):
            inbox.establish()
        for n in range(5):
            await send(sessionmaker, "group:1", n)
            async with asyncio.timeout(WAIT):
                message = await fast.get()
            assert message == {"topic": "group:1", "n": n}
        assert slow.overflowed
        with pytest.raises(SubscriberTooSlow):
            await slow.get()
        assert other_topic.queue.empty()
        assert hub.subscriber_count == 2  # the slow one was dropped
        hub.subscribe("group:3")
        assert hub.subscriber_count == 2  # registered but not yet established: not counted
    finally:
        await hub.stop()


async def test_the_hub_reconnects_and_tells_subscribers_they_may_have_missed_events(
    db_url: str, sessionmaker: Sessionmaker, engine: AsyncEngine
) -> None:
    hub = EventHub(db_url, application_name="hdnd-listener-test")
    await hub.start()
    try:
        inbox = hub.subscribe("petition:7")
        async with engine.connect() as connection:
            await connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'hdnd-listener-test'"
                )
            )
        async with asyncio.timeout(WAIT):
            assert await inbox.get() is GAP
        await send(sessionmaker, "petition:7", 1)
        async with asyncio.timeout(WAIT):
            assert await inbox.get() == {"topic": "petition:7", "n": 1}
        assert hub.reconnections == 1
    finally:
        await hub.stop()


async def test_shared_loads_run_once_for_concurrent_subscribers(db_url: str) -> None:
    hub = EventHub(db_url)
    calls = 0

    async def load() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return 42

    results = await asyncio.gather(*(hub.shared(("post", 1), load) for _ in range(50)))
    assert results == [42] * 50 and calls == 1
