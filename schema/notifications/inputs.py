"""Inputs of notification preferences."""

from datetime import time

import strawberry


@strawberry.input(
    description="Changes to your notification preferences; a field left out stays as it is."
)
class NotificationPreferencesInput:
    push: bool | None = strawberry.field(default=None, description="Push notifications on or off.")
    zalo: bool | None = strawberry.field(default=None, description="Zalo messages on or off.")
    zalo_phone: str | None = strawberry.field(
        default=None,
        description="The phone number of your Zalo account (Vietnamese number); empty removes it.",
    )
    quiet_hours: bool | None = strawberry.field(
        default=None, description="Hold notifications during quiet hours."
    )
    quiet_from: time | None = strawberry.field(
        default=None, description="Quiet hours start, local time (e.g. 22:00)."
    )
    quiet_until: time | None = strawberry.field(
        default=None, description="Quiet hours end, local time (e.g. 06:00)."
    )
