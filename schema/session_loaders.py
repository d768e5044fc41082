"""DataLoaders of sessions, contributions, compliance, scorecards and directory history:
attached to the request's `Loaders` as `loaders.sessions`."""

from datetime import date, datetime

from strawberry.dataloader import DataLoader

from db import compliance, contributions, directory_admin
from db import sessions as db_sessions
from db.engine import Sessionmaker
from db.pagination import Page
from db.tables import AgendaItem, Contribution, DirectoryChange
from schema.loaders import batch_loader, list_loader

ScorecardKey = tuple[int, date | None, date | None]


class SessionLoaders:
    """Loaders named after what they batch; scorecards take the deadlines of the settings."""

    def __init__(self, sessionmaker: Sessionmaker, today: date) -> None:
        sm = self.sessionmaker = sessionmaker
        self.agenda_by_session_id: DataLoader[int, list[AgendaItem]] = list_loader(
            sm, db_sessions.agenda_by_session_ids
        )
        self.agenda_item_by_id: DataLoader[int, AgendaItem | None] = batch_loader(
            sm, db_sessions.agenda_items_by_ids
        )
        self.contribution_by_id: DataLoader[int, Contribution | None] = batch_loader(
            sm, contributions.contributions_by_ids
        )
        self.contribution_page_by_request: DataLoader[
            contributions.PageRequest, Page[Contribution] | None
        ] = batch_loader(sm, contributions.contribution_pages)
        self.contribution_count_by_owner: DataLoader[contributions.CountKey, int | None] = (
            batch_loader(sm, contributions.contribution_counts)
        )
        self.petition_ids_by_contribution_id: DataLoader[int, list[int]] = list_loader(
            sm, contributions.petition_ids_by_contribution_ids
        )
        self.history_by_entity: DataLoader[tuple[str, int], list[DirectoryChange]] = list_loader(
            sm, directory_admin.history_by_entities
        )
        self.compliance_by_session_id: DataLoader[int, compliance.SessionStanding] = DataLoader(
            load_fn=self._compliance
        )
        self._scorecards: DataLoader[ScorecardKey, compliance.Scorecard] | None = None

    async def _compliance(self, ids: list[int]) -> list[compliance.SessionStanding]:
        # Two statements per session asked for; a request asks for one or a few.
        async with self.sessionmaker() as session:
            return [await compliance.session_compliance(session, i) for i in ids]

    def scorecards(
        self, now: datetime, ack_days: int, answer_days: int
    ) -> DataLoader[ScorecardKey, compliance.Scorecard]:
        """The scorecard loader of this request (made on first use with the deadlines)."""
        if self._scorecards is None:
            sm = self.sessionmaker

            async def load(keys: list[ScorecardKey]) -> list[compliance.Scorecard]:
                async with sm() as session:
                    found = await compliance.scorecards_by_keys(
                        session, keys, now=now, ack_days=ack_days, answer_days=answer_days
                    )
                return [found[k] for k in keys]

            self._scorecards = DataLoader(load_fn=load)
        return self._scorecards
