"""Reading sessions' agendas and contributions: the batches behind the DataLoaders and the
contribution lists (a session's in recording order, a delegate's newest first)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.core.batches import by_ids, grouped
from db.pagination import Page, after_key, before_key
from db.tables import AgendaItem, Contribution, ContributionPetition


async def agenda_by_session_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[AgendaItem]]:
    rows = await session.execute(
        sa.select(AgendaItem)
        .where(col(AgendaItem.session_id).in_(list(ids)))
        .order_by(col(AgendaItem.session_id), col(AgendaItem.position))
    )
    return grouped((item.session_id, item) for item in rows.scalars())


agenda_items_by_ids = by_ids(AgendaItem)

ContributionKey = tuple[datetime, int]


def contribution_key(row: Contribution) -> ContributionKey:
    assert row.id is not None
    return (row.recorded_at, row.id)


@dataclass(frozen=True)
class PageRequest:
    """Whose contributions (one session's, or one delegate's, optionally at one session) and
    which page. Sessions list in recording order; a delegate's newest first."""

    by: str  # "session" or "delegate"
    owner_id: int
    session_id: int | None
    limit: int
    after: ContributionKey | None


async def contribution_pages(
    session: AsyncSession, requests: Sequence[PageRequest]
) -> dict[PageRequest, Page[Contribution]]:
    """Pages for many owners: one statement per shape of request (owner kind, session filter,
    page size, cursor), a window function cutting each owner's page."""
    shapes: dict[tuple[str, int | None, int, ContributionKey | None], list[int]] = defaultdict(list)
    for r in requests:
        shapes[(r.by, r.session_id, r.limit, r.after)].append(r.owner_id)
    result: dict[PageRequest, Page[Contribution]] = {}
    for (by, session_id, limit, after), owners in shapes.items():
        owner = col(Contribution.session_id) if by == "session" else col(Contribution.delegate_id)
        order = [col(Contribution.recorded_at), col(Contribution.id)]
        newest_first = by == "delegate"
        conditions: list[ColumnElement[bool]] = [
            owner.in_(owners),
            col(Contribution.withdrawn_at).is_(None),
        ]
        if session_id is not None:
            conditions.append(col(Contribution.session_id) == session_id)
        if after is not None:
            conditions.append(before_key(order, after) if newest_first else after_key(order, after))
        sort = [c.desc() for c in order] if newest_first else order
        ranked = (
            sa.select(
                Contribution,
                sa.func.row_number().over(partition_by=owner, order_by=sort).label("rank"),
            )
            .where(*conditions)
            .subquery()
        )
        alias = sa.orm.aliased(Contribution, ranked)
        stmt = sa.select(alias).where(ranked.c.rank <= limit + 1).order_by(ranked.c.rank)
        found = grouped(
            (c.session_id if by == "session" else c.delegate_id, c)
            for c in (await session.execute(stmt)).scalars()
        )
        for owner_id in owners:
            rows = found.get(owner_id, [])
            page = Page(rows=rows[:limit], has_next=len(rows) > limit)
            result[PageRequest(by, owner_id, session_id, limit, after)] = page
    return result


CountKey = tuple[str, int, int | None]


async def contribution_counts(
    session: AsyncSession, keys: Sequence[CountKey]
) -> dict[CountKey, int]:
    """How many (not withdrawn) contributions each owner has: one statement per owner kind."""
    result: dict[CountKey, int] = {}
    shapes: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for by, owner_id, session_id in keys:
        shapes[(by, session_id)].append(owner_id)
    for (by, session_id), owners in shapes.items():
        owner = col(Contribution.session_id) if by == "session" else col(Contribution.delegate_id)
        stmt = (
            sa.select(owner, sa.func.count())
            .where(owner.in_(owners), col(Contribution.withdrawn_at).is_(None))
            .group_by(owner)
        )
        if session_id is not None:
            stmt = stmt.where(col(Contribution.session_id) == session_id)
        counts = {int(o): int(n) for o, n in await session.execute(stmt)}
        for owner_id in owners:
            result[(by, owner_id, session_id)] = counts.get(owner_id, 0)
    return result


contributions_by_ids = by_ids(Contribution)


async def petition_ids_by_contribution_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[int]]:
    """Linked petitions of each contribution (ids; whoever shows them applies visibility)."""
    rows = await session.execute(
        sa.select(ContributionPetition.contribution_id, ContributionPetition.petition_id)  # type: ignore[call-overload]
        .where(col(ContributionPetition.contribution_id).in_(list(ids)))
        .order_by(col(ContributionPetition.petition_id))
    )
    return grouped(rows)
