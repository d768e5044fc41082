"""The request deadline (HDND_REQUEST_TIMEOUT) over a WebSocket: a query or mutation past it is
answered with an `error` message coded TIMEOUT and the socket stays open; a subscription
outlives it, each of its events resolved within it."""

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import asyncpg
import strawberry

from api.seeding import plain_url
from api.settings import Settings
from db.engine import Sessionmaker
from schema import schema as service_schema
from schema.deadlines import DEADLINE_MESSAGE, BoundedEventsExecutionContext
from schema.limits import HdndSchema, schema_extensions
from tests.api.test_bounded_db import locked
from tests.api.test_subscriptions import GROUP_POSTS, POST, Client, serve, token
from tests.channels_helpers import make_cast
from tests.conftest import bearer

GROUPS = "{ delegateGroups { name } }"
# Short enough to wait for, long enough that a loaded machine answers what is not locked in time.
DEADLINE = "2"


def timed_out(message: dict[str, Any], op_id: str) -> None:
    assert message["id"] == op_id, message
    assert message["type"] == "error", message
    [error] = message["payload"]
    assert error["extensions"]["code"] == "TIMEOUT", message
    assert error["message"] == DEADLINE_MESSAGE
    assert "SELECT" not in str(message) and "INSERT" not in str(message)


async def answered(client: Client, op_id: str, query: str, variables: dict[str, Any]) -> Any:
    """The data of one query or mutation over the socket, which must succeed."""
    await client.subscribe(op_id, query, variables)
    message = await client.receive()
    assert message["id"] == op_id and message["type"] == "next", message
    assert "errors" not in message["payload"], message
    assert await client.receive() == {"id": op_id, "type": "complete"}
    return message["payload"]["data"]


async def posts(db_url: str, body: str) -> int:
    connection = await asyncpg.connect(plain_url(db_url))
    try:
        return int(
            await connection.fetchval("SELECT count(*) FROM group_post WHERE body = $1", body)
        )
    finally:
        await connection.close()


async def test_socket_operations_end_at_the_deadline_and_the_socket_stays_open(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    body = "Tin nhắn không kịp gửi"
    env = {"HDND_REQUEST_TIMEOUT": DEADLINE, "HDND_STATEMENT_TIMEOUT": "30"}
    async with (
        serve(db_url, **env) as server,
        Client.signed_in(server, token(settings, "leader")) as leader,
    ):
        # A query whose table is locked: TIMEOUT for that operation alone.
        async with locked(db_url, "delegate_group"):
            await leader.subscribe("q1", GROUPS, {})
            timed_out(await leader.receive(), "q1")
        groups = await answered(leader, "q2", GROUPS, {})
        assert len(groups["delegateGroups"]) == 8
        # A mutation whose insert waits on a lock: TIMEOUT, and nothing was written.
        async with locked(db_url, "group_post"):
            await leader.subscribe("m1", POST, {"g": cast.group_gid, "b": body})
            timed_out(await leader.receive(), "m1")
        assert await posts(db_url, body) == 0
        # The same socket goes on: the same mutation, given time, is made once.
        done = await answered(leader, "m2", POST, {"g": cast.group_gid, "b": body})
        assert done["postToGroup"]["userErrors"] == []
        assert await posts(db_url, body) == 1


async def test_a_subscription_outlives_the_deadline(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with (
        serve(db_url, HDND_REQUEST_TIMEOUT=DEADLINE) as server,
        Client.signed_in(server, token(settings, "member")) as member,
    ):
        await member.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await server.wait_subscriptions(1)
        await asyncio.sleep(2 * float(DEADLINE))  # two deadlines later, it is still there
        assert await server.open_subscriptions() == 1
        posted = await server.gql(
            POST, {"g": cast.group_gid, "b": "Họp Tổ chiều thứ Sáu"}, bearer(settings, "leader")
        )
        assert posted["data"]["postToGroup"]["userErrors"] == []
        event = await member.receive()
        assert event["id"] == "posts" and event["type"] == "next", event
        assert event["payload"]["data"]["groupPosts"]["body"] == "Họp Tổ chiều thứ Sáu"


# ---- each subscription event is resolved within the deadline ------------------------------------


@strawberry.type
class Tick:
    number: int
    delay: float = strawberry.field(default=0.0, description="Seconds its value takes.")

    @strawberry.field(description="The tick's number, after its delay.")
    async def value(self) -> int:
        await asyncio.sleep(self.delay)
        return self.number


@strawberry.type
class TickQuery:
    @strawberry.field(description="Nothing; a schema needs a query.")
    def nothing(self) -> int:
        return 0


@strawberry.type
class TickSubscription:
    @strawberry.subscription(description="Three ticks, the second slow to resolve.")
    async def ticks(self) -> AsyncIterator[Tick]:
        yield Tick(number=1)
        yield Tick(number=2, delay=30.0)
        yield Tick(number=3)


async def test_each_subscription_event_is_resolved_within_the_deadline() -> None:
    schema = HdndSchema(
        query=TickQuery,
        subscription=TickSubscription,
        extensions=schema_extensions(True),
        execution_context_class=BoundedEventsExecutionContext,
    )
    context = SimpleNamespace(
        settings=SimpleNamespace(request_timeout=1.0, max_query_cost=10_000),
        request_id="deadline-test",
        request=None,
        extra={},
    )
    stream = await schema.subscribe("subscription { ticks { value } }", context_value=context)
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    results = [result async for result in stream]
    assert [r.data for r in results] == [{"ticks": {"value": 1}}, None, {"ticks": {"value": 3}}]
    assert results[0].errors is None and results[2].errors is None
    [error] = results[1].errors or []
    assert error.extensions == {"code": "TIMEOUT", "requestId": "deadline-test"}
    assert error.message == DEADLINE_MESSAGE


def test_the_service_schema_bounds_its_events() -> None:
    assert issubclass(service_schema.execution_context_class, BoundedEventsExecutionContext)
