"""Payloads of the council domain's mutations: the record changed and `userErrors`."""

import strawberry

from schema.core.payloads import user_errors_field
from schema.council.types import Delegate, DelegateGroup
from schema.errors import UserError


@strawberry.type(description="Result of a change to a delegate's record.")
class DelegatePayload:
    delegate: Delegate | None = strawberry.field(description="The delegate, as now recorded.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="Result of a change to a delegate group.")
class DelegateGroupPayload:
    group: DelegateGroup | None = strawberry.field(description="The group, as now recorded.")
    user_errors: list[UserError] = user_errors_field()
