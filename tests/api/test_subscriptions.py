"""Live updates against real `hdnd serve` processes sharing one database: WebSocket
(graphql-transport-ws) subscriptions fed by PostgreSQL LISTEN/NOTIFY."""

import asyncio
import os
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from api.identity import issue_token
from api.settings import Settings
from db.engine import Sessionmaker
from schema.relay import to_global_id
from tests.channels_helpers import change_petition, make_cast, make_petition
from tests.conftest import TEST_SECRET, bearer, hdnd_command

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # generous: how long a test waits for something that must happen, not a timing

GROUP_POSTS = (
    "subscription($g: ID!) { groupPosts(groupId: $g) { id body authorName group { name } } }"
)
PETITION_EVENTS = (
    "subscription($p: ID!) { petitionEvents(petitionId: $p) { status actorRole note at } }"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One `hdnd serve` process on 127.0.0.1."""

    def __init__(self, port: int, process: asyncio.subprocess.Process, log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=WAIT)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def gql(self, query: str, variables: dict[str, Any], headers: dict[str, str]) -> Any:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def open_subscriptions(self) -> float:
        text = (await self.http.get("/metrics")).text
        for line in text.splitlines():
            if line.startswith("hdnd_subscriptions_active "):
                return float(line.split()[1])
        raise AssertionError("no hdnd_subscriptions_active in /metrics")

    async def wait_subscriptions(self, count: int) -> None:
        """Until `count` subscriptions are registered with the process's listener."""
        async with asyncio.timeout(WAIT):
            # Polling another process's /metrics: there is no event to wait on.
            while await self.open_subscriptions() != count:  # noqa: ASYNC110
                await asyncio.sleep(0.05)


@asynccontextmanager
async def serve(db_url: str, **env: str) -> AsyncIterator[Server]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")}
    environment |= {
        "HDND_DATABASE_URL": db_url,
        "HDND_JWT_SECRET": TEST_SECRET,
        "HDND_PORT": str(port),
        "HDND_LOG_LEVEL": "WARNING",
        **env,
    }
    with tempfile.NamedTemporaryFile(prefix="hdnd-serve-", suffix=".log", delete=False) as log:
        process = await asyncio.create_subprocess_exec(
            *hdnd_command(),
            "serve",
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=ROOT,
        )
    server = Server(port, process, Path(log.name))
    try:
        async with asyncio.timeout(90):
            while True:
                assert process.returncode is None, server.log.read_text()
                try:
                    if (await server.http.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        yield server
    finally:
        await server.http.aclose()
        process.terminate()
        try:
            async with asyncio.timeout(30):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
        server.log.unlink(missing_ok=True)


class Client:
    """A graphql-transport-ws client, as App Hậu Giang would use one."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    @asynccontextmanager
    async def signed_in(cls, server: Server, token: str | None) -> AsyncIterator["Client"]:
        async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            client = cls(ws)
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            await client.send({"type": "connection_init", "payload": payload})
            assert (await client.receive())["type"] == "connection_ack"
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(orjson.dumps(message).decode())

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        await self.send(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def receive(self, *, pings: bool = False) -> dict[str, Any]:
        """The next message (keep-alive pings answered and skipped unless `pings`)."""
        async with asyncio.timeout(WAIT):
            while True:
                frame = await self.ws.recv()
                # graphql-transport-ws speaks JSON text; clients refuse binary frames.
                assert isinstance(frame, str), f"binary frame: {frame!r}"
                message: dict[str, Any] = orjson.loads(frame)
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                    if not pings:
                        continue
                return message


def token(settings: Settings, sub: str) -> str:
    return issue_token(settings, sub)


async def listeners(engine: AsyncEngine) -> int:
    """LISTEN connections of server processes open on the test's database."""
    async with engine.connect() as connection:
        found = await connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'hdnd-listener'"
            )
        )
        return int(found.scalar_one())


POST = "mutation($g: ID!, $b: String!) { postToGroup(groupId: $g, body: $b) { post { id } userErrors { code } } }"


