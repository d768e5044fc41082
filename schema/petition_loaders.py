"""The petitions' DataLoaders. Some depend on who asks (supports, the audited submitter read), so
they are made per request from the Context and kept in `context.extra`."""

from strawberry.dataloader import DataLoader

from db import petitions as db_petitions
from db.engine import transaction
from db.tables import Petition, PetitionEvent
from schema.context import Context, Info
from schema.loaders import batch_loader, list_loader

_KEY = "petition_loaders"


class PetitionLoaders:
    """`<Thing>By<Key>Loader`s of the petitions domain, for one request."""

    def __init__(self, context: Context) -> None:
        sm = context.sessionmaker
        viewer = context.viewer
        self.petition_by_id: DataLoader[int, Petition | None] = batch_loader(
            sm, db_petitions.petitions_by_ids
        )
        self.events_by_petition_id: DataLoader[int, list[PetitionEvent]] = list_loader(
            sm, db_petitions.events_by_petition_ids
        )

        async def supported(keys: list[int]) -> list[bool]:
            async with sm() as session:
                found = await db_petitions.supported_petition_ids(session, viewer, keys)
            return [key in found for key in keys]

        self.supported_by_petition_id: DataLoader[int, bool] = DataLoader(load_fn=supported)

        async def submitters(keys: list[int]) -> list[db_petitions.SubmitterIdentity | None]:
            # The read and its audit rows commit together: no audit row, no personal data.
            async with transaction(sm) as session:
                found = await db_petitions.read_submitters(
                    session, viewer, keys, context.request_id
                )
            return [found.get(key) for key in keys]

        self.submitter_by_petition_id: DataLoader[int, db_petitions.SubmitterIdentity | None] = (
            DataLoader(load_fn=submitters)
        )


def petition_loaders(info: Info) -> PetitionLoaders:
    """This request's petition loaders, made on first use."""
    loaders = info.context.extra.get(_KEY)
    if not isinstance(loaders, PetitionLoaders):
        loaders = PetitionLoaders(info.context)
        info.context.extra[_KEY] = loaders
    return loaders
