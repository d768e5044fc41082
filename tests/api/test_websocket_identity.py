"""The identity of a WebSocket follows the account: each operation reads it again, a change of
role or delegate link ends the subscriptions it no longer allows, an expired token closes the
socket (4401), and operations spend the HTTP rate budget and are logged like requests."""

import asyncio
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlmodel import col
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from api.identity import issue_token
from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.tables import Delegate, Petition
from db.viewer import Role
from schema.relay import to_global_id
from tests.api.test_subscriptions import (
    GROUP_POSTS,
    PETITION_EVENTS,
    POST,
    WAIT,
    Client,
    serve,
    token,
)
from tests.channels_helpers import change_petition, make_cast, make_petition
from tests.conftest import bearer

SUBMITTER = """query($id: ID!) { node(id: $id) { ... on Petition { status
  submitter { fullName phone } } } }"""
REJECT = """mutation($id: ID!) { rejectPetition(id: $id, reason: "Không thuộc thẩm quyền") {
  petition { status } userErrors { code } } }"""


async def run(client: Client, op_id: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """One query or mutation over the socket: its `next` payload (or its `error` message)."""
    await client.subscribe(op_id, query, variables)
    message = await client.receive()
    assert message["id"] == op_id, message
    if message["type"] != "next":
        return message
    assert await client.receive() == {"id": op_id, "type": "complete"}
    payload: dict[str, Any] = message["payload"]
    # Every answer reports its cost (extensions.cost); the tests compare the rest.
    assert "requested" in payload.pop("extensions")["cost"]
    return payload


async def demote(sessionmaker: Sessionmaker, sub: str) -> None:
    """What `hdnd grant <sub> CITIZEN` does."""
    async with transaction(sessionmaker) as session:
        await grant_role(session, sub, Role.CITIZEN)


async def ended(client: Client, op_ids: set[str]) -> None:
    """Each of `op_ids` ends: a FORBIDDEN error, then `complete`."""
    refused: set[str] = set()
    completed: set[str] = set()
    while completed != op_ids:
        message = await client.receive()
        assert message["id"] in op_ids, message
        if message["type"] == "next":
            assert message["payload"]["data"] is None, message
            assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            refused.add(message["id"])
        else:
            assert message["type"] == "complete", message
            completed.add(message["id"])
    assert refused == op_ids


async def test_a_demoted_staff_socket_runs_new_operations_as_a_citizen(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    petition = await make_petition(
        sessionmaker, cast.group_id, visibility="PUBLIC", submitter="voter"
    )
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petition)
            .values(submitter_name="Trần Thị Bích Ngọc", submitter_phone="+84987654321")
        )
    gid = to_global_id("Petition", petition)
    async with serve(db_url) as server, Client.signed_in(server, token(settings, "staff")) as staff:
        seen = await run(staff, "before", SUBMITTER, {"id": gid})
        assert seen["data"]["node"]["submitter"] == {
            "fullName": "Trần Thị Bích Ngọc",
            "phone": "+84987654321",
        }

        await demote(sessionmaker, "staff")
        # The same socket, a new operation: the account as it is now.
        after = await run(staff, "after", SUBMITTER, {"id": gid})
        assert after["data"]["node"] == {"status": "SUBMITTED", "submitter": None}
        rejected = await run(staff, "reject", REJECT, {"id": gid})
        assert rejected["data"]["rejectPetition"]["petition"] is None
        assert [e["code"] for e in rejected["data"]["rejectPetition"]["userErrors"]] == [
            "FORBIDDEN"
        ]
    async with sessionmaker() as session:
        assert (
            await session.scalar(sa.select(Petition.status).where(col(Petition.id) == petition))
            == "SUBMITTED"
        )