async def test_events_reach_a_subscriber_on_another_process(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker, engine: AsyncEngine
) -> None:
    cast = await make_cast(sessionmaker)
    petition = await make_petition(
        sessionmaker, cast.group_id, visibility="PRIVATE", submitter="voter"
    )
    async with (
        serve(db_url) as first,
        serve(db_url) as second,
        Client.signed_in(first, token(settings, "member")) as member,
    ):
        await member.subscribe("posts", GROUP_POSTS, {"g": cast.group_gid})
        await member.subscribe("events", PETITION_EVENTS, {"p": to_global_id("Petition", petition)})
        await first.wait_subscriptions(2)
        # One listening connection per process, however many subscribers it serves.
        assert await listeners(engine) == 2

        posted = await second.gql(
            POST, {"g": cast.group_gid, "b": "Họp Tổ sáng thứ Hai"}, bearer(settings, "leader")
        )
        assert posted["data"]["postToGroup"]["userErrors"] == []
        acked = await second.gql(
            ACKNOWLEDGE,
            {"id": to_global_id("Petition", petition), "note": "Đã tiếp nhận"},
            bearer(settings, "staff"),
        )
        assert acked["data"]["acknowledgePetition"]["userErrors"] == []

        received = {}
        while len(received) < 2:
            message = await member.receive()
            assert message["type"] == "next", message
            received[message["id"]] = message["payload"]
    post = received["posts"]["data"]["groupPosts"]
    assert post["id"] == posted["data"]["postToGroup"]["post"]["id"]
    assert post["body"] == "Họp Tổ sáng thứ Hai"
    assert post["group"]["name"]
    event = received["events"]["data"]["petitionEvents"]
    assert event["status"] == "ACKNOWLEDGED" and event["actorRole"] == "STAFF"
    assert event["note"] == "Đã tiếp nhận" and event["at"].endswith("+07:00")


ACKNOWLEDGE = """mutation($id: ID!, $note: String) { acknowledgePetition(id: $id, note: $note) {
  petition { status } userErrors { code } } }"""

INVITE = """mutation($g: ID!, $sub: String!) { inviteGuest(groupId: $g,
  input: {accountSub: $sub, fullName: "Phạm Thị Khách", title: "Chủ tịch HĐND xã"}) {
  guest { id } userErrors { code } } }"""
REMOVE = (
    "mutation($g: ID!, $id: ID!) { removeGuest(groupId: $g, guestId: $id) { userErrors { code } } }"
)


