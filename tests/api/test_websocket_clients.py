"""Subscriptions with standard clients: every frame the server sends is text, and the reference
JavaScript client (`graphql-ws`, run by node) receives a post and a petition event from a real
`hdnd serve` process."""

import asyncio
import os
import shutil
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from api.settings import Settings
from db.engine import Sessionmaker
from schema.relay import to_global_id
from tests.api.test_subscriptions import (
    ACKNOWLEDGE,
    GROUP_POSTS,
    POST,
    ROOT,
    WAIT,
    serve,
    token,
)
from tests.channels_helpers import make_cast, make_petition
from tests.conftest import bearer

JS = ROOT / "tests" / "js"


async def test_every_frame_the_server_sends_is_text(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    frames: list[str | bytes] = []
    async with (
        serve(db_url, HDND_WS_KEEP_ALIVE="0.2") as server,
        connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws,
    ):

        async def send(message: dict[str, Any]) -> None:
            await ws.send(orjson.dumps(message).decode())

        async def receive(wanted: str) -> dict[str, Any]:
            """Frames until one of type `wanted`, every one kept."""
            async with asyncio.timeout(WAIT):
                while True:
                    frame = await ws.recv()
                    frames.append(frame)
                    message: dict[str, Any] = orjson.loads(frame)
                    if message["type"] == wanted:
                        return message

        await send(
            {
                "type": "connection_init",
                "payload": {"Authorization": "Bearer " + token(settings, "member")},
            }
        )
        await receive("connection_ack")
        await receive("ping")  # the server's keep-alive
        await send({"type": "ping"})
        await receive("pong")
        query = {"query": "query Hello { __typename }"}
        await send({"id": "q", "type": "subscribe", "payload": query})
        assert (await receive("next"))["payload"] == {"data": {"__typename": "Query"}}
        await receive("complete")
        refused = {"query": GROUP_POSTS, "variables": {"g": cast.other_group_gid}}
        await send({"id": "other", "type": "subscribe", "payload": refused})
        assert (await receive("error"))["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        followed = {"query": GROUP_POSTS, "variables": {"g": cast.group_gid}}
        await send({"id": "posts", "type": "subscribe", "payload": followed})
        await server.wait_subscriptions(1)
        await server.gql(
            POST, {"g": cast.group_gid, "b": "Khung văn bản"}, bearer(settings, "leader")
        )
        post = await receive("next")
        assert post["payload"]["data"]["groupPosts"]["body"] == "Khung văn bản"

    kinds = {orjson.loads(f)["type"] for f in frames}
    assert kinds >= {"connection_ack", "ping", "pong", "next", "complete", "error"}
    binary = [f for f in frames if not isinstance(f, str)]
    assert binary == [], "graphql-transport-ws messages must be text frames"


async def _npm_install() -> None:
    """tests/js's pinned packages, once (CI installs them in .ci/run; no lock file is kept)."""
    if (JS / "node_modules" / "graphql-ws" / "package.json").exists():
        return
    npm = shutil.which("npm")
    assert npm is not None
    process = await asyncio.create_subprocess_exec(
        npm,
        "install",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        cwd=JS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 600)
    assert process.returncode == 0, output.decode(errors="replace")


@pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed to run the graphql-ws JavaScript client (tests/js)",
)
async def test_the_reference_javascript_client_receives_events(
    db_url: str, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    await _npm_install()
    cast = await make_cast(sessionmaker)
    petition = await make_petition(
        sessionmaker, cast.group_id, visibility="PRIVATE", submitter="voter"
    )
    node = shutil.which("node")
    assert node is not None
    async with serve(db_url) as server:
        environment = {
            **os.environ,
            "HDND_WS_URL": server.ws_url,
            "HDND_TOKEN": token(settings, "member"),
            "HDND_GROUP_ID": cast.group_gid,
            "HDND_PETITION_ID": to_global_id("Petition", petition),
            "HDND_EXPECT": "2",
        }
        client = await asyncio.create_subprocess_exec(
            node,
            str(JS / "subscribe.mjs"),
            cwd=JS,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            assert client.stdout is not None and client.stderr is not None
            async with asyncio.timeout(WAIT):
                first = await client.stdout.readline()
            if not first:  # the client gave up: say why
                await client.wait()
                pytest.fail((await client.stderr.read()).decode(errors="replace"))
            assert orjson.loads(first) == {"connected": True}, first
            await server.wait_subscriptions(2)
            leader = bearer(settings, "leader")
            posted = await server.gql(
                POST, {"g": cast.group_gid, "b": "Chào từ graphql-ws"}, leader
            )
            assert posted["data"]["postToGroup"]["userErrors"] == []
            acked = await server.gql(
                ACKNOWLEDGE,
                {"id": to_global_id("Petition", petition), "note": "Đã tiếp nhận"},
                bearer(settings, "staff"),
            )
            assert acked["data"]["acknowledgePetition"]["userErrors"] == []
            async with asyncio.timeout(WAIT):
                rest, complaints = await client.communicate()
        finally:
            if client.returncode is None:
                client.kill()
                await client.wait()
    assert client.returncode == 0, complaints.decode(errors="replace")
    received = {m["id"]: m["result"] for m in map(orjson.loads, rest.splitlines())}
    assert received["posts"] == {
        "data": {
            "groupPosts": {
                "id": posted["data"]["postToGroup"]["post"]["id"],
                "body": "Chào từ graphql-ws",
            }
        }
    }
    assert received["events"] == {
        "data": {"petitionEvents": {"status": "ACKNOWLEDGED", "actorRole": "STAFF"}}
    }


def test_js_dependencies_are_pinned_exactly() -> None:
    """No range: the suite runs the client version it was written against."""
    manifest = orjson.loads((JS / "package.json").read_bytes())
    for name, version in manifest["dependencies"].items():
        assert version[0].isdigit() and all(c.isdigit() or c == "." for c in version), name
    assert {"graphql-ws", "ws"} <= set(manifest["dependencies"])
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "node_modules/" in ignored and "package-lock.json" in ignored
