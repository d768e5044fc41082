"""Keeping the directory: createDelegate, updateDelegate, endDelegateService, setGroupLeader.
Every change is audited and kept in the history."""

from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient
from sqlmodel import col

from api.settings import Settings
from db.engine import Sessionmaker
from db.tables import AuditEvent
from tests.conftest import bearer, gql
from tests.schema.council.directory import CREATE, END, HISTORY, LEADER, UPDATE


async def test_create_update_end_and_lead_with_history(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, ids: dict[str, Any]
) -> None:
    staff, admin = bearer(settings, "staff"), bearer(settings, "admin")
    body = await gql(
        client,
        CREATE,
        {
            "input": {
                "fullName": "  Nguyễn Văn Mới ",
                "title": "Phó Giám đốc",
                "workplace": "Sở Y tế",
                "photoUrl": "https://haugiang.gov.vn/anh/moi.jpg",
                "isFullTime": False,
                "groupId": ids["vi_thanh"],
                "committeeIds": [ids["legal"]],
                "servedFrom": "2026-11-01",
            }
        },
        staff,
    )
    payload = body["data"]["createDelegate"]
    assert payload["userErrors"] == []
    new = payload["delegate"]
    assert new | {"id": None} == {
        "id": None,
        "fullName": "Nguyễn Văn Mới",
        "title": "Phó Giám đốc",
        "workplace": "Sở Y tế",
        "photoUrl": "https://haugiang.gov.vn/anh/moi.jpg",
        "isFullTime": False,
        "servedFrom": "2026-11-01",
        "servedUntil": None,
        "endReason": None,
        "group": {"name": "Tổ đại biểu thành phố Vị Thanh"},
        "constituency": None,
        "committees": [{"kind": "LEGAL"}],
    }
    # Found by the directory's diacritics-insensitive search.
    body = await gql(client, '{ delegates(filter: {search: "nguyen van moi"}) { nodes { id } } }')
    assert body["data"]["delegates"]["nodes"] == [{"id": new["id"]}]

    # Only the fields given change.
    body = await gql(
        client,
        UPDATE,
        {
            "id": new["id"],
            "input": {"title": "Giám đốc", "committeeIds": [ids["economy"]], "workplace": None},
        },
        admin,
    )
    updated = body["data"]["updateDelegate"]["delegate"]
    assert (updated["title"], updated["workplace"], updated["fullName"]) == (
        "Giám đốc",
        None,
        "Nguyễn Văn Mới",
    )
    assert updated["committees"] == [{"kind": "ECONOMY_BUDGET"}]

    body = await gql(
        client, END, {"id": new["id"], "on": "2026-11-20", "reason": "Chuyển công tác"}, staff
    )
    assert body["data"]["endDelegateService"]["delegate"] | {"group": None} == {
        "servedUntil": "2026-11-20",
        "endReason": "Chuyển công tác",
        "group": None,
    }

    body = await gql(client, HISTORY, {"id": new["id"]}, bearer(settings, "monitor"))
    history = body["data"]["node"]["history"]
    assert [(h["action"], h["actorRole"]) for h in history] == [
        ("create", "STAFF"),
        ("update", "ADMIN"),
        ("end", "STAFF"),
    ]
    assert {f["field"]: (f["before"], f["after"]) for f in history[1]["fields"]} == {
        "title": ('"Phó Giám đốc"', '"Giám đốc"'),
        "workplace": ('"Sở Y tế"', None),
        "committeeIds": (f'["{ids["legal"]}"]', f'["{ids["economy"]}"]'),
    }
    assert {f["field"]: f["after"] for f in history[2]["fields"]} == {
        "servedUntil": '"2026-11-20"',
        "endReason": '"Chuyển công tác"',
    }
    async with sessionmaker() as session:
        actions = (
            (
                await session.execute(
                    sa.select(col(AuditEvent.action)).where(
                        col(AuditEvent.action).like("directory.%"),
                        col(AuditEvent.action) != "directory.load",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(actions) == ["directory.create", "directory.end", "directory.update"]

    # The leader of Vị Thanh leaves: the group has no leader until the office sets one.
    body = await gql(
        client, END, {"id": ids["vt_leader"], "on": "2026-11-26", "reason": "Nghỉ hưu"}, staff
    )
    ended = body["data"]["endDelegateService"]
    assert ended["userErrors"] == []
    assert ended["delegate"]["group"]["leader"] is None
    body = await gql(client, LEADER, {"g": ids["vi_thanh"], "d": ids["tai"]}, staff)
    assert body["data"]["setGroupLeader"] == {
        "group": {
            "name": "Tổ đại biểu thành phố Vị Thanh",
            "leader": {"fullName": "Huỳnh Minh Tài"},
        },
        "userErrors": [],
    }
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on DelegateGroup { history { action fields { field before after } } } } }",
        {"id": ids["vi_thanh"]},
        staff,
    )
    leader_history = body["data"]["node"]["history"]
    assert [h["fields"][0]["after"] for h in leader_history] == [None, f'"{ids["tai"]}"']
    assert leader_history[0]["fields"][0]["before"] == f'"{ids["vt_leader"]}"'
