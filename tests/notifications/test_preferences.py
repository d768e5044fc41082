"""Notification preferences: defaults, changes, refusals that change nothing; who hears of a
new petition and of a group post; the worker running inside the service."""

import asyncio
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient
from time_machine import TimeMachineFixture

from api.app import create_app
from api.settings import Settings
from db import clock
from db import petitions as db_petitions
from db.accounts import grant_role, viewer_for_sub
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from tests.conftest import TEST_SECRET, bearer, gql
from tests.notifications.receivers import Receiver, serving
from tests.petition_helpers import make_world, submitted

SET = """mutation($input: NotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) {
    preferences { push zalo hasZaloPhone quietHours quietFrom quietUntil }
    userErrors { field code message } } }"""
READ = "{ notificationPreferences { push zalo hasZaloPhone quietHours quietFrom quietUntil } }"
DEFAULTS = {
    "push": True,
    "zalo": False,
    "hasZaloPhone": False,
    "quietHours": True,
    "quietFrom": "22:00:00",
    "quietUntil": "06:00:00",
}


async def _rows(sessionmaker: Sessionmaker) -> list[Any]:
    async with sessionmaker() as session:
        found = await session.execute(
            sa.text("SELECT to_jsonb(p) FROM notification_preference p ORDER BY account_id")
        )
        return list(found.scalars())


async def test_defaults_changes_and_refusals(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    me = bearer(settings, "citizen-pref")
    assert (await gql(client, READ, headers=me))["data"]["notificationPreferences"] == DEFAULTS
    for changes, field in (
        ({"zalo": True}, ["input", "zaloPhone"]),  # no phone on record
        ({"zalo": True, "zaloPhone": "12345"}, ["input", "zaloPhone"]),
        ({"quietFrom": "06:00:00"}, ["input", "quietUntil"]),  # from == until
    ):
        before = await _rows(sessionmaker)
        body = await gql(client, SET, {"input": changes}, me)
        payload = body["data"]["setNotificationPreferences"]
        assert payload["preferences"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (field, "INVALID_INPUT")
        ]
        assert await _rows(sessionmaker) == before
    body = await gql(
        client,
        SET,
        {"input": {"zalo": True, "zaloPhone": "090 123 4567", "quietUntil": "07:15:00"}},
        me,
    )
    assert body["data"]["setNotificationPreferences"] == {
        "preferences": {**DEFAULTS, "zalo": True, "hasZaloPhone": True, "quietUntil": "07:15:00"},
        "userErrors": [],
    }
    async with sessionmaker() as session:
        phone = (
            await session.execute(sa.text("SELECT zalo_phone FROM notification_preference"))
        ).scalar_one()
    assert phone == "84901234567"
    # Only what is given changes; an empty phone removes it (and Zalo then needs one again).
    body = await gql(client, SET, {"input": {"push": False}}, me)
    assert body["data"]["setNotificationPreferences"]["preferences"]["zalo"] is True
    body = await gql(client, SET, {"input": {"zaloPhone": ""}}, me)
    assert body["data"]["setNotificationPreferences"]["userErrors"][0]["field"] == [
        "input",
        "zaloPhone",
    ]
    body = await gql(client, SET, {"input": {"zaloPhone": "", "zalo": False}}, me)
    prefs = body["data"]["setNotificationPreferences"]["preferences"]
    assert (prefs["push"], prefs["zalo"], prefs["hasZaloPhone"]) == (False, False, False)
    anonymous = await gql(client, SET, {"input": {"push": True}})
    assert anonymous["data"]["setNotificationPreferences"]["userErrors"][0]["code"] == (
        "UNAUTHENTICATED"
    )


async def test_a_petition_to_a_group_reaches_its_serving_members_and_a_post_its_readers(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    await submitted(client, w.citizen_a)  # to the Vị Thanh group: no delegate chosen
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT a.sub, o.kind FROM outbox o JOIN account a ON a.id = o.account_id "
                    "ORDER BY o.id"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("delegate-vt", "PETITION_RECEIVED"),
        ("delegate-vt-2", "PETITION_RECEIVED"),
    ]
    group = await gql(client, "{ me { delegate { group { id } } } }", headers=w.delegate)
    group_id = group["data"]["me"]["delegate"]["group"]["id"]
    posted = await gql(
        client,
        'mutation($g: ID!) { postToGroup(groupId: $g, body: "Họp Tổ sáng thứ Hai") '
        "{ userErrors { code } } }",
        {"g": group_id},
        w.delegate,
    )
    assert posted["data"]["postToGroup"]["userErrors"] == []
    async with sessionmaker() as session:
        posts = (
            await session.execute(
                sa.text(
                    "SELECT a.sub, o.payload->>'body' FROM outbox o JOIN account a "
                    "ON a.id = o.account_id WHERE o.kind = 'GROUP_POST'"
                )
            )
        ).all()
    # The author is not told of their own post.
    assert [sub for sub, _ in posts] == ["delegate-vt-2"]
    assert posts[0][1].endswith(": Họp Tổ sáng thứ Hai")


async def test_the_service_runs_the_worker_when_asked(
    db_url: str, sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.fromisoformat("2026-03-02T09:00:00+07:00"), tick=True)
    receiver = Receiver()
    async with serving(receiver) as url:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=db_url,
            jwt_secret=TEST_SECRET,
            push_url=url,
            push_secret=receiver.secret,
            outbox_poll=0.05,
        )
        app = create_app(settings, worker=True)
        async with app.router.lifespan_context(app):
            async with transaction(sessionmaker) as session:
                citizen = await viewer_for_sub(session, "citizen-w", None, None)
                done = await db_petitions.submit_petition(
                    session,
                    citizen,
                    db_petitions.SubmitInput(
                        title="Đèn đường hỏng",
                        content="Đèn đường trước chợ hỏng hơn một tháng, buổi tối rất tối.",
                        category="INFRASTRUCTURE_TRANSPORT",
                        commune_code="31318",
                    ),
                    per_hour=10,
                    now=clock.now(),
                )
                await grant_role(session, "staff-w", Role.STAFF)
                staff = await viewer_for_sub(session, "staff-w", None, None)
                await db_petitions.transition(
                    session,
                    staff,
                    done.petition.id,
                    db_petitions.Action.ACKNOWLEDGE,
                    db_petitions.StepInput(),
                    now=clock.now(),
                )
            for _ in range(200):
                if receiver.accepted:
                    break
                await asyncio.sleep(0.05)
    assert [(b["recipient"], b["kind"]) for b in receiver.accepted.values()] == [
        ("citizen-w", "PETITION_ACKNOWLEDGED")
    ]
