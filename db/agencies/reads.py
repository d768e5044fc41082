"""Reading agencies: the directory of agencies, an agency's inbox, each petition's
forwardings, and the per-agency table for the Legal Affairs Committee and the office."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.agencies.rules import forward_overdue_condition
from db.clock import local_day_start
from db.pagination import Page, page_of
from db.petitions import PetitionKey, page_statement
from db.tables import Agency, AgencyUnit, Petition, PetitionForward
from db.text import like_pattern
from db.viewer import Role, Viewer


async def agencies(
    session: AsyncSession, level: str | None, search: str | None, unit_code: str | None
) -> list[Agency]:
    """The agencies, province first (its People's Committee, the head of the tree, first of
    all), then by code; narrowed by level, by a name search
    (diacritics aside), or to those covering a unit."""
    stmt = sa.select(Agency)
    if level is not None:
        stmt = stmt.where(col(Agency.level) == level)
    if search is not None and search.strip():
        stmt = stmt.where(
            sa.func.hdnd_fold(col(Agency.name)).like(like_pattern(search), escape="\\")
        )
    if unit_code is not None:
        stmt = stmt.where(
            sa.exists().where(
                col(AgencyUnit.agency_id) == col(Agency.id),
                col(AgencyUnit.unit_code) == unit_code.strip(),
            )
        )
    order = sa.case({"PROVINCE": 0, "DISTRICT": 1}, value=col(Agency.level), else_=2)
    return list(
        (
            await session.execute(
                stmt.order_by(order, col(Agency.parent_id).is_not(None), col(Agency.code))
            )
        ).scalars()
    )


async def agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    stmt = sa.select(Agency).where(col(Agency.code) == code.strip().upper())
    return (await session.execute(stmt)).scalar_one_or_none()


async def agencies_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Agency]:
    rows = await session.execute(sa.select(Agency).where(col(Agency.id).in_(list(ids))))
    return {a.id: a for a in rows.scalars() if a.id is not None}


async def unit_codes_by_agency_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[str]]:
    rows = await session.execute(
        sa.select(col(AgencyUnit.agency_id), col(AgencyUnit.unit_code))
        .where(col(AgencyUnit.agency_id).in_(list(ids)))
        .order_by(col(AgencyUnit.agency_id), col(AgencyUnit.unit_code))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for agency_id, code in rows:
        found[agency_id].append(code)
    return found


async def forwards_by_petition_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[PetitionForward]]:
    """Each petition's forwardings, oldest first."""
    rows = await session.execute(
        sa.select(PetitionForward)
        .where(col(PetitionForward.petition_id).in_(list(ids)))
        .order_by(col(PetitionForward.petition_id), col(PetitionForward.id))
    )
    found: dict[int, list[PetitionForward]] = defaultdict(list)
    for row in rows.scalars():
        found[row.petition_id].append(row)
    return found


# ---- the agency's inbox ----------------------------------------------------------------------


def inbox_conditions(
    viewer: Viewer, status: str | None, overdue: bool | None, now: datetime
) -> list[ColumnElement[bool]]:
    """`agencyInbox`: the petitions with the viewer's agency (forwarded, and answered by it),
    optionally in one status, optionally only those late (or not)."""
    if not viewer.has_role(Role.AGENCY) or viewer.agency_id is None:
        return [sa.false()]
    conditions: list[ColumnElement[bool]] = [col(Petition.agency_id) == viewer.agency_id]
    if status is not None:
        conditions.append(col(Petition.status) == status)
    if overdue is not None:
        late = sa.exists().where(
            col(PetitionForward.petition_id) == col(Petition.id),
            col(PetitionForward.agency_id) == viewer.agency_id,
            forward_overdue_condition(now),
        )
        conditions.append(late if overdue else sa.not_(late))
    return conditions


async def inbox_page(
    session: AsyncSession,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    after: PetitionKey | None,
) -> Page[Petition]:
    rows = (await session.execute(page_statement(conditions, limit, after))).scalars()
    return page_of(list(rows), limit)


async def inbox_count(session: AsyncSession, conditions: Sequence[ColumnElement[bool]]) -> int:
    stmt = sa.select(sa.func.count()).select_from(Petition).where(*conditions)
    return int((await session.execute(stmt)).scalar_one())


# ---- the per-agency table --------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFigures:
    """One agency's row: forwardings received in the period and what became of them."""

    agency: Agency
    received: int
    answered: int
    returned: int
    pending: int
    overdue: int
    median_days_to_answer: float | None


async def agency_table(
    session: AsyncSession, now: datetime, first: date | None, last: date | None
) -> list[AgencyFigures]:
    """Per agency that received any petition forwarded from `first` to `last` (local days,
    both included; open-ended when None): received, answered, returned, still pending,
    overdue at `now` (pending past due, or answered after it), and the median days from
    forwarding to answer. Most overdue first."""
    forward = PetitionForward
    answered = col(forward.outcome) == "ANSWERED"
    days = sa.extract("epoch", col(forward.settled_at) - col(forward.forwarded_at)) / 86400.0
    stmt = sa.select(
        col(forward.agency_id),
        sa.func.count().label("received"),
        sa.func.count().filter(answered).label("answered"),
        sa.func.count().filter(col(forward.outcome) == "RETURNED").label("returned"),
        sa.func.count().filter(col(forward.outcome) == "PENDING").label("pending"),
        sa.func.count().filter(forward_overdue_condition(now)).label("overdue"),
        sa.func.percentile_cont(0.5).within_group(days).filter(answered).label("median"),
    ).group_by(col(forward.agency_id))
    if first is not None:
        stmt = stmt.where(col(forward.forwarded_at) >= local_day_start(first))
    if last is not None:
        stmt = stmt.where(
            col(forward.forwarded_at) < local_day_start(date.fromordinal(last.toordinal() + 1))
        )
    rows = (await session.execute(stmt)).all()
    found = await agencies_by_ids(session, [r.agency_id for r in rows])
    table = [
        AgencyFigures(
            agency=found[r.agency_id],
            received=r.received,
            answered=r.answered,
            returned=r.returned,
            pending=r.pending,
            overdue=r.overdue,
            median_days_to_answer=None if r.median is None else round(float(r.median), 2),
        )
        for r in rows
    ]
    table.sort(key=lambda f: (-f.overdue, -f.received, f.agency.code))
    return table
