"""The database for a command that runs once (the CLI, demo data, seeding): a one-connection
engine made for it and disposed after it, whatever happens."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db.engine import make_engine, make_sessionmaker, transaction


@asynccontextmanager
async def oneshot_engine(url: str) -> AsyncIterator[AsyncEngine]:
    """A one-connection engine on `url`, disposed on the way out."""
    engine = make_engine(url, pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def oneshot_transaction(url: str) -> AsyncIterator[AsyncSession]:
    """One transaction on its own engine: committed when the block ends, rolled back when it
    raises, the engine disposed either way."""
    async with oneshot_engine(url) as engine, transaction(make_sessionmaker(engine)) as session:
        yield session
