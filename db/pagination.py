"""Keyset pagination: a page is the rows after a sort key, never an OFFSET."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

MAX_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page; `has_next` tells whether another page follows."""

    rows: list[T]
    has_next: bool


def after_key(columns: Sequence[Any], key: Sequence[object]) -> ColumnElement[bool]:
    """`(c1, c2, …) > (k1, k2, …)`: the rows that sort after `key` (ascending order)."""
    return sa.tuple_(*columns) > sa.tuple_(*[sa.literal(v) for v in key])


def before_key(columns: Sequence[Any], key: Sequence[object]) -> ColumnElement[bool]:
    """`(c1, c2, …) < (k1, k2, …)`: the rows that sort after `key` in descending order."""
    return sa.tuple_(*columns) < sa.tuple_(*[sa.literal(v) for v in key])


def page_of(rows: Sequence[T], limit: int) -> Page[T]:
    """Cut `limit + 1` fetched rows into a page and whether more exist."""
    return Page(rows=list(rows[:limit]), has_next=len(rows) > limit)
