"""Generated petitions keep the live system's invariants."""

import sqlalchemy as sa

from db import clock
from db.engine import Sessionmaker, transaction
from db.enums.petitions import PetitionStatus
from db.petition_seed import seed_demo_petitions


async def test_demo_petitions_in_every_status_with_consistent_timelines(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        made = await seed_demo_petitions(session, per_status=8)
    assert made == 8 * len(PetitionStatus) + len(PetitionStatus)
    async with sessionmaker() as session:
        per_status = dict(
            (
                await session.execute(sa.text("SELECT status, count(*) FROM petition GROUP BY 1"))
            ).all()
        )
        assert per_status == {s: 9 for s in PetitionStatus}
        # Each petition's last event is its status; supports match the count; nothing in the future.
        broken = (
            await session.execute(
                sa.text(
                    """
                    SELECT count(*) FROM petition p
                    WHERE p.status <> (SELECT e.status FROM petition_event e WHERE e.petition_id = p.id
                                       ORDER BY e.at DESC, e.id DESC LIMIT 1)
                       OR p.support_count <> (SELECT count(*) FROM petition_support s WHERE s.petition_id = p.id)
                       OR p.updated_at > :now OR p.submitted_at > :now
                       OR (p.visibility = 'PRIVATE' AND p.support_count > 0)
                    """
                ),
                {"now": clock.now()},  # the app's clock, which the run may have moved
            )
        ).scalar_one()
        assert broken == 0
        own = (
            await session.execute(
                sa.text(
                    "SELECT count(*) FROM petition p JOIN account a ON a.id = p.submitter_account_id "
                    "WHERE a.sub = 'demo-citizen'"
                )
            )
        ).scalar_one()
        assert own == len(PetitionStatus)
