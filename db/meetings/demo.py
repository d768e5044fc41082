"""Demo voter meetings for `hdnd seed --demo`: the round before the demo session in progress
(kỳ họp thứ 26): three groups each held a meeting in November with their voters, whose concerns
were recorded; a duplicate was merged, one concern answered. The Vị Thanh group (the demo
DELEGATE's) also announced its meeting after the session, to report the answers back, and one
before the next session. Written through db.meetings' own functions, so every rule holds."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import petitions as db_petitions
from db.accounts import account_for_sub
from db.clock import LOCAL_ZONE
from db.council import group_areas_by_group_ids, group_members_by_group_ids
from db.meetings.merge import merge_petitions
from db.meetings.writes import ConcernInput, ScheduleInput, complete_meeting, record_concerns
from db.meetings.writes import schedule_meeting as schedule
from db.tables import AdministrativeUnit, CouncilSession, DelegateGroup, VoterMeeting
from db.viewer import Role, Viewer, ViewerKind

DEMO_STAFF_SUB = "demo-staff"  # api.demo.DEMO_ACCOUNTS' STAFF account
AGENCY = "Sở Xây dựng"

# (category, content with {commune}); the first two say the same, for the merge.
CONCERNS = (
    ("INFRASTRUCTURE_TRANSPORT",
     "Đèn chiếu sáng trên tuyến đường chính của {commune} hư hỏng nhiều tháng chưa được thay, "
     "ban đêm người dân đi lại nguy hiểm, đề nghị sớm sửa chữa."),
    ("INFRASTRUCTURE_TRANSPORT",
     "Đèn chiếu sáng trên tuyến đường chính của {commune} hư hỏng nhiều tháng chưa được thay, "
     "đề nghị sớm sửa chữa để người dân đi lại an toàn."),
    ("HEALTH",
     "Trạm y tế {commune} thiếu bác sĩ, người dân phải lên tuyến huyện để khám bệnh, đề nghị "
     "bố trí thêm bác sĩ về trạm."),
    ("EDUCATION",
     "Trường tiểu học {commune} thiếu phòng học, học sinh phải học hai ca, đề nghị đầu tư xây "
     "thêm phòng học."),
    ("AGRICULTURE",
     "Giá phân bón tăng cao, đề nghị có chính sách hỗ trợ nông dân {commune} vay vốn ưu đãi "
     "để sản xuất vụ Đông Xuân."),
)  # fmt: skip
SPEAKERS = ("Nguyễn Văn Hai", None, "Lê Thị Hồng", None, "Trần Văn Bảy")


@dataclass(frozen=True)
class _Group:
    row: DelegateGroup
    communes: list[AdministrativeUnit]
    delegate_ids: list[int]
    district: str


def _at(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=LOCAL_ZONE)


async def _groups(session: AsyncSession, on: datetime, count: int) -> list[_Group]:
    groups = list(
        (
            await session.execute(
                sa.select(DelegateGroup).order_by(col(DelegateGroup.id)).limit(count)
            )
        ).scalars()
    )
    ids = [g.id for g in groups if g.id is not None]
    areas = await group_areas_by_group_ids(session, ids)
    members = await group_members_by_group_ids(session, ids, on.date())
    found = []
    for group in groups:
        assert group.id is not None
        area = areas.get(group.id, [])
        if not area:
            continue
        codes = [a.code for a in area]
        communes = list(
            (
                await session.execute(
                    sa.select(AdministrativeUnit)
                    .where(
                        sa.or_(
                            col(AdministrativeUnit.parent_code).in_(codes),
                            col(AdministrativeUnit.code).in_(codes),
                        ),
                        col(AdministrativeUnit.level) == "COMMUNE",
                    )
                    .order_by(col(AdministrativeUnit.code))
                    .limit(2)
                )
            ).scalars()
        )
        if communes:
            delegate_ids = [d.id for d in members.get(group.id, [])[:2] if d.id is not None]
            found.append(_Group(group, communes, delegate_ids, area[0].name))
    return found


async def seed_demo_meetings(session: AsyncSession) -> int:
    """The demo round (see the module's docstring), once; returns how many meetings were added."""
    has_any = (
        await session.execute(sa.select(sa.func.count()).select_from(VoterMeeting))
    ).scalar_one()
    sessions = {
        s.status: s
        for s in (
            await session.execute(sa.select(CouncilSession).order_by(col(CouncilSession.starts_on)))
        ).scalars()
    }
    current, upcoming = sessions.get("IN_PROGRESS"), sessions.get("UPCOMING")
    if has_any or current is None or current.id is None:
        return 0
    account = await account_for_sub(session, DEMO_STAFF_SUB)
    staff = Viewer(
        kind=ViewerKind.ACCOUNT, sub=DEMO_STAFF_SUB, account_id=account.id, role=Role.STAFF
    )
    opening = datetime.combine(current.starts_on, time(0), tzinfo=LOCAL_ZONE)
    groups = await _groups(session, opening - timedelta(days=15), 3)
    made = 0
    for i, group in enumerate(groups):
        assert group.row.id is not None
        starts = _at(opening - timedelta(days=15 - 2 * i), 8)
        meeting = await schedule(
            session,
            staff,
            ScheduleInput(
                group_id=group.row.id,
                session_id=current.id,
                timing="BEFORE_SESSION",
                starts_at=starts,
                place=f"Hội trường UBND {group.communes[0].name}",
                co_host=f"Ủy ban MTTQ Việt Nam {group.district}",
                commune_codes=[c.code for c in group.communes],
                delegate_ids=group.delegate_ids,
            ),
            now=starts - timedelta(days=7),
        )
        assert meeting.id is not None
        made += 1
        done = starts + timedelta(hours=3)
        await complete_meeting(session, staff, meeting.id, 95 + 20 * i, None, now=done)
        concerns = [
            ConcernInput(
                content=text.format(commune=group.communes[n % len(group.communes)].name),
                category=category,
                commune_code=group.communes[n % len(group.communes)].code,
                speaker_name=SPEAKERS[n],
            )
            for n, (category, text) in enumerate(CONCERNS)
        ]
        petitions = await record_concerns(session, staff, meeting.id, concerns, now=done)
        ids = [p.id for p in petitions if p.id is not None]
        if i == 0:
            # The first group's: the duplicate merged, the health concern answered.
            await merge_petitions(session, staff, ids[0], [ids[1]], now=done + timedelta(days=1))
            for action, args in (
                (db_petitions.Action.ACKNOWLEDGE, db_petitions.StepInput()),
                (db_petitions.Action.FORWARD, db_petitions.StepInput(agency="Sở Y tế")),
                (
                    db_petitions.Action.ANSWER,
                    db_petitions.StepInput(
                        body="Sở Y tế đã điều động một bác sĩ luân phiên về trạm từ tháng 12.",
                        respondent="Sở Y tế",
                    ),
                ),
            ):
                await db_petitions.transition(
                    session, staff, ids[2], action, args, now=done + timedelta(days=2)
                )
            await db_petitions.transition(
                session,
                staff,
                ids[3],
                db_petitions.Action.ACKNOWLEDGE,
                db_petitions.StepInput(),
                now=done + timedelta(days=2),
            )
    if groups and groups[0].row.id is not None:
        first = groups[0]
        assert first.row.id is not None
        after = _at(datetime.combine(current.ends_on, time(0)) + timedelta(days=11), 8)
        await schedule(
            session,
            staff,
            ScheduleInput(
                group_id=first.row.id,
                session_id=current.id,
                timing="AFTER_SESSION",
                starts_at=after,
                place=f"Nhà văn hoá {first.communes[0].name}",
                co_host=f"Ủy ban MTTQ Việt Nam {first.district}",
                commune_codes=[c.code for c in first.communes],
                delegate_ids=first.delegate_ids,
            ),
            now=after - timedelta(days=7),
        )
        made += 1
        if upcoming is not None and upcoming.id is not None:
            before_next = _at(datetime.combine(upcoming.starts_on, time(0)) - timedelta(days=4), 14)
            await schedule(
                session,
                staff,
                ScheduleInput(
                    group_id=first.row.id,
                    session_id=upcoming.id,
                    timing="BEFORE_SESSION",
                    starts_at=before_next,
                    place=f"Hội trường UBND {first.communes[-1].name}",
                    co_host=f"Ủy ban MTTQ Việt Nam {first.district}",
                    commune_codes=[first.communes[-1].code],
                    delegate_ids=first.delegate_ids[:1],
                ),
                now=before_next - timedelta(days=7),
            )
            made += 1
    return made
