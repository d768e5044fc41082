"""Engine and sessions. Made once per process (the Starlette lifespan), disposed there."""

import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

Sessionmaker = async_sessionmaker[AsyncSession]

_log = logging.getLogger("hdnd.db")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def async_url(url: str) -> str:
    """`url` with the asyncpg driver, whatever PostgreSQL spelling it came in."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError("HDND_DATABASE_URL phải là địa chỉ PostgreSQL (postgresql://…).")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine; connections are checked before use so a restarted server heals."""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "hdnd"}},
    )


def make_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    """Sessions whose objects stay readable after commit without touching the database."""
    return async_sessionmaker(engine, expire_on_commit=False)


def make_reader(engine: AsyncEngine) -> Sessionmaker:
    """Sessions for reads only: autocommit, so a loader's batch is one round trip, not
    BEGIN + SELECT + ROLLBACK. Never use it for writes: `session.begin()` would not isolate."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


@asynccontextmanager
async def transaction(sessionmaker: Sessionmaker) -> AsyncIterator[AsyncSession]:
    """One session and one transaction: committed on success, rolled back on any error."""
    async with sessionmaker() as session, session.begin():
        yield session


async def vacuum(sessionmaker: Sessionmaker, tables: Sequence[str]) -> bool:
    """VACUUM `tables` (names of this service's tables) so the dead row versions an UPDATE or
    DELETE left behind are removed, with their index entries (INDEX_CLEANUP ON: the default
    may skip the indexes when few rows died). VACUUM cannot run in a transaction block, so it
    takes an autocommit connection; call it after the change committed. Rows an older snapshot
    still sees stay until autovacuum's next pass. False (and a warning in the log) when it
    failed; the change itself stands."""
    if not tables:
        return True
    for table in tables:
        if not _IDENTIFIER.fullmatch(table):
            raise ValueError(f"not a table name: {table!r}")
    try:
        async with sessionmaker() as session:
            connection = await session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"}
            )
            await connection.exec_driver_sql(
                f"VACUUM (INDEX_CLEANUP ON) {', '.join(dict.fromkeys(tables))}"
            )
    except (SQLAlchemyError, OSError) as exc:
        _log.warning(
            "vacuum failed; autovacuum will clear the old rows",
            extra={"error_type": type(exc).__name__},
        )
        return False
    return True
