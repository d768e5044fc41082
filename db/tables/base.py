"""Column helpers shared by the table modules."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import TextClause

NOW: TextClause = sa.text("now()")


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC: how times are stored."""
    return datetime.now(UTC)


def timestamptz() -> sa.DateTime:
    """`timestamp with time zone`: every stored instant carries its offset."""
    return sa.DateTime(timezone=True)
