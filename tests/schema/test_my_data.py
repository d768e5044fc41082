"""Personal data: `myData` exports what is held; `eraseMyData` removes name and phone everywhere."""

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.conftest import gql
from tests.petition_helpers import (
    CITIZEN_A_NAME,
    acknowledge,
    act,
    make_world,
    submitted,
)

MY_DATA = """{ myData { sub role accountCreatedAt exportedAt
  petitions { id title submitter { fullName phone } }
  supports { supportedAt petition { id } } } }"""


async def test_my_data_exports_account_petitions_and_supports(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    mine = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    theirs = (await submitted(client, w.citizen_b))["id"]
    await act(client, w.citizen_a, "supportPetition(id: $id)", "$id: ID!", {"id": theirs})
    body = await gql(client, MY_DATA, headers=w.citizen_a)
    data = body["data"]["myData"]
    assert data["sub"] == "citizen-a"
    assert data["role"] == "CITIZEN"
    assert [p["id"] for p in data["petitions"]] == [mine]
    assert data["petitions"][0]["submitter"] == {
        "fullName": CITIZEN_A_NAME,
        "phone": "+84901234567",
    }
    assert [s["petition"]["id"] for s in data["supports"]] == [theirs]
    assert (await gql(client, MY_DATA))["data"]["myData"] is None


async def _tables_holding(sessionmaker: Sessionmaker, needles: list[str]) -> list[str]:
    """Every text-like column of every table, searched for any needle (case and diacritics
    ignored for words, separators ignored for digits)."""
    found: list[str] = []
    async with sessionmaker() as session:
        columns = (
            await session.execute(
                sa.text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type IN "
                    "('text', 'character varying', 'jsonb', 'json', 'character')"
                )
            )
        ).all()
        for table, column in columns:
            for needle in needles:
                if needle.isdigit():
                    condition = f"regexp_replace(\"{column}\"::text, '[^0-9]', '', 'g') LIKE :n"
                    value = f"%{needle}%"
                else:
                    condition = f'hdnd_fold("{column}"::text) LIKE hdnd_fold(:n)'
                    value = f"%{needle}%"
                hits = (
                    await session.execute(
                        sa.text(f'SELECT count(*) FROM "{table}" WHERE {condition}'), {"n": value}
                    )
                ).scalar_one()
                if hits:
                    found.append(f"{table}.{column} ∋ {needle}")
    return found


async def test_erase_my_data_removes_name_and_phone_everywhere_and_keeps_the_petitions(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    first = await submitted(
        client,
        w.citizen_a,
        title="Kiến nghị của bà Nguyễn Thị Mai",
        content="Tôi là NGUYỄN THỊ MAI, ấp 3; xin gọi 0901 234 567 hoặc +84 90 123 4567 khi cần.",
    )
    second = await submitted(
        client, w.citizen_a, contactPhone="0292 3871 234", visibility="PRIVATE"
    )
    await acknowledge(client, w.delegate, first["id"])
    await act(
        client,
        w.delegate,
        "answerPetition(id: $id, body: $b, respondent: $r)",
        "$id: ID!, $b: String!, $r: String!",
        {"id": first["id"], "b": "Kính gửi bà Nguyễn Thị Mai: đã sửa xong.", "r": "UBND phường I"},
    )
    await act(
        client,
        w.citizen_a,
        "closePetition(id: $id, satisfied: $s, comment: $c)",
        "$id: ID!, $s: Boolean!, $c: String",
        {"id": first["id"], "s": True, "c": "Mai hài lòng, liên hệ 0901234567"},
    )
    needles = [CITIZEN_A_NAME, "901234567", "2923871234"]
    assert await _tables_holding(sessionmaker, needles)  # the check can see them

    body = await gql(
        client,
        "mutation { eraseMyData { erasedPetitionCount userErrors { code } } }",
        headers=w.citizen_a,
    )
    assert body["data"]["eraseMyData"] == {"erasedPetitionCount": 2, "userErrors": []}
    assert await _tables_holding(sessionmaker, needles) == []

    # The petitions remain, without identity, in the council's record.
    for petition in (first, second):
        body = await gql(
            client,
            "query($id: ID!) { node(id: $id) { ... on Petition { status submitter { fullName } timeline { status } } } }",
            {"id": petition["id"]},
            w.staff,
        )
        node = body["data"]["node"]
        assert node is not None and node["submitter"] is None
    body = await gql(client, MY_DATA, headers=w.citizen_a)
    assert len(body["data"]["myData"]["petitions"]) == 2
    async with sessionmaker() as session:
        erased = (
            await session.execute(
                sa.text("SELECT count(*) FROM audit_event WHERE action = 'personal_data.erase'")
            )
        ).scalar_one()
    assert erased == 1


async def test_anonymous_cannot_erase(client: AsyncClient) -> None:
    body = await gql(client, "mutation { eraseMyData { erasedPetitionCount userErrors { code } } }")
    assert body["data"]["eraseMyData"] == {
        "erasedPetitionCount": 0,
        "userErrors": [{"code": "FORBIDDEN"}],
    }
