"""The service's one clock, and the local calendar (Asia/Ho_Chi_Minh) derived from it.

A request reads `now()` once (schema.context.Context.now) and hands that instant down: db
functions take `now` (or `today`) as an argument and SQL receives it as a bound parameter,
never PostgreSQL's own `now()`, wherever a rule depends on time. So the app and the database
agree on what time it is, and tests can move the clock (time-machine) without the database.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Stored instants are UTC; days (who serves, a session's dates, a report's period) are local.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """An instant as shown: with the offset of Asia/Ho_Chi_Minh."""
    return moment.astimezone(LOCAL_ZONE)


def local_date(moment: datetime) -> date:
    """The day `moment` falls on in Việt Nam (which decides who is serving, for instance)."""
    return local(moment).date()


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Việt Nam: where a local date begins."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)
