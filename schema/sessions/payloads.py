"""Payloads of the sessions domain's mutations: the object changed and `userErrors`."""

import strawberry

from schema.core.payloads import user_errors_field
from schema.council.types import Delegate
from schema.errors import UserError
from schema.sessions.types import AgendaItem, Contribution, Session


@strawberry.type(description="Result of a change to a session.")
class SessionPayload:
    session: Session | None = strawberry.field(description="The session, as it now stands.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="Result of adding an agenda item.")
class AgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(description="The new item.")
    session: Session | None = strawberry.field(description="Its session.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="Result of excusing a delegate from a session, or undoing it.")
class ExcusePayload:
    session: Session | None = strawberry.field(description="The session.")
    delegate: Delegate | None = strawberry.field(description="The delegate.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="Result of recording, editing or withdrawing a contribution.")
class ContributionPayload:
    contribution: Contribution | None = strawberry.field(description="The contribution.")
    user_errors: list[UserError] = user_errors_field()
