"""Inputs of the channels domain's mutations."""

from typing import Annotated

import strawberry

GroupIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="Global id of the delegate group.")
]


@strawberry.input(description="Who is invited to a group's channel.")
class InviteGuestInput:
    account_sub: str = strawberry.field(
        description="The guest's App Hậu Giang account (`sub` of their token); "
        "the account is created if it has not signed in yet."
    )
    full_name: str = strawberry.field(description="Full name, 1–120 characters.")
    title: str = strawberry.field(
        description="Position, 1–200 characters, e.g. «Chủ tịch HĐND huyện Phụng Hiệp»."
    )
    unit_code: str | None = strawberry.field(
        default=None, description="Code of the guest's district or commune (mã ĐVHC), if any."
    )
