"""`search` reads the grams index (migrations 0009, 0010), not the table, on both servers the suite
runs on (core PostgreSQL only: the embedded server has no pg_trgm); and the index finds what
`LIKE` finds, however long or short the search."""

import random
from datetime import UTC, datetime

import asyncpg
import pytest
import sqlalchemy as sa
from sqlmodel import col

from api.seeding import plain_url
from db.council.reads import DelegateFilter, _delegate_conditions
from db.engine import Sessionmaker
from db.petition_fields import Deadlines
from db.petition_seed import TOPICS, copy_petitions, ensure_citizens, load_communes
from db.petitions import ListScope, PetitionFilter, filter_conditions, page_statement
from db.tables import Delegate, Petition
from db.text import MAX_QUERY_GRAMS, fold, like_pattern, search_grams
from db.viewer import ANONYMOUS
from tests.db.test_petition_plans import _plan

ROWS = 6_000


def test_search_grams() -> None:
    assert search_grams("Vị") == ["vi"]
    assert search_grams("  %  ") == ["%"]
    assert search_grams("Vị  Thanh") == ["vi ", "i t", " th", "tha", "han", "anh"]
    long = search_grams("đường giao thông nông thôn " * 8)
    assert len(long) <= MAX_QUERY_GRAMS
    assert search_grams("   ") == []


@pytest.mark.timeout(300)
async def test_petition_search_reads_the_index(db_url: str, sessionmaker: Sessionmaker) -> None:
    conn = await asyncpg.connect(plain_url(db_url))
    try:
        rng = random.Random(11)
        communes = await load_communes(conn)
        citizens = await ensure_citizens(conn, rng, 300, "search-voter")
        await copy_petitions(conn, ROWS, rng=rng, communes=communes, citizens=citizens)
        await conn.execute(
            "UPDATE petition SET title = title || ' kênh Xà No' "
            "WHERE id IN (SELECT id FROM petition ORDER BY id LIMIT 3)"
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    now = datetime.now(UTC)
    scope = ListScope(ANONYMOUS, now, Deadlines(), today=now.date())
    conditions = filter_conditions(PetitionFilter(search="kenh xa no"), scope)
    plan = await _plan(sessionmaker, page_statement(conditions, 20, None))
    assert "ix_petition_search_grams" in plan, plan
    assert "Seq Scan on petition" not in plan, plan
    count = sa.select(sa.func.count()).select_from(Petition).where(*conditions)
    plan = await _plan(sessionmaker, count)
    assert "ix_petition_search_grams" in plan, plan
    assert "Seq Scan" not in plan, plan
    # The index and the recheck find exactly what a scan with LIKE finds, short searches too.
    sizes: dict[str, int] = {}
    async with sessionmaker() as session:
        for search in ("kênh xà no", "Xà", "x", "%", "ấp tân phú", "đường giao"):
            found = set(
                (
                    await session.execute(
                        sa.select(col(Petition.id)).where(
                            *filter_conditions(PetitionFilter(search=search), scope)
                        )
                    )
                ).scalars()
            )
            scanned = set(
                (
                    await session.execute(
                        sa.text(
                            "SELECT id FROM petition WHERE visibility = 'PUBLIC' "
                            "AND search_folded LIKE :p ESCAPE '\\'"
                        ),
                        {"p": like_pattern(search)},
                    )
                ).scalars()
            )
            assert found == scanned, search
            sizes[search] = len(found)
    assert sizes["x"] > sizes["Xà"] > 0 and sizes["%"] == 0, sizes


async def test_delegate_search_can_read_the_index(sessionmaker: Sessionmaker) -> None:
    # Fifty delegates are read faster from the table; forbid that to show the index serves it.
    conditions = _delegate_conditions(DelegateFilter(search="nguyen van"))
    statement = sa.select(Delegate).where(*conditions)
    async with sessionmaker() as session:
        await session.execute(sa.text("SET enable_seqscan = off"))
        await session.execute(sa.text("SET enable_indexscan = off"))
        compiled = statement.compile(
            dialect=session.bind.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        connection = await session.connection()
        rows = await connection.exec_driver_sql("EXPLAIN (COSTS OFF) " + str(compiled), params)
        plan = "\n".join(r[0] for r in rows)
    assert "ix_delegate_name_grams" in plan, plan


def _grams(text: str) -> set[str]:
    """Every piece of 1, 2 and 3 characters of `text`: what the indexes hold of it."""
    return {text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)}


async def test_the_grams_function_cuts_every_piece(db_url: str) -> None:
    """Revision 0010's hdnd_grams (pieces cut by regexp_replace, duplicates kept) holds the same
    grams as revision 0009's (one row per piece), so the indexes built with either agree."""
    rng = random.Random(10)
    alphabet = "ab đườngxã \n\t%_\\'\"" + "ấp" + "👨‍👩‍👧" + "\u0301"
    texts = ["", "a", "ab", "abc", "abcd", "a\nb", "\x01", "a\x01bc", "x" * 500]
    texts += ["".join(rng.choices(alphabet, k=rng.randrange(0, 14))) for _ in range(400)]
    texts += [fold(f"{title} {content}") for topics in TOPICS.values() for title, content in topics]
    conn = await asyncpg.connect(plain_url(db_url))
    try:
        rows = await conn.fetch(
            "SELECT t, hdnd_grams(t) AS fast, hdnd_grams_each(t) AS each "
            "FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n",
            texts,
        )
    finally:
        await conn.close()
    assert [r["t"] for r in rows] == texts
    for row in rows:
        assert set(row["fast"]) == set(row["each"]) == _grams(row["t"]), repr(row["t"])
    assert rows[0]["fast"] == []
