"""Reading your notification preferences."""

import strawberry

from db.outbox.preferences import preferences_for
from schema.context import Info
from schema.notifications.types import NotificationPreferences
from schema.permissions import IsSignedIn


@strawberry.type
class NotificationsQuery:
    @strawberry.field(
        description="Your notification preferences (signed-in accounts).",
        permission_classes=[IsSignedIn],
    )
    async def notification_preferences(self, info: Info) -> NotificationPreferences | None:
        account_id = info.context.viewer.account_id
        assert account_id is not None
        async with info.context.read() as session:
            chosen = await preferences_for(session, account_id)
        return NotificationPreferences.of(chosen)
