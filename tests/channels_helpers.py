"""Shared set-up of the channel tests: a group, its leader, a member, staff and petitions."""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col

from db.accounts import account_for_sub, grant_role
from db.engine import Sessionmaker, transaction
from db.tables import AdministrativeUnit, Delegate, DelegateGroup, Petition
from db.timeline import append_event
from db.viewer import Role, Viewer, ViewerKind
from schema.relay import to_global_id


@dataclass(frozen=True)
class Cast:
    """Group 1 of the demo directory and the accounts the tests act as."""

    group_id: int
    group_gid: str
    other_group_gid: str
    leader_delegate_id: int
    member_delegate_id: int


async def make_cast(sessionmaker: Sessionmaker) -> Cast:
    """Subs: "leader" (leader of the first group), "member" (another delegate of it),
    "outsider" (a delegate of another group), "staff", "monitor"; anyone else is a citizen."""
    async with transaction(sessionmaker) as session:
        groups = list(
            (await session.execute(sa.select(DelegateGroup).order_by(col(DelegateGroup.id))))
            .scalars()
            .all()
        )
        group, other = groups[0], groups[1]
        assert group.id is not None and group.leader_id is not None and other.id is not None
        member = (
            await session.execute(
                sa.select(col(Delegate.id))
                .where(col(Delegate.group_id) == group.id, col(Delegate.id) != group.leader_id)
                .order_by(col(Delegate.id))
                .limit(1)
            )
        ).scalar_one()
        outsider = (
            await session.execute(
                sa.select(col(Delegate.id)).where(col(Delegate.group_id) == other.id).limit(1)
            )
        ).scalar_one()
        await grant_role(session, "leader", Role.DELEGATE, group.leader_id)
        await grant_role(session, "member", Role.DELEGATE, member)
        await grant_role(session, "outsider", Role.DELEGATE, outsider)
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "monitor", Role.MONITOR)
    return Cast(
        group_id=group.id,
        group_gid=to_global_id("DelegateGroup", group.id),
        other_group_gid=to_global_id("DelegateGroup", other.id),
        leader_delegate_id=group.leader_id,
        member_delegate_id=member,
    )


async def make_petition(
    sessionmaker: Sessionmaker, group_id: int, *, visibility: str, submitter: str
) -> int:
    """A petition of the group's area, inserted directly (its mutations live elsewhere)."""
    async with transaction(sessionmaker) as session:
        account = await account_for_sub(session, submitter)
        commune = (
            await session.execute(
                sa.select(AdministrativeUnit)
                .where(col(AdministrativeUnit.level) == "COMMUNE")
                .order_by(col(AdministrativeUnit.code))
                .limit(1)
            )
        ).scalar_one()
        petition = Petition(
            tracking_code=secrets.token_hex(6).upper(),
            title="Đường ngập nước",
            content="Đường trước chợ ngập nước mỗi khi mưa lớn, xin sửa.",
            category="INFRASTRUCTURE_TRANSPORT",
            commune_code=commune.code,
            unit_path=commune.path,
            visibility=visibility,
            group_id=group_id,
            submitter_account_id=account.id,
        )
        session.add(petition)
        await session.flush()
        assert petition.id is not None
        viewer = Viewer(
            kind=ViewerKind.ACCOUNT, sub=submitter, account_id=account.id, role=Role.CITIZEN
        )
        await append_event(session, petition.id, "SUBMITTED", viewer)
        return petition.id


async def change_petition(sessionmaker: Sessionmaker, petition_id: int, status: str) -> None:
    """Append a timeline event as STAFF: the event row and its NOTIFY, one transaction."""
    async with transaction(sessionmaker) as session:
        staff = await account_for_sub(session, "staff")
        viewer = Viewer(kind=ViewerKind.ACCOUNT, sub="staff", account_id=staff.id, role=Role.STAFF)
        await session.execute(
            sa.update(Petition).where(col(Petition.id) == petition_id).values(status=status)
        )
        await append_event(session, petition_id, status, viewer, note="Đã tiếp nhận")
