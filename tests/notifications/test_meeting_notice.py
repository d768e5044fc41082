"""A voter meeting scheduled: the citizens of its communes (those who petitioned from them in
the last year) hear where and when, in the transaction that schedules it."""

from datetime import datetime

import sqlalchemy as sa

from db import clock
from db import petitions as db_petitions
from db.accounts import grant_role, viewer_for_sub
from db.engine import Sessionmaker, transaction
from db.meetings.writes import ScheduleInput, schedule_meeting
from db.viewer import Role

CONTENT = (
    "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm."
)


async def test_citizens_of_the_communes_hear_of_a_meeting(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff-m", Role.STAFF)
        staff = await viewer_for_sub(session, "staff-m", None, None)
        for sub, commune in (("near", "31318"), ("far", "31340"), ("near", "31318")):
            citizen = await viewer_for_sub(session, sub, None, None)
            await db_petitions.submit_petition(
                session,
                citizen,
                db_petitions.SubmitInput(
                    title="Đường liên ấp bị sạt lở",
                    content=CONTENT,
                    category="INFRASTRUCTURE_TRANSPORT",
                    commune_code=commune,
                ),
                per_hour=100,
                now=clock.now(),
            )
        group_id = (
            await session.execute(
                sa.text(
                    "SELECT id FROM delegate_group WHERE name = 'Tổ đại biểu thành phố Vị Thanh'"
                )
            )
        ).scalar_one()
        session_id = (
            await session.execute(sa.text("SELECT id FROM council_session WHERE number = 27"))
        ).scalar_one()
        await schedule_meeting(
            session,
            staff,
            ScheduleInput(
                group_id=group_id,
                session_id=session_id,
                timing="BEFORE_SESSION",
                starts_at=datetime.fromisoformat("2026-12-01T08:00:00+07:00"),
                place="Hội trường UBND Phường I",
                co_host="Ủy ban MTTQ Việt Nam thành phố Vị Thanh",
                commune_codes=["31318"],
            ),
            now=clock.now(),
        )
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT a.sub, o.payload->>'body' FROM outbox o JOIN account a "
                    "ON a.id = o.account_id WHERE o.kind = 'VOTER_MEETING'"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (
            "near",
            "Tổ đại biểu thành phố Vị Thanh tiếp xúc cử tri lúc 08:00 ngày 01/12/2026 "
            "tại Hội trường UBND Phường I.",
        )
    ]
