"""Reading delegate group channels: guests, posts and where a live subscription starts."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.core.batches import by_ids, grouped
from db.pagination import Page, before_key, page_of
from db.tables import GroupGuest, GroupPost


async def guests_by_group_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[GroupGuest]]:
    """Active guests of each group, in invitation order."""
    rows = await session.execute(
        sa.select(GroupGuest)
        .where(col(GroupGuest.group_id).in_(list(ids)), col(GroupGuest.removed_at).is_(None))
        .order_by(col(GroupGuest.invited_at), col(GroupGuest.id))
    )
    return grouped((guest.group_id, guest) for guest in rows.scalars())


# Active guests by id.
guests_by_ids = by_ids(GroupGuest, col(GroupGuest.removed_at).is_(None))


async def guest_group_ids_by_account_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[int]]:
    """Groups each account is an active guest of."""
    rows = await session.execute(
        sa.select(col(GroupGuest.account_id), col(GroupGuest.group_id)).where(
            col(GroupGuest.account_id).in_(list(ids)), col(GroupGuest.removed_at).is_(None)
        )
    )
    return grouped(rows)


# ---- posts -------------------------------------------------------------------------------------

PostKey = tuple[datetime, int]


def post_key(post: GroupPost) -> PostKey:
    """Sort key of the newest-first list: creation time, then id."""
    assert post.id is not None
    return (post.created_at, post.id)


async def posts_pages_by_group_ids(
    session: AsyncSession, group_ids: Sequence[int], limit: int, after: PostKey | None
) -> dict[int, Page[GroupPost]]:
    """One newest-first page per group, in one statement (a LATERAL join per group)."""
    if limit == 0 or not group_ids:
        return {gid: Page(rows=[], has_next=False) for gid in group_ids}
    ids = (
        sa.func.unnest(sa.literal(list(group_ids), sa.ARRAY(sa.Integer)))
        .table_valued("gid")
        .render_derived(name="g")
    )
    conditions = [col(GroupPost.group_id) == ids.c.gid]
    if after is not None:
        conditions.append(before_key([col(GroupPost.created_at), col(GroupPost.id)], after))
    per_group = (
        sa.select(GroupPost)
        .where(*conditions)
        .order_by(col(GroupPost.created_at).desc(), col(GroupPost.id).desc())
        .limit(limit + 1)
        .lateral()
    )
    stmt = (
        sa.select(sa.orm.aliased(GroupPost, per_group)).select_from(ids).join(per_group, sa.true())
    )
    found = grouped((post.group_id, post) for post in (await session.execute(stmt)).scalars())
    return {gid: page_of(found.get(gid, []), limit) for gid in group_ids}


async def posts_count(session: AsyncSession, group_id: int) -> int:
    stmt = sa.select(sa.func.count()).where(col(GroupPost.group_id) == group_id)
    return int((await session.execute(stmt)).scalar_one())


posts_by_ids = by_ids(GroupPost)


async def latest_post_id(session: AsyncSession, group_id: int) -> int:
    """Highest post id of the group (0 when none): where a live subscription starts."""
    stmt = sa.select(sa.func.max(col(GroupPost.id))).where(col(GroupPost.group_id) == group_id)
    return (await session.execute(stmt)).scalar_one() or 0


async def posts_after(
    session: AsyncSession, group_id: int, after_id: int, limit: int = 100
) -> list[GroupPost]:
    """Posts of the group with an id above `after_id`, oldest first: what a live subscription
    missed while the process's listening connection was being re-established."""
    rows = await session.execute(
        sa.select(GroupPost)
        .where(col(GroupPost.group_id) == group_id, col(GroupPost.id) > after_id)
        .order_by(col(GroupPost.id))
        .limit(limit)
    )
    return list(rows.scalars())
