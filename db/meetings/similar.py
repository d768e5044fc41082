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

# Below this share of common trigrams two texts are not worth a look.
THRESHOLD = 0.3
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
