"""Appending to a petition's timeline: the event row and its NOTIFY, in the caller's transaction.

Every change of a petition (a transition, being raised at a session) goes through here, so the
timeline and the live `petitionEvents` subscription can never disagree.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.events import notify
from db.tables import PetitionEvent
from db.viewer import Role, Viewer


def petition_topic(petition_id: int) -> str:
    """The NOTIFY topic of one petition's events."""
    return f"petition:{petition_id}"


async def append_event(
    session: AsyncSession,
    petition_id: int,
    status: str,
    actor: Viewer,
    note: str | None = None,
    *,
    at: datetime | None = None,
) -> PetitionEvent:
    """Append a timeline event (the petition's status after the change) and announce it; `at`
    is the change's time (the request's clock), which the petition's own columns repeat."""
    event = PetitionEvent(
        petition_id=petition_id,
        status=status,
        actor_role=(actor.role or Role.CITIZEN).value,
        actor_account_id=actor.account_id,
        note=note,
    )
    if at is not None:
        event.at = at
    session.add(event)
    await session.flush()
    assert event.id is not None
    await notify(session, petition_topic(petition_id), {"eventId": event.id})
    return event
