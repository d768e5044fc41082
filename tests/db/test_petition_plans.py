"""The petition lists are served by indexes (keyset pages), not sequential scans. A smaller
table than the benchmark's million (scripts/bench_petitions.py), analysed, is enough for the
planner to show its choice."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from api.seeding import plain_url
from db.engine import Sessionmaker
from db.petition_fields import Deadlines
from db.petition_seed import copy_petitions, ensure_citizens, load_communes
from db.petitions import (
    ListScope,
    PetitionFilter,
    filter_conditions,
    inbox_conditions,
    page_statement,
)
from db.serving import ServicePeriod
from db.tables import AdministrativeUnit
from db.viewer import ANONYMOUS, Role, Viewer, ViewerKind

ROWS = 6_000


async def _plan(sessionmaker: Sessionmaker, stmt: Any) -> str:
    async with sessionmaker() as session:
        compiled = stmt.compile(
            dialect=session.bind.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        conn = await session.connection()
        rows = await conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + str(compiled), params)
        return "\n".join(r[0] for r in rows)


@pytest.mark.timeout(300)
async def test_lists_use_indexes(db_url: str, sessionmaker: Sessionmaker) -> None:
    conn = await asyncpg.connect(plain_url(db_url))
    try:
        rng = random.Random(7)
        communes = await load_communes(conn)
        citizens = await ensure_citizens(conn, rng, 300, "plan-voter")
        await copy_petitions(conn, ROWS, rng=rng, communes=communes, citizens=citizens)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    async with sessionmaker() as session:
        district = await session.get(AdministrativeUnit, "934")
        group_id, delegate_id = (
            await session.execute(sa.text("SELECT group_id, id FROM delegate ORDER BY id LIMIT 1"))
        ).one()
    now = datetime.now(UTC)
    today = date(2026, 12, 4)  # who serves; the plans do not depend on it
    delegate = Viewer(
        kind=ViewerKind.ACCOUNT,
        sub="d",
        account_id=-1,
        role=Role.DELEGATE,
        delegate_id=delegate_id,
        group_id=group_id,
        service=ServicePeriod(date(2021, 7, 1)),
    )
    deep = (now - timedelta(days=300), 10**9)
    cases = {
        "unit": filter_conditions(
            PetitionFilter(unit_code="934"),
            ListScope(ANONYMOUS, now, Deadlines(), district, today=today),
        ),
        "all": filter_conditions(
            PetitionFilter(), ListScope(ANONYMOUS, now, Deadlines(), today=today)
        ),
        "inbox": inbox_conditions(delegate, None, today),
        "inbox status": inbox_conditions(delegate, "SUBMITTED", today),
    }
    for label, conditions in cases.items():
        for after in (None, deep):
            plan = await _plan(sessionmaker, page_statement(conditions, 20, after))
            assert "Seq Scan on petition" not in plan, (label, after, plan)
            assert "Index" in plan, (label, plan)
