"""Rules that must hold when requests arrive at the same moment: decided by the database."""

import asyncio

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.conftest import bearer
from tests.petition_helpers import acknowledge, act, make_world, pk_of, submit, submitted


async def test_twenty_simultaneous_submissions_with_one_key_make_one_petition(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    payloads = await asyncio.gather(
        *[submit(client, w.citizen_a, idempotencyKey="mobile-retry-7") for _ in range(20)]
    )
    assert all(p["userErrors"] == [] for p in payloads), payloads
    assert len({p["petition"]["id"] for p in payloads}) == 1
    assert sum(not p["idempotentReplay"] for p in payloads) == 1
    async with sessionmaker() as session:
        counts = (
            await session.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM petition), (SELECT count(*) FROM petition_event),"
                    " (SELECT count(*) FROM petition_idempotency)"
                )
            )
        ).one()
    assert tuple(counts) == (1, 1, 1)


async def test_simultaneous_submissions_of_one_key_with_two_bodies_make_one_petition(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    """Ten retries of one body and ten of another, all with one key, at once: one petition,
    every retry of its body answers it, every other one IDEMPOTENCY_CONFLICT."""
    w = await make_world(settings, sessionmaker)
    titles = ["Đèn đường hư ở hẻm 12", "Cống thoát nước bị tắc"] * 10
    payloads = await asyncio.gather(
        *[submit(client, w.citizen_a, idempotencyKey="two-bodies", title=t) for t in titles]
    )
    made = [(t, p) for t, p in zip(titles, payloads, strict=True) if p["petition"] is not None]
    refused = [(t, p) for t, p in zip(titles, payloads, strict=True) if p["petition"] is None]
    winner = made[0][0]
    assert {p["petition"]["id"] for _, p in made} == {made[0][1]["petition"]["id"]}
    assert {t for t, _ in made} == {winner} and len(made) == 10
    assert sum(not p["idempotentReplay"] for _, p in made) == 1
    assert {t for t, _ in refused} == set(titles) - {winner} and len(refused) == 10
    assert all([e["code"] for e in p["userErrors"]] == ["IDEMPOTENCY_CONFLICT"] for _, p in refused)
    async with sessionmaker() as session:
        counts = (
            await session.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM petition), (SELECT count(*) FROM petition_event),"
                    " (SELECT count(*) FROM petition_idempotency)"
                )
            )
        ).one()
    assert tuple(counts) == (1, 1, 1)


async def test_two_delegates_acknowledging_at_once(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    first, second = await asyncio.gather(
        acknowledge(client, w.delegate, pid), acknowledge(client, w.addressed, pid)
    )
    codes = sorted(
        [e["code"] for e in first["userErrors"]] + [e["code"] for e in second["userErrors"]]
    )
    assert codes == ["INVALID_TRANSITION"]
    winner = first if first["petition"] else second
    assert winner["petition"]["status"] == "ACKNOWLEDGED"
    async with sessionmaker() as session:
        statuses = (
            (
                await session.execute(
                    sa.text(
                        "SELECT status FROM petition_event WHERE petition_id = :id ORDER BY id"
                    ),
                    {"id": pk_of(pid)},
                )
            )
            .scalars()
            .all()
        )
    assert statuses == ["SUBMITTED", "ACKNOWLEDGED"]


async def test_fifty_simultaneous_supports_from_one_account_count_once(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    fan = bearer(settings, "fan")
    payloads = await asyncio.gather(
        *[act(client, fan, "supportPetition(id: $id)", "$id: ID!", {"id": pid}) for _ in range(50)]
    )
    succeeded = [p for p in payloads if not p["userErrors"]]
    assert len(succeeded) == 1
    assert all(
        [e["code"] for e in p["userErrors"]] == ["DUPLICATE"] for p in payloads if p["userErrors"]
    )
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT support_count, (SELECT count(*) FROM petition_support s WHERE s.petition_id = p.id)"
                    " FROM petition p WHERE id = :id"
                ),
                {"id": pk_of(pid)},
            )
        ).one()
    assert tuple(row) == (1, 1)
