"""A Relay connection read from db/: one page on a short read session of its own, and
`totalCount` counted on another, only when asked for."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.pagination import Page
from schema.context import Info
from schema.relay import Connection, make_connection

T = TypeVar("T")
Row = TypeVar("Row")


def counter(
    info: Info, count: Callable[[AsyncSession], Awaitable[int]]
) -> Callable[[], Awaitable[int]]:
    """`count` on a read session of its own, run only when `totalCount` is selected."""
    sm = info.context.read

    async def counted() -> int:
        async with sm() as session:
            return await count(session)

    return counted


async def read_connection(
    info: Info,
    key: Sequence[Any] | None,
    page: Callable[[AsyncSession], Awaitable[Page[Row]]],
    count: Callable[[AsyncSession], Awaitable[int]],
    key_of: Callable[[Row], Sequence[Any]],
    node: Callable[[Row], T],
) -> Connection[T]:
    """The page `page` reads after cursor `key` (None: the first), as a connection."""
    async with info.context.read() as session:
        found = await page(session)
    return make_connection(
        found.rows, found.has_next, key is not None, key_of, node, counter(info, count)
    )
