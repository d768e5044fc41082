"""Submitting petitions: validation, routing, tracking codes, the hourly limit."""

import re

import pytest
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.conftest import gql
from tests.petition_helpers import (
    CITIZEN_A_NAME,
    NGA_BAY_COMMUNE,
    delegate_gid,
    make_world,
    petition_input,
    submit,
    submitted,
)

COUNTS = "SELECT (SELECT count(*) FROM petition), (SELECT count(*) FROM petition_event)"


async def _counts(sessionmaker: Sessionmaker) -> tuple[int, int]:
    import sqlalchemy as sa

    async with sessionmaker() as session:
        row = (await session.execute(sa.text(COUNTS))).one()
    return (row[0], row[1])


async def test_submit_routes_to_the_group_covering_the_commune(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    petition = await submitted(client, world.citizen_a, title="  Đèn đường hư  ")
    assert petition["title"] == "Đèn đường hư"
    assert petition["status"] == "SUBMITTED"
    assert petition["visibility"] == "PUBLIC"
    assert petition["group"]["name"] == "Tổ đại biểu thành phố Vị Thanh"
    assert petition["delegate"] is None
    assert re.fullmatch(
        r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}", petition["trackingCode"]
    )
    assert petition["timeline"] == [{"status": "SUBMITTED", "actorRole": "CITIZEN", "note": None}]
    assert petition["submitter"] == {"fullName": CITIZEN_A_NAME, "phone": "+84901234567"}

    other = await submitted(client, world.citizen_a, communeCode=NGA_BAY_COMMUNE)
    assert other["group"]["name"] == "Tổ đại biểu thành phố Ngã Bảy"
    assert other["trackingCode"] != petition["trackingCode"]


