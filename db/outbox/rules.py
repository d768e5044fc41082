"""When to try a delivery again, and when an account does not want to be woken."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from db.clock import LOCAL_ZONE, local

DEFAULT_QUIET_FROM = time(22, 0)
DEFAULT_QUIET_UNTIL = time(6, 0)


@dataclass(frozen=True)
class Retry:
    """The worker's retry policy (HDND_OUTBOX_MAX_ATTEMPTS, _BACKOFF, _BACKOFF_MAX)."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    max_seconds: float = 3600.0


def backoff(attempts: int, policy: Retry) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base…, capped. No
    jitter: the worker spreads load by taking few rows at once, and tests can count on it."""
    seconds = policy.base_seconds * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, policy.max_seconds))


def gives_up(attempts: int, policy: Retry) -> bool:
    """After this many failed attempts the notification goes to the dead letters."""
    return attempts >= policy.max_attempts


@dataclass(frozen=True)
class QuietHours:
    """Local times between which nothing is sent (`start` > `end`: across midnight)."""

    start: time = DEFAULT_QUIET_FROM
    end: time = DEFAULT_QUIET_UNTIL


def quiet_until(quiet: QuietHours | None, now: datetime) -> datetime | None:
    """When the quiet hours around `now` end (an instant), or None when `now` is not in them."""
    if quiet is None or quiet.start == quiet.end:
        return None
    moment = local(now)
    clock_time = moment.time()
    if quiet.start < quiet.end:
        inside = quiet.start <= clock_time < quiet.end
        end_day = moment.date()
    else:
        inside = clock_time >= quiet.start or clock_time < quiet.end
        end_day = moment.date() + timedelta(days=1 if clock_time >= quiet.start else 0)
    if not inside:
        return None
    return datetime.combine(end_day, quiet.end, tzinfo=LOCAL_ZONE)
