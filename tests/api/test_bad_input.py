"""Text PostgreSQL cannot store and ids out of range: a clear refusal, never "Unexpected error".

A NUL character (or a lone surrogate, which is not UTF-8) in any argument, input field or
variable is refused before any SQL with INVALID_INPUT; in a token claim the token is refused
(401). A global id whose number no column can hold is an id of nothing: `node` answers null,
other arguments refuse it like any malformed id.
"""

import asyncio
import base64
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
import uvicorn
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from api.app import create_app
from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.storable import storable, unstorable_at
from db.viewer import Role
from schema.relay import MAX_DATABASE_ID, parse_global_id, to_global_id
from tests.api.helpers import auth, claims, signed
from tests.conftest import StatementCounter, bearer, gql
from tests.petition_helpers import SUBMIT, petition_input

NUL = "\x00"
GRAPHQL_RESPONSE = {"Accept": "application/graphql-response+json"}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        return int(
            (await connection.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one()
        )


def test_storable() -> None:
    assert storable("Vị Thanh\n\ttab ok")
    assert not storable("a\x00b")
    assert not storable("lone \ud800 surrogate")
    assert unstorable_at({"a": ["ok", {"b": "x\x00"}]}) == ("a", 1, "b")
    assert unstorable_at({"k\x00": "v"}) == ("k\x00",)
    assert unstorable_at({"a": ["ok", 1, None, True]}) is None


# ---- NUL in arguments, input fields and variables -------------------------------------------

# (document, variables, the argument named in the error)
BAD_TEXT: dict[str, tuple[str, dict[str, Any] | None, str]] = {
    "literal argument": ('{ delegatesForUnit(code: "3\\u0000") { id } }', None, "code"),
    "literal input field": (
        '{ delegates(filter: {search: "Ng\\u0000"}) { totalCount } }',
        None,
        "filter.search",
    ),
    "literal tracking code": (
        '{ petitionByTrackingCode(code: "\\u0000") { status } }',
        None,
        "code",
    ),
    "literal id": ('{ node(id: "\\u0000") { id } }', None, "id"),
    "variable": (
        "query($c: String!) { delegatesForUnit(code: $c) { id } }",
        {"c": "31" + NUL},
        "$c",
    ),
    "variable input field": (
        "query($f: DelegateFilter) { delegates(filter: $f) { totalCount } }",
        {"f": {"search": "x" + NUL}},
        "$f.search",
    ),
    "variable in a list": (
        "mutation($i: DelegateInput!) { createDelegate(input: $i) { userErrors { code } } }",
        {"i": {"fullName": "Lê Văn B", "committeeIds": ["Q29tbWl0dGVlOjE", "x" + NUL]}},
        "$i.committeeIds.1",
    ),
    "variable default": (
        'query($c: String! = "a\\u0000") { delegatesForUnit(code: $c) { id } }',
        None,
        "$c",
    ),
    "unused variable": ("query { __typename }", {"extra": NUL}, "$extra"),
}


@pytest.mark.parametrize("kind", list(BAD_TEXT))
async def test_nul_in_a_query_is_invalid_input_before_sql(
    kind: str, client: AsyncClient, settings: Settings, count_statements: StatementCounter
) -> None:
    document, variables, field = BAD_TEXT[kind]
    for headers in ({}, bearer(settings, "nul-sender")):
        with count_statements:
            response = await client.post(
                "/graphql", json={"query": document, "variables": variables}, headers=headers
            )
        assert response.status_code == 200  # application/json: a request error in a 200
        body = response.json()
        assert "data" not in body, body
        assert codes(body) == ["INVALID_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == field
        assert "NUL" in body["errors"][0]["message"]
        assert count_statements.count == 0  # not even the signed-in account was read
    strict = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=GRAPHQL_RESPONSE
    )
    assert strict.status_code == 400 and codes(strict.json()) == ["INVALID_INPUT"]


async def test_nul_over_get(client: AsyncClient, count_statements: StatementCounter) -> None:
    with count_statements:
        literal = await client.get(
            "/graphql", params={"query": '{ delegatesForUnit(code: "3\\u0000") { id } }'}
        )
        variable = await client.get(
            "/graphql",
            params={
                "query": "query($c: String!) { delegatesForUnit(code: $c) { id } }",
                "variables": '{"c": "31\\u0000"}',
            },
        )
    assert codes(literal.json()) == ["INVALID_INPUT"]
    assert codes(variable.json()) == ["INVALID_INPUT"]
    assert count_statements.count == 0


async def test_lone_surrogate_in_a_literal_or_the_body(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    with count_statements:
        # The GraphQL lexer refuses a lone surrogate escape; a JSON one is refused by the parser.
        literal = await client.post(
            "/graphql", json={"query": '{ delegatesForUnit(code: "\\ud800") { id } }'}
        )
        body = await client.post(
            "/graphql",
            content=b'{"query": "query($c: String!) { delegatesForUnit(code: $c) { id } }",'
            b' "variables": {"c": "\\ud800"}}',
            headers={"Content-Type": "application/json"},
        )
    assert literal.status_code == 200 and codes(literal.json()) == ["GRAPHQL_PARSE_FAILED"]
    assert body.status_code == 400 and codes(body.json()) == ["BAD_REQUEST"]
    assert count_statements.count == 0


async def test_nul_in_a_mutation_changes_nothing(
    client: AsyncClient, settings: Settings, engine: AsyncEngine, count_statements: StatementCounter
) -> None:
    citizen = bearer(settings, "nul-citizen", name="Nguyễn Văn A")
    before = await count(engine, "petition")
    for field in ("title", "content", "communeCode", "idempotencyKey", "contactPhone"):
        value = {"title": "Tiêu đề\x00", "content": "x" * 30 + NUL}.get(field, "09" + NUL)
        with count_statements:
            response = await client.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"input": petition_input(**{field: value})}},
                headers=citizen,
            )
        body = response.json()
        assert codes(body) == ["INVALID_INPUT"], (field, body)
        assert body["errors"][0]["extensions"]["field"] == f"$input.{field}"
        assert count_statements.count == 0
    literal = (
        'mutation { submitPetition(input: {title: "Tiêu đề\\u0000", content: "%s", '
        'category: OTHER, communeCode: "31315"}) { userErrors { code } } }' % ("x" * 30)
    )
    body = await gql(client, literal, headers=citizen)
    assert codes(body) == ["INVALID_INPUT"] and "data" not in body
    assert body["errors"][0]["extensions"]["field"] == "input.title"
    assert await count(engine, "petition") == before
    # The same petition without the NUL goes through.
    ok = await gql(client, SUBMIT, {"input": petition_input()}, citizen)
    assert ok["data"]["submitPetition"]["userErrors"] == []


