"""Payloads of the channels domain's mutations: the guest or post and `userErrors`."""

import strawberry

from schema.channels.types import GroupGuest, GroupPost
from schema.core.payloads import user_errors_field
from schema.errors import UserError


@strawberry.type(description="Result of inviting or removing a guest.")
class GuestPayload:
    guest: GroupGuest | None = strawberry.field(
        description="The guest invited or removed; null when refused."
    )
    user_errors: list[UserError] = user_errors_field("Why it was refused; empty on success.")


@strawberry.type(description="Result of posting to a group's channel.")
class GroupPostPayload:
    post: GroupPost | None = strawberry.field(description="The new post; null when refused.")
    user_errors: list[UserError] = user_errors_field("Why it was refused; empty on success.")
