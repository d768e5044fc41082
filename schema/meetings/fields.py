"""What voter meetings add to Petition and to Delegate, as base classes those types inherit
(schema.petitions, schema.council), so this domain's fields live with it. Every type of this
domain is reached lazily: this module is imported while those modules load."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.clock import local
from db.meetings.similar import MAX_SUGGESTIONS, petition_text, similar_petitions
from db.petition_access import can_view
from db.tables import Petition as PetitionRow
from db.viewer import Role
from schema.context import Info
from schema.cost import SEARCH_WEIGHT, most, paged, weighing
from schema.meetings.enums import PetitionSource
from schema.meetings.loaders import meeting_loaders
from schema.permissions import has_role

if TYPE_CHECKING:
    from schema.meetings.types import SimilarPetition, VoterMeeting
    from schema.petitions import Petition

MeetingType = Annotated["VoterMeeting", strawberry.lazy("schema.meetings.types")]
SimilarType = Annotated["SimilarPetition", strawberry.lazy("schema.meetings.types")]
PetitionType = Annotated["Petition", strawberry.lazy("schema.petitions")]
UPCOMING_SHOWN = 5


@strawberry.type(description="Voter-meeting fields of a petition.")
class PetitionMeetingFields:
    row: strawberry.Private[PetitionRow]
    pk: strawberry.Private[int]

    @strawberry.field(description="How it reached the council: the app or a voter meeting.")
    def source(self) -> PetitionSource:
        return PetitionSource(self.row.source)

    @strawberry.field(
        description="Voters who raised it (số cử tri kiến nghị): 1, plus the voters of the "
        "duplicates merged into it."
    )
    def voter_count(self) -> int:
        return self.row.voter_count

    @strawberry.field(
        description="For a duplicate merged by the council office: the petition it now counts "
        "in, which carries the answer (null otherwise, or when hidden from you)."
    )
    async def merged_into(self, info: Info) -> PetitionType | None:
        from schema.petition_loaders import petition_loaders
        from schema.petitions import Petition

        if self.row.merged_into_id is None:
            return None
        row = await petition_loaders(info).petition_by_id.load(self.row.merged_into_id)
        if row is None or not can_view(info.context.viewer, row, info.context.today):
            return None
        return Petition.from_row(row)

    @strawberry.field(description="When it was merged into `mergedInto`; null when not merged.")
    def merged_at(self) -> datetime | None:
        return local(self.row.merged_at) if self.row.merged_at else None

    @strawberry.field(
        directives=most(5),
        description="The voter meetings where it was raised (nêu tại buổi tiếp xúc cử tri), "
        "earliest first; empty for a petition only sent from the app.",
    )
    async def raised_at(self, info: Info) -> list[MeetingType]:
        from schema.meetings.types import VoterMeeting

        rows = await meeting_loaders(info).meetings_by_petition_id.load(self.pk)
        return [VoterMeeting.from_row(r) for r in rows]

    @strawberry.field(
        directives=[*paged(5, sized=()), *weighing(SEARCH_WEIGHT)],
        permission_classes=[has_role(Role.STAFF)],
        description="STAFF: open petitions of the same district that may be duplicates of this "
        "one (trigram similarity of the folded title and content), most similar first.",
    )
    async def similar_petitions(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(description=f"How many, at most {MAX_SUGGESTIONS} (default 5)."),
        ] = 5,
    ) -> list[SimilarType] | None:
        from schema.meetings.types import SimilarPetition
        from schema.petitions import Petition

        async with info.context.read() as session:
            found = await similar_petitions(
                session,
                info.context.viewer,
                info.context.today,
                self.row.commune_code,
                petition_text(self.row.title, self.row.content),
                exclude=[self.pk],
                limit=max(0, min(first, MAX_SUGGESTIONS)),
            )
        return [
            SimilarPetition(petition=Petition.from_row(s.petition), similarity=s.similarity)
            for s in found
        ]


@strawberry.type(description="Voter-meeting fields of a delegate.")
class DelegateMeetingFields:
    group_id: strawberry.Private[int]

    @strawberry.field(
        directives=most(UPCOMING_SHOWN),
        description="The next voter meetings of the delegate's group (at most five, earliest "
        "first): when and where to meet your delegates.",
    )
    async def upcoming_voter_meetings(self, info: Info) -> list[MeetingType]:
        from schema.meetings.types import VoterMeeting

        rows = await meeting_loaders(info).upcoming_by_group_id.load(self.group_id)
        return [VoterMeeting.from_row(r) for r in rows]
