"""Benchmark of the petition lists on a large table: seeds a scratch database with N petitions
(default 1,000,000) through `hdnd seed --petitions`'s code, then prints EXPLAIN ANALYZE of the
first page and a deep page of `petitions(filter: {unitCode})`, `inbox` and other lists.

    uv run python scripts/bench_petitions.py [--petitions N] [--server URL] [--reuse]

`--server`: a PostgreSQL server URL whose user may create databases (default the local one).
`--reuse`: keep an already seeded `hdnd_bench_petitions` instead of making it again.
"""

import argparse
import asyncio
import time
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from api.seeding import plain_url, seed_petitions
from db.engine import make_engine, make_sessionmaker
from db.migrate import upgrade
from db.petition_fields import Deadlines
from db.petitions import (
    ListScope,
    PetitionFilter,
    filter_conditions,
    inbox_conditions,
    own_conditions,
    page_statement,
)
from db.serving import ServicePeriod
from db.tables import AdministrativeUnit, Petition
from db.viewer import ANONYMOUS, Role, Viewer, ViewerKind

NAME = "hdnd_bench_petitions"


async def explain(session: AsyncSession, label: str, stmt: Any) -> None:
    compiled = stmt.compile(
        dialect=session.bind.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = tuple(compiled.params[k] for k in compiled.positiontup)
    conn = await session.connection()
    started = time.perf_counter()
    rows = await conn.exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + str(compiled), params
    )
    plan = [r[0] for r in rows]
    elapsed = (time.perf_counter() - started) * 1000
    scans = [line.strip() for line in plan if "Scan" in line]
    seq = any("Seq Scan on petition" in line for line in plan)
    print(f"\n== {label}: {elapsed:.1f} ms {'SEQUENTIAL SCAN' if seq else '(index)'}")
    for line in plan:
        print("   " + line)
    del scans


async def deep_key(
    session: AsyncSession, conditions: list[Any], deep: int
) -> tuple[datetime, int] | None:
    stmt = (
        sa.select(Petition.submitted_at, Petition.id)  # type: ignore[call-overload]
        .where(*conditions)
        .order_by(sa.desc(Petition.submitted_at), sa.desc(Petition.id))
        .offset(deep)
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=1_000_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--deep", type=int, default=20_000, help="Rows before the deep page.")
    args = parser.parse_args()
    url = make_url(args.server).set(database=NAME).render_as_string(hide_password=False)
    if not args.reuse:
        admin = await asyncpg.connect(plain_url(args.server))
        await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{NAME}"')
        await admin.close()
        engine = make_engine(url, pool_size=1)
        await upgrade(engine)
        await engine.dispose()
        await seed_petitions(url, args.petitions)
    engine = make_engine(url, pool_size=1)
    sm = make_sessionmaker(engine)
    now = datetime.now(UTC)
    today = now.date()
    async with sm() as session:
        total = (await session.execute(sa.text("SELECT count(*) FROM petition"))).scalar_one()
        print(f"\npetitions: {total:,}")
        district = await session.get(AdministrativeUnit, "934")  # Huyện Phụng Hiệp
        commune = (
            await session.execute(
                sa.select(AdministrativeUnit).where(AdministrativeUnit.level == "COMMUNE").limit(1)  # type: ignore[arg-type]
            )
        ).scalar_one()
        group_id, delegate_id = (
            await session.execute(sa.text("SELECT group_id, id FROM delegate ORDER BY id LIMIT 1"))
        ).one()
        account = (
            await session.execute(
                sa.text(
                    "SELECT submitter_account_id FROM petition GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
                )
            )
        ).scalar_one()
        delegate = Viewer(
            kind=ViewerKind.ACCOUNT, sub="d", account_id=-1, role=Role.DELEGATE,
            delegate_id=delegate_id, group_id=group_id, service=ServicePeriod(date(2000, 1, 1)),
        )  # fmt: skip
        staff = Viewer(kind=ViewerKind.ACCOUNT, sub="s", account_id=-2, role=Role.STAFF)
        citizen = Viewer(kind=ViewerKind.ACCOUNT, sub="c", account_id=account, role=Role.CITIZEN)
        cases: list[tuple[str, list[Any]]] = []
        for unit in (district, commune):
            assert unit is not None
            scope = ListScope(ANONYMOUS, now, Deadlines(), unit, today=today)
            cases.append(
                (f"petitions(unitCode: {unit.code} «{unit.name}») anonymous",
                 filter_conditions(PetitionFilter(unit_code=unit.code), scope))
            )  # fmt: skip
        scope = ListScope(ANONYMOUS, now, Deadlines(), None, today=today)
        cases += [
            ("petitions() anonymous", filter_conditions(PetitionFilter(), scope)),
            ("petitions(status: SUBMITTED)", filter_conditions(PetitionFilter(status="SUBMITTED"), scope)),
            ("petitions(overdue: true) staff",
             filter_conditions(PetitionFilter(overdue=True), ListScope(staff, now, Deadlines(), today=today))),
            ("petitions(search: «vi thanh»)", filter_conditions(PetitionFilter(search="vi thanh"), scope)),
            ("inbox delegate", inbox_conditions(delegate, None, today)),
            ("inbox(status: SUBMITTED) delegate", inbox_conditions(delegate, "SUBMITTED", today)),
            ("inbox staff", inbox_conditions(staff, None, today)),
            ("myPetitions", own_conditions(citizen)),
        ]  # fmt: skip
        for label, conditions in cases:
            await explain(session, label + " — first page", page_statement(conditions, 20, None))
            key = await deep_key(session, conditions, args.deep)
            if key is not None:
                await explain(
                    session, label + f" — deep page (after row {args.deep:,})",
                    page_statement(conditions, 20, key),
                )  # fmt: skip
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
