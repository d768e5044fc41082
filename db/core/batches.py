"""The DataLoaders' batch reads, written once: rows of a table by id (one `WHERE id IN (…)`
statement per batch), and (key, row) pairs gathered into lists per key."""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from db.tables.base import table_of

M = TypeVar("M", bound=SQLModel)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ByIds = Callable[[AsyncSession, Sequence[int]], Awaitable[dict[int, M]]]


def by_ids(model: type[M], *where: ColumnElement[bool]) -> ByIds[M]:
    """A batch function reading rows of `model` by id (those meeting `where` too), keyed by id;
    an id with no row is left out."""

    async def fetch(session: AsyncSession, ids: Sequence[int]) -> dict[int, M]:
        stmt = sa.select(model).where(table_of(model).c.id.in_(list(ids)), *where)
        rows = (await session.execute(stmt)).scalars()
        return {row.id: row for row in rows if row.id is not None}  # type: ignore[attr-defined]

    fetch.__doc__ = f"{model.__name__} rows by id."
    return fetch


def grouped(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    """(key, value) pairs as lists per key, in the order given (a statement's ORDER BY)."""
    result: dict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        result[key].append(value)
    return result
