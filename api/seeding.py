"""`hdnd seed --petitions N`: many realistic petitions through COPY, with a progress bar."""

import contextlib
import random
import time

import asyncpg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.engine import make_url

from api.oneshot import oneshot_transaction
from db.council.load import DEMO_DIRECTORY, is_empty, load_directory
from db.petition_seed import copy_petitions_together, ensure_citizens, load_communes

CITIZENS = 20_000
# Connections a load is spread over (db.petition_seed.copy_petitions_together).
WORKERS = 2


async def _skip_reference_checks(conn: asyncpg.Connection) -> None:
    """Generated rows reference only rows just read, so foreign-key triggers are skipped when
    the account may (superuser: `session_replication_role`); otherwise they simply run."""
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("SET session_replication_role = replica")


def plain_url(url: str) -> str:
    """The URL as asyncpg takes it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def seed_petitions(url: str, count: int) -> None:
    """Add `count` petitions (with their timelines and supports) spread over the communes,
    categories, statuses and the last two years; loads the demo directory first if empty."""
    async with oneshot_transaction(url) as session:
        if await is_empty(session):
            await load_directory(session, DEMO_DIRECTORY)
    conns = [await asyncpg.connect(plain_url(url)) for _ in range(WORKERS)]
    conn = conns[0]
    try:
        for each in conns:
            await _skip_reference_checks(each)
        rng = random.Random()
        communes = await load_communes(conn)
        citizens = await ensure_citizens(
            conn, rng, min(CITIZENS, max(10, count // 20)), "seed-voter"
        )
        started = time.perf_counter()
        with Progress(
            TextColumn("Kiến nghị"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as progress:
            task = progress.add_task("seed", total=count)
            await copy_petitions_together(
                conns,
                count,
                rng=rng,
                communes=communes,
                citizens=citizens,
                progress=lambda n: progress.advance(task, n),
            )
        elapsed = time.perf_counter() - started
        await conn.execute("ANALYZE petition; ANALYZE petition_event; ANALYZE petition_support")
    finally:
        for each in conns:
            await each.close()
    print(f"Đã thêm {count:,} kiến nghị trong {elapsed:.1f} giây ({count / elapsed:,.0f}/giây).")
