"""Writing the audit log, inside the caller's transaction."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.tables.audit import AuditEvent
from db.viewer import Viewer


async def audit(
    session: AsyncSession,
    viewer: Viewer,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    request_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit row; `details` must hold ids and codes, never personal data."""
    session.add(
        AuditEvent(
            actor_account_id=viewer.account_id,
            actor_role=viewer.role.value if viewer.role else None,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            request_id=request_id,
            details=details or {},
        )
    )
    await session.flush()
