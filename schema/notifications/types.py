"""GraphQL types of notification preferences."""

from datetime import time

import strawberry

from db.outbox.writes import Preferences
from schema.cost import most
from schema.errors import UserError


@strawberry.type(
    description="How you want to hear of your petitions and inbox (thông báo): by App Hậu "
    "Giang's push notifications, by Zalo, and not during your quiet hours."
)
class NotificationPreferences:
    push: bool = strawberry.field(description="Push notifications of App Hậu Giang (default on).")
    zalo: bool = strawberry.field(description="Zalo messages (default off; needs a Zalo phone).")
    has_zalo_phone: bool = strawberry.field(
        description="Whether a Zalo phone number is on record (the number itself is not shown)."
    )
    quiet_hours: bool = strawberry.field(
        description="Hold notifications during the quiet hours (default on)."
    )
    quiet_from: time = strawberry.field(
        description="Quiet hours start (local time, default 22:00)."
    )
    quiet_until: time = strawberry.field(description="Quiet hours end (local time, default 06:00).")

    @classmethod
    def of(cls, chosen: Preferences) -> "NotificationPreferences":
        return cls(
            push=chosen.push,
            zalo=chosen.zalo,
            has_zalo_phone=chosen.zalo_phone is not None,
            quiet_hours=chosen.quiet_hours,
            quiet_from=chosen.quiet_from,
            quiet_until=chosen.quiet_until,
        )


@strawberry.type(description="Result of `setNotificationPreferences`.")
class NotificationPreferencesPayload:
    preferences: NotificationPreferences | None = strawberry.field(
        description="Your preferences as now stored; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused; empty on success."
    )
