"""DataLoaders, made fresh for each request: one `WHERE … = ANY(:keys)` statement per batch,
each on its own short session (sibling fields resolve concurrently)."""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db import channels, council
from db.engine import Sessionmaker
from db.pagination import Page
from db.tables import (
    AdministrativeUnit,
    Committee,
    Constituency,
    CouncilSession,
    Delegate,
    DelegateGroup,
    GroupGuest,
    GroupPost,
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


PostsPageKey = tuple[int, int, channels.PostKey | None]


def posts_page_loader(sessionmaker: Sessionmaker) -> DataLoader[PostsPageKey, Page[GroupPost]]:
    """Pages of posts per (group, page size, cursor): one statement per distinct size and cursor,
    so `delegateGroups { posts(first: 3) { … } }` costs one query for every group."""

    async def load(keys: list[PostsPageKey]) -> list[Page[GroupPost]]:
        wanted: dict[tuple[int, channels.PostKey | None], list[int]] = {}
        for group_id, limit, after in keys:
            wanted.setdefault((limit, after), []).append(group_id)
        found: dict[PostsPageKey, Page[GroupPost]] = {}
        async with sessionmaker() as session:
            for (limit, after), group_ids in wanted.items():
                pages = await channels.posts_pages_by_group_ids(session, group_ids, limit, after)
                for group_id, page in pages.items():
                    found[(group_id, limit, after)] = page
        return [found[key] for key in keys]

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
        # Delegate group channels.
        self.guests_by_group_id: DataLoader[int, list[GroupGuest]] = list_loader(
            sm, channels.guests_by_group_ids
        )
        self.guest_by_id: DataLoader[int, GroupGuest | None] = batch_loader(
            sm, channels.guests_by_ids
        )
        self.guest_group_ids_by_account_id: DataLoader[int, list[int]] = list_loader(
            sm, channels.guest_group_ids_by_account_ids
        )
        self.post_by_id: DataLoader[int, GroupPost | None] = batch_loader(sm, channels.posts_by_ids)
        self.posts_page_by_group: DataLoader[PostsPageKey, Page[GroupPost]] = posts_page_loader(sm)
