"""Demo-only lookups: which delegate the demo DELEGATE account speaks for."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.tables import Delegate, DelegateGroup


async def demo_delegate_id(session: AsyncSession) -> int | None:
    """The leader of the first group: a delegate with a group, a constituency and petitions."""
    stmt = (
        sa.select(col(DelegateGroup.leader_id))
        .join(Delegate, col(Delegate.id) == col(DelegateGroup.leader_id))
        .order_by(col(DelegateGroup.id))
        .limit(1)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    return int(found) if found is not None else None
