"""Delegate group channels: who may read and write a group's channel, guests, posts.

A channel belongs to one delegate group. Its members (delegates of the group serving today)
and its active guests read and post; STAFF, MONITOR and ADMIN read. The group's leader and
STAFF invite and remove guests. Every change notifies "group:{id}" in its own transaction,
so live subscribers on any server process hear of it only once it is committed.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.accounts import account_for_sub
from db.audit import audit
from db.events import notify
from db.pagination import Page, before_key, page_of
from db.refused import Refusal, Refused, sign_in_first
from db.serving import serves_on
from db.tables import (
    AdministrativeUnit,
    Delegate,
    DelegateGroup,
    GroupArea,
    GroupGuest,
    GroupPost,
)
from db.tables.base import table_of, utcnow
from db.text import InvalidText, input_text
from db.viewer import Role, Viewer

POST_MAX = 4000
NAME_MAX = 120
TITLE_MAX = 200
GUEST_UNIT_LEVELS = ("DISTRICT", "COMMUNE")


class Access(Enum):
    """What a viewer may do in one group's channel."""

    NONE = "none"
    READ = "read"  # STAFF, MONITOR, ADMIN: read only
    GUEST = "guest"  # an active guest: read and post
    MEMBER = "member"  # a delegate of the group serving today: read and post

    @property
    def can_read(self) -> bool:
        return self is not Access.NONE

    @property
    def can_post(self) -> bool:
        return self in (Access.GUEST, Access.MEMBER)


def group_topic(group_id: int) -> str:
    """The NOTIFY topic of one group's channel."""
    return f"group:{group_id}"


def access_rule(
    viewer: Viewer,
    group_id: int,
    viewer_delegate: Delegate | None,
    guest_group_ids: Iterable[int],
    today: date,
) -> Access:
    """The channel rule in one place; callers supply the viewer's delegate row and the groups
    the viewer is an active guest of (queried once, or through loaders)."""
    if not viewer.is_signed_in:
        return Access.NONE
    if (
        viewer_delegate is not None
        and viewer_delegate.group_id == group_id
        and serves_on(viewer_delegate, today)
    ):
        return Access.MEMBER
    if group_id in set(guest_group_ids):
        return Access.GUEST
    if viewer.sees_everything:
        return Access.READ
    return Access.NONE


async def channel_access(
    session: AsyncSession, viewer: Viewer, group_id: int, today: date
) -> Access:
    """The viewer's access to `group_id`'s channel, read now (subscriptions, mutations);
    Refused NOT_FOUND when the group does not exist."""
    await _group(session, group_id)
    if not viewer.is_signed_in:
        return Access.NONE
    delegate = (
        await session.get(Delegate, viewer.delegate_id) if viewer.delegate_id is not None else None
    )
    assert viewer.account_id is not None
    guest_groups = (await guest_group_ids_by_account_ids(session, [viewer.account_id])).get(
        viewer.account_id, []
    )
    return access_rule(viewer, group_id, delegate, guest_groups, today)


async def _group(session: AsyncSession, group_id: int) -> DelegateGroup:
    group = await session.get(DelegateGroup, group_id)
    if group is None:
        raise Refused(Refusal.NOT_FOUND, "Không có Tổ đại biểu này.", "groupId")
    return group


async def _require_manager(
    session: AsyncSession, viewer: Viewer, group: DelegateGroup, today: date
) -> None:
    """The group's leader (serving today) or STAFF manage guests."""
    refused = sign_in_first(viewer)
    if refused is not None:
        raise Refused(*refused)
    if viewer.has_role(Role.STAFF):
        return
    if viewer.delegate_id is not None and viewer.delegate_id == group.leader_id:
        leader = await session.get(Delegate, viewer.delegate_id)
        if leader is not None and serves_on(leader, today):
            return
    raise Refused(
        Refusal.FORBIDDEN, "Chỉ Tổ trưởng hoặc Văn phòng HĐND mới được mời hoặc gỡ khách mời."
    )


def _text(
    value: str,
    field: str,
    label: str,
    maximum: int,
    *,
    one_line: bool = False,
    letters: bool = True,
) -> str:
    try:
        cleaned = input_text(value, label, one_line=one_line, letters=letters)
    except InvalidText as refused:
        raise Refused(Refusal.INVALID_INPUT, str(refused), *field.split(".")) from None
    if not cleaned:
        raise Refused(Refusal.INVALID_INPUT, f"{label} không được để trống.", *field.split("."))
    if len(cleaned) > maximum:
        raise Refused(
            Refusal.INVALID_INPUT, f"{label} dài tối đa {maximum} ký tự.", *field.split(".")
        )
    return cleaned


# ---- guests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestInput:
    account_sub: str
    full_name: str
    title: str
    unit_code: str | None = None