async def test_submit_to_a_chosen_delegate_goes_to_their_group(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    chosen = delegate_gid(world.nga_bay_delegate_ids[0])
    petition = await submitted(
        client, world.citizen_a, delegateId=chosen, contactPhone="0292 3871 234"
    )
    assert petition["delegate"] == {"id": chosen}
    assert petition["group"]["name"] == "Tổ đại biểu thành phố Ngã Bảy"
    assert petition["submitter"]["phone"] == "+842923871234"


INVALID = [
    ({"title": "Ab"}, ["input", "title"], "INVALID_INPUT"),
    ({"title": "   Hư    "}, ["input", "title"], "INVALID_INPUT"),
    ({"title": "x" * 201}, ["input", "title"], "INVALID_INPUT"),
    ({"content": "   quá ngắn         "}, ["input", "content"], "INVALID_INPUT"),
    ({"content": "x" * 10_001}, ["input", "content"], "INVALID_INPUT"),
    ({"communeCode": "930"}, ["input", "communeCode"], "INVALID_INPUT"),  # a district
    ({"communeCode": "93"}, ["input", "communeCode"], "INVALID_INPUT"),  # the province
    ({"communeCode": "99999"}, ["input", "communeCode"], "INVALID_INPUT"),
    ({"contactPhone": "12345"}, ["input", "contactPhone"], "INVALID_INPUT"),
    ({"contactPhone": "+1 650 253 0000"}, ["input", "contactPhone"], "INVALID_INPUT"),
    ({"delegateId": "bm90LWEtZGVsZWdhdGU"}, ["input", "delegateId"], "INVALID_INPUT"),
    ({"delegateId": delegate_gid(999_999)}, ["input", "delegateId"], "NOT_FOUND"),
    ({"idempotencyKey": "k" * 201}, ["input", "idempotencyKey"], "INVALID_INPUT"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), INVALID)
async def test_invalid_input_is_refused_and_changes_nothing(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    overrides: dict[str, str],
    field: list[str],
    code: str,
) -> None:
    world = await make_world(settings, sessionmaker)
    before = await _counts(sessionmaker)
    payload = await submit(client, world.citizen_a, **overrides)
    assert payload["petition"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert payload["userErrors"][0]["message"]  # Vietnamese, for people
    assert await _counts(sessionmaker) == before


async def test_several_problems_are_reported_together(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    payload = await submit(client, world.citizen_a, title="x", content="y", communeCode="0")
    assert {tuple(e["field"]) for e in payload["userErrors"]} == {
        ("input", "title"),
        ("input", "content"),
        ("input", "communeCode"),
    }
    assert await _counts(sessionmaker) == (0, 0)


async def test_anonymous_cannot_submit(client: AsyncClient) -> None:
    payload = await submit(client, {})
    assert payload["petition"] is None
    assert payload["userErrors"][0]["code"] == "UNAUTHENTICATED"
    assert payload["userErrors"][0]["message"] == "Cần đăng nhập để gửi kiến nghị."


async def test_unknown_category_fails_validation(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    from tests.petition_helpers import SUBMIT, petition_input

    body = await gql(client, SUBMIT, {"input": petition_input(category="WEATHER")}, world.citizen_a)
    assert "errors" in body
    assert await _counts(sessionmaker) == (0, 0)


async def test_hourly_limit(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    for i in range(settings.petitions_per_hour):
        await submitted(client, world.citizen_a, title=f"Kiến nghị số {i + 1}")
    before = await _counts(sessionmaker)
    payload = await submit(client, world.citizen_a)
    assert payload["petition"] is None
    assert payload["userErrors"][0]["code"] == "RATE_LIMITED"
    assert await _counts(sessionmaker) == before
    # Another citizen is not held back.
    await submitted(client, world.citizen_b)


async def test_idempotency_key_returns_the_first_petition(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    world = await make_world(settings, sessionmaker)
    first = await submit(client, world.citizen_a, idempotencyKey="abc-1")
    again = await submit(client, world.citizen_a, idempotencyKey="abc-1")
    assert first["idempotentReplay"] is False
    assert again["idempotentReplay"] is True
    assert again["petition"]["id"] == first["petition"]["id"]
    # The same key from another account is another petition.
    other = await submit(client, world.citizen_b, idempotencyKey="abc-1")
    assert other["petition"]["id"] != first["petition"]["id"]
    assert await _counts(sessionmaker) == (2, 2)


async def test_the_same_body_is_the_normalised_input(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    """Spaces around texts, NFC or NFD, an omitted default and another way of typing the same
    phone number are the same body: the retry replays."""
    import unicodedata

    world = await make_world(settings, sessionmaker)
    chosen = delegate_gid(world.vi_thanh_delegate_ids[0])
    body = {"delegateId": chosen, "contactPhone": "0912 345 678"}
    first = await submit(client, world.citizen_a, idempotencyKey="same-body", **body)
    assert first["userErrors"] == [], first
    retry = await submit(
        client,
        world.citizen_a,
        idempotencyKey="same-body",
        title="  Đường liên ấp bị sạt lở ",
        content=unicodedata.normalize("NFD", petition_input()["content"]),
        visibility="PUBLIC",
        delegateId=chosen,
        contactPhone="+84 912-345-678",
        communeCode=" 31318 ",
    )
    assert retry["userErrors"] == [], retry
    assert retry["idempotentReplay"] is True
    assert retry["petition"]["id"] == first["petition"]["id"]
    assert await _counts(sessionmaker) == (1, 1)


async def _idempotency_state(sessionmaker: Sessionmaker) -> tuple[object, ...]:
    import sqlalchemy as sa

    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.id) FROM petition p),"
                    " (SELECT count(*) FROM petition_event),"
                    " (SELECT jsonb_agg(to_jsonb(i)) FROM petition_idempotency i),"
                    " (SELECT count(*) FROM audit_event WHERE action <> 'petition.submitter.read')"
                )
            )
        ).one()
    return tuple(row)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Một tiêu đề khác"},
        {"content": "Nội dung khác hẳn: cống thoát nước trước chợ bị tắc nhiều ngày."},
        {"category": "ENVIRONMENT"},
        {"communeCode": NGA_BAY_COMMUNE},
        {"visibility": "PRIVATE"},
        {"contactPhone": "0912345678"},
        {"delegate": True},
    ],
    ids=lambda c: next(iter(c)),
)
async def test_the_same_key_with_another_body_is_a_conflict(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, change: dict[str, object]
) -> None:
    world = await make_world(settings, sessionmaker)
    first = await submit(client, world.citizen_a, idempotencyKey="abc-1")
    assert first["userErrors"] == [], first
    before = await _idempotency_state(sessionmaker)
    if change.pop("delegate", None):
        change["delegateId"] = delegate_gid(world.vi_thanh_delegate_ids[0])
    conflict = await submit(client, world.citizen_a, idempotencyKey="abc-1", **change)
    assert conflict["petition"] is None
    assert conflict["idempotentReplay"] is False
    assert [(e["code"], e["field"]) for e in conflict["userErrors"]] == [
        ("IDEMPOTENCY_CONFLICT", ["input", "idempotencyKey"])
    ]
    assert "khoá mới" in conflict["userErrors"][0]["message"]
    assert await _idempotency_state(sessionmaker) == before
    # The first body still replays the first petition.
    again = await submit(client, world.citizen_a, idempotencyKey="abc-1")
    assert again["idempotentReplay"] is True
    assert again["petition"]["id"] == first["petition"]["id"]
    assert await _idempotency_state(sessionmaker) == before


async def test_idempotency_key_expires_after_24_hours(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    import sqlalchemy as sa

    from db.engine import transaction

    world = await make_world(settings, sessionmaker)
    first = await submit(client, world.citizen_a, idempotencyKey="k")
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.text("UPDATE petition_idempotency SET created_at = created_at - interval '25 hours'")
        )
    later = await submit(client, world.citizen_a, idempotencyKey="k")
    assert later["idempotentReplay"] is False
    assert later["petition"]["id"] != first["petition"]["id"]
    again = await submit(client, world.citizen_a, idempotencyKey="k")
    assert again["petition"]["id"] == later["petition"]["id"]
