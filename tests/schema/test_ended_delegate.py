"""A delegate holds petitions through their office: once their service has ended they no longer
read their inbox, PRIVATE petitions or submitters, nor move a petition; their last day of
service is still a day of service."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.clock import local_date
from db.clock import now as clock_now
from db.engine import Sessionmaker, transaction
from tests.conftest import gql
from tests.petition_helpers import (
    acknowledge,
    delegate_gid,
    make_world,
    pk_of,
    snapshot,
    submitted,
)

INBOX = "{ inbox(first: 100) { totalCount nodes { id submitter { fullName phone } } } }"
PETITIONS = "{ petitions(first: 100) { nodes { id } } }"
NODE = """query($id: ID!) { node(id: $id) { ... on Petition { id title
  submitter { fullName phone } } } }"""
END = """mutation($id: ID!, $on: Date!) { endDelegateService(id: $id, on: $on,
  reason: "Chuyển công tác khác") { delegate { servedUntil } userErrors { code message } } }"""


async def _reads(client: AsyncClient, headers: dict[str, str], ids: list[str]) -> dict[str, Any]:
    """What the viewer reads of the petitions `ids`: inbox, list, node and submitter."""
    inbox = (await gql(client, INBOX, None, headers))["data"]["inbox"]
    listed = {
        n["id"] for n in (await gql(client, PETITIONS, None, headers))["data"]["petitions"]["nodes"]
    }
    nodes = [(await gql(client, NODE, {"id": pid}, headers))["data"]["node"] for pid in ids]
    return {
        "inbox": sorted(n["id"] for n in inbox["nodes"]),
        "inbox_count": inbox["totalCount"],
        "inbox_submitters": [n["submitter"] for n in inbox["nodes"]],
        "listed": sorted(pid for pid in ids if pid in listed),
        "nodes": [n["id"] if n else None for n in nodes],
        "submitters": [n["submitter"] if n else None for n in nodes],
    }


async def test_a_delegate_whose_service_ended_holds_no_petitions(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    member_pk = w.vi_thanh_delegate_ids[0]  # `w.delegate`'s delegate
    # Addressed to another member of the group, so `w.delegate` holds them as a group member.
    to = delegate_gid(w.vi_thanh_delegate_ids[1])
    private = (await submitted(client, w.citizen_a, visibility="PRIVATE", delegateId=to))["id"]
    public = (await submitted(client, w.citizen_a, delegateId=to, title="Cống thoát nước bị tắc"))[
        "id"
    ]
    ids = sorted([private, public])
    mai = {"fullName": "Nguyễn Thị Mai", "phone": "+84901234567"}
    serving = {
        "inbox": ids,
        "inbox_count": 2,
        "inbox_submitters": [mai, mai],
        "listed": ids,
        "nodes": ids,
        "submitters": [mai, mai],
    }
    assert await _reads(client, w.delegate, ids) == serving

    # Their last day of service is today: still a day of service.
    today = local_date(clock_now())
    ended = await gql(
        client, END, {"id": delegate_gid(member_pk), "on": today.isoformat()}, w.staff
    )
    assert ended["data"]["endDelegateService"]["userErrors"] == [], ended
    assert await _reads(client, w.delegate, ids) == serving

    # The day after: their service has ended (the account keeps its DELEGATE role and link).
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.text("UPDATE delegate SET served_until = :d WHERE id = :id"),
            {"d": today - timedelta(days=1), "id": member_pk},
        )
    me = await gql(client, "{ me { role delegate { id } } }", None, w.delegate)
    assert me["data"]["me"] == {"role": "DELEGATE", "delegate": {"id": delegate_gid(member_pk)}}
    assert await _reads(client, w.delegate, ids) == {
        "inbox": [],
        "inbox_count": 0,
        "inbox_submitters": [],
        "listed": [public],  # PUBLIC, as for anyone
        "nodes": [n if n == public else None for n in ids],
        "submitters": [None, None],
    }

    # Nor may they move either petition; nothing changes.
    before = [await snapshot(sessionmaker, pk_of(pid)) for pid in ids]
    refused = await acknowledge(client, w.delegate, public)
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    hidden = await acknowledge(client, w.delegate, private)
    assert [e["code"] for e in hidden["userErrors"]] == ["NOT_FOUND"]
    assert [await snapshot(sessionmaker, pk_of(pid)) for pid in ids] == before
    # The addressed delegate, still serving, may.
    assert (await acknowledge(client, w.addressed, private))["userErrors"] == []