async def invite_guest(
    session: AsyncSession,
    viewer: Viewer,
    group_id: int,
    data: GuestInput,
    today: date,
    request_id: str | None = None,
) -> GroupGuest:
    """Give an account access to one group's channel (made on first sight, like sign-in)."""
    group = await _group(session, group_id)
    await _require_manager(session, viewer, group, today)
    sub = data.account_sub.strip()
    if not sub or len(sub) > 255:
        raise Refused(
            Refusal.INVALID_INPUT, "Mã tài khoản (sub) không hợp lệ.", "input", "accountSub"
        )
    full_name = _text(data.full_name, "input.fullName", "Họ tên khách mời", NAME_MAX, one_line=True)
    title = _text(data.title, "input.title", "Chức vụ khách mời", TITLE_MAX, one_line=True)
    unit_code: str | None = None
    if data.unit_code is not None and data.unit_code.strip():
        unit = await session.get(AdministrativeUnit, data.unit_code.strip())
        if unit is None or unit.level not in GUEST_UNIT_LEVELS:
            raise Refused(
                Refusal.INVALID_INPUT,
                "Đơn vị của khách mời phải là một huyện hoặc xã (mã ĐVHC).",
                "input",
                "unitCode",
            )
        unit_code = unit.code
    account = await account_for_sub(session, sub)
    if account.delegate_id is not None:
        delegate = await session.get(Delegate, account.delegate_id)
        if delegate is not None and delegate.group_id == group_id and serves_on(delegate, today):
            raise Refused(
                Refusal.DUPLICATE, "Tài khoản này đã là thành viên của Tổ.", "input", "accountSub"
            )
    # The partial unique index decides under concurrency: a second invite inserts nothing.
    stmt = (
        insert(table_of(GroupGuest))
        .values(
            group_id=group_id,
            account_id=account.id,
            full_name=full_name,
            title=title,
            unit_code=unit_code,
            invited_by_account_id=viewer.account_id,
        )
        .on_conflict_do_nothing(
            index_elements=["group_id", "account_id"], index_where=sa.text("removed_at IS NULL")
        )
        .returning(table_of(GroupGuest).c.id)
    )
    guest_id = (await session.execute(stmt)).scalar_one_or_none()
    if guest_id is None:
        raise Refused(
            Refusal.DUPLICATE, "Tài khoản này đã là khách mời của Tổ.", "input", "accountSub"
        )
    guest = await session.get(GroupGuest, guest_id)
    assert guest is not None
    await audit(
        session,
        viewer,
        "group.guest.invite",
        "group_guest",
        guest_id,
        request_id=request_id,
        details={"groupId": group_id, "accountId": account.id},
    )
    return guest


async def remove_guest(
    session: AsyncSession,
    viewer: Viewer,
    group_id: int,
    guest_id: int,
    today: date,
    request_id: str | None = None,
) -> GroupGuest:
    """Take a guest's access away; their open subscriptions end when the NOTIFY arrives."""
    group = await _group(session, group_id)
    await _require_manager(session, viewer, group, today)
    guest = (
        await session.execute(
            sa.select(GroupGuest)
            .where(
                col(GroupGuest.id) == guest_id,
                col(GroupGuest.group_id) == group_id,
                col(GroupGuest.removed_at).is_(None),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if guest is None:
        raise Refused(Refusal.NOT_FOUND, "Không có khách mời này trong Tổ.", "guestId")
    guest.removed_at = utcnow()
    guest.removed_by_account_id = viewer.account_id
    await session.flush()
    await audit(
        session,
        viewer,
        "group.guest.remove",
        "group_guest",
        guest_id,
        request_id=request_id,
        details={"groupId": group_id, "accountId": guest.account_id},
    )
    await notify(
        session,
        group_topic(group_id),
        {"guestRemoved": guest_id, "accountId": guest.account_id},
    )
    return guest


async def guests_by_group_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[GroupGuest]]:
    """Active guests of each group, in invitation order."""
    rows = await session.execute(
        sa.select(GroupGuest)
        .where(col(GroupGuest.group_id).in_(list(ids)), col(GroupGuest.removed_at).is_(None))
        .order_by(col(GroupGuest.invited_at), col(GroupGuest.id))
    )
    result: dict[int, list[GroupGuest]] = defaultdict(list)
    for guest in rows.scalars():
        result[guest.group_id].append(guest)
    return result


async def guests_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, GroupGuest]:
    """Active guests by id."""
    rows = await session.execute(
        sa.select(GroupGuest).where(
            col(GroupGuest.id).in_(list(ids)), col(GroupGuest.removed_at).is_(None)
        )
    )
    return {g.id: g for g in rows.scalars() if g.id is not None}


async def guest_group_ids_by_account_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[int]]:
    """Groups each account is an active guest of."""
    rows = await session.execute(
        sa.select(col(GroupGuest.account_id), col(GroupGuest.group_id)).where(
            col(GroupGuest.account_id).in_(list(ids)), col(GroupGuest.removed_at).is_(None)
        )
    )
    result: dict[int, list[int]] = defaultdict(list)
    for account_id, group_id in rows:
        result[account_id].append(group_id)
    return result


