"""Reading voter meetings: the public lists (per commune, per session), the batches the
DataLoaders ask for, the upcoming meetings of groups, the concerns raised at each."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.council import within_unit
from db.enums.meetings import MeetingStatus
from db.pagination import Page, after_key, page_of
from db.petition_access import visible_condition
from db.tables import (
    AdministrativeUnit,
    MeetingConcern,
    Petition,
    VoterMeeting,
    VoterMeetingCommune,
    VoterMeetingDelegate,
)
from db.tables.base import table_of
from db.viewer import Viewer

ORDER = (col(VoterMeeting.starts_at), col(VoterMeeting.id))
UPCOMING_PER_GROUP = 5


@dataclass(frozen=True)
class MeetingFilter:
    unit: AdministrativeUnit | None = None  # meetings covering a commune inside this unit
    session_id: int | None = None
    group_id: int | None = None
    upcoming_from: datetime | None = None  # SCHEDULED meetings starting at or after it


def conditions(f: MeetingFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.session_id is not None:
        found.append(col(VoterMeeting.session_id) == f.session_id)
    if f.group_id is not None:
        found.append(col(VoterMeeting.group_id) == f.group_id)
    if f.upcoming_from is not None:
        found.append(col(VoterMeeting.starts_at) >= f.upcoming_from)
        found.append(col(VoterMeeting.status) == MeetingStatus.SCHEDULED.value)
    if f.unit is not None:
        found.append(
            sa.exists(
                sa.select(sa.literal(1))
                .select_from(VoterMeetingCommune)
                .join(
                    AdministrativeUnit,
                    col(AdministrativeUnit.code) == col(VoterMeetingCommune.unit_code),
                )
                .where(
                    col(VoterMeetingCommune.meeting_id) == col(VoterMeeting.id),
                    within_unit(table_of(AdministrativeUnit).c.path, f.unit),
                )
            )
        )
    return found


async def meetings_page(
    session: AsyncSession, f: MeetingFilter, after: tuple[datetime, int] | None, first: int
) -> Page[VoterMeeting]:
    """One page of meetings in time order (earliest first)."""
    stmt = sa.select(VoterMeeting).where(*conditions(f))
    if after is not None:
        stmt = stmt.where(after_key(ORDER, after))
    rows = await session.execute(stmt.order_by(*ORDER).limit(first + 1))
    return page_of(list(rows.scalars()), first)


async def meetings_count(session: AsyncSession, f: MeetingFilter) -> int:
    stmt = sa.select(sa.func.count()).select_from(VoterMeeting).where(*conditions(f))
    return int((await session.execute(stmt)).scalar_one())


async def meetings_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, VoterMeeting]:
    rows = await session.execute(sa.select(VoterMeeting).where(col(VoterMeeting.id).in_(list(ids))))
    return {m.id: m for m in rows.scalars() if m.id is not None}


async def communes_by_meeting_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[str]]:
    rows = await session.execute(
        sa.select(col(VoterMeetingCommune.meeting_id), col(VoterMeetingCommune.unit_code))
        .where(col(VoterMeetingCommune.meeting_id).in_(list(ids)))
        .order_by(col(VoterMeetingCommune.meeting_id), col(VoterMeetingCommune.unit_code))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for meeting_id, code in rows.all():
        found[meeting_id].append(code)
    return found


async def delegates_by_meeting_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[int]]:
    rows = await session.execute(
        sa.select(col(VoterMeetingDelegate.meeting_id), col(VoterMeetingDelegate.delegate_id))
        .where(col(VoterMeetingDelegate.meeting_id).in_(list(ids)))
        .order_by(col(VoterMeetingDelegate.meeting_id), col(VoterMeetingDelegate.delegate_id))
    )
    found: dict[int, list[int]] = defaultdict(list)
    for meeting_id, delegate_id in rows.all():
        found[meeting_id].append(delegate_id)
    return found


ConcernKey = tuple[int, int]  # (position, petition id)


async def concerns_pages(
    session: AsyncSession,
    meeting_ids: Sequence[int],
    viewer: Viewer,
    today: date,
    limit: int,
    after: ConcernKey | None,
) -> dict[int, Page[tuple[ConcernKey, Petition]]]:
    """A page of the petitions raised at each meeting that `viewer` may see, in the order
    recorded (a petition that duplicates raised there were merged into, at theirs), one
    statement for every meeting."""
    order = (col(MeetingConcern.position), col(MeetingConcern.petition_id))
    conditions = [
        col(MeetingConcern.meeting_id).in_(list(meeting_ids)),
        visible_condition(viewer, today),
    ]
    if after is not None:
        conditions.append(after_key(order, after))
    ranked = (
        sa.select(
            col(MeetingConcern.meeting_id).label("meeting_id"),
            col(MeetingConcern.position).label("position"),
            col(Petition.id).label("petition_id"),
            sa.func.row_number()
            .over(partition_by=col(MeetingConcern.meeting_id), order_by=order)
            .label("n"),
        )
        .join(Petition, col(Petition.id) == col(MeetingConcern.petition_id))
        .where(*conditions)
        .subquery()
    )
    rows = await session.execute(
        sa.select(ranked.c.meeting_id, ranked.c.position, Petition)
        .join(Petition, col(Petition.id) == ranked.c.petition_id)
        .where(ranked.c.n <= limit + 1)
        .order_by(ranked.c.meeting_id, ranked.c.n)
    )
    found: dict[int, list[tuple[ConcernKey, Petition]]] = defaultdict(list)
    for meeting_id, position, petition in rows.all():
        assert petition.id is not None
        found[meeting_id].append(((position, petition.id), petition))
    return {m: page_of(found.get(m, []), limit) for m in meeting_ids}


async def concerns_count(
    session: AsyncSession, meeting_id: int, viewer: Viewer, today: date
) -> int:
    """How many petitions raised at the meeting `viewer` may see."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(MeetingConcern)
        .join(Petition, col(Petition.id) == col(MeetingConcern.petition_id))
        .where(col(MeetingConcern.meeting_id) == meeting_id, visible_condition(viewer, today))
    )
    return int((await session.execute(stmt)).scalar_one())


