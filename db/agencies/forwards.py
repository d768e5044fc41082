"""Settling a petition's pending forwarding (answered, sent back); also called from the
council's own answer (db.petitions.transition), which records the agency's letter typed in by
the office."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.enums.agencies import ForwardOutcome
from db.tables import PetitionForward


async def settle_pending(
    session: AsyncSession,
    petition_id: int,
    outcome: ForwardOutcome,
    now: datetime,
    account_id: int | None,
    *,
    letter_number: str | None = None,
    letter_date: date | None = None,
    return_reason: str | None = None,
) -> PetitionForward | None:
    """Close the petition's pending forwarding, if it has one; the row as closed."""
    stmt = (
        sa.update(PetitionForward)
        .where(
            col(PetitionForward.petition_id) == petition_id,
            col(PetitionForward.outcome) == ForwardOutcome.PENDING.value,
        )
        .values(
            outcome=outcome.value,
            settled_at=now,
            settled_by_account_id=account_id,
            letter_number=letter_number,
            letter_date=letter_date,
            return_reason=return_reason,
        )
        .returning(PetitionForward)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
