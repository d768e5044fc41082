"""Replicas starting together: concurrent `upgrade` calls take turns under an advisory lock."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import text

from db.engine import make_engine
from db.migrate import is_migrated, upgrade
from tests.conftest import _admin, database_url


@pytest_asyncio.fixture
async def empty_db(server_url: str) -> AsyncIterator[str]:
    name = f"hdnd_e_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield database_url(server_url, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_concurrent_upgrades_on_an_empty_database_all_succeed(empty_db: str) -> None:
    engines = [make_engine(empty_db, pool_size=1) for _ in range(3)]
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
