"""Accounts and roles: looked up by the token's `sub`, made on first sight as CITIZEN."""

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.events import notify
from db.serving import ServicePeriod
from db.tables import Account, Agency, Delegate
from db.tables.base import table_of
from db.viewer import Role, Viewer, ViewerKind


async def account_for_sub(session: AsyncSession, sub: str) -> Account:
    """The account of `sub`, created as CITIZEN on first sight (safe under concurrency)."""
    stmt = (
        insert(table_of(Account))
        .values(sub=sub, role=Role.CITIZEN.value)
        .on_conflict_do_nothing(index_elements=["sub"])
    )
    await session.execute(stmt)
    row = (await session.execute(sa.select(Account).where(col(Account.sub) == sub))).scalar_one()
    return row


async def viewer_for_sub(
    session: AsyncSession, sub: str, name: str | None, phone: str | None
) -> Viewer:
    """The Viewer of a signed-in account, with its role and (for a delegate) delegate and group.

    One statement for an account already known (every request after the first); the account is
    made, as CITIZEN, only on first sight.
    """
    stmt = (
        sa.select(
            col(Account.id),
            col(Account.role),
            col(Account.delegate_id),
            col(Account.agency_id),
            col(Delegate.group_id),
            col(Delegate.served_from),
            col(Delegate.served_until),
        )
        .outerjoin(Delegate, col(Delegate.id) == col(Account.delegate_id))
        .where(col(Account.sub) == sub)
    )
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        await account_for_sub(session, sub)
        found = (await session.execute(stmt)).one()
    account_id, role, delegate_id, agency_id, group_id, served_from, served_until = found
    linked = delegate_id is not None
    return Viewer(
        kind=ViewerKind.ACCOUNT,
        sub=sub,
        account_id=account_id,
        role=Role(role),
        delegate_id=delegate_id,
        agency_id=agency_id,
        group_id=group_id if linked else None,
        service=ServicePeriod(served_from, served_until) if linked else None,
        name=name,
        phone=phone,
    )


async def grant_role(
    session: AsyncSession,
    sub: str,
    role: Role,
    delegate_id: int | None = None,
    *,
    agency_id: int | None = None,
) -> Account:
    """Give `sub` a role; DELEGATE needs the delegate it is linked to, AGENCY the agency it
    answers for; other roles drop any link."""
    if role is Role.AGENCY:
        if agency_id is None:
            raise ValueError("Vai trò AGENCY cần mã cơ quan (--agency).")
        if await session.get(Agency, agency_id) is None:
            raise ValueError("Không có cơ quan với mã này.")
    elif agency_id is not None:
        raise ValueError("Chỉ vai trò AGENCY mới gắn với một cơ quan.")
    if role is Role.DELEGATE:
        if delegate_id is None:
            raise ValueError("Vai trò DELEGATE cần mã đại biểu (--delegate).")
        if await session.get(Delegate, delegate_id) is None:
            raise ValueError("Không có đại biểu với mã này.")
    elif delegate_id is not None:
        raise ValueError("Chỉ vai trò DELEGATE mới gắn với một đại biểu.")
    account = await account_for_sub(session, sub)
    changed = [account.id]
    # A delegate has one account: a link held by another account moves to this one.
    if delegate_id is not None:
        moved = await session.execute(
            sa.update(Account)
            .where(col(Account.delegate_id) == delegate_id, col(Account.id) != account.id)
            .values(role=Role.CITIZEN.value, delegate_id=None)
            .returning(col(Account.id))
        )
        changed += moved.scalars()
    account.role = role.value
    account.delegate_id = delegate_id
    account.agency_id = agency_id
    await session.flush()
    await announce_account_change(session, changed)
    return account


def account_topic(account_id: int) -> str:
    """The event topic of one account: its role or delegate link changed."""
    return f"account:{account_id}"


async def announce_account_change(session: AsyncSession, account_ids: Iterable[int | None]) -> None:
    """Tell every server process (on commit) that these accounts' access may have changed, so
    their open subscriptions check it again."""
    for account_id in sorted({i for i in account_ids if i is not None}):
        await notify(session, account_topic(account_id), {"accountId": account_id})


async def announce_delegate_change(session: AsyncSession, delegate_id: int) -> None:
    """`announce_account_change` for the account linked to a delegate (service, group)."""
    linked = await session.execute(
        sa.select(col(Account.id)).where(col(Account.delegate_id) == delegate_id)
    )
    await announce_account_change(session, linked.scalars())


async def accounts_by_subs(session: AsyncSession, subs: Sequence[str]) -> dict[str, Account]:
    rows = await session.execute(sa.select(Account).where(col(Account.sub).in_(list(subs))))
    return {a.sub: a for a in rows.scalars()}
