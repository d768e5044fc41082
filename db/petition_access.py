"""Who may see a petition: the one visibility rule every reader of petitions applies."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.tables import Petition
from db.viewer import Viewer


async def can_view_petition(session: AsyncSession, viewer: Viewer, petition_id: int) -> bool:
    """PUBLIC: everyone. PRIVATE: the submitter, the addressed delegate, members of the
    addressed group, STAFF, MONITOR, ADMIN. A petition that does not exist: False."""
    row = (
        await session.execute(
            sa.select(
                col(Petition.visibility),
                col(Petition.submitter_account_id),
                col(Petition.delegate_id),
                col(Petition.group_id),
            ).where(col(Petition.id) == petition_id)
        )
    ).one_or_none()
    if row is None:
        return False
    visibility, submitter_id, delegate_id, group_id = row
    if visibility == "PUBLIC" or viewer.sees_everything:
        return True
    if not viewer.is_signed_in:
        return False
    return (
        (submitter_id is not None and submitter_id == viewer.account_id)
        or (delegate_id is not None and delegate_id == viewer.delegate_id)
        or (viewer.group_id is not None and group_id == viewer.group_id)
    )
