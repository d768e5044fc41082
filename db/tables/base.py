"""Column helpers shared by the table modules."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause
from sqlmodel import SQLModel

from db import clock

NOW: TextClause = sa.text("now()")


def utcnow() -> datetime:
    """A fallback for rows made without an explicit time: mutations pass the request's clock."""
    return clock.now()


def timestamptz() -> sa.DateTime:
    """`timestamp with time zone`: every stored instant carries its offset."""
    return sa.DateTime(timezone=True)


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table behind a SQLModel class, typed for Core statements."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


def one_of(column: str, values: type[StrEnum], *, name: str) -> sa.CheckConstraint:
    """`column IN (...)` over every value of `values`: the enumeration is the one source of
    the values (tests/db/test_enums.py checks the migrated database agrees)."""
    listed = ", ".join(repr(str(v)) for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)
