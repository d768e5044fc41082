"""The workflow: who may move a petition from which status, and refusals that change nothing."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.petition_helpers import (
    World,
    acknowledge,
    act,
    make_world,
    pk_of,
    snapshot,
    submitted,
)


async def forward(
    client: AsyncClient, h: dict[str, str], pid: str, agency: str = "Sở Giao thông vận tải"
) -> dict[str, Any]:
    return await act(
        client,
        h,
        "forwardPetition(id: $id, agency: $agency)",
        "$id: ID!, $agency: String!",
        {"id": pid, "agency": agency},
    )


async def answer(
    client: AsyncClient,
    h: dict[str, str],
    pid: str,
    body: str = "Đã bố trí vốn sửa chữa trong quý III.",
) -> dict[str, Any]:
    return await act(
        client,
        h,
        "answerPetition(id: $id, body: $body, respondent: $r)",
        "$id: ID!, $body: String!, $r: String!",
        {"id": pid, "body": body, "r": "Sở Giao thông vận tải"},
    )


async def reject(
    client: AsyncClient,
    h: dict[str, str],
    pid: str,
    reason: str = "Không thuộc thẩm quyền của HĐND tỉnh.",
) -> dict[str, Any]:
    return await act(
        client,
        h,
        "rejectPetition(id: $id, reason: $reason)",
        "$id: ID!, $reason: String!",
        {"id": pid, "reason": reason},
    )


async def close(
    client: AsyncClient, h: dict[str, str], pid: str, satisfied: bool = True
) -> dict[str, Any]:
    return await act(
        client,
        h,
        "closePetition(id: $id, satisfied: $s, comment: $c)",
        "$id: ID!, $s: Boolean!, $c: String",
        {"id": pid, "s": satisfied, "c": "Cảm ơn Tổ đại biểu."},
    )


async def support(client: AsyncClient, h: dict[str, str], pid: str) -> dict[str, Any]:
    return await act(client, h, "supportPetition(id: $id)", "$id: ID!", {"id": pid})


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload
    petition: dict[str, Any] = payload["petition"]
    return petition


async def test_the_whole_way_with_a_timeline(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    assert ok(await acknowledge(client, w.delegate, pid))["status"] == "ACKNOWLEDGED"
    assert ok(await forward(client, w.staff, pid))["status"] == "FORWARDED"
    answered = ok(await answer(client, w.delegate, pid))
    assert answered["status"] == "ANSWERED"
    assert answered["answer"] == {
        "body": "Đã bố trí vốn sửa chữa trong quý III.",
        "respondent": "Sở Giao thông vận tải",
    }
    closed = ok(await close(client, w.citizen_a, pid, satisfied=True))
    assert closed["status"] == "CLOSED"
    assert [e["status"] for e in closed["timeline"]] == [
        "SUBMITTED",
        "ACKNOWLEDGED",
        "FORWARDED",
        "ANSWERED",
        "CLOSED",
    ]
    assert closed["timeline"][2]["note"] == "Chuyển đến Sở Giao thông vận tải"
    assert closed["timeline"][4]["note"] == "Cử tri hài lòng: Cảm ơn Tổ đại biểu."
    async with sessionmaker() as session:
        audited = (
            await session.execute(
                sa.text(
                    "SELECT action, details FROM audit_event WHERE entity_type = 'petition' "
                    "AND action <> 'petition.submitter.read' ORDER BY id"
                )
            )
        ).all()
    # Each step records the status it left and the one it reached.
    assert [(action, details) for action, details in audited] == [
        ("petition.submit", {}),
        ("petition.acknowledge", {"from": "SUBMITTED", "to": "ACKNOWLEDGED"}),
        ("petition.forward", {"from": "ACKNOWLEDGED", "to": "FORWARDED"}),
        ("petition.answer", {"from": "FORWARDED", "to": "ANSWERED"}),
        ("petition.close", {"from": "ANSWERED", "to": "CLOSED"}),
    ]


async def test_answer_straight_after_acknowledging_and_reject_with_reason(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    ok(await acknowledge(client, w.delegate, pid))
    assert ok(await answer(client, w.staff, pid))["status"] == "ANSWERED"
    other = (await submitted(client, w.citizen_a))["id"]
    rejected = ok(await reject(client, w.delegate, other))
    assert rejected["status"] == "REJECTED"
    assert rejected["timeline"][-1]["note"] == "Không thuộc thẩm quyền của HĐND tỉnh."
    async with sessionmaker() as session:
        details = (
            await session.execute(
                sa.text(
                    "SELECT details FROM audit_event WHERE action IN "
                    "('petition.answer', 'petition.reject') ORDER BY id"
                )
            )
        ).scalars()
        assert list(details) == [
            {"from": "ACKNOWLEDGED", "to": "ANSWERED"},
            {"from": "SUBMITTED", "to": "REJECTED"},
        ]


Setup = Callable[[AsyncClient, World, str], Awaitable[None]]


async def _to_acknowledged(client: AsyncClient, w: World, pid: str) -> None:
    ok(await acknowledge(client, w.staff, pid))


async def _to_forwarded(client: AsyncClient, w: World, pid: str) -> None:
    await _to_acknowledged(client, w, pid)
    ok(await forward(client, w.staff, pid))


async def _to_answered(client: AsyncClient, w: World, pid: str) -> None:
    await _to_forwarded(client, w, pid)
    ok(await answer(client, w.staff, pid))


async def _to_closed(client: AsyncClient, w: World, pid: str) -> None:
    await _to_answered(client, w, pid)
    ok(await close(client, w.citizen_a, pid))


async def _to_rejected(client: AsyncClient, w: World, pid: str) -> None:
    ok(await reject(client, w.staff, pid))


async def _nothing(client: AsyncClient, w: World, pid: str) -> None:
    return None


SETUPS: dict[str, Setup] = {
    "SUBMITTED": _nothing,
    "ACKNOWLEDGED": _to_acknowledged,
    "FORWARDED": _to_forwarded,
    "ANSWERED": _to_answered,
    "CLOSED": _to_closed,
    "REJECTED": _to_rejected,
}

ACTIONS: dict[str, Callable[[AsyncClient, dict[str, str], str], Awaitable[dict[str, Any]]]] = {
    "acknowledge": acknowledge,
    "forward": forward,
    "answer": answer,
    "reject": reject,
    "close": close,
    "support": support,
}

# (status the petition is in, action, who tries, the refusal expected)
REFUSED = [
    # from a status the table does not list
    ("ACKNOWLEDGED", "acknowledge", "delegate", "INVALID_TRANSITION"),
    ("CLOSED", "acknowledge", "staff", "INVALID_TRANSITION"),
    ("SUBMITTED", "forward", "delegate", "INVALID_TRANSITION"),
    ("FORWARDED", "forward", "staff", "INVALID_TRANSITION"),
    ("SUBMITTED", "answer", "delegate", "INVALID_TRANSITION"),
    ("ANSWERED", "answer", "staff", "INVALID_TRANSITION"),
    ("FORWARDED", "reject", "delegate", "INVALID_TRANSITION"),
    ("ANSWERED", "reject", "staff", "INVALID_TRANSITION"),
    ("REJECTED", "reject", "staff", "INVALID_TRANSITION"),
    ("ACKNOWLEDGED", "close", "citizen_a", "INVALID_TRANSITION"),
    ("CLOSED", "close", "citizen_a", "INVALID_TRANSITION"),
    ("CLOSED", "support", "citizen_b", "INVALID_TRANSITION"),
    ("REJECTED", "support", "citizen_b", "INVALID_TRANSITION"),
    # by someone the table does not list
    ("SUBMITTED", "acknowledge", "anonymous", "UNAUTHENTICATED"),
    ("SUBMITTED", "acknowledge", "citizen_a", "FORBIDDEN"),
    ("SUBMITTED", "acknowledge", "citizen_b", "FORBIDDEN"),
    ("SUBMITTED", "acknowledge", "outsider", "FORBIDDEN"),
    ("SUBMITTED", "acknowledge", "monitor", "FORBIDDEN"),
    ("SUBMITTED", "acknowledge", "admin", "FORBIDDEN"),
    ("ACKNOWLEDGED", "forward", "outsider", "FORBIDDEN"),
    ("FORWARDED", "answer", "citizen_b", "FORBIDDEN"),
    ("SUBMITTED", "reject", "monitor", "FORBIDDEN"),
    ("ANSWERED", "close", "delegate", "FORBIDDEN"),
    ("ANSWERED", "close", "staff", "FORBIDDEN"),
    ("ANSWERED", "close", "citizen_b", "FORBIDDEN"),
    ("SUBMITTED", "support", "citizen_a", "FORBIDDEN"),  # their own
    ("SUBMITTED", "support", "delegate", "FORBIDDEN"),
    ("SUBMITTED", "support", "anonymous", "UNAUTHENTICATED"),
]


@pytest.mark.parametrize(("status", "action", "who", "code"), REFUSED)
async def test_refused_steps_change_nothing(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    status: str,
    action: str,
    who: str,
    code: str,
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    await SETUPS[status](client, w, pid)
    before = await snapshot(sessionmaker, pk_of(pid))
    payload = await ACTIONS[action](client, w.viewers()[who], pid)
    assert payload["petition"] is None
    assert [e["code"] for e in payload["userErrors"]] == [code]
    assert payload["userErrors"][0]["message"]
    assert await snapshot(sessionmaker, pk_of(pid)) == before


INVALID_ARGS = [
    ("forward", lambda c, h, p: forward(c, h, p, agency="   "), ["agency"], "ACKNOWLEDGED"),
    ("answer", lambda c, h, p: answer(c, h, p, body=" "), ["body"], "ACKNOWLEDGED"),
    ("reject", lambda c, h, p: reject(c, h, p, reason=""), ["reason"], "SUBMITTED"),
    ("reject", lambda c, h, p: reject(c, h, p, reason="x" * 2001), ["reason"], "SUBMITTED"),
]


@pytest.mark.parametrize(("name", "call", "field", "status"), INVALID_ARGS)
async def test_invalid_arguments_change_nothing(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    name: str,
    call: Callable[[AsyncClient, dict[str, str], str], Awaitable[dict[str, Any]]],
    field: list[str],
    status: str,
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    await SETUPS[status](client, w, pid)
    before = await snapshot(sessionmaker, pk_of(pid))
    payload = await call(client, w.staff, pid)
    assert payload["petition"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "INVALID_INPUT")]
    assert await snapshot(sessionmaker, pk_of(pid)) == before


async def test_hidden_or_unknown_petitions_are_not_found(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    private = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    before = await snapshot(sessionmaker, pk_of(private))
    for who in ("citizen_b", "outsider"):
        for name in ("acknowledge", "support", "close"):
            payload = await ACTIONS[name](client, w.viewers()[who], private)
            assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], (who, name)
    assert await snapshot(sessionmaker, pk_of(private)) == before
    from schema.relay import to_global_id

    missing = await acknowledge(client, w.staff, to_global_id("Petition", 987654))
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]
    bad = await acknowledge(client, w.staff, "not-an-id")
    assert [(e["field"], e["code"]) for e in bad["userErrors"]] == [(["id"], "INVALID_INPUT")]


async def test_addressed_delegate_and_group_members_may_handle(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    from tests.petition_helpers import delegate_gid

    w = await make_world(settings, sessionmaker)
    # Addressed to a Ngã Bảy delegate: that delegate's account may act, a Vị Thanh one may not.
    pid = (
        await submitted(client, w.citizen_a, delegateId=delegate_gid(w.nga_bay_delegate_ids[0]))
    )["id"]
    refused = await acknowledge(client, w.delegate, pid)
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    ok(await acknowledge(client, w.outsider, pid))


async def test_support_counts_once_and_only_for_public_open_petitions(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    assert ok(await support(client, w.citizen_b, pid))["supportCount"] == 1
    again = await support(client, w.citizen_b, pid)
    assert [e["code"] for e in again["userErrors"]] == ["DUPLICATE"]
    from tests.conftest import gql

    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Petition { supportCount viewerHasSupported } } }",
        {"id": pid},
        w.citizen_b,
    )
    assert body["data"]["node"] == {"supportCount": 1, "viewerHasSupported": True}
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Petition { viewerHasSupported } } }",
        {"id": pid},
        w.citizen_a,
    )
    assert body["data"]["node"] == {"viewerHasSupported": False}