# ---- NUL and other bad values in token claims ------------------------------------------------

BAD_CLAIMS: dict[str, dict[str, Any]] = {
    "NUL in sub": claims(sub="citizen\x00"),
    "lone surrogate in sub": claims(sub="citizen\ud800"),
    "sub too long": claims(sub="x" * 256),
    "sub a number": claims(sub=12345),
    "sub a list": claims(sub=["a"]),
    "sub blank": claims(sub=" \t"),
    "NUL in name": claims(sub="named", name="Nguyễn\x00"),
    "NUL in phone": claims(sub="phoned", phone_number="0987\x00654321"),
    "NUL in another claim": claims(sub="other", extra={"deep": ["x\x00"]}),
    "NUL in a claim's name": claims(sub="keyed", **{"k\x00": "v"}),
}


@pytest.mark.parametrize("kind", list(BAD_CLAIMS))
async def test_bad_claim_is_401_before_sql(
    kind: str, client: AsyncClient, engine: AsyncEngine, count_statements: StatementCounter
) -> None:
    before = await count(engine, "account")
    with count_statements:
        response = await client.post(
            "/graphql", json={"query": "{ me { sub } }"}, headers=auth(signed(BAD_CLAIMS[kind]))
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert count_statements.count == 0
    assert await count(engine, "account") == before


async def test_longest_sub_is_accepted(client: AsyncClient) -> None:
    sub = "ạ" * 255  # 255 characters (the column's length), 765 bytes
    body = await gql(client, "{ me { sub role } }", headers=auth(signed(claims(sub=sub))))
    assert body["data"] == {"me": {"sub": sub, "role": "CITIZEN"}} and "errors" not in body


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on a free loopback port: its WebSocket address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
                await asyncio.sleep(0.05)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


async def received(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(20):
        message: dict[str, Any] = orjson.loads(await ws.recv())
    return message


async def start(ws: ClientConnection, payload: dict[str, Any]) -> None:
    await ws.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())


async def test_bad_claim_closes_the_websocket(settings: Settings) -> None:
    async with serving(settings) as url:
        for bad in (claims(sub="ws\x00"), claims(sub="ws", name="x\x00")):
            async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
                await start(ws, {"Authorization": f"Bearer {signed(bad)}"})
                with pytest.raises(ConnectionClosed) as closed:
                    await received(ws)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_nul_in_a_subscription_variable(settings: Settings) -> None:
    query = "subscription($p: ID!) { petitionEvents(petitionId: $p) { status } }"
    payload = {"query": query, "variables": {"p": "UGV0aXRpb246MQ" + NUL}}
    async with (
        serving(settings) as url,
        connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws,
    ):
        await start(ws, {})
        assert (await received(ws))["type"] == "connection_ack"
        await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
        message = await received(ws)
        # Refused before execution: an `error`, or a `next` carrying only the errors.
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert message["type"] == "error" or message["payload"].get("data") is None, message
        assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"]


# ---- global ids out of range -----------------------------------------------------------------


def raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


OUT_OF_RANGE = {
    "int4 + 1": raw_id(f"Session:{MAX_DATABASE_ID + 1}"),
    "bigint": raw_id("Session:9223372036854775807"),
    "beyond bigint": raw_id("Session:99999999999999999999999999"),
    "5,000 digits": raw_id("Session:" + "9" * 5000),
    "negative": raw_id("Session:-1"),
    "Arabic-Indic digit": raw_id("Session:\u0663"),
    "superscript digit": raw_id("Session:\u00b2"),
    "NUL in the type": raw_id("Sess\x00ion:1"),
}


def test_parse_global_id_range() -> None:
    assert parse_global_id(to_global_id("Session", MAX_DATABASE_ID)) == ("Session", MAX_DATABASE_ID)
    assert parse_global_id(to_global_id("Petition", 7)) == ("Petition", 7)
    for kind, value in OUT_OF_RANGE.items():
        assert parse_global_id(value) is None, kind


@pytest.mark.parametrize("kind", list(OUT_OF_RANGE))
async def test_node_out_of_range_is_null(
    kind: str, client: AsyncClient, count_statements: StatementCounter
) -> None:
    with count_statements:
        body = await gql(
            client, "query($id: ID!) { node(id: $id) { id } }", {"id": OUT_OF_RANGE[kind]}
        )
    assert body["data"] == {"node": None} and "errors" not in body
    assert count_statements.count == 0


async def test_node_at_the_top_of_the_range_is_null(client: AsyncClient) -> None:
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("Petition", MAX_DATABASE_ID)},
    )
    assert body["data"] == {"node": None} and "errors" not in body


