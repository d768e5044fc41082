"""The agencies' DataLoaders, made per request and kept in `context.extra`."""

from strawberry.dataloader import DataLoader

from db.agencies import reads
from db.tables import Agency, PetitionForward
from schema.context import Info
from schema.loaders import batch_loader, list_loader

_KEY = "agency_loaders"


class AgencyLoaders:
    def __init__(self, info: Info) -> None:
        sm = info.context.read
        self.agency_by_id: DataLoader[int, Agency | None] = batch_loader(sm, reads.agencies_by_ids)
        self.unit_codes_by_agency_id: DataLoader[int, list[str]] = list_loader(
            sm, reads.unit_codes_by_agency_ids
        )
        self.forwards_by_petition_id: DataLoader[int, list[PetitionForward]] = list_loader(
            sm, reads.forwards_by_petition_ids
        )


def agency_loaders(info: Info) -> AgencyLoaders:
    """This request's agency loaders, made on first use."""
    loaders = info.context.extra.get(_KEY)
    if not isinstance(loaders, AgencyLoaders):
        loaders = AgencyLoaders(info)
        info.context.extra[_KEY] = loaders
    return loaders
