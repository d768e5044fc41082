"""Changes to delegate group channels: inviting and removing guests, posting. Every change
notifies "group:{id}" in its own transaction, so live subscribers on any server process hear
of it only once it is committed."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.accounts import account_for_sub
from db.audit import audit
from db.channels.rules import (
    GUEST_UNIT_LEVELS,
    NAME_MAX,
    POST_MAX,
    TITLE_MAX,
    Access,
    channel_access,
    channel_text,
    group_or_refuse,
    group_topic,
    require_manager,
)
from db.events import notify
from db.outbox.writes import announce_group_post
from db.refused import Refusal, Refused, sign_in_first
from db.serving import serves_on
from db.tables import AdministrativeUnit, Delegate, GroupGuest, GroupPost
from db.tables.base import table_of, utcnow
from db.viewer import Viewer


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
    group = await group_or_refuse(session, group_id)
    await require_manager(session, viewer, group, today)
    sub = data.account_sub.strip()
    if not sub or len(sub) > 255:
        raise Refused(
            Refusal.INVALID_INPUT, "Mã tài khoản (sub) không hợp lệ.", "input", "accountSub"
        )
    full_name = channel_text(
        data.full_name, "input.fullName", "Họ tên khách mời", NAME_MAX, one_line=True
    )
    title = channel_text(data.title, "input.title", "Chức vụ khách mời", TITLE_MAX, one_line=True)
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
    group = await group_or_refuse(session, group_id)
    await require_manager(session, viewer, group, today)
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
    text = channel_text(body, "body", "Nội dung bài viết", POST_MAX, letters=False)
    author = await _author_name(session, viewer, group_id, access)
    post = GroupPost(
        group_id=group_id, author_account_id=viewer.account_id, author_name=author, body=text
    )
    session.add(post)
    await session.flush()
    assert post.id is not None
    await notify(session, group_topic(group_id), {"postId": post.id})
    await announce_group_post(session, post, post.created_at)
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