async def test_open_subscriptions_end_when_the_role_is_removed(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    private = await make_petition(
        sessionmaker, cast.group_id, visibility="PRIVATE", submitter="voter"
    )
    gid = to_global_id("Petition", private)
    async with (
        serve(db_url) as server,
        Client.signed_in(server, token(settings, "staff")) as staff,
        Client.signed_in(server, token(settings, "monitor")) as monitor,
    ):
        await staff.subscribe("events", PETITION_EVENTS, {"p": gid})
        await staff.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await monitor.subscribe("events", PETITION_EVENTS, {"p": gid})
        await server.wait_subscriptions(3)

        await demote(sessionmaker, "staff")
        await ended(staff, {"events", "posts"})
        await server.wait_subscriptions(1)

        # The private petition moves on: the monitor hears it, the demoted account does not,
        # and its socket stays open for what a citizen may do.
        await change_petition(sessionmaker, private, "ACKNOWLEDGED")
        heard = await monitor.receive()
        assert heard["payload"]["data"]["petitionEvents"]["status"] == "ACKNOWLEDGED"
        assert await run(staff, "q", "{ __typename }", {}) == {"data": {"__typename": "Query"}}
        # Subscribing again is refused like any citizen's attempt.
        await staff.subscribe("again", PETITION_EVENTS, {"p": gid})
        refused = await staff.receive()
        assert refused["type"] == "error" and refused["id"] == "again"
        assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"


END_SERVICE = """mutation($id: ID!, $on: Date!) { endDelegateService(id: $id, on: $on,
  reason: "Chuyển công tác") { userErrors { code } } }"""


async def test_a_delegates_channel_subscription_ends_with_their_service(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with sessionmaker() as session:
        delegate = await session.get(Delegate, cast.member_delegate_id)
        assert delegate is not None
        # Their first day is their last: long past whatever day the test runs on.
        last_day = delegate.served_from.isoformat()
    async with (
        serve(db_url) as server,
        Client.signed_in(server, token(settings, "member")) as member,
        Client.signed_in(server, token(settings, "leader")) as leader,
    ):
        await member.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await leader.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await server.wait_subscriptions(2)
        done = await server.gql(
            END_SERVICE,
            {"id": to_global_id("Delegate", cast.member_delegate_id), "on": last_day},
            bearer(settings, "staff"),
        )
        assert done["data"]["endDelegateService"]["userErrors"] == []
        await ended(member, {"posts"})
        await server.wait_subscriptions(1)
        await server.gql(
            POST, {"g": cast.group_gid, "b": "Vẫn tiếp tục"}, bearer(settings, "leader")
        )
        got = await leader.receive()
        assert got["payload"]["data"]["groupPosts"]["body"] == "Vẫn tiếp tục"


async def test_moving_a_delegate_link_ends_the_old_accounts_subscription(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with (
        serve(db_url) as server,
        Client.signed_in(server, token(settings, "member")) as member,
    ):
        await member.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await server.wait_subscriptions(1)
        # The delegate's link moves to a new account (`hdnd grant new-phone DELEGATE`).
        async with transaction(sessionmaker) as session:
            await grant_role(session, "new-phone", Role.DELEGATE, cast.member_delegate_id)
        await ended(member, {"posts"})
        await server.wait_subscriptions(0)


async def test_an_expired_token_closes_the_socket(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with serve(db_url) as server:
        short = issue_token(settings, "member", ttl_seconds=2)
        async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {short}"}}
            await ws.send(orjson.dumps(init).decode())
            assert orjson.loads(await ws.recv())["type"] == "connection_ack"
            follow = {"query": GROUP_POSTS, "variables": {"g": cast.group_gid}}
            await ws.send(
                orjson.dumps({"id": "p", "type": "subscribe", "payload": follow}).decode()
            )
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(WAIT):
                    while True:
                        await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        await server.wait_subscriptions(0)
        # A new socket with the expired token is refused at connection_init.
        async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(orjson.dumps(init).decode())
            with pytest.raises(ConnectionClosed) as refused:
                async with asyncio.timeout(WAIT):
                    await ws.recv()
            assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403


async def test_socket_operations_spend_the_rate_budget_and_are_logged(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    await make_cast(sessionmaker)
    async with (
        serve(db_url, HDND_RATE_LIMIT="3", HDND_LOG_LEVEL="INFO") as server,
        Client.signed_in(server, token(settings, "member")) as member,
    ):
        hello = "query Hello { __typename }"
        assert await run(member, "1", hello, {}) == {"data": {"__typename": "Query"}}
        over_http = await server.http.post(
            "/graphql", json={"query": hello}, headers=bearer(settings, "member")
        )
        assert over_http.status_code == 200
        # The third, and where the budget stands after it: nothing left.
        budget = "query Budget { rateLimit { limit remaining } }"
        spent = {"data": {"rateLimit": {"limit": 3, "remaining": 0}}}
        assert await run(member, "2", budget, {}) == spent
        # Three spent, one budget for both ways in.
        refused = await run(member, "3", hello, {})
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert refused["payload"][0]["extensions"]["retryAfter"] >= 1
        over_http = await server.http.post(
            "/graphql", json={"query": hello}, headers=bearer(settings, "member")
        )
        assert over_http.status_code == 429
        # Another client's budget is its own.
        async with Client.signed_in(server, token(settings, "leader")) as leader:
            assert await run(leader, "1", hello, {}) == {"data": {"__typename": "Query"}}
        log = server.log.read_text()

    lines = [orjson.loads(line) for line in log.splitlines() if line.startswith("{")]
    socket_lines = [e for e in lines if e.get("method") == "WS"]
    ran = [e for e in socket_lines if e.get("operation") == "Hello" and "error_codes" not in e]
    assert len(ran) == 2
    for entry in ran:
        assert entry["viewer"] == "account" and entry["role"] == "DELEGATE"
        assert entry["operation_type"] == "query" and entry["path"] == "/graphql"
        assert isinstance(entry["duration_ms"], float) and entry["request_id"]
    assert [e["error_codes"] for e in socket_lines if "error_codes" in e] == [["RATE_LIMITED"]]
    assert len({e["request_id"] for e in socket_lines}) == len(socket_lines)
