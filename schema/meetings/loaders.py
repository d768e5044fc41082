"""The meetings' DataLoaders, made per request (some depend on who asks or on the clock) and
kept in `context.extra`."""

from strawberry.dataloader import DataLoader

from db.meetings import reads
from db.pagination import Page
from db.tables import Petition, VoterMeeting
from schema.context import Context, Info
from schema.loaders import batch_loader, list_loader

_KEY = "meeting_loaders"
ConcernsPageKey = tuple[int, int, reads.ConcernKey | None]  # meeting, page size, cursor
ConcernsPage = Page[tuple[reads.ConcernKey, Petition]]


class MeetingLoaders:
    """`<Thing>By<Key>Loader`s of the meetings domain, for one request."""

    def __init__(self, context: Context) -> None:
        sm = context.read
        viewer, today, now = context.viewer, context.today, context.now
        self.meeting_by_id: DataLoader[int, VoterMeeting | None] = batch_loader(
            sm, reads.meetings_by_ids
        )
        self.communes_by_meeting_id: DataLoader[int, list[str]] = list_loader(
            sm, reads.communes_by_meeting_ids
        )
        self.delegates_by_meeting_id: DataLoader[int, list[int]] = list_loader(
            sm, reads.delegates_by_meeting_ids
        )

        async def concern_pages(keys: list[ConcernsPageKey]) -> list[ConcernsPage]:
            wanted: dict[tuple[int, reads.ConcernKey | None], list[int]] = {}
            for meeting_id, limit, after in keys:
                wanted.setdefault((limit, after), []).append(meeting_id)
            found: dict[ConcernsPageKey, ConcernsPage] = {}
            async with sm() as session:
                for (limit, after), ids in wanted.items():
                    pages = await reads.concerns_pages(session, ids, viewer, today, limit, after)
                    for meeting_id, page in pages.items():
                        found[(meeting_id, limit, after)] = page
            return [found[key] for key in keys]

        self.concerns_page_by_meeting: DataLoader[ConcernsPageKey, ConcernsPage] = DataLoader(
            load_fn=concern_pages
        )
        self.meetings_by_petition_id: DataLoader[int, list[VoterMeeting]] = list_loader(
            sm, reads.meetings_by_petition_ids
        )
        self.upcoming_by_group_id: DataLoader[int, list[VoterMeeting]] = list_loader(
            sm, lambda s, ids: reads.upcoming_by_group_ids(s, ids, now)
        )


def meeting_loaders(info: Info) -> MeetingLoaders:
    """This request's meeting loaders, made on first use."""
    loaders = info.context.extra.get(_KEY)
    if not isinstance(loaders, MeetingLoaders):
        loaders = MeetingLoaders(info.context)
        info.context.extra[_KEY] = loaders
    return loaders
