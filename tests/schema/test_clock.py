"""The one clock: every rule that depends on time reads the request's `now`, never PostgreSQL's.

These tests move time far from the real date (time-machine): a rule still comparing with the
database's own `now()` would see the real date and fail them.
"""

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.websockets import WebSocket
from time_machine import TimeMachineFixture

from api.settings import Settings
from db import clock
from db.engine import Sessionmaker, transaction
from db.viewer import ANONYMOUS
from schema import schema
from schema.context import Context
from tests.conftest import bearer, gql, test_now
from tests.petition_helpers import acknowledge, make_world, pk_of, submit, submitted

# Far from any real date the suite may run on, and from HDND_TEST_NOW.
T = datetime(2031, 5, 20, 9, 0, tzinfo=clock.LOCAL_ZONE)

OVERDUE_LIST = """
query($overdue: Boolean) {
  petitions(filter: {overdue: $overdue}, first: 100) { edges { node { id isOverdue } } }
}"""


def test_local_calendar_turns_at_local_midnight() -> None:
    # 00:30 on New Year's Day in Việt Nam is still 31 December in UTC.
    moment = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert clock.local_date(moment) == date(2027, 1, 1)
    assert clock.local(moment).isoformat() == "2027-01-01T00:30:00+07:00"
    assert clock.local_day_start(date(2027, 1, 1)) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert clock.local_date(datetime(2028, 2, 29, 16, 59, 59, tzinfo=UTC)) == date(2028, 2, 29)
    assert clock.local_date(datetime(2028, 2, 29, 17, 0, tzinfo=UTC)) == date(2028, 3, 1)


def test_the_run_follows_HDND_TEST_NOW() -> None:
    moment = test_now()
    if moment is None:
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
        assert os.environ.get("HDND_TEST_NOW", "").strip() == ""
        return
    # The clock ticks on from the given moment for the whole run.
    assert moment <= clock.now() < moment + timedelta(hours=6)


async def test_is_overdue_and_the_overdue_filter_agree_at_the_boundary(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(T, tick=False)
    w = await make_world(settings, sessionmaker)
    # SUBMITTED petitions around the 7-day acknowledgement deadline, ACKNOWLEDGED ones around
    # the 30-day answer deadline: exactly on it is not yet late; a microsecond more is.
    ack, answer = timedelta(days=settings.ack_days), timedelta(days=settings.answer_days)
    tick = timedelta(microseconds=1)
    ages = {
        "ack_before": (ack - tick, False),
        "ack_on": (ack, False),
        "ack_after": (ack + tick, False),
        "answer_before": (answer - tick, True),
        "answer_on": (answer, True),
        "answer_after": (answer + tick, True),
    }
    made: dict[str, str] = {}
    for name, (_, acknowledged) in ages.items():
        made[name] = (await submitted(client, w.citizen_a, title=f"Kiến nghị {name}"))["id"]
        if acknowledged:
            await acknowledge(client, w.staff, made[name])
    async with transaction(sessionmaker) as session:
        for name, (age, _) in ages.items():
            await session.execute(
                sa.text("UPDATE petition SET submitted_at = :at WHERE id = :id"),
                {"at": T - age, "id": pk_of(made[name])},
            )

    async def listed(overdue: bool | None) -> dict[str, bool]:
        body = await gql(client, OVERDUE_LIST, {"overdue": overdue}, w.staff)
        assert "errors" not in body, body
        return {e["node"]["id"]: e["node"]["isOverdue"] for e in body["data"]["petitions"]["edges"]}

    late = {made["ack_after"], made["answer_after"]}
    everything = await listed(None)
    assert {pid for pid, flag in everything.items() if flag} == late
    flagged_late = await listed(True)
    assert set(flagged_late) == late and all(flagged_late.values())
    flagged_in_time = await listed(False)
    assert set(flagged_in_time) == set(made.values()) - late
    assert not any(flagged_in_time.values())


async def test_hourly_limit_counts_the_last_hour_of_the_request_clock(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(T, tick=False)
    await make_world(settings, sessionmaker)
    citizen = bearer(settings, "citizen-clock", ttl_seconds=4 * 3600)
    for i in range(settings.petitions_per_hour):
        await submitted(client, citizen, title=f"Kiến nghị số {i + 1}")
    assert (await submit(client, citizen))["userErrors"][0]["code"] == "RATE_LIMITED"
    time_machine.move_to(T + timedelta(hours=1) - timedelta(microseconds=1), tick=False)
    # Within the hour they still count...
    assert (await submit(client, citizen))["userErrors"][0]["code"] == "RATE_LIMITED"
    time_machine.move_to(T + timedelta(hours=1), tick=False)
    # ...and an hour after they were sent, they no longer do.
    await submitted(client, citizen, title="Kiến nghị sau một giờ")


async def test_idempotency_window_is_24_hours_of_the_request_clock(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(T, tick=False)
    await make_world(settings, sessionmaker)
    citizen = bearer(settings, "citizen-clock", ttl_seconds=3 * 86400)
    first = await submitted(client, citizen, idempotencyKey="k")
    time_machine.move_to(T + timedelta(hours=24) - timedelta(microseconds=1), tick=False)
    replay = await submit(client, citizen, idempotencyKey="k")
    assert replay["idempotentReplay"] is True and replay["petition"]["id"] == first["id"]
    time_machine.move_to(T + timedelta(hours=24), tick=False)
    later = await submit(client, citizen, idempotencyKey="k")
    assert later["idempotentReplay"] is False and later["petition"]["id"] != first["id"]
    async with sessionmaker() as session:
        written = (
            await session.execute(sa.text("SELECT submitted_at, updated_at FROM petition"))
        ).all()
    # The times a mutation writes are the request's clock too, not the database's.
    assert sorted(written) == [(T, T), (T + timedelta(hours=24), T + timedelta(hours=24))]


async def test_each_websocket_operation_takes_the_clock_afresh(
    app: Starlette,
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(T, tick=False)
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Petition { isOverdue } } }"

    def context(request: WebSocket | None) -> Context:
        return Context(
            viewer=ANONYMOUS,
            sessionmaker=app.state.sessionmaker,
            reader=app.state.reader,
            settings=settings,
            request_id="clock",
            request=request,
        )

    async def is_overdue(ctx: Context) -> bool:
        result = await schema.execute(query, {"id": pid}, context_value=ctx)
        assert result.errors is None, result.errors
        assert result.data is not None
        flag: bool = result.data["node"]["isOverdue"]
        return flag

    async def nothing() -> Any:
        return {}

    socket = WebSocket({"type": "websocket", "path": "/graphql", "headers": []}, nothing, nothing)
    http, ws = context(None), context(socket)
    assert http.now == ws.now == T
    time_machine.move_to(T + timedelta(days=8), tick=False)
    # An HTTP request keeps the instant it started with; a socket, made long ago, does not.
    assert await is_overdue(http) is False
    assert await is_overdue(ws) is True
    assert ws.now == T  # outside an operation: the instant the connection was made
