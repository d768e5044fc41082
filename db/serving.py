"""Who is serving: the one rule every other rule asks (directory lists, routing, channels,
petition access, session quotas).

A delegate serves from `served_from` through `served_until`, both days included; a null
`served_until` means still serving. Serving *during* the days `first`..`last` means serving on
at least one of them (joined by the last, not gone before the first); serving *on* a day is
serving during that one day.

The rule is written twice, side by side: a SQL form over the `delegate` columns (for lists
and joins) and a Python form over anything holding the two dates (a Delegate row, the
viewer's `ServicePeriod`). Change one, change its twin; tests/db/test_serving.py holds them to
the same answers. The day is always an argument: which day it is belongs to the request.
"""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.tables import Delegate

Day = date | sa.SQLColumnExpression[date]


class Service(Protocol):
    """Anything holding a delegate's days of service (a Delegate row, a ServicePeriod)."""

    @property
    def served_from(self) -> date: ...

    @property
    def served_until(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class ServicePeriod:
    """A delegate's days of service, carried without the rest of the row (the viewer's)."""

    served_from: date
    served_until: date | None = None


# ---- SQL form ----------------------------------------------------------------------------------


def serving_during(first: Day, last: Day) -> ColumnElement[bool]:
    """Delegates serving on at least one day from `first` to `last` (dates or columns)."""
    return sa.and_(
        col(Delegate.served_from) <= last,
        sa.or_(col(Delegate.served_until).is_(None), col(Delegate.served_until) >= first),
    )


def serving_on(day: Day) -> ColumnElement[bool]:
    """Delegates serving on `day`."""
    return serving_during(day, day)


# ---- Python form -------------------------------------------------------------------------------


def serves_during(service: Service, first: date, last: date) -> bool:
    """Python form of `serving_during`."""
    return service.served_from <= last and (
        service.served_until is None or service.served_until >= first
    )


def serves_on(service: Service, day: date) -> bool:
    """Python form of `serving_on`."""
    return serves_during(service, day, day)
