"""Changing your notification preferences."""

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db.outbox.preferences import PreferenceChanges, change_preferences
from db.outbox.writes import Preferences
from db.viewer import Role
from schema.context import Info
from schema.notifications.inputs import NotificationPreferencesInput
from schema.notifications.types import NotificationPreferences, NotificationPreferencesPayload
from schema.permissions import MutationRoles
from schema.refusals import run_change

ANY_ACCOUNT = tuple(Role)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(
        description="Choose how you hear of your petitions and inbox: push, Zalo (with your Zalo "
        "phone), quiet hours. Signed-in accounts; changes only the fields given.",
        extensions=[MutationRoles(*ANY_ACCOUNT)],
    )
    async def set_notification_preferences(
        self,
        info: Info,
        input: Annotated[
            NotificationPreferencesInput,
            strawberry.argument(description="What to change."),
        ],
    ) -> NotificationPreferencesPayload:
        context = info.context
        changes = PreferenceChanges(
            push=input.push,
            zalo=input.zalo,
            zalo_phone=input.zalo_phone,
            quiet_hours=input.quiet_hours,
            quiet_from=input.quiet_from,
            quiet_until=input.quiet_until,
        )

        async def work(session: AsyncSession) -> Preferences:
            return await change_preferences(session, context.viewer, changes, context.now)

        chosen, errors = await run_change(info, work)
        if chosen is None:
            return NotificationPreferencesPayload(preferences=None, user_errors=errors)
        return NotificationPreferencesPayload(
            preferences=NotificationPreferences.of(chosen), user_errors=[]
        )
