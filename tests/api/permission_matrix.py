"""THE PERMISSION MATRIX: who may use every query, mutation and restricted field.

tests/api/test_permission_matrix.py lists every Query, Mutation and Subscription field and
every restricted field (a permission class, `MutationRoles`, or `metadata={"restricted": …}`)
from the schema itself, and fails when one has no row here, or a row names a field that is
gone. Each row is then run for every viewer in VIEWERS: the viewers in `allowed` must get an
answer, every other one a refusal that leaks nothing (no string the allowed answer held) and,
for a mutation, changes nothing (`snapshot` before and after).

To add a field: add a Row to ROWS. `variables(world, viewer)` gives the request's variables
(different per viewer when a mutation would otherwise collide with itself), `setup(world)`
prepares data once before the viewers run, `snapshot(world)` reads what a refused mutation
must leave unchanged. `refusal` says how a refusal looks: a GraphQL error FORBIDDEN or
UNAUTHENTICATED ("error", queries), a null field ("null"), or a payload whose `userErrors`
holds FORBIDDEN ("user_error", mutations).
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from db.engine import Sessionmaker, transaction
from db.integrators import create_api_key
from db.tables import ApiKey
from schema.relay import to_global_id

VIEWERS = (
    "anonymous",
    "integrator",
    "citizen_a",
    "citizen_b",
    "delegate",  # the addressed delegate (linked to World.delegate_id, group World.group_id)
    "other_delegate",  # a delegate of another group
    "staff",
    "monitor",
    "admin",
)
EVERYONE = frozenset(VIEWERS)
SIGNED_IN = EVERYONE - {"anonymous", "integrator"}


@dataclass
class World:
    """What the rows may refer to: the demo directory plus accounts of every role."""

    sessionmaker: Sessionmaker
    delegate_id: int
    group_id: int
    other_delegate_id: int
    other_group_id: int
    subs: Mapping[str, str]  # viewer -> account `sub` (signed-in viewers only)
    extra: dict[str, Any] = field(default_factory=dict)  # rows' setup may leave ids here


Variables = Callable[[World, str], Mapping[str, Any]]
Hook = Callable[[World], Awaitable[Any]]


@dataclass(frozen=True)
class Row:
    field: str  # "Query.units", "Mutation.createApiKey", "DelegateGroup.guests"
    document: str
    allowed: frozenset[str]
    refusal: Literal["error", "null", "user_error"] = "error"
    variables: Variables = lambda world, viewer: {}
    setup: Hook | None = None
    snapshot: Hook | None = None
    # The key under `data` that the refusal concerns (the root field's name by default).
    root: str | None = None


def no_variables(world: World, viewer: str) -> Mapping[str, Any]:
    return {}


async def _api_keys(world: World) -> list[tuple[str, bool]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(sa.select(ApiKey.name, ApiKey.revoked_at).order_by("id"))
        return [(name, revoked is not None) for name, revoked in rows]


async def _keys_to_revoke(world: World) -> None:
    async with transaction(world.sessionmaker) as session:
        for viewer in VIEWERS:
            await create_api_key(session, f"revoke-me-{viewer}")


ROWS: tuple[Row, ...] = (
    # The directory and sessions are public: everyone, integrators included.
    Row(
        "Query.node",
        "query($id: ID!) { node(id: $id) { id ... on Delegate { fullName } } }",
        EVERYONE,
        variables=lambda w, v: {"id": to_global_id("Delegate", w.delegate_id)},
    ),
    Row("Query.units", "{ units(level: DISTRICT) { code name } }", EVERYONE),
    Row("Query.delegateGroups", "{ delegateGroups { name memberCount } }", EVERYONE),
    Row("Query.committees", "{ committees { name kind } }", EVERYONE),
    Row("Query.delegates", "{ delegates(first: 3) { totalCount nodes { fullName } } }", EVERYONE),
    Row("Query.delegatesForUnit", '{ delegatesForUnit(code: "93") { fullName } }', EVERYONE),
    Row("Query.sessions", "{ sessions(first: 3) { nodes { title status } } }", EVERYONE),
    # `me`: any signed-in account; null for anonymous callers and integrators.
    Row("Query.me", "{ me { sub role delegate { fullName } } }", SIGNED_IN, refusal="null"),
    # Integrator keys: MONITOR reads, ADMIN reads and writes.
    Row(
        "Query.apiKeys",
        "{ apiKeys { name prefix createdAt revokedAt } }",
        frozenset({"monitor", "admin"}),
        setup=_keys_to_revoke,
    ),
    Row(
        "Mutation.createApiKey",
        "mutation($name: String!) { createApiKey(name: $name) { key apiKey { name prefix } "
        "userErrors { code field message } } }",
        frozenset({"admin"}),
        refusal="user_error",
        variables=lambda w, v: {"name": f"made-by-{v}"},
        snapshot=_api_keys,
    ),
    Row(
        "Mutation.revokeApiKey",
        "mutation($name: String!) { revokeApiKey(name: $name) { apiKey { name prefix revokedAt } "
        "userErrors { code field message } } }",
        frozenset({"admin"}),
        refusal="user_error",
        variables=lambda w, v: {"name": f"revoke-me-{v}"},
        setup=_keys_to_revoke,
        snapshot=_api_keys,
    ),
)