async def test_a_removed_guests_open_subscription_ends(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    leader = bearer(settings, "leader")
    async with serve(db_url) as server:
        invited = await server.gql(INVITE, {"g": cast.group_gid, "sub": "guest"}, leader)
        guest_id = invited["data"]["inviteGuest"]["guest"]["id"]
        async with (
            Client.signed_in(server, token(settings, "guest")) as guest,
            Client.signed_in(server, token(settings, "member")) as member,
        ):
            await guest.subscribe("g", GROUP_POSTS, {"g": cast.group_gid})
            await member.subscribe("m", GROUP_POSTS, {"g": cast.group_gid})
            await server.wait_subscriptions(2)
            await server.gql(POST, {"g": cast.group_gid, "b": "Chào khách mời"}, leader)
            assert (await guest.receive())["payload"]["data"]["groupPosts"][
                "body"
            ] == "Chào khách mời"
            assert (await member.receive())["type"] == "next"

            removed = await server.gql(REMOVE, {"g": cast.group_gid, "id": guest_id}, leader)
            assert removed["data"]["removeGuest"]["userErrors"] == []
            ended = await guest.receive()
            assert ended["type"] == "next" and ended["payload"]["data"] is None
            assert ended["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert await guest.receive() == {"id": "g", "type": "complete"}
            await server.wait_subscriptions(1)

            # The members' subscription goes on.
            await server.gql(POST, {"g": cast.group_gid, "b": "Tiếp tục"}, leader)
            assert (await member.receive())["payload"]["data"]["groupPosts"]["body"] == "Tiếp tục"


async def test_who_may_not_subscribe_to_a_group(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with serve(db_url) as server:
        for sub, code in (
            ("citizen", "FORBIDDEN"),
            ("outsider", "FORBIDDEN"),
            (None, "UNAUTHENTICATED"),
        ):
            async with Client.signed_in(server, token(settings, sub) if sub else None) as client:
                await client.subscribe("1", GROUP_POSTS, {"g": cast.group_gid})
                refused = await client.receive()
                assert refused["type"] == "error", refused
                assert refused["payload"][0]["extensions"]["code"] == code
        await server.wait_subscriptions(0)

        # A bad token refuses the connection itself; it is never taken as anonymous.
        async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}
            await ws.send(orjson.dumps(init).decode())
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(WAIT):
                    await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_private_petition_is_not_followed_by_those_who_may_not_see_it(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    private = await make_petition(
        sessionmaker, cast.group_id, visibility="PRIVATE", submitter="voter"
    )
    public = await make_petition(
        sessionmaker, cast.group_id, visibility="PUBLIC", submitter="voter"
    )
    async with (
        serve(db_url) as server,
        Client.signed_in(server, token(settings, "citizen")) as citizen,
        Client.signed_in(server, token(settings, "voter")) as submitter,
    ):
        await citizen.subscribe(
            "private", PETITION_EVENTS, {"p": to_global_id("Petition", private)}
        )
        refused = await citizen.receive()
        assert refused["type"] == "error" and refused["id"] == "private"
        assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        # A petition that does not exist answers exactly alike: nothing leaks.
        await citizen.subscribe("missing", PETITION_EVENTS, {"p": to_global_id("Petition", 999999)})
        missing = await citizen.receive()
        assert missing["payload"][0]["message"] == refused["payload"][0]["message"]

        await citizen.subscribe("public", PETITION_EVENTS, {"p": to_global_id("Petition", public)})
        await submitter.subscribe("own", PETITION_EVENTS, {"p": to_global_id("Petition", private)})
        await server.wait_subscriptions(2)
        # The private change commits first: were it delivered to the citizen, it would come
        # before the public one.
        await change_petition(sessionmaker, private, "ACKNOWLEDGED")
        await change_petition(sessionmaker, public, "ACKNOWLEDGED")
        first = await citizen.receive()
        assert first["id"] == "public" and first["type"] == "next"
        own = await submitter.receive()
        assert own["id"] == "own"
        assert own["payload"]["data"]["petitionEvents"]["status"] == "ACKNOWLEDGED"


async def test_keep_alive_pings_and_the_cap_on_subscriptions(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with (
        serve(db_url, HDND_WS_KEEP_ALIVE="0.2") as server,
        Client.signed_in(server, token(settings, "member")) as client,
    ):
        assert (await client.receive(pings=True))["type"] == "ping"
        for n in range(20):
            await client.subscribe(str(n), GROUP_POSTS, {"g": cast.group_gid})
        await client.subscribe("one too many", GROUP_POSTS, {"g": cast.group_gid})
        refused = await client.receive()
        assert refused["type"] == "error" and refused["id"] == "one too many"
        await server.wait_subscriptions(20)
        # A message larger than a POST body may be (1 MiB) closes the connection (1009).
        big = {"id": "big", "type": "subscribe", "payload": {"query": "#" + "x" * (1 << 20)}}
        with pytest.raises(ConnectionClosed) as closed:
            await client.send(big)
            await client.receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        # The server itself carries on.
        assert (await server.http.get("/healthz")).status_code == 200


async def test_subscribers_hear_posts_after_the_listening_connection_drops(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker, engine: AsyncEngine
) -> None:
    cast = await make_cast(sessionmaker)
    leader = bearer(settings, "leader")
    async with (
        serve(db_url) as server,
        Client.signed_in(server, token(settings, "member")) as member,
    ):
        await member.subscribe("p", GROUP_POSTS, {"g": cast.group_gid})
        await server.wait_subscriptions(1)
        async with engine.connect() as connection:
            await connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = 'hdnd-listener'"
                )
            )
        # Posted while the listener may still be away: delivered by NOTIFY once it is back,
        # or read from the table when the subscriber is told it may have missed events.
        await server.gql(POST, {"g": cast.group_gid, "b": "Trong lúc mất kết nối"}, leader)
        got = await member.receive()
        assert got["payload"]["data"]["groupPosts"]["body"] == "Trong lúc mất kết nối"
        await server.gql(POST, {"g": cast.group_gid, "b": "Sau đó"}, leader)
        # Exactly once: the next message is the next post, not the first one again.
        assert (await member.receive())["payload"]["data"]["groupPosts"]["body"] == "Sau đó"
