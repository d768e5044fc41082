"""Reading the council directory. Batch functions (`*_by_*`) serve the DataLoaders: one
statement per batch, results keyed so the caller can return them in key order."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.core.batches import by_ids, grouped
from db.pagination import Page, after_key, page_of
from db.serving import serving_on
from db.tables import (
    AdministrativeUnit,
    Committee,
    CommitteeMember,
    Constituency,
    ConstituencyUnit,
    CouncilSession,
    Delegate,
    DelegateGroup,
    DirectoryChange,
    GroupArea,
    Term,
)
from db.text import search_condition

# ---- administrative units -------------------------------------------------------------------


async def list_units(
    session: AsyncSession, level: str | None = None, parent_code: str | None = None
) -> list[AdministrativeUnit]:
    """Units by level and/or parent, in code order."""
    stmt = sa.select(AdministrativeUnit).order_by(col(AdministrativeUnit.code))
    if level is not None:
        stmt = stmt.where(col(AdministrativeUnit.level) == level)
    if parent_code is not None:
        stmt = stmt.where(col(AdministrativeUnit.parent_code) == parent_code)
    return list((await session.execute(stmt)).scalars())


async def units_by_codes(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, AdministrativeUnit]:
    rows = await session.execute(
        sa.select(AdministrativeUnit).where(col(AdministrativeUnit.code).in_(list(codes)))
    )
    return {u.code: u for u in rows.scalars()}


async def unit_children_by_codes(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, list[AdministrativeUnit]]:
    rows = await session.execute(
        sa.select(AdministrativeUnit)
        .where(col(AdministrativeUnit.parent_code).in_(list(codes)))
        .order_by(col(AdministrativeUnit.code))
    )
    result: dict[str, list[AdministrativeUnit]] = defaultdict(list)
    for unit in rows.scalars():
        assert unit.parent_code is not None
        result[unit.parent_code].append(unit)
    return result


def unit_and_ancestors(unit: AdministrativeUnit) -> list[str]:
    """Codes from the province down to `unit`, read from its materialised path."""
    return unit.path.split("/")


def within_unit(
    path_column: sa.ColumnElement[str], unit: AdministrativeUnit
) -> ColumnElement[bool]:
    """Rows whose unit path is `unit` or lies inside it (an indexable prefix match)."""
    return sa.or_(path_column == unit.path, path_column.like(unit.path + "/%"))


# ---- groups ------------------------------------------------------------------------------------


async def list_groups(session: AsyncSession) -> list[DelegateGroup]:
    return list(
        (await session.execute(sa.select(DelegateGroup).order_by(col(DelegateGroup.id)))).scalars()
    )


groups_by_ids = by_ids(DelegateGroup)


async def group_areas_by_group_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[AdministrativeUnit]]:
    rows = await session.execute(
        sa.select(GroupArea.group_id, AdministrativeUnit)  # type: ignore[call-overload]
        .join(AdministrativeUnit, col(AdministrativeUnit.code) == col(GroupArea.unit_code))
        .where(col(GroupArea.group_id).in_(list(ids)))
        .order_by(col(AdministrativeUnit.code))
    )
    return grouped(rows)


async def group_members_by_group_ids(
    session: AsyncSession, ids: Sequence[int], today: date
) -> dict[int, list[Delegate]]:
    """Delegates serving today in each group, by name."""
    rows = await session.execute(
        sa.select(Delegate)
        .where(col(Delegate.group_id).in_(list(ids)), serving_on(today))
        .order_by(col(Delegate.full_name_folded), col(Delegate.id))
    )
    return grouped((d.group_id, d) for d in rows.scalars())


async def group_for_unit(session: AsyncSession, unit: AdministrativeUnit) -> DelegateGroup | None:
    """The group whose areas cover `unit`: the unit itself or the nearest unit above it."""
    codes = unit_and_ancestors(unit)
    rows = await session.execute(
        sa.select(DelegateGroup, GroupArea.unit_code)  # type: ignore[call-overload]
        .join(GroupArea, col(GroupArea.group_id) == col(DelegateGroup.id))
        .where(col(GroupArea.unit_code).in_(codes))
    )
    best: tuple[int, DelegateGroup] | None = None
    for group, code in rows:
        depth = codes.index(code)
        if best is None or depth > best[0]:
            best = (depth, group)
    return best[1] if best else None


# ---- delegates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegateFilter:
    """Filters of the `delegates` query; ids are database ids."""

    group_id: int | None = None
    committee_id: int | None = None
    constituency_id: int | None = None
    search: str | None = None
    # True: serving on `today`; False: service ended before `today`; None: everyone.
    serving: bool | None = None
    today: date | None = None


def _delegate_conditions(f: DelegateFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.group_id is not None:
        conditions.append(col(Delegate.group_id) == f.group_id)
    if f.constituency_id is not None:
        conditions.append(col(Delegate.constituency_id) == f.constituency_id)
    if f.committee_id is not None:
        conditions.append(
            sa.exists().where(
                col(CommitteeMember.delegate_id) == col(Delegate.id),
                col(CommitteeMember.committee_id) == f.committee_id,
            )
        )
    if f.search and f.search.strip():
        conditions.append(search_condition(col(Delegate.full_name_folded), f.search))
    if f.serving is not None and f.today is not None:
        serving = serving_on(f.today)
        conditions.append(serving if f.serving else sa.not_(serving))
    return conditions


DelegateKey = tuple[str, int]


def delegate_key(delegate: Delegate) -> DelegateKey:
    """The sort key of the directory (folded name, id), which cursors carry."""
    assert delegate.id is not None
    return (delegate.full_name_folded, delegate.id)


async def delegates_page(
    session: AsyncSession, f: DelegateFilter, limit: int, after: DelegateKey | None = None
) -> Page[Delegate]:
    """One page of the directory in name order."""
    stmt = sa.select(Delegate).where(*_delegate_conditions(f))
    if after is not None:
        stmt = stmt.where(after_key([col(Delegate.full_name_folded), col(Delegate.id)], after))
    stmt = stmt.order_by(col(Delegate.full_name_folded), col(Delegate.id)).limit(limit + 1)
    return page_of(list((await session.execute(stmt)).scalars()), limit)


async def delegates_count(session: AsyncSession, f: DelegateFilter) -> int:
    stmt = sa.select(sa.func.count()).select_from(Delegate).where(*_delegate_conditions(f))
    return int((await session.execute(stmt)).scalar_one())


delegates_by_ids = by_ids(Delegate)


async def delegates_for_unit(
    session: AsyncSession, code: str, today: date
) -> list[Delegate] | None:
    """Delegates serving today who represent `code`: those elected in a constituency covering it
    (the unit, a unit above it, or for a district any unit inside it); where constituencies are
    not loaded, the delegates of the group covering it. None when the code is unknown."""
    unit = await session.get(AdministrativeUnit, code)
    if unit is None:
        return None
    covering = (
        sa.select(ConstituencyUnit.constituency_id)  # type: ignore[call-overload]
        .join(AdministrativeUnit, col(AdministrativeUnit.code) == col(ConstituencyUnit.unit_code))
        .where(
            sa.or_(
                col(ConstituencyUnit.unit_code).in_(unit_and_ancestors(unit)),
                col(AdministrativeUnit.path).like(unit.path + "/%"),
            )
        )
    )
    stmt = (
        sa.select(Delegate)
        .where(col(Delegate.constituency_id).in_(covering), serving_on(today))
        .order_by(col(Delegate.full_name_folded), col(Delegate.id))
    )
    delegates = list((await session.execute(stmt)).scalars())
    if delegates:
        return delegates
    group = await group_for_unit(session, unit)
    if group is None or group.id is None:
        return []
    return (await group_members_by_group_ids(session, [group.id], today)).get(group.id, [])


# ---- constituencies and committees -------------------------------------------------------------


constituencies_by_ids = by_ids(Constituency)


async def constituency_units_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[AdministrativeUnit]]:
    rows = await session.execute(
        sa.select(ConstituencyUnit.constituency_id, AdministrativeUnit)  # type: ignore[call-overload]
        .join(AdministrativeUnit, col(AdministrativeUnit.code) == col(ConstituencyUnit.unit_code))
        .where(col(ConstituencyUnit.constituency_id).in_(list(ids)))
        .order_by(col(AdministrativeUnit.code))
    )
    return grouped(rows)


async def constituency_delegates_by_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[Delegate]]:
    """Every delegate elected in each constituency this term, including those who left."""
    rows = await session.execute(
        sa.select(Delegate)
        .where(col(Delegate.constituency_id).in_(list(ids)))
        .order_by(col(Delegate.full_name_folded), col(Delegate.id))
    )
    result: dict[int, list[Delegate]] = defaultdict(list)
    for delegate in rows.scalars():
        assert delegate.constituency_id is not None
        result[delegate.constituency_id].append(delegate)
    return result


async def list_committees(session: AsyncSession) -> list[Committee]:
    return list((await session.execute(sa.select(Committee).order_by(col(Committee.id)))).scalars())


committees_by_ids = by_ids(Committee)


async def committees_by_delegate_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[Committee]]:
    rows = await session.execute(
        sa.select(CommitteeMember.delegate_id, Committee)  # type: ignore[call-overload]
        .join(Committee, col(Committee.id) == col(CommitteeMember.committee_id))
        .where(col(CommitteeMember.delegate_id).in_(list(ids)))
        .order_by(col(Committee.id))
    )
    return grouped(rows)


async def committee_members_by_ids(
    session: AsyncSession, ids: Sequence[int], today: date
) -> dict[int, list[Delegate]]:
    rows = await session.execute(
        sa.select(CommitteeMember.committee_id, Delegate)  # type: ignore[call-overload]
        .join(Delegate, col(Delegate.id) == col(CommitteeMember.delegate_id))
        .where(col(CommitteeMember.committee_id).in_(list(ids)), serving_on(today))
        .order_by(col(Delegate.full_name_folded), col(Delegate.id))
    )
    return grouped(rows)


# ---- terms and sessions ------------------------------------------------------------------------


terms_by_ids = by_ids(Term)


SessionKey = tuple[date, int]


def session_key(row: CouncilSession) -> SessionKey:
    assert row.id is not None
    return (row.starts_on, row.id)


def _session_conditions(status: str | None) -> list[ColumnElement[bool]]:
    return [col(CouncilSession.status) == status] if status is not None else []


async def sessions_page(
    session: AsyncSession, status: str | None, limit: int, after: SessionKey | None = None
) -> Page[CouncilSession]:
    """Council sessions, newest first."""
    order = [col(CouncilSession.starts_on), col(CouncilSession.id)]
    stmt = sa.select(CouncilSession).where(*_session_conditions(status))
    if after is not None:
        stmt = stmt.where(sa.tuple_(*order) < sa.tuple_(*[sa.literal(v) for v in after]))
    stmt = stmt.order_by(*[c.desc() for c in order]).limit(limit + 1)
    return page_of(list((await session.execute(stmt)).scalars()), limit)


async def sessions_count(session: AsyncSession, status: str | None) -> int:
    stmt = (
        sa.select(sa.func.count()).select_from(CouncilSession).where(*_session_conditions(status))
    )
    return int((await session.execute(stmt)).scalar_one())


sessions_by_ids = by_ids(CouncilSession)


# ---- the directory's history ---------------------------------------------------------------


async def history_by_entities(
    session: AsyncSession, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], list[DirectoryChange]]:
    """Changes of each (entity type, id), oldest first."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for entity_type, entity_id in keys:
        by_type[entity_type].append(entity_id)
    conditions = [
        sa.and_(
            col(DirectoryChange.entity_type) == entity_type,
            col(DirectoryChange.entity_id).in_(ids),
        )
        for entity_type, ids in by_type.items()
    ]
    rows = await session.execute(
        sa.select(DirectoryChange)
        .where(sa.or_(*conditions))
        .order_by(col(DirectoryChange.at), col(DirectoryChange.id))
    )
    return grouped(((c.entity_type, c.entity_id), c) for c in rows.scalars())
