"""Demo records beyond the directory (petitions, contributions, posts): each domain adds its
own seeding here as it lands, so `hdnd seed --demo` shows a living system."""

from sqlalchemy.ext.asyncio import AsyncSession

from db.agencies.demo import seed_demo_forwards
from db.channels import seed_demo_channel
from db.meetings.demo import seed_demo_meetings
from db.petition_seed import seed_demo_petitions
from db.sessions.demo import seed_contributions


async def seed_demo_extras(session: AsyncSession) -> None:
    """Demo records of every domain beyond the directory, in the caller's transaction."""
    await seed_demo_petitions(session)
    await seed_demo_forwards(session)
    await seed_contributions(session)
    await seed_demo_channel(session)
    await seed_demo_meetings(session)
