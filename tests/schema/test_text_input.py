"""Free text typed by people: nothing invisible, no stray control or bidi characters, names on
one line. Every refusal answers INVALID_INPUT on the field at fault and changes nothing."""

from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from schema.relay import to_global_id
from tests.channels_helpers import make_cast
from tests.conftest import bearer, gql
from tests.petition_helpers import SUBMIT, acknowledge, make_world, petition_input, submitted
from tests.schema.channels.test_channels import INVITE, POST

ZERO_WIDTH = "\u200b\u200d\ufeff\u2060"
PUNCTUATION = " ... !!! ??? -- "
RLO = "Đường liên ấp \u202eở lở tạs\u202c bị hư"  # shows reversed text
ISOLATE = "Ủy ban \u2067nhân dân\u2069 xã"
BELL = "Đường liên ấp\x07 bị sạt lở nặng"
DEL = "Đường liên ấp\x7f bị sạt lở nặng"
C1 = "Đường liên ấp\x9b bị sạt lở nặng"
TWO_LINES = "Nguyễn Văn\nMới"
LONG = "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, rất nguy hiểm."


async def database_state(sessionmaker: Sessionmaker) -> dict[str, str]:
    """A digest of every row of every table: what "changes nothing" compares."""
    async with sessionmaker() as session:
        tables = (
            await session.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        ).scalars()
        state: dict[str, str] = {}
        for table in tables:
            state[table] = (
                await session.execute(
                    sa.text(
                        f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                        f"ORDER BY t::text)), '') FROM \"{table}\" t"
                    )
                )
            ).scalar_one()
    return state


async def refused(
    client: AsyncClient,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
    payload_name: str,
    field: list[str],
) -> str:
    """Run a mutation that must be refused on `field` with INVALID_INPUT; its message."""
    body = await gql(client, query, variables, headers)
    assert "errors" not in body, body
    payload = body["data"][payload_name]
    errors = payload["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", field)], (
        variables,
        errors,
    )
    message: str = errors[0]["message"]
    return message


