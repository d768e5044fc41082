"""Replicas starting together: concurrent `upgrade` calls take turns under an advisory lock."""

import asyncio

from sqlalchemy import text

from db.engine import make_engine
from db.migrate import is_migrated, upgrade


async def test_concurrent_upgrades_on_an_empty_database_all_succeed(empty_db_url: str) -> None:
    engines = [make_engine(empty_db_url, pool_size=1) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        assert await is_migrated(engines[0])
        async with engines[0].connect() as connection:
            versions = (
                await connection.execute(text("SELECT count(*) FROM alembic_version"))
            ).scalar()
        assert versions == 1
    finally:
        for engine in engines:
            await engine.dispose()
