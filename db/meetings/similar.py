"""Similar open petitions: trigram similarity of the folded text (title and content), within the
same district, to suggest duplicates when concerns are recorded and to STAFF.

`hdnd_similarity(a, b)` (migration 0011) is the share of 3-character grams two folded texts have
in common (|A ∩ B| / |A ∪ B|, the grams `hdnd_grams` cuts); `similarity` is its Python twin
(tests/db/test_meetings_similar.py holds them to the same answers). Core PostgreSQL only: the
embedded server ships no pg_trgm.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.council import within_unit
from db.enums.petitions import OPEN_STATUSES
from db.petition_access import visible_condition
from db.tables import AdministrativeUnit, Petition
from db.tables.base import table_of
from db.text import fold
from db.viewer import Viewer

# Below this share of common trigrams two texts are not worth a look: texts of one place share
# names and stock phrases («đề nghị», «Phường I») up to about 0.35; restated concerns pass 0.8.
THRESHOLD = 0.5
MAX_SUGGESTIONS = 20


def trigrams(text: str) -> set[str]:
    """The distinct 3-character pieces of `text` (already folded)."""
    return {text[i : i + 3] for i in range(len(text) - 2)}


def similarity(a: str, b: str) -> float:
    """Python form of `hdnd_similarity`: common trigrams over all trigrams of two folded texts."""
    x, y = trigrams(a), trigrams(b)
    union = x | y
    return len(x & y) / len(union) if union else 0.0


def petition_text(title: str, content: str) -> str:
    """The folded text a petition is compared on (its `search_folded` column)."""
    return fold(title + " " + content)


@dataclass(frozen=True)
class Suggestion:
    petition: Petition
    similarity: float


async def area_of(session: AsyncSession, commune_code: str) -> AdministrativeUnit | None:
    """The unit area duplicates are looked for in: the commune's district (the commune itself
    where it has no parent)."""
    commune = await session.get(AdministrativeUnit, commune_code)
    if commune is None:
        return None
    if commune.parent_code is None:
        return commune
    parent = await session.get(AdministrativeUnit, commune.parent_code)
    # A two-level jurisdiction: the province is no area; the commune is.
    return parent if parent is not None and parent.level == "DISTRICT" else commune


async def similar_petitions(
    session: AsyncSession,
    viewer: Viewer,
    today: date,
    commune_code: str,
    folded: str,
    *,
    exclude: Sequence[int] = (),
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[Suggestion]:
    """Open petitions `viewer` may see, not merged, in the area of `commune_code`, at least
    `threshold` similar to the folded text `folded`; the most similar first."""
    area = await area_of(session, commune_code)
    if area is None or not folded.strip():
        return []
    score = sa.func.hdnd_similarity(col(Petition.search_folded), sa.literal(folded)).label("score")
    stmt = (
        sa.select(Petition, score)
        .where(
            within_unit(table_of(Petition).c.unit_path, area),
            col(Petition.status).in_([str(s) for s in OPEN_STATUSES]),
            col(Petition.merged_into_id).is_(None),
            visible_condition(viewer, today),
            score >= threshold,
        )
        .order_by(score.desc(), col(Petition.id))
        .limit(min(limit, MAX_SUGGESTIONS))
    )
    if exclude:
        stmt = stmt.where(col(Petition.id).not_in(list(exclude)))
    rows = await session.execute(stmt)
    return [Suggestion(p, round(float(s), 4)) for p, s in rows.all()]


def similarity_sql_function() -> str:
    """DDL of `hdnd_similarity(a, b)`; copied into revision 0011, never imported by it."""
    return (
        "CREATE OR REPLACE FUNCTION hdnd_similarity(a text, b text) RETURNS real "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "WITH x AS (SELECT DISTINCT g FROM unnest(hdnd_grams(a)) AS g WHERE length(g) = 3), "
        "y AS (SELECT DISTINCT g FROM unnest(hdnd_grams(b)) AS g WHERE length(g) = 3), "
        "n AS (SELECT (SELECT count(*) FROM (SELECT g FROM x INTERSECT SELECT g FROM y) AS i) "
        "AS common, "
        "(SELECT count(*) FROM (SELECT g FROM x UNION SELECT g FROM y) AS u) AS total) "
        "SELECT CASE WHEN total = 0 THEN 0::real ELSE common::real / total END FROM n $$"
    )


# Candidates read per district for a batch: the most recent open petitions.
BATCH_CANDIDATES = 5_000


async def suggestions_for_batch(
    session: AsyncSession,
    viewer: Viewer,
    today: date,
    items: Sequence[tuple[str, str]],
    *,
    exclude: Sequence[int] = (),
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[list[Suggestion]]:
    """`similar_petitions` for many (commune code, folded text) at once, as a batch of recorded
    concerns needs: each district's candidates are read once (the BATCH_CANDIDATES most recent)
    and compared here with `similarity`'s arithmetic through an index of their trigrams, so a
    few hundred concerns cost a statement per district, not a scan each."""
    areas: dict[str, AdministrativeUnit | None] = {}
    for code, _ in items:
        if code not in areas:
            areas[code] = await area_of(session, code)
    pools: dict[str, tuple[list[Petition], list[set[str]], dict[str, list[int]]]] = {}
    for area in {a.code: a for a in areas.values() if a is not None}.values():
        stmt = (
            sa.select(Petition)
            .where(
                within_unit(table_of(Petition).c.unit_path, area),
                col(Petition.status).in_([str(s) for s in OPEN_STATUSES]),
                col(Petition.merged_into_id).is_(None),
                visible_condition(viewer, today),
            )
            .order_by(col(Petition.submitted_at).desc(), col(Petition.id).desc())
            .limit(BATCH_CANDIDATES)
        )
        if exclude:
            stmt = stmt.where(col(Petition.id).not_in(list(exclude)))
        rows = list((await session.execute(stmt)).scalars())
        grams = [trigrams(p.search_folded) for p in rows]
        index: dict[str, list[int]] = {}
        for n, found in enumerate(grams):
            for gram in found:
                index.setdefault(gram, []).append(n)
        pools[area.code] = (rows, grams, index)
    answers: list[list[Suggestion]] = []
    for code, folded in items:
        where = areas[code]
        if where is None:
            answers.append([])
            continue
        rows, grams, index = pools[where.code]
        mine = trigrams(folded)
        common: dict[int, int] = {}
        for gram in mine:
            for n in index.get(gram, ()):
                common[n] = common.get(n, 0) + 1
        scored = []
        for n, shared in common.items():
            score = shared / (len(mine) + len(grams[n]) - shared)
            if score >= threshold:
                scored.append((-score, rows[n].id or 0, n, score))
        scored.sort()
        answers.append([Suggestion(rows[n], round(score, 4)) for _, _, n, score in scored[:limit]])
    return answers