async def test_petition_text_refusals_change_nothing(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    petition = await submitted(client, w.citizen_a)
    await acknowledge(client, w.delegate, petition["id"])
    before = await database_state(sessionmaker)

    submits = [
        ({"title": ZERO_WIDTH * 3}, "title", "chữ hoặc số"),
        ({"title": PUNCTUATION}, "title", "chữ hoặc số"),
        ({"title": "Đường liên ấp\nbị sạt lở"}, "title", "một dòng"),
        ({"title": "Đường\tliên ấp"}, "title", "một dòng"),
        ({"title": "Đường \u202eấp"}, "title", "U+202E"),
        ({"content": RLO + " " + LONG}, "content", "U+202E"),
        ({"content": ISOLATE + " " + LONG}, "content", "U+2067"),
        ({"content": "\u200e" + LONG}, "content", "U+200E"),
        ({"content": BELL + LONG}, "content", "U+0007"),
        ({"content": DEL + LONG}, "content", "U+007F"),
        ({"content": C1 + LONG}, "content", "U+009B"),
        ({"content": ZERO_WIDTH * 10}, "content", "chữ hoặc số"),
        ({"idempotencyKey": "key\u202e1"}, "idempotencyKey", "U+202E"),
    ]
    for overrides, field, words in submits:
        body = await gql(client, SUBMIT, {"input": petition_input(**overrides)}, w.citizen_a)
        errors = body["data"]["submitPetition"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", field])]
        assert words in errors[0]["message"], errors

    steps: list[tuple[str, str, dict[str, Any], str]] = [
        (
            "answerPetition(id: $id, body: $b, respondent: $r)",
            "$id: ID!, $b: String!, $r: String!",
            {"b": DEL, "r": "UBND phường I"},
            "b",
        ),
        (
            "answerPetition(id: $id, body: $b, respondent: $r)",
            "$id: ID!, $b: String!, $r: String!",
            {"b": LONG, "r": "UBND\nphường I"},
            "r",
        ),
        (
            "rejectPetition(id: $id, reason: $reason)",
            "$id: ID!, $reason: String!",
            {"reason": ZERO_WIDTH},
            "reason",
        ),
        (
            "rejectPetition(id: $id, reason: $reason)",
            "$id: ID!, $reason: String!",
            {"reason": RLO},
            "reason",
        ),
        (
            "forwardPetition(id: $id, agency: $agency)",
            "$id: ID!, $agency: String!",
            {"agency": ISOLATE},
            "agency",
        ),
    ]
    fields = {"b": "body", "r": "respondent", "reason": "reason", "agency": "agency"}
    for mutation, args, variables, bad in steps:
        query = (
            f"mutation({args}) {{ {mutation} {{ petition {{ id }} userErrors {{ field code }} }} }}"
        )
        body = await gql(client, query, {"id": petition["id"], **variables}, w.delegate)
        payload = body["data"][mutation.partition("(")[0]]
        assert payload == {
            "petition": None,
            "userErrors": [{"field": [fields[bad]], "code": "INVALID_INPUT"}],
        }, (mutation, payload)

    assert await database_state(sessionmaker) == before

    # Newlines and tabs stay welcome in long text, and CR LF arrives as LF.
    fine = await submitted(
        client, w.citizen_a, content="Dòng một\r\n\tDòng hai có tab.\rDòng ba: ấp 3, Vị Thanh."
    )
    async with sessionmaker() as session:
        content = (
            await session.execute(
                sa.text("SELECT content FROM petition WHERE tracking_code = :c"),
                {"c": fine["trackingCode"]},
            )
        ).scalar_one()
    assert content == "Dòng một\n\tDòng hai có tab.\nDòng ba: ấp 3, Vị Thanh."


async def test_directory_channel_and_key_text_refusals_change_nothing(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    async with transaction(sessionmaker) as session:
        await grant_role(session, "admin", Role.ADMIN)
        group = (
            await session.execute(
                sa.text("SELECT id, leader_id FROM delegate_group ORDER BY id LIMIT 1")
            )
        ).one()
    staff, admin = bearer(settings, "staff"), bearer(settings, "admin")

    good = {
        "fullName": "Lê Thị Hoa",
        "groupId": str(to_global_id("DelegateGroup", group.id)),
        "servedFrom": "2026-11-01",
    }
    leader = str(to_global_id("Delegate", group.leader_id))
    create = """mutation($input: DelegateInput!) { createDelegate(input: $input) {
      delegate { id } userErrors { field code message } } }"""
    update = """mutation($id: ID!, $input: DelegateInput!) { updateDelegate(id: $id, input: $input) {
      delegate { id } userErrors { field code message } } }"""
    end = """mutation($id: ID!, $reason: String!) {
      endDelegateService(id: $id, on: "2026-11-01", reason: $reason) {
      delegate { id } userErrors { field code message } } }"""
    key = """mutation($name: String!) { createApiKey(name: $name) {
      key userErrors { field code message } } }"""
    before = await database_state(sessionmaker)

    # A delegate's name is one line; titles and workplaces too.
    message = await refused(
        client,
        create,
        {"input": {**good, "fullName": TWO_LINES}},
        staff,
        "createDelegate",
        ["input", "fullName"],
    )
    assert message == "Họ và tên phải viết trên một dòng (không xuống dòng, không tab)."
    await refused(
        client,
        create,
        {"input": {**good, "fullName": "Lê Thị\u202e Hoa"}},
        staff,
        "createDelegate",
        ["input", "fullName"],
    )
    await refused(
        client,
        create,
        {"input": {**good, "fullName": ZERO_WIDTH}},
        staff,
        "createDelegate",
        ["input", "fullName"],
    )
    await refused(
        client,
        update,
        {"id": leader, "input": {"title": "Phó\nGiám đốc"}},
        staff,
        "updateDelegate",
        ["input", "title"],
    )
    await refused(
        client,
        update,
        {"id": leader, "input": {"workplace": BELL}},
        staff,
        "updateDelegate",
        ["input", "workplace"],
    )
    await refused(
        client, end, {"id": leader, "reason": ZERO_WIDTH}, staff, "endDelegateService", ["reason"]
    )

    # Channels: a post needs something visible (an emoji will do), a guest's name one line.
    for body in (ZERO_WIDTH, RLO, BELL, "\u200d\u200d"):
        result = await gql(
            client, POST, {"g": cast.group_gid, "body": body}, bearer(settings, "leader")
        )
        errors = result["data"]["postToGroup"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["body"])], body
    invite = {
        "accountSub": "guest-x",
        "fullName": "Lê Văn\nKhách",
        "title": "Chủ tịch HĐND xã",
        "unitCode": "31318",
    }
    await refused(
        client,
        INVITE,
        {"g": cast.group_gid, "input": invite},
        staff,
        "inviteGuest",
        ["input", "fullName"],
    )
    await refused(
        client,
        INVITE,
        {"g": cast.group_gid, "input": {**invite, "fullName": "Lê Văn Khách", "title": ISOLATE}},
        staff,
        "inviteGuest",
        ["input", "title"],
    )

    # An integrator's key name.
    for name in ("App\u202e", ZERO_WIDTH, "App\x1bx", "App\nHậu Giang"):
        result = await gql(client, key, {"name": name}, admin)
        payload = result["data"]["createApiKey"]
        assert payload["key"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("INVALID_INPUT", ["name"])
        ], name

    assert await database_state(sessionmaker) == before

    thumbs = await gql(
        client, POST, {"g": cast.group_gid, "body": "👍🏽"}, bearer(settings, "leader")
    )
    assert thumbs["data"]["postToGroup"]["userErrors"] == []


async def test_session_text_refusals_change_nothing(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff", Role.STAFF)
    staff = bearer(settings, "staff")
    create = """mutation($input: CreateSessionInput!) { createSession(input: $input) {
      session { id } userErrors { field code message } } }"""
    good = {"title": "Kỳ họp thứ 9", "startsOn": "2027-07-01", "endsOn": "2027-07-03"}
    before = await database_state(sessionmaker)
    await refused(
        client,
        create,
        {"input": {**good, "title": "Kỳ họp\nthứ 9"}},
        staff,
        "createSession",
        ["input", "title"],
    )
    await refused(
        client,
        create,
        {"input": {**good, "title": "Kỳ họp \x1b[31mthứ 9"}},
        staff,
        "createSession",
        ["input", "title"],
    )
    await refused(
        client,
        create,
        {"input": {**good, "agenda": ["Báo cáo kinh tế", ZERO_WIDTH]}},
        staff,
        "createSession",
        ["input", "agenda", "1"],
    )
    assert await database_state(sessionmaker) == before
