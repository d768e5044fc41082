"""DataLoaders, made fresh for each request: one `WHERE … = ANY(:keys)` statement per batch,
each on its own short session (sibling fields resolve concurrently)."""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db import council
from db.engine import Sessionmaker
from db.tables import (
    AdministrativeUnit,
    Committee,
    Constituency,
    CouncilSession,
    Delegate,
    DelegateGroup,
    Term,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def batch_loader(
    sessionmaker: Sessionmaker,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    default: Callable[[], V | None] = lambda: None,
) -> DataLoader[K, V | None]:
    """A DataLoader over a `*_by_*` function of db/, answering in key order."""

    async def load(keys: list[K]) -> list[V | None]:
        async with sessionmaker() as session:
            found = await fetch(session, keys)
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


def list_loader(
    sessionmaker: Sessionmaker,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, list[V]]]],
) -> DataLoader[K, list[V]]:
    """A DataLoader whose value per key is a list (empty when nothing matches)."""

    async def load(keys: list[K]) -> list[list[V]]:
        async with sessionmaker() as session:
            found = await fetch(session, keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The request's loaders, named `<Thing>By<Key>Loader` after what they batch."""

    def __init__(self, sessionmaker: Sessionmaker, today: date) -> None:
        sm = sessionmaker
        self.unit_by_code: DataLoader[str, AdministrativeUnit | None] = batch_loader(
            sm, council.units_by_codes
        )
        self.unit_children_by_code: DataLoader[str, list[AdministrativeUnit]] = list_loader(
            sm, council.unit_children_by_codes
        )
        self.group_by_id: DataLoader[int, DelegateGroup | None] = batch_loader(
            sm, council.groups_by_ids
        )
        self.group_areas_by_group_id: DataLoader[int, list[AdministrativeUnit]] = list_loader(
            sm, council.group_areas_by_group_ids
        )
        self.group_members_by_group_id: DataLoader[int, list[Delegate]] = list_loader(
            sm, lambda s, ids: council.group_members_by_group_ids(s, ids, today)
        )
        self.delegate_by_id: DataLoader[int, Delegate | None] = batch_loader(
            sm, council.delegates_by_ids
        )
        self.constituency_by_id: DataLoader[int, Constituency | None] = batch_loader(
            sm, council.constituencies_by_ids
        )
        self.constituency_units_by_id: DataLoader[int, list[AdministrativeUnit]] = list_loader(
            sm, council.constituency_units_by_ids
        )
        self.constituency_delegates_by_id: DataLoader[int, list[Delegate]] = list_loader(
            sm, council.constituency_delegates_by_ids
        )
        self.committee_by_id: DataLoader[int, Committee | None] = batch_loader(
            sm, council.committees_by_ids
        )
        self.committees_by_delegate_id: DataLoader[int, list[Committee]] = list_loader(
            sm, council.committees_by_delegate_ids
        )
        self.committee_members_by_id: DataLoader[int, list[Delegate]] = list_loader(
            sm, lambda s, ids: council.committee_members_by_ids(s, ids, today)
        )
        self.term_by_id: DataLoader[int, Term | None] = batch_loader(sm, council.terms_by_ids)
        self.session_by_id: DataLoader[int, CouncilSession | None] = batch_loader(
            sm, council.sessions_by_ids
        )
        from schema.session_loaders import SessionLoaders  # its module imports this one

        self.sessions = SessionLoaders(sm, today)