# ---- posts -------------------------------------------------------------------------------------

PostKey = tuple[datetime, int]


def post_key(post: GroupPost) -> PostKey:
    """Sort key of the newest-first list: creation time, then id."""
    assert post.id is not None
    return (post.created_at, post.id)


async def post_to_group(
    session: AsyncSession, viewer: Viewer, group_id: int, body: str, today: date
) -> GroupPost:
    """A member or guest posts; the post is announced on the group's topic at commit."""
    access = await channel_access(session, viewer, group_id, today)
    if not access.can_post:
        needs_account = sign_in_first(viewer)
        if needs_account is not None:
            raise Refused(*needs_account)
        raise Refused(
            Refusal.FORBIDDEN, "Chỉ đại biểu của Tổ và khách mời mới được đăng bài trong kênh này."
        )
    # A post may be a single emoji (👍): visible is enough, letters are not required.
    text = _text(body, "body", "Nội dung bài viết", POST_MAX, letters=False)
    author = await _author_name(session, viewer, group_id, access)
    post = GroupPost(
        group_id=group_id, author_account_id=viewer.account_id, author_name=author, body=text
    )
    session.add(post)
    await session.flush()
    assert post.id is not None
    await notify(session, group_topic(group_id), {"postId": post.id})
    return post


async def _author_name(session: AsyncSession, viewer: Viewer, group_id: int, access: Access) -> str:
    if access is Access.MEMBER and viewer.delegate_id is not None:
        delegate = await session.get(Delegate, viewer.delegate_id)
        assert delegate is not None
        return delegate.full_name
    name = (
        await session.execute(
            sa.select(col(GroupGuest.full_name)).where(
                col(GroupGuest.group_id) == group_id,
                col(GroupGuest.account_id) == viewer.account_id,
                col(GroupGuest.removed_at).is_(None),
            )
        )
    ).scalar_one()
    return str(name)


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
    found: dict[int, list[GroupPost]] = defaultdict(list)
    for post in (await session.execute(stmt)).scalars():
        found[post.group_id].append(post)
    return {gid: page_of(found.get(gid, []), limit) for gid in group_ids}


async def posts_count(session: AsyncSession, group_id: int) -> int:
    stmt = sa.select(sa.func.count()).where(col(GroupPost.group_id) == group_id)
    return int((await session.execute(stmt)).scalar_one())


async def posts_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, GroupPost]:
    rows = await session.execute(sa.select(GroupPost).where(col(GroupPost.id).in_(list(ids))))
    return {p.id: p for p in rows.scalars() if p.id is not None}


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


# ---- demo ----------------------------------------------------------------------------------------

DEMO_GUEST_SUB = "demo-guest"


async def seed_demo_channel(session: AsyncSession) -> None:
    """A guest and a short exchange in the first group's channel (the demo DELEGATE leads it)."""
    group = (
        await session.execute(sa.select(DelegateGroup).order_by(col(DelegateGroup.id)).limit(1))
    ).scalar_one_or_none()
    if group is None or group.id is None or group.leader_id is None:
        return
    leader = await session.get(Delegate, group.leader_id)
    assert leader is not None
    commune = (
        await session.execute(
            sa.select(AdministrativeUnit)
            .join(GroupArea, col(GroupArea.unit_code) == col(AdministrativeUnit.parent_code))
            .where(col(GroupArea.group_id) == group.id)
            .order_by(col(AdministrativeUnit.code))
            .limit(1)
        )
    ).scalar_one_or_none()
    if await latest_post_id(session, group.id):
        return  # seeded before: `hdnd seed --demo` may run again
    guest_account = await account_for_sub(session, DEMO_GUEST_SUB)
    leader_account = await account_for_sub(session, "demo-delegate")
    assert guest_account.id is not None
    unit_name = commune.name if commune else "xã"
    guest = GroupGuest(
        group_id=group.id,
        account_id=guest_account.id,
        full_name="Nguyễn Văn Hòa",
        title=f"Chủ tịch HĐND {unit_name}",
        unit_code=commune.code if commune else None,
    )
    session.add(guest)
    for author_id, author, body in (
        (
            leader_account.id,
            leader.full_name,
            "Kính gửi các đại biểu: Tổ sẽ tiếp xúc cử tri trước kỳ họp vào sáng thứ Bảy.",
        ),
        (
            guest_account.id,
            guest.full_name,
            f"Cử tri {unit_name} phản ánh tuyến đường liên ấp xuống cấp; xin Tổ ghi nhận.",
        ),
        (
            leader_account.id,
            leader.full_name,
            "Đã ghi nhận; Tổ sẽ tổng hợp gửi Thường trực HĐND tỉnh.",
        ),
    ):
        session.add(
            GroupPost(group_id=group.id, author_account_id=author_id, author_name=author, body=body)
        )
        await session.flush()