async def meetings_by_petition_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[VoterMeeting]]:
    """The meetings where each petition was raised, earliest first."""
    rows = await session.execute(
        sa.select(col(MeetingConcern.petition_id), VoterMeeting)
        .join(VoterMeeting, col(VoterMeeting.id) == col(MeetingConcern.meeting_id))
        .where(col(MeetingConcern.petition_id).in_(list(ids)))
        .order_by(col(MeetingConcern.petition_id), *ORDER)
    )
    found: dict[int, list[VoterMeeting]] = defaultdict(list)
    for petition_id, meeting in rows.all():
        found[petition_id].append(meeting)
    return found


async def upcoming_by_group_ids(
    session: AsyncSession, ids: Sequence[int], now: datetime
) -> dict[int, list[VoterMeeting]]:
    """Each group's next SCHEDULED meetings (at most UPCOMING_PER_GROUP), earliest first."""
    ranked = (
        sa.select(
            VoterMeeting,
            sa.func.row_number()
            .over(partition_by=col(VoterMeeting.group_id), order_by=ORDER)
            .label("n"),
        )
        .where(
            col(VoterMeeting.group_id).in_(list(ids)),
            col(VoterMeeting.status) == MeetingStatus.SCHEDULED.value,
            col(VoterMeeting.starts_at) >= now,
        )
        .subquery()
    )
    meeting = sa.orm.aliased(VoterMeeting, ranked)
    rows = await session.execute(
        sa.select(meeting)
        .where(ranked.c.n <= UPCOMING_PER_GROUP)
        .order_by(ranked.c.group_id, ranked.c.starts_at, ranked.c.id)
    )
    found: dict[int, list[VoterMeeting]] = defaultdict(list)
    for m in rows.scalars():
        found[m.group_id].append(m)
    return found
