"""Alembic environment: runs on a connection handed in by `db.migrate`, or on its own."""

import asyncio
import os
import re
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import db.tables  # noqa: F401  (registers every table)
from db.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _numbered(_context: Any, _revision: Any, directives: list[Any]) -> None:
    """A new revision is numbered after the highest one (0007, 0008, ...) instead of Alembic's
    random hex id; four digits given with `--rev-id` are kept."""
    script = directives[0]
    if re.fullmatch(r"\d{4}", script.rev_id or ""):
        return
    numbers = [int(r.revision) for r in context.script.walk_revisions() if r.revision.isdigit()]
    script.rev_id = f"{max(numbers, default=0) + 1:04d}"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        process_revision_directives=_numbered,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_own() -> None:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("HDND_DATABASE_URL")
    if not url:
        raise SystemExit("Đặt HDND_DATABASE_URL để chạy Alembic trực tiếp.")
    engine = make_engine(url, pool_size=1)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_own())
