"""Keeping the directory: createDelegate, updateDelegate, endDelegateService, setGroupLeader.
Every change is audited and kept in the history; every refusal changes nothing."""

from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from sqlmodel import col

from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.tables import (
    AuditEvent,
    Committee,
    CommitteeMember,
    Delegate,
    DelegateGroup,
    DirectoryChange,
)
from db.viewer import Role
from schema.relay import to_global_id
from tests.conftest import bearer, gql

DELEGATE_FIELDS = """id fullName title workplace photoUrl isFullTime servedFrom servedUntil endReason
  group { name } constituency { number } committees { kind }"""
CREATE = f"""mutation($input: DelegateInput!) {{ createDelegate(input: $input) {{
  delegate {{ {DELEGATE_FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: DelegateInput!) {{ updateDelegate(id: $id, input: $input) {{
  delegate {{ {DELEGATE_FIELDS} }} userErrors {{ field code message }} }} }}"""
END = """mutation($id: ID!, $on: Date!, $reason: String!) {
  endDelegateService(id: $id, on: $on, reason: $reason) {
    delegate { servedUntil endReason group { leader { fullName } } } userErrors { field code message } } }"""
LEADER = """mutation($g: ID!, $d: ID!) { setGroupLeader(groupId: $g, delegateId: $d) {
  group { name leader { fullName } } userErrors { field code message } } }"""
HISTORY = """query($id: ID!) { node(id: $id) { ... on Delegate { history { action actorRole
  fields { field before after } } } } }"""


def gid(kind: str, pk: int) -> str:
    return str(to_global_id(kind, pk))


@pytest.fixture
async def ids(sessionmaker: Sessionmaker) -> dict[str, Any]:
    async with transaction(sessionmaker) as session:
        groups = {g.name: g for g in (await session.execute(sa.select(DelegateGroup))).scalars()}
        committees = {c.kind: c.id for c in (await session.execute(sa.select(Committee))).scalars()}
        delegates = {d.full_name: d for d in (await session.execute(sa.select(Delegate))).scalars()}
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "admin", Role.ADMIN)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "deleg", Role.DELEGATE, delegates["Huỳnh Minh Tài"].id)
    vt = groups["Tổ đại biểu thành phố Vị Thanh"]
    nb = groups["Tổ đại biểu thành phố Ngã Bảy"]
    return {
        "vi_thanh": gid("DelegateGroup", vt.id or 0),
        "nga_bay": gid("DelegateGroup", nb.id or 0),
        "vt_leader": gid("Delegate", vt.leader_id or 0),
        "tai": gid("Delegate", delegates["Huỳnh Minh Tài"].id or 0),
        "lan": gid("Delegate", delegates["Phan Hồng Lan"].id or 0),
        "legal": gid("Committee", committees["LEGAL"] or 0),
        "economy": gid("Committee", committees["ECONOMY_BUDGET"] or 0),
    }


async def snapshot(sessionmaker: Sessionmaker) -> tuple[Any, ...]:
    """Every row the directory mutations write, as it stands."""
    async with sessionmaker() as session:

        async def rows(stmt: Any) -> list[Any]:
            return [tuple(r) for r in (await session.execute(stmt)).all()]

        return (
            await rows(
                sa.select(Delegate.__table__).order_by(col(Delegate.id))  # type: ignore[attr-defined]
            ),
            await rows(sa.select(DelegateGroup.__table__).order_by(col(DelegateGroup.id))),  # type: ignore[attr-defined]
            await rows(
                sa.select(CommitteeMember.__table__).order_by(  # type: ignore[attr-defined]
                    col(CommitteeMember.delegate_id), col(CommitteeMember.committee_id)
                )
            ),
            await rows(sa.select(sa.func.count()).select_from(DirectoryChange)),
            await rows(sa.select(sa.func.count()).select_from(AuditEvent)),
        )


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


