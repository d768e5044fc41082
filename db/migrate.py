"""Applying migrations: the only way the schema is made."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
# Held for the migration's transaction, so replicas starting together migrate one at a time:
# the others wait, then find nothing pending.
MIGRATION_LOCK = 0x48444E44  # "HDND"


def alembic_config() -> Config:
    """Alembic's configuration, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every migration not yet applied (all heads)."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")

    async with engine.begin() as connection:
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
        )
        await connection.run_sync(run)


def _pending(connection: Connection) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(script.get_heads())


async def is_migrated(engine: AsyncEngine) -> bool:
    """True when the database is at every head: what `/readyz` requires."""
    async with engine.connect() as connection:
        return not await connection.run_sync(_pending)
