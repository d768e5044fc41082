"""The demo's channel: a guest and a short exchange in the first group's channel."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.accounts import account_for_sub
from db.channels.reads import latest_post_id
from db.tables import AdministrativeUnit, Delegate, DelegateGroup, GroupArea, GroupGuest, GroupPost

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
