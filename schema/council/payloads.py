"""Payloads of the council domain's mutations: the record changed and `userErrors`."""

import strawberry

from schema.cost import most
from schema.council.types import Delegate, DelegateGroup
from schema.errors import UserError


@strawberry.type(description="Result of a change to a delegate's record.")
class DelegatePayload:
    delegate: Delegate | None = strawberry.field(description="The delegate, as now recorded.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


@strawberry.type(description="Result of a change to a delegate group.")
class DelegateGroupPayload:
    group: DelegateGroup | None = strawberry.field(description="The group, as now recorded.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )
