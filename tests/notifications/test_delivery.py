"""The worker against real HTTP receivers: exactly once from the receiver's point of view (by
idempotency id) after outages and a worker that dies mid-delivery; the dead letter; Zalo's
template messages; quiet hours; channels not configured. The worker's clock is the test's,
moved on past each backoff, so nothing waits."""

import asyncio
import contextlib
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from time_machine import TimeMachineFixture

from api.worker import OutboxWorker, public_data, sign, verify
from db import clock
from db import petitions as db_petitions
from db.accounts import account_for_sub, grant_role, viewer_for_sub
from db.engine import Sessionmaker, transaction
from db.enums.outbox import NotificationKind
from db.outbox.preferences import PreferenceChanges, change_preferences
from db.outbox.queue import requeue_dead
from db.outbox.rules import QuietHours, Retry, backoff, quiet_until
from db.outbox.writes import enqueue
from db.viewer import Role
from tests.notifications.receivers import (
    Receiver,
    Shifted,
    deliver_everything,
    serving,
    worker_settings,
)

T = datetime.fromisoformat("2026-03-02T09:00:00+07:00")
CONTENT = (
    "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm."
)


async def _quiet_off(sessionmaker: Sessionmaker, *subs: str, **changes: Any) -> None:
    async with transaction(sessionmaker) as session:
        for sub in subs:
            await account_for_sub(session, sub)
            viewer = await viewer_for_sub(session, sub, None, None)
            await change_preferences(
                session, viewer, PreferenceChanges(quiet_hours=False, **changes), clock.now()
            )


async def _petition_steps(sessionmaker: Sessionmaker, citizens: int) -> None:
    """Each citizen's petition, submitted and moved through three steps by STAFF: three
    notifications each to its submitter (the group's delegates have no accounts here)."""
    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff-x", Role.STAFF)
        staff = await viewer_for_sub(session, "staff-x", None, None)
        for i in range(citizens):
            citizen = await viewer_for_sub(session, f"citizen-{i}", None, None)
            done = await db_petitions.submit_petition(
                session,
                citizen,
                db_petitions.SubmitInput(
                    title=f"Kiến nghị số {i}",
                    content=CONTENT,
                    category="INFRASTRUCTURE_TRANSPORT",
                    commune_code="31318",
                ),
                per_hour=100,
                now=clock.now(),
            )
            assert done.petition.id is not None
            for action, args in (
                (db_petitions.Action.ACKNOWLEDGE, db_petitions.StepInput()),
                (db_petitions.Action.FORWARD, db_petitions.StepInput(agency="Sở Y tế")),
                (
                    db_petitions.Action.ANSWER,
                    db_petitions.StepInput(body="Đã xử lý.", respondent="Sở Y tế"),
                ),
            ):
                await db_petitions.transition(
                    session, staff, done.petition.id, action, args, now=clock.now()
                )


async def _states(sessionmaker: Sessionmaker) -> dict[str, int]:
    async with sessionmaker() as session:
        rows = await session.execute(sa.text("SELECT state, count(*) FROM outbox GROUP BY state"))
        return {str(state): int(n) for state, n in rows}


async def _delivery_ids(sessionmaker: Sessionmaker) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.execute(sa.text("SELECT delivery_id::text FROM outbox ORDER BY id"))
        return [r[0] for r in rows]


STEPS = ["PETITION_ACKNOWLEDGED", "PETITION_FORWARDED", "PETITION_ANSWERED"]


async def test_exactly_once_after_outages_and_a_worker_that_dies(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T, tick=False)
    citizens = 4
    await _quiet_off(sessionmaker, *(f"citizen-{i}" for i in range(citizens)))
    await _petition_steps(sessionmaker, citizens)
    ids = await _delivery_ids(sessionmaker)
    assert len(ids) == citizens * 3

    receiver = Receiver(hold=asyncio.Event())
    async with serving(receiver) as url:
        settings = worker_settings(url, outbox_lease=120, outbox_batch=2)
        # Worker A takes two notifications, the receiver accepts the first and the worker dies
        # before hearing back: nothing is recorded, the rows stay leased to it.
        first = OutboxWorker(sessionmaker, settings)
        dying = asyncio.create_task(first.run_once())
        for _ in range(500):  # both requests of the batch have arrived
            if len(receiver.accepted) == 2:
                break
            await asyncio.sleep(0.01)
        dying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dying
        await first.aclose()
        assert len(receiver.accepted) == 2
        receiver.hold.set()
        receiver.hold = None

        # The receiver is down for a while, then fails now and then.
        receiver.down = True
        moved = Shifted()
        second = OutboxWorker(sessionmaker, settings, now=moved)
        try:
            await second.drain()  # the leased rows are not its to take yet; the rest fail
            assert len(receiver.accepted) == 2
            receiver.down = False
            receiver.fail_next = 3
            moved.shift = timedelta(seconds=121)  # past the dead worker's lease
            await deliver_everything(
                second,
                moved,
                lambda: len(receiver.accepted) == len(ids) and not receiver.fail_next,
                timedelta(minutes=10),
            )
            await second.drain()
        finally:
            await second.aclose()

    assert sorted(receiver.accepted) == sorted(ids)  # each exactly once
    assert receiver.duplicates == 2  # the two the dead worker never recorded, sent again
    assert receiver.bad_signatures == 0
    for i in range(citizens):
        assert receiver.order_for(f"citizen-{i}") == STEPS
    assert await _states(sessionmaker) == {"DELIVERED": len(ids)}


async def test_dead_letter_after_the_last_attempt_and_at_once_when_refused_for_good(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T, tick=False)
    await _quiet_off(sessionmaker, "citizen-0", "citizen-1")
    await _petition_steps(sessionmaker, 1)
    receiver = Receiver(down=True)
    async with serving(receiver) as url:
        moved = Shifted()
        worker = OutboxWorker(sessionmaker, worker_settings(url, outbox_max_attempts=3), now=moved)
        try:
            for _ in range(10):
                await worker.drain()
                moved.shift += timedelta(minutes=10)
            assert await _states(sessionmaker) == {"DEAD": 3}
            # 3 attempts each; a later notification waited for the one before it to settle.
            assert len(receiver.attempts) == 9

            # 400: the receiver refuses it for good, no retry.
            receiver.down = False
            receiver.fail_next, receiver.fail_status = 1, 400
            async with transaction(sessionmaker) as session:
                account = await account_for_sub(session, "citizen-1")
                assert account.id is not None
                await enqueue(
                    session,
                    NotificationKind.PETITION_ACKNOWLEDGED,
                    [account.id],
                    {"title": "Thử", "body": "Thử", "data": {}},
                    moved(),
                )
            await worker.drain()
        finally:
            await worker.aclose()
    assert await _states(sessionmaker) == {"DEAD": 4}
    async with sessionmaker() as session:
        errors = (
            await session.execute(sa.text("SELECT last_error, attempts FROM outbox ORDER BY id"))
        ).all()
    assert [tuple(e) for e in errors] == [("HTTP 503", 3)] * 3 + [("HTTP 400", 1)]

    # The receiver fixed, the operator sends the dead letters again (`hdnd outbox retry`).
    async with transaction(sessionmaker) as session:
        assert await requeue_dead(session, clock.now()) == 4
    receiver = Receiver()
    async with serving(receiver) as url:
        worker = OutboxWorker(sessionmaker, worker_settings(url))
        try:
            await worker.drain()
        finally:
            await worker.aclose()
    assert await _states(sessionmaker) == {"DELIVERED": 4}
    assert receiver.order_for("citizen-0") == STEPS


async def test_zalo_template_messages_with_retries(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T, tick=False)
    await _quiet_off(sessionmaker, "citizen-0", push=False, zalo=True, zalo_phone="0901 234 567")
    await _petition_steps(sessionmaker, 1)
    receiver = Receiver(zalo=True, zalo_errors=2)
    async with serving(receiver) as url:
        moved = Shifted()
        settings = worker_settings(
            "http://127.0.0.1:9/unused",
            push_secret=None,
            zalo_zns_url=url,
            zalo_access_token=receiver.zalo_token,
            zalo_app_id="1234567890",
            zalo_templates={"PETITION_ACKNOWLEDGED": "300001", "PETITION_ANSWERED": "300003"},
        )
        worker = OutboxWorker(sessionmaker, settings, now=moved)
        try:
            await deliver_everything(
                worker, moved, lambda: len(receiver.accepted) == 2, timedelta(minutes=10)
            )
            await worker.drain()
        finally:
            await worker.aclose()
    messages = list(receiver.accepted.values())
    assert [m["template_id"] for m in messages] == ["300001", "300003"]
    assert {m["phone"] for m in messages} == {"84901234567"}
    assert messages[0]["template_data"]["trang_thai"] == "đã được tiếp nhận"
    assert messages[0]["app_id"] == "1234567890"
    # The forwarding has no template: not sent by Zalo, settled as skipped.
    assert await _states(sessionmaker) == {"DELIVERED": 2, "SKIPPED": 1}


async def test_quiet_hours_hold_notifications_until_morning(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    night = datetime.fromisoformat("2026-03-02T23:30:00+07:00")
    time_machine.move_to(night, tick=False)
    async with transaction(sessionmaker) as session:
        account = await account_for_sub(session, "night-owl")
        assert account.id is not None
        await enqueue(
            session,
            NotificationKind.PETITION_ANSWERED,
            [account.id],
            {"title": "Thử", "body": "Thử", "data": {}},
            night,
        )
    receiver = Receiver()
    async with serving(receiver) as url:
        worker = OutboxWorker(sessionmaker, worker_settings(url))
        try:
            await worker.drain()
            assert receiver.attempts == []  # held, not tried
            async with sessionmaker() as session:
                row = (
                    await session.execute(sa.text("SELECT attempts, next_attempt_at FROM outbox"))
                ).one()
            assert row.attempts == 0
            assert row.next_attempt_at == datetime.fromisoformat("2026-03-03T06:00:00+07:00")
            time_machine.move_to(datetime.fromisoformat("2026-03-03T06:00:00+07:00"), tick=False)
            await worker.drain()
        finally:
            await worker.aclose()
    assert len(receiver.accepted) == 1
    assert await _states(sessionmaker) == {"DELIVERED": 1}


async def test_without_configured_channels_notifications_are_skipped(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T, tick=False)
    await _quiet_off(sessionmaker, "citizen-0")
    await _petition_steps(sessionmaker, 1)
    settings = worker_settings("http://127.0.0.1:9/unused", push_url=None)
    worker = OutboxWorker(sessionmaker, settings)
    try:
        assert await worker.drain() == 3
    finally:
        await worker.aclose()
    assert await _states(sessionmaker) == {"SKIPPED": 3}


async def test_refused_changes_write_no_notification(
    sessionmaker: Sessionmaker, time_machine: TimeMachineFixture
) -> None:
    """The outbox row is part of the change's transaction: a refusal leaves none behind."""
    time_machine.move_to(T, tick=False)
    await _petition_steps(sessionmaker, 1)
    before = await _delivery_ids(sessionmaker)
    async with transaction(sessionmaker) as session:
        staff = await viewer_for_sub(session, "staff-x", None, None)
        petition_id = (await session.execute(sa.text("SELECT max(id) FROM petition"))).scalar_one()
    try:
        async with transaction(sessionmaker) as session:
            await db_petitions.transition(
                session,
                staff,
                petition_id,
                db_petitions.Action.ACKNOWLEDGE,
                db_petitions.StepInput(),
                now=clock.now(),
            )
    except db_petitions.PetitionRefused as refused:
        assert refused.problems[0].code == "INVALID_TRANSITION"
    else:
        raise AssertionError("an ANSWERED petition was acknowledged again")
    assert await _delivery_ids(sessionmaker) == before


def test_signature_scheme() -> None:
    body = b'{"id":"x"}'
    signature = sign("k" * 32, 1767225600, body)
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert verify("k" * 32, "1767225600", body, signature)
    assert not verify("k" * 32, "1767225601", body, signature)  # another timestamp
    assert not verify("k" * 32, "1767225600", body + b" ", signature)  # another body
    assert not verify("other-key" * 4, "1767225600", body, signature)
    assert not verify("k" * 32, "not-a-number", body, signature)


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = Retry(max_attempts=8, base_seconds=30, max_seconds=600)
    waits = [backoff(n, policy).total_seconds() for n in range(1, 7)]
    assert waits == [30, 60, 120, 240, 480, 600]


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = QuietHours(time(22, 0), time(6, 0))
    at = datetime.fromisoformat
    assert quiet_until(night, at("2026-03-02T21:59:00+07:00")) is None
    assert quiet_until(night, at("2026-03-02T22:00:00+07:00")) == at("2026-03-03T06:00:00+07:00")
    assert quiet_until(night, at("2026-03-03T05:59:00+07:00")) == at("2026-03-03T06:00:00+07:00")
    assert quiet_until(night, at("2026-03-03T06:00:00+07:00")) is None
    # 23:30 in Việt Nam is 16:30 UTC: the local day decides.
    assert quiet_until(night, at("2026-03-02T16:30:00+00:00")) == at("2026-03-03T06:00:00+07:00")
    lunch = QuietHours(time(11, 30), time(13, 0))
    assert quiet_until(lunch, at("2026-03-02T12:00:00+07:00")) == at("2026-03-02T13:00:00+07:00")
    assert quiet_until(lunch, at("2026-03-02T13:00:00+07:00")) is None
    assert quiet_until(None, at("2026-03-02T23:00:00+07:00")) is None


def test_payload_ids_become_global_ids() -> None:
    shown = public_data({"petition": 42, "trackingCode": "K7M-Q2X-D4P", "status": "ANSWERED"})
    assert shown == {
        "petitionId": "UGV0aXRpb246NDI",
        "trackingCode": "K7M-Q2X-D4P",
        "status": "ANSWERED",
    }
