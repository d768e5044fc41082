"""Delegate group channels' rules: who may read, post in and manage a group's channel, and
what a text must be. A channel belongs to one delegate group. Its members (delegates of the
group serving today) and its active guests read and post; STAFF, MONITOR and ADMIN read. The
group's leader and STAFF invite and remove guests."""

from collections.abc import Iterable
from datetime import date
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from db.channels.reads import guest_group_ids_by_account_ids
from db.refused import Refusal, Refused, sign_in_first
from db.serving import serves_on
from db.tables import Delegate, DelegateGroup
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
    await group_or_refuse(session, group_id)
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


async def group_or_refuse(session: AsyncSession, group_id: int) -> DelegateGroup:
    group = await session.get(DelegateGroup, group_id)
    if group is None:
        raise Refused(Refusal.NOT_FOUND, "Không có Tổ đại biểu này.", "groupId")
    return group


async def require_manager(
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


def channel_text(
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