async def test_id_argument_out_of_range_is_bad_input(client: AsyncClient) -> None:
    huge = {t: raw_id(f"{t}:{10**12}") for t in ("DelegateGroup", "Session", "Delegate")}
    cases = [
        (
            "query($g: ID) { delegates(filter: {groupId: $g}) { totalCount } }",
            {"g": huge["DelegateGroup"]},
        ),
        (
            "query($s: ID) { delegates(first: 1) { nodes { contributions(sessionId: $s) "
            "{ totalCount } } } }",
            {"s": huge["Session"]},
        ),
        (
            "query($d: ID) { petitions(filter: {delegateId: $d}) { totalCount } }",
            {"d": huge["Delegate"]},
        ),
    ]
    for document, variables in cases:
        body = await gql(client, document, variables)
        assert codes(body) == ["BAD_USER_INPUT"], (document, body)


async def test_mutation_with_id_out_of_range_is_invalid_input(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, engine: AsyncEngine
) -> None:
    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff-range", Role.STAFF)
    staff = bearer(settings, "staff-range")
    huge = raw_id(f"Petition:{10**12}")
    before = await count(engine, "petition_event")
    for mutation in (
        f'acknowledgePetition(id: "{huge}")',
        f'rejectPetition(id: "{huge}", reason: "Không thuộc thẩm quyền")',
        f'supportPetition(id: "{huge}")',
    ):
        body = await gql(
            client, f"mutation {{ {mutation} {{ userErrors {{ code field }} }} }}", headers=staff
        )
        assert "errors" not in body, body
        payload = next(iter(body["data"].values()))
        assert payload["userErrors"] == [{"code": "INVALID_INPUT", "field": ["id"]}], mutation
    submit = await gql(
        client,
        SUBMIT,
        {"input": petition_input(delegateId=raw_id(f"Delegate:{10**12}"))},
        bearer(settings, "citizen-range"),
    )
    assert submit["data"]["submitPetition"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await count(engine, "petition_event") == before


# ---- the CSV report ---------------------------------------------------------------------------


async def test_report_parameters(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    count_statements: StatementCounter,
) -> None:
    async with transaction(sessionmaker) as session:
        await grant_role(session, "monitor-range", Role.MONITOR)
    monitor = bearer(settings, "monitor-range")
    for kind, value in OUT_OF_RANGE.items():
        response = await client.get(f"/reports/sessions/{value}/compliance.csv", headers=monitor)
        assert response.status_code == 404, kind
        assert response.headers["content-type"].startswith("text/plain")
    with count_statements:
        nul_path = await client.get("/reports/sessions/a%00b/compliance.csv", headers=monitor)
        nul_query = await client.get(
            f"/reports/sessions/{to_global_id('Session', 1)}/compliance.csv?x=%00", headers=monitor
        )
    for response in (nul_path, nul_query):
        assert response.status_code == 400
        assert "không hợp lệ" in response.text
    assert count_statements.count == 0
