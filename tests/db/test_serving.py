"""The one serving rule: its SQL form and its Python form agree on every boundary day."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col

from db.engine import Sessionmaker, transaction
from db.serving import ServicePeriod, serves_during, serves_on, serving_during, serving_on
from db.tables import Delegate

START = date(2026, 3, 10)
END = date(2026, 9, 20)
DAY = timedelta(days=1)

# Periods of service around the same days: open-ended, ended, a single day, not yet begun.
PERIODS = {
    "open-ended": ServicePeriod(START, None),
    "ended": ServicePeriod(START, END),
    "one day": ServicePeriod(START, START),
    "joins later": ServicePeriod(END + DAY, None),
    "left long ago": ServicePeriod(date(2021, 7, 1), START - DAY),
}
# The start day, the end day, the days either side of each, leap and month boundaries.
DAYS = sorted(
    {
        START - DAY,
        START,
        START + DAY,
        END - DAY,
        END,
        END + DAY,
        END + 2 * DAY,
        date(2021, 7, 1),
        date(2028, 2, 29),
        date(2026, 12, 31),
    }
)


async def _delegates(sessionmaker: Sessionmaker) -> dict[int, str]:
    """One delegate row per period, in a group of the demo directory; id -> period name."""
    async with transaction(sessionmaker) as session:
        group_id = (await session.execute(sa.text("SELECT min(id) FROM delegate_group"))).scalar()
        made = {}
        for name, period in PERIODS.items():
            row = Delegate(
                full_name=f"Đại biểu {name}",
                group_id=group_id,
                served_from=period.served_from,
                served_until=period.served_until,
            )
            session.add(row)
            await session.flush()
            assert row.id is not None
            made[row.id] = name
    return made


async def _chosen(
    sessionmaker: Sessionmaker, ids: dict[int, str], where: sa.ColumnElement[bool]
) -> set[str]:
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.select(col(Delegate.id)).where(col(Delegate.id).in_(list(ids)), where)
        )
        return {ids[pk] for pk in rows.scalars()}


async def test_serving_on_a_day_sql_and_python_agree(sessionmaker: Sessionmaker) -> None:
    ids = await _delegates(sessionmaker)
    for day in DAYS:
        by_sql = await _chosen(sessionmaker, ids, serving_on(day))
        by_python = {name for name, period in PERIODS.items() if serves_on(period, day)}
        assert by_sql == by_python, day
    # The boundaries themselves, spelled out: both ends are days of service.
    ended = PERIODS["ended"]
    assert not serves_on(ended, START - DAY)
    assert serves_on(ended, START) and serves_on(ended, END)
    assert not serves_on(ended, END + DAY)
    assert serves_on(PERIODS["open-ended"], date(2028, 2, 29))
    assert serves_on(PERIODS["one day"], START) and not serves_on(PERIODS["one day"], START + DAY)


async def test_serving_during_days_sql_and_python_agree(sessionmaker: Sessionmaker) -> None:
    ids = await _delegates(sessionmaker)
    spans = [(a, b) for a in DAYS for b in DAYS if a <= b]
    for first, last in spans:
        by_sql = await _chosen(sessionmaker, ids, serving_during(first, last))
        by_python = {name for name, period in PERIODS.items() if serves_during(period, first, last)}
        assert by_sql == by_python, (first, last)
    # A span touching the last day of service, or the first, counts; one beyond does not.
    ended = PERIODS["ended"]
    assert serves_during(ended, END, END + 2 * DAY)
    assert serves_during(ended, START - DAY, START)
    assert not serves_during(ended, END + DAY, END + 2 * DAY)


async def test_the_sql_form_takes_columns_as_well(sessionmaker: Sessionmaker) -> None:
    """A session's days come as columns (compliance joins them): same answers as literals."""
    ids = await _delegates(sessionmaker)
    first = sa.literal(END, sa.Date)
    last = sa.literal(END + DAY, sa.Date)
    assert await _chosen(sessionmaker, ids, serving_during(first, last)) == {
        name for name, period in PERIODS.items() if serves_during(period, END, END + DAY)
    }
