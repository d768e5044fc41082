"""Engine and sessions. Made once per process (the Starlette lifespan), disposed there."""

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any

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


def make_engine(
    url: str, *, pool_size: int = 10, statement_timeout: float | None = None
) -> AsyncEngine:
    """An asyncpg engine; connections are checked before use so a restarted server heals.

    With `statement_timeout` (seconds; the service's engine, not the CLI's, whose COPY and index
    builds run long) every statement is bounded twice: by PostgreSQL (`statement_timeout`, a
    clean error) and, a second later, by the client (asyncpg's `command_timeout`, for a server
    that does not answer at all); a transaction left idle is ended after twice that, and
    connecting or waiting for a pooled connection gives up after it too.
    """
    server_settings = {"timezone": "UTC", "application_name": "hdnd"}
    connect_args: dict[str, Any] = {"server_settings": server_settings}
    options: dict[str, Any] = {}
    if statement_timeout is not None:
        server_settings["statement_timeout"] = str(round(statement_timeout * 1000))
        server_settings["idle_in_transaction_session_timeout"] = str(
            round(statement_timeout * 2000)
        )
        connect_args["command_timeout"] = statement_timeout + 1
        connect_args["timeout"] = statement_timeout + 1
        options["pool_timeout"] = statement_timeout + 1
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
        **options,
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


# The gate whose permit the current task (and the tasks it starts) already holds.
_holding: ContextVar[asyncio.Semaphore | None] = ContextVar("hdnd_session_gate", default=None)


class GatedSession(AsyncSession):
    """A session that takes one of its request's permits (`gate`) while open, so a request holds
    at most that many connections whatever its aliases. A session opened where a permit is
    already held (inside another session's block) takes none, so nesting cannot deadlock."""

    def __init__(self, *args: Any, gate: asyncio.Semaphore | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._gate = gate
        self._permit: Any = None

    async def __aenter__(self) -> "GatedSession":
        gate = self._gate
        if gate is not None and _holding.get() is not gate:
            await gate.acquire()
            self._permit = _holding.set(gate)
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        type_: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(type_, value, traceback)
        finally:
            if self._permit is not None and self._gate is not None:
                try:
                    _holding.reset(self._permit)
                except ValueError:  # closed from another context (an async generator's)
                    _holding.set(None)
                self._permit = None
                self._gate.release()


def gated(maker: Sessionmaker, gate: asyncio.Semaphore) -> Sessionmaker:
    """`maker`'s sessions, each holding one of `gate`'s permits while open."""
    return async_sessionmaker(class_=GatedSession, gate=gate, **maker.kw)


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
