"""Telling "the database cannot be reached" from every other failure.

While PostgreSQL is down, restarting, out of connections, or the pool waits too long, a request
can only be answered "try again later" (HTTP 503 with Retry-After), not "unexpected error":
the service is sound, its database is not there.
"""

from collections.abc import Iterator

import asyncpg
import sqlalchemy.exc

UNAVAILABLE_MESSAGE = "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít giây."
# Seconds a client should wait before trying again (long enough for a restart or failover).
RETRY_AFTER_SECONDS = 5

# SQLSTATEs of a server that refuses or drops us: connection exceptions (class 08), shutting
# down or starting up (57P01-57P03), out of connections, database gone, credentials refused.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300", "3D000", "28000", "28P01"})

_UNAVAILABLE_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable, timed out (ConnectionRefusedError, TimeoutError...)
    asyncpg.InterfaceError,  # the connection is closed or was lost
    sqlalchemy.exc.TimeoutError,  # no pooled connection came free in time
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception behind it (causes, contexts, a driver's original, groups)."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        behind = [current.__cause__, current.__context__, getattr(current, "orig", None)]
        if isinstance(current, BaseExceptionGroup):
            behind.extend(current.exceptions)
        pending.extend(e for e in behind if isinstance(e, BaseException))


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` comes from the database being unreachable, not from the request."""
    if exc is None:
        return False
    for current in _chain(exc):
        if isinstance(current, _UNAVAILABLE_TYPES):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        state = getattr(current, "sqlstate", None) or ""
        if isinstance(current, asyncpg.PostgresError) and (
            state.startswith("08") or state in _UNAVAILABLE_STATES
        ):
            return True
    return False
