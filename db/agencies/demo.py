"""Demo records of agencies: the demo petitions that went through FORWARDED are given the
agency of their field (or their commune's People's Committee), with a forwarding row, and those
answered since, a letter; so `agencyInbox` and the per-agency table show a living system."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

# The demo AGENCY account answers for this one (api/demo.py).
DEMO_AGENCY_CODE = "SO-XAYDUNG"
DEMO_ANSWER_DAYS = 30
# The department of each field; a field not listed goes to the commune's People's Committee.
AGENCY_OF_CATEGORY = {
    "INFRASTRUCTURE_TRANSPORT": "SO-XAYDUNG",
    "LAND_HOUSING": "SO-NNMT",
    "ENVIRONMENT": "SO-NNMT",
    "AGRICULTURE": "SO-NNMT",
    "HEALTH": "SO-YTE",
    "EDUCATION": "SO-GDDT",
    "SOCIAL_WELFARE": "SO-NOIVU",
    "SECURITY_ORDER": "CONGAN",
}

_ASSIGN = """
WITH routed AS (
    SELECT p.id,
           coalesce(
               (SELECT a.id FROM agency a WHERE a.code = (:mapping)::jsonb ->> p.category),
               (SELECT a.id FROM agency a WHERE a.code = 'UBND-' || p.commune_code)) AS agency_id,
           (SELECT min(e.at) FROM petition_event e
             WHERE e.petition_id = p.id AND e.status = 'FORWARDED') AS forwarded_at
    FROM petition p
    WHERE p.status IN ('FORWARDED', 'ANSWERED', 'CLOSED') AND p.agency_id IS NULL
)
UPDATE petition p SET agency_id = r.agency_id, forwarded_agency = a.name,
       answer_letter_number = CASE WHEN p.answered_at IS NULL THEN NULL
                                   ELSE (p.id % 900 + 100)::text || '/CV-' || a.code END,
       answer_letter_date = CASE WHEN p.answered_at IS NULL THEN NULL
                                 ELSE (p.answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END
FROM routed r JOIN agency a ON a.id = r.agency_id
WHERE p.id = r.id AND r.forwarded_at IS NOT NULL
"""

_FORWARDS = """
INSERT INTO petition_forward (petition_id, agency_id, forwarded_at, due_at, outcome, settled_at,
                              letter_number, letter_date)
SELECT p.id, p.agency_id, f.at, f.at + make_interval(days => coalesce(a.answer_days, :days)),
       CASE WHEN p.answered_at IS NULL THEN 'PENDING' ELSE 'ANSWERED' END,
       p.answered_at, p.answer_letter_number, p.answer_letter_date
FROM petition p
JOIN agency a ON a.id = p.agency_id
JOIN LATERAL (SELECT min(e.at) AS at FROM petition_event e
              WHERE e.petition_id = p.id AND e.status = 'FORWARDED') f ON f.at IS NOT NULL
WHERE NOT EXISTS (SELECT 1 FROM petition_forward x WHERE x.petition_id = p.id)
"""


async def seed_demo_forwards(session: AsyncSession) -> None:
    """In the caller's transaction; a second run adds nothing."""
    import orjson

    await session.execute(sa.text(_ASSIGN), {"mapping": orjson.dumps(AGENCY_OF_CATEGORY).decode()})
    await session.execute(sa.text(_FORWARDS), {"days": DEMO_ANSWER_DAYS})


async def demo_agency_id(session: AsyncSession) -> int | None:
    found = await session.execute(
        sa.text("SELECT id FROM agency WHERE code = :c"), {"c": DEMO_AGENCY_CODE}
    )
    value = found.scalar_one_or_none()
    return int(value) if value is not None else None
