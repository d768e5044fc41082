"""Events for subscriptions: PostgreSQL NOTIFY, sent inside the transaction of the change, so
it is delivered only if the change commits, to every server process listening on the database."""

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "hdnd_events"


async def notify(session: AsyncSession, topic: str, payload: dict[str, Any]) -> None:
    """Queue an event on `topic` (e.g. "petition:42", "group:3"); payload: ids, small values."""
    message = orjson.dumps({"topic": topic, **payload}).decode()
    await session.execute(sa.select(sa.func.pg_notify(CHANNEL, message)))
