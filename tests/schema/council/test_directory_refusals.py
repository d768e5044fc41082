"""Keeping the directory: every refusal changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.conftest import bearer, gql
from tests.schema.council.directory import CREATE, END, HISTORY, LEADER, UPDATE, gid, snapshot

GOOD = {"fullName": "Lê Thị Hoa", "servedFrom": "2026-11-01"}  # and the Vị Thanh group
Variables = Callable[[dict[str, Any]], dict[str, Any]]


def good(ids: dict[str, Any], **changed: Any) -> dict[str, Any]:
    """createDelegate's `input` for a new Vị Thanh delegate, with `changed` (None: left out)."""
    values = {**GOOD, "groupId": ids["vi_thanh"], **changed}
    return {"input": {k: v for k, v in values.items() if v is not None}}


CALLS: list[tuple[str, Variables, str]] = [
    (CREATE, good, "createDelegate"),
    (UPDATE, lambda ids: {"id": ids["tai"], "input": {"title": "Khác"}}, "updateDelegate"),
    (
        END,
        lambda ids: {"id": ids["tai"], "on": "2026-11-01", "reason": "Thử"},
        "endDelegateService",
    ),
    (LEADER, lambda ids: {"g": ids["vi_thanh"], "d": ids["tai"]}, "setGroupLeader"),
]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "deleg", "monitor"])
async def test_only_the_office_keeps_the_directory(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    ids: dict[str, Any],
    who: str,
) -> None:
    headers = {} if who == "anonymous" else bearer(settings, who)
    before = await snapshot(sessionmaker)
    for query, variables, name in CALLS:
        body = await gql(client, query, variables(ids), headers)
        payload = body["data"][name]
        # Sign in first (no credentials), else FORBIDDEN.
        code = "FORBIDDEN" if headers else "UNAUTHENTICATED"
        assert [e["code"] for e in payload["userErrors"]] == [code], (name, headers)
        assert payload.get("delegate", payload.get("group")) is None
    assert await snapshot(sessionmaker) == before


@pytest.mark.parametrize(
    ("query", "variables", "name", "code", "field"),
    [
        pytest.param(
            CREATE,
            lambda ids: good(ids, fullName=" "),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "fullName"],
            id="a blank name",
        ),
        pytest.param(
            CREATE,
            lambda ids: {"input": GOOD},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
            id="no group",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, groupId="rubbish"),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
            id="a group id that is no id",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, groupId=gid("DelegateGroup", 9999)),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
            id="a group that does not exist",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, servedFrom="2019-01-01"),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "servedFrom"],
            id="service before the term",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, photoUrl="http://example.com/a.jpg"),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "photoUrl"],
            id="a photo not over https",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, committeeIds=[ids["legal"], gid("Committee", 9999)]),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "committeeIds", "1"],
            id="a committee that does not exist",
        ),
        pytest.param(
            CREATE,
            lambda ids: good(ids, constituencyId=gid("Constituency", 9999)),
            "createDelegate",
            "INVALID_INPUT",
            ["input", "constituencyId"],
            id="a constituency that does not exist",
        ),
        pytest.param(
            UPDATE,
            lambda ids: {"id": gid("Delegate", 9999), "input": {"title": "Khác"}},
            "updateDelegate",
            "NOT_FOUND",
            ["id"],
            id="updating a delegate who does not exist",
        ),
        pytest.param(
            UPDATE,
            lambda ids: {"id": ids["tai"], "input": {"fullName": None}},
            "updateDelegate",
            "INVALID_INPUT",
            ["input", "fullName"],
            id="removing the name",
        ),
        pytest.param(
            END,
            lambda ids: {"id": ids["tai"], "on": "2020-01-01", "reason": "Thử lại"},
            "endDelegateService",
            "INVALID_INPUT",
            ["on"],
            id="ending before service began",
        ),
        pytest.param(
            END,
            lambda ids: {"id": ids["tai"], "on": "2026-11-01", "reason": " "},
            "endDelegateService",
            "INVALID_INPUT",
            ["reason"],
            id="ending without a reason",
        ),
        pytest.param(
            LEADER,
            lambda ids: {"g": ids["vi_thanh"], "d": ids["lan"]},
            "setGroupLeader",
            "INVALID_INPUT",
            ["delegateId"],
            id="a leader from another group",
        ),
        pytest.param(
            LEADER,
            lambda ids: {"g": gid("DelegateGroup", 9999), "d": ids["tai"]},
            "setGroupLeader",
            "NOT_FOUND",
            ["groupId"],
            id="a group that does not exist",
        ),
    ],
)
async def test_invalid_directory_input_changes_nothing(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    ids: dict[str, Any],
    query: str,
    variables: Variables,
    name: str,
    code: str,
    field: list[str],
) -> None:
    before = await snapshot(sessionmaker)
    body = await gql(client, query, variables(ids), bearer(settings, "staff"))
    payload = body["data"][name]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert all(e["message"] for e in payload["userErrors"])
    assert await snapshot(sessionmaker) == before


async def test_ending_twice_and_leading_after_leaving_are_refused(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, ids: dict[str, Any]
) -> None:
    staff = bearer(settings, "staff")
    # Ending twice is refused; so is leading a group after leaving it.
    body = await gql(
        client, END, {"id": ids["tai"], "on": "2026-11-02", "reason": "Nghỉ hưu"}, staff
    )
    assert body["data"]["endDelegateService"]["userErrors"] == []
    after_end = await snapshot(sessionmaker)
    body = await gql(
        client, END, {"id": ids["tai"], "on": "2026-11-03", "reason": "Nghỉ hưu"}, staff
    )
    assert [(e["field"], e["code"]) for e in body["data"]["endDelegateService"]["userErrors"]] == [
        (["id"], "INVALID_TRANSITION")
    ]
    body = await gql(client, LEADER, {"g": ids["vi_thanh"], "d": ids["tai"]}, staff)
    assert [(e["field"], e["code"]) for e in body["data"]["setGroupLeader"]["userErrors"]] == [
        (["delegateId"], "INVALID_INPUT")
    ]
    assert await snapshot(sessionmaker) == after_end

    # The history is for the office and the committee only.
    body = await gql(client, HISTORY, {"id": ids["tai"]}, bearer(settings, "citizen"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