async def test_directory_refusals_change_nothing(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, ids: dict[str, Any]
) -> None:
    staff = bearer(settings, "staff")
    good = {"fullName": "Lê Thị Hoa", "groupId": ids["vi_thanh"], "servedFrom": "2026-11-01"}
    before = await snapshot(sessionmaker)
    outsiders = [
        {},
        bearer(settings, "citizen"),
        bearer(settings, "deleg"),
        bearer(settings, "monitor"),
    ]
    for headers in outsiders:
        calls = [
            (CREATE, {"input": good}, "createDelegate"),
            (UPDATE, {"id": ids["tai"], "input": {"title": "Khác"}}, "updateDelegate"),
            (END, {"id": ids["tai"], "on": "2026-11-01", "reason": "Thử"}, "endDelegateService"),
            (LEADER, {"g": ids["vi_thanh"], "d": ids["tai"]}, "setGroupLeader"),
        ]
        for query, variables, name in calls:
            body = await gql(client, query, variables, headers)
            payload = body["data"][name]
            # Sign in first (no credentials), else FORBIDDEN.
            code = "FORBIDDEN" if headers else "UNAUTHENTICATED"
            assert [e["code"] for e in payload["userErrors"]] == [code], (name, headers)
            assert payload.get("delegate", payload.get("group")) is None

    invalid: list[tuple[str, dict[str, Any], str, str, list[str]]] = [
        (
            CREATE,
            {"input": {**good, "fullName": " "}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "fullName"],
        ),
        (
            CREATE,
            {"input": {k: v for k, v in good.items() if k != "groupId"}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
        ),
        (
            CREATE,
            {"input": {**good, "groupId": "rubbish"}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
        ),
        (
            CREATE,
            {"input": {**good, "groupId": gid("DelegateGroup", 9999)}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "groupId"],
        ),
        (
            CREATE,
            {"input": {**good, "servedFrom": "2019-01-01"}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "servedFrom"],
        ),
        (
            CREATE,
            {"input": {**good, "photoUrl": "http://example.com/a.jpg"}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "photoUrl"],
        ),
        (
            CREATE,
            {"input": {**good, "committeeIds": [ids["legal"], gid("Committee", 9999)]}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "committeeIds", "1"],
        ),
        (
            CREATE,
            {"input": {**good, "constituencyId": gid("Constituency", 9999)}},
            "createDelegate",
            "INVALID_INPUT",
            ["input", "constituencyId"],
        ),
        (
            UPDATE,
            {"id": gid("Delegate", 9999), "input": {"title": "Khác"}},
            "updateDelegate",
            "NOT_FOUND",
            ["id"],
        ),
        (
            UPDATE,
            {"id": ids["tai"], "input": {"fullName": None}},
            "updateDelegate",
            "INVALID_INPUT",
            ["input", "fullName"],
        ),
        (
            END,
            {"id": ids["tai"], "on": "2020-01-01", "reason": "Thử lại"},
            "endDelegateService",
            "INVALID_INPUT",
            ["on"],
        ),
        (
            END,
            {"id": ids["tai"], "on": "2026-11-01", "reason": " "},
            "endDelegateService",
            "INVALID_INPUT",
            ["reason"],
        ),
        # a leader from another group
        (
            LEADER,
            {"g": ids["vi_thanh"], "d": ids["lan"]},
            "setGroupLeader",
            "INVALID_INPUT",
            ["delegateId"],
        ),
        (
            LEADER,
            {"g": gid("DelegateGroup", 9999), "d": ids["tai"]},
            "setGroupLeader",
            "NOT_FOUND",
            ["groupId"],
        ),
    ]
    for query, variables, name, code, field in invalid:
        body = await gql(client, query, variables, staff)
        payload = body["data"][name]
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)], (
            variables
        )
        assert all(e["message"] for e in payload["userErrors"])
    assert await snapshot(sessionmaker) == before

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
