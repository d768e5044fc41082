"""The GraphQL schema: the domains joined into one `schema`."""

from typing import Annotated, Any

import strawberry
from strawberry.extensions import ParserCache
from strawberry.tools import merge_types

from schema.agencies.mutations import AgenciesMutation
from schema.agencies.queries import AgenciesQuery
from schema.channels import ChannelsMutation, ChannelsSubscription
from schema.context import Info
from schema.council import CouncilQuery, DirectoryMutation
from schema.integrators import IntegratorsMutation, IntegratorsQuery
from schema.meetings.mutations import MeetingsMutation
from schema.meetings.queries import MeetingsQuery
from schema.node import node_fetcher
from schema.notifications.mutations import NotificationsMutation
from schema.notifications.queries import NotificationsQuery
from schema.petitions import PetitionsMutation, PetitionsQuery
from schema.rate_limit import RateLimitQuery
from schema.relay import Node, parse_global_id
from schema.sessions import SessionsMutation, SessionsQuery


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id; null when it does not exist or is hidden from you."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The global id, as any object's `id` gives it (opaque: do not build it)."
            ),
        ],
    ) -> Node | None:
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
    AgenciesQuery,
    NotificationsQuery,
    MeetingsQuery,
    RateLimitQuery,
)
MUTATIONS: tuple[type, ...] = (
    DirectoryMutation,
    SessionsMutation,
    IntegratorsMutation,
    ChannelsMutation,
    PetitionsMutation,
    AgenciesMutation,
    NotificationsMutation,
    MeetingsMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (ChannelsSubscription,)


def _root(name: str, types: tuple[type, ...], description: str) -> type:
    """The domains' root classes joined into one root type, described."""
    merged = merge_types(name, types)
    merged.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return merged


Query = _root(
    "Query",
    QUERIES,
    "What can be read: the council's directory (đại biểu, tổ đại biểu), petitions (kiến nghị "
    "cử tri), sessions (kỳ họp) and their compliance, and your own account and budget. Public "
    "data needs no sign-in; the rest says who may read it.",
)
Mutation = _root(
    "Mutation",
    MUTATIONS,
    "What can be changed. Every mutation answers a payload with `userErrors`: a refused one "
    "changes nothing and says why (UNAUTHENTICATED: sign in first; FORBIDDEN: not for your role).",
)
Subscription = _root(
    "Subscription",
    SUBSCRIPTIONS,
    "Events as they happen, over the WebSocket at /graphql (graphql-transport-ws; sign in with "
    '`connection_init`\'s {"Authorization": "Bearer <token>"}).',
)


def _describe_directive_arguments(built: strawberry.Schema) -> None:
    """Strawberry leaves the arguments of schema directives (@listSize, @cost) undescribed; give
    them the descriptions their fields declare, so introspection and the SDL carry them."""
    from strawberry.schema_directive import StrawberrySchemaDirective

    from schema.cost import Cost, ListSize

    names = built.config.name_converter
    directives: tuple[Any, ...] = (ListSize, Cost)
    for cls in directives:
        definition: StrawberrySchemaDirective = cls.__strawberry_directive__
        directive = built._schema.get_directive(names.from_directive(definition))
        assert directive is not None
        for field in definition.fields:
            directive.args[names.get_graphql_name(field)].description = field.description


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
    _describe_directive_arguments(built)
    return built


schema = build_schema()
