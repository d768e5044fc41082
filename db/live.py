"""Reads behind the live subscriptions that are not a channel's own: petition timeline events
by id, and what a subscription missed while its process was reconnecting."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.tables import PetitionEvent


async def petition_events_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, PetitionEvent]:
    rows = await session.execute(
        sa.select(PetitionEvent).where(col(PetitionEvent.id).in_(list(ids)))
    )
    return {e.id: e for e in rows.scalars() if e.id is not None}


async def latest_petition_event_id(session: AsyncSession, petition_id: int) -> int:
    """Highest event id of the petition (0 when none): where a live subscription starts."""
    stmt = sa.select(sa.func.max(col(PetitionEvent.id))).where(
        col(PetitionEvent.petition_id) == petition_id
    )
    return (await session.execute(stmt)).scalar_one() or 0


async def petition_events_after(
    session: AsyncSession, petition_id: int, after_id: int, limit: int = 100
) -> list[PetitionEvent]:
    """Events of the petition with an id above `after_id`, oldest first."""
    rows = await session.execute(
        sa.select(PetitionEvent)
        .where(col(PetitionEvent.petition_id) == petition_id, col(PetitionEvent.id) > after_id)
        .order_by(col(PetitionEvent.id))
        .limit(limit)
    )
    return list(rows.scalars())
