"""The GraphQL schema: the domains joined into one `schema`."""

from typing import Any

import strawberry
from strawberry.extensions import ParserCache
from strawberry.tools import merge_types

from schema.channels import ChannelsMutation, ChannelsSubscription
from schema.context import Info
from schema.council import CouncilQuery
from schema.directory_admin import DirectoryMutation
from schema.integrators import IntegratorsMutation, IntegratorsQuery
from schema.node import node_fetcher
from schema.petitions import PetitionsMutation, PetitionsQuery
from schema.relay import Node, parse_global_id
from schema.sessions import SessionsMutation, SessionsQuery


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id; null when it does not exist or is hidden from you."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        parsed = parse_global_id(id)
        if parsed is None:
            return None
        fetch = node_fetcher(parsed[0])
        return await fetch(info, parsed[1]) if fetch else None


# Each domain adds its root classes here; merge_types joins them into one root type each.
QUERIES: tuple[type, ...] = (
    NodeQuery,
    CouncilQuery,
    SessionsQuery,
    IntegratorsQuery,
    PetitionsQuery,
)
MUTATIONS: tuple[type, ...] = (
    DirectoryMutation,
    SessionsMutation,
    IntegratorsMutation,
    ChannelsMutation,
    PetitionsMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (ChannelsSubscription,)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None
Subscription = merge_types("Subscription", SUBSCRIPTIONS) if SUBSCRIPTIONS else None


def build_schema(*, suggestions: bool = True) -> strawberry.Schema:
    """The schema with parse and validation caches (most of a request's cost otherwise);
    `schema_extensions` adds the validation cache after the limits that may skip it."""
    from strawberry.schema.config import StrawberryConfig

    from schema.input_text import StorableInput
    from schema.limits import HdndSchema, schema_extensions

    extensions: list[Any] = [
        lambda: ParserCache(maxsize=512),
        # Before the limits' ResolveViewer: text that cannot be stored is refused with no SQL.
        StorableInput,
        *schema_extensions(suggestions),
    ]
    from schema.deadlines import BoundedEventsExecutionContext

    built = HdndSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not suggestions),
        execution_context_class=BoundedEventsExecutionContext,
    )
    built.suggestions = suggestions
    return built


schema = build_schema()
