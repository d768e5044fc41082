"""Types of the voter meetings domain: the meeting, a similar petition, the session's
consolidated petition report and the mutations' payloads."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import schema.petitions  # noqa: F401  (makes these GraphQL enums before the types below)
from db.clock import local
from db.enums.petitions import PetitionCategory, PetitionStatus
from db.meetings import report as db_report
from db.meetings.reads import concerns_count
from db.meetings.rules import MAX_COMMUNES, MAX_CONCERNS, MAX_DELEGATES
from db.tables import VoterMeeting as MeetingRow
from schema.context import Info
from schema.cost import most, paged
from schema.errors import UserError
from schema.meetings.enums import MeetingStatus, MeetingTiming
from schema.meetings.loaders import meeting_loaders
from schema.node import register_node
from schema.relay import (
    Connection,
    Node,
    decode_cursor,
    make_connection,
    page_size,
    to_global_id,
)

if TYPE_CHECKING:
    from schema.council import AdministrativeUnit, Delegate, DelegateGroup
    from schema.petitions import Petition
    from schema.sessions import Session

UnitType = Annotated["AdministrativeUnit", strawberry.lazy("schema.council")]
DelegateType = Annotated["Delegate", strawberry.lazy("schema.council")]
GroupType = Annotated["DelegateGroup", strawberry.lazy("schema.council")]
PetitionType = Annotated["Petition", strawberry.lazy("schema.petitions")]
SessionType = Annotated["Session", strawberry.lazy("schema.sessions")]


# What a meeting after a session reads back, for the query cost: a few communes' items.
REPORT_BACK_ASSUMED = 100


@strawberry.type(
    description="A voter meeting (buổi tiếp xúc cử tri): a delegate group meets the voters of "
    "some of its communes before or after a session, with the Fatherland Front. Public."
)
class VoterMeeting(Node):
    timing: MeetingTiming = strawberry.field(description="Before or after its session.")
    status: MeetingStatus = strawberry.field(description="Scheduled or held.")
    starts_at: datetime = strawberry.field(description="When it begins.")
    place: str = strawberry.field(description="Where (địa điểm), e.g. «Hội trường UBND Phường I».")
    co_host: str = strawberry.field(
        description="The co-host (cơ quan phối hợp): the Fatherland Front committee at that level, "
        "e.g. «Ủy ban MTTQ Việt Nam thành phố Vị Thanh»."
    )
    voters_present: int | None = strawberry.field(
        description="How many voters attended (số cử tri tham dự); null until it is held."
    )
    held_at: datetime | None = strawberry.field(
        description="When it was recorded as held; null while scheduled."
    )
    pk: strawberry.Private[int]
    row: strawberry.Private[MeetingRow]

    @classmethod
    def from_row(cls, row: MeetingRow) -> "VoterMeeting":
        assert row.id is not None
        return cls(
            id=to_global_id("VoterMeeting", row.id),
            pk=row.id,
            row=row,
            timing=MeetingTiming(row.timing),
            status=MeetingStatus(row.status),
            starts_at=local(row.starts_at),
            place=row.place,
            co_host=row.co_host,
            voters_present=row.voters_present,
            held_at=local(row.held_at) if row.held_at else None,
        )

    @strawberry.field(description="The delegate group holding it.")
    async def group(self, info: Info) -> GroupType:
        from schema.council import DelegateGroup

        row = await info.context.loaders.group_by_id.load(self.row.group_id)
        assert row is not None
        return DelegateGroup.from_row(row)

    @strawberry.field(description="The session it is held for.")
    async def session(self, info: Info) -> SessionType:
        from schema.sessions import Session

        row = await info.context.loaders.session_by_id.load(self.row.session_id)
        assert row is not None
        return Session.from_row(row)

    @strawberry.field(
        directives=most(MAX_COMMUNES),
        description="The communes whose voters it covers (xã, phường, thị trấn).",
    )
    async def communes(self, info: Info) -> list[UnitType]:
        from schema.council import AdministrativeUnit

        codes = await meeting_loaders(info).communes_by_meeting_id.load(self.pk)
        units = await info.context.loaders.unit_by_code.load_many(codes)
        return [AdministrativeUnit.from_row(u) for u in units if u is not None]

    @strawberry.field(
        directives=most(MAX_DELEGATES),
        description="The delegates attending: as planned, then as recorded when it was held.",
    )
    async def delegates(self, info: Info) -> list[DelegateType]:
        from schema.council import Delegate

        ids = await meeting_loaders(info).delegates_by_meeting_id.load(self.pk)
        rows = await info.context.loaders.delegate_by_id.load_many(ids)
        return [Delegate.from_row(r) for r in rows if r is not None]

    @strawberry.field(
        directives=paged(),
        description="The concerns raised there, in the order recorded: the petitions recorded "
        "(source VOTER_MEETING, merged ones too), and a petition their duplicates were merged "
        "into; private ones only for those who may see them.",
    )
    async def concerns(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 100 (default 20).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> Connection[PetitionType]:
        from schema.petitions import Petition

        limit = page_size(first)
        key = decode_cursor(after, (int, int))
        after_key = (key[0], key[1]) if key else None
        loader = meeting_loaders(info).concerns_page_by_meeting
        page = await loader.load((self.pk, limit, after_key))
        meeting_id, viewer, today = self.pk, info.context.viewer, info.context.today
        sm = info.context.read

        async def count() -> int:
            async with sm() as session:
                return await concerns_count(session, meeting_id, viewer, today)

        return make_connection(
            page.rows, page.has_next, key is not None, lambda r: r[0],
            lambda r: Petition.from_row(r[1]), count,
        )  # fmt: skip

    @strawberry.field(
        directives=most(REPORT_BACK_ASSUMED),
        description="For a meeting after a session: the concerns of that session's consolidated "
        "report from this meeting's communes, with their status and answers, for the delegates "
        "to report back to voters (trả lời cử tri); private ones only for those who may see "
        "them. Empty for a meeting before a session.",
    )
    async def report_back(self, info: Info) -> list[PetitionType]:
        from db.meetings.report import reported_back
        from schema.petitions import Petition

        async with info.context.read() as session:
            rows = await reported_back(session, self.row, info.context.viewer, info.context.today)
        return [Petition.from_row(r) for r in rows]


@strawberry.type(description="A page of voter meetings.")
class VoterMeetingConnection(Connection[VoterMeeting]):
    pass


@strawberry.type(description="An open petition similar to another (a possible duplicate).")
class SimilarPetition:
    petition: PetitionType = strawberry.field(description="The similar petition.")
    similarity: float = strawberry.field(
        description="Share of three-letter pieces the two folded texts have in common, 0 to 1."
    )


@strawberry.type(description="A concern recorded by `recordMeetingConcerns`.")
class RecordedConcern:
    petition: PetitionType = strawberry.field(
        description="The petition made of it (source VOTER_MEETING)."
    )
    similar: list[SimilarPetition] = strawberry.field(
        directives=most(5),
        description="Open petitions of the same district that may say the same (at most five, "
        "most similar first), for the council office to merge.",
    )


@strawberry.type(description="Result of `scheduleVoterMeeting` and `completeVoterMeeting`.")
class VoterMeetingPayload:
    meeting: VoterMeeting | None = strawberry.field(description="The meeting; null when refused.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(MAX_COMMUNES + MAX_DELEGATES),
        description="Why it was refused; empty on success.",
    )


@strawberry.type(description="Result of `recordMeetingConcerns`: all recorded, or none.")
class RecordMeetingConcernsPayload:
    meeting: VoterMeeting | None = strawberry.field(description="The meeting; null when refused.")
    concerns: list[RecordedConcern] | None = strawberry.field(
        directives=most(MAX_CONCERNS),
        description="Each concern as recorded, in the order given; null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(MAX_CONCERNS),
        description='Every faulty item at once (`field` such as ["concerns", "3", '
        '"content"]); when any, nothing was recorded.',
    )


@strawberry.type(description="Result of `mergePetitions`.")
class MergePetitionsPayload:
    petition: PetitionType | None = strawberry.field(
        description="The petition kept, with the voters and supporters of the duplicates; null "
        "when refused."
    )
    merged: list[PetitionType] | None = strawberry.field(
        directives=most(50),
        description="The duplicates, now pointing to it (`mergedInto`); null when refused.",
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(50), description="Why it was refused; empty on success."
    )


# ---- the consolidated report ----------------------------------------------------------------


@strawberry.type(description="A numbered item of the consolidated report: one petition.")
class ReportItem:
    number: int = strawberry.field(description="Its number in the report (1, 2, …).")
    category: PetitionCategory = strawberry.field(description="Its field (the section).")
    agency: str | None = strawberry.field(
        description="The competent agency it was forwarded to; null: not yet forwarded."
    )
    voter_count: int = strawberry.field(
        description="Voters who raised it, those of the duplicates merged into it included."
    )
    support_count: int = strawberry.field(description="Citizens who support it in the app.")
    status: PetitionStatus = strawberry.field(description="Where its answer stands.")
    status_label: str = strawberry.field(description="The status in the report's words.")
    commune_name: str = strawberry.field(description="The commune it concerns.")
    row: strawberry.Private[db_report.ReportItem]

    @classmethod
    def of(cls, item: db_report.ReportItem) -> "ReportItem":
        status = PetitionStatus(item.petition.status)
        return cls(
            number=item.number,
            category=PetitionCategory(item.petition.category),
            agency=item.petition.forwarded_agency,
            voter_count=item.voter_count,
            support_count=item.petition.support_count,
            status=status,
            status_label=db_report.STATUS_LABELS[status],
            commune_name=item.commune_name,
            row=item,
        )

    @strawberry.field(description="The petition (with its answer, once answered).")
    def petition(self) -> PetitionType:
        from schema.petitions import Petition

        return Petition.from_row(self.row.petition)

    @strawberry.field(
        directives=most(5), description="The voter meetings where it was raised, earliest first."
    )
    def meetings(self) -> list[VoterMeeting]:
        return [VoterMeeting.from_row(m) for m in self.row.meetings]


@strawberry.type(description="The items of a field addressed to one competent agency.")
class ReportAgency:
    agency: str | None = strawberry.field(
        description="The agency it was forwarded to (cơ quan giải quyết); null: not yet forwarded."
    )
    label: str = strawberry.field(description="The agency as the report names it.")
    petition_count: int = strawberry.field(description="How many items.")
    voter_count: int = strawberry.field(description="Voters who raised them.")
    numbers: list[int] = strawberry.field(
        description="The numbers of its items (see the report's `items`)."
    )


@strawberry.type(description="A section of the report: one field (lĩnh vực).")
class ReportField:
    category: PetitionCategory = strawberry.field(description="The field.")
    label: str = strawberry.field(description="The field as the report names it.")
    petition_count: int = strawberry.field(description="How many items.")
    voter_count: int = strawberry.field(description="Voters who raised them.")
    agencies: list[ReportAgency] = strawberry.field(
        directives=most(10), description="The items by competent agency."
    )


@strawberry.type(
    description="The consolidated report of voters' petitions for a session (báo cáo tổng hợp "
    "ý kiến, kiến nghị của cử tri): those collected between the previous session and this one, "
    "from the app and from voter meetings, merged duplicates counted once. The .docx and .xlsx "
    "downloads (`/reports/sessions/{id}/petitions.docx`, `.xlsx`) hold the same numbers."
)
class SessionPetitionReport:
    first_day: date | None = strawberry.field(
        description="First day counted: the day after the previous session ended (null: none)."
    )
    last_day: date = strawberry.field(
        description="Last day counted: the day before the session opens (and every concern of "
        "its voter meetings, whenever recorded)."
    )
    petition_count: int = strawberry.field(description="Petitions, merged duplicates once.")
    voter_count: int = strawberry.field(description="Voters who raised them.")
    from_meetings: int = strawberry.field(description="Petitions raised at voter meetings.")
    from_app: int = strawberry.field(description="Petitions sent from the app.")
    answered_count: int = strawberry.field(description="Petitions answered (or closed).")
    meeting_count: int = strawberry.field(
        description="Voter meetings of the round before the session."
    )
    meetings_held: int = strawberry.field(description="Of those, how many were held.")
    voters_present: int = strawberry.field(
        description="Voters present at the round's meetings held."
    )
    fields: list[ReportField] = strawberry.field(
        directives=most(10), description="The sections by field, in the usual order."
    )
    items: list[ReportItem] = strawberry.field(
        directives=most(MAX_CONCERNS),
        description="Every item in order, numbered 1, 2, … by field, then agency, then age.",
    )
    session_pk: strawberry.Private[int]

    @classmethod
    def of(cls, report: db_report.SessionReport) -> "SessionPetitionReport":
        assert report.session.id is not None
        return cls(
            session_pk=report.session.id,
            first_day=report.first_day,
            last_day=report.last_day,
            petition_count=report.petition_count,
            voter_count=report.voter_count,
            from_meetings=report.from_meetings,
            from_app=report.from_app,
            answered_count=report.answered_count,
            meeting_count=report.meeting_count,
            meetings_held=report.meetings_held,
            voters_present=report.voters_present,
            fields=[
                ReportField(
                    category=f.category,
                    label=f.label,
                    petition_count=len(f.items),
                    voter_count=f.voter_count,
                    agencies=[
                        ReportAgency(
                            agency=a.agency,
                            label=a.label,
                            petition_count=len(a.items),
                            voter_count=a.voter_count,
                            numbers=[i.number for i in a.items],
                        )
                        for a in f.agencies
                    ],
                )
                for f in report.fields
            ],
            items=[ReportItem.of(i) for i in report.items],
        )

    @strawberry.field(description="The session reported on.")
    async def session(self, info: Info) -> SessionType:
        from schema.sessions import Session

        row = await info.context.loaders.session_by_id.load(self.session_pk)
        assert row is not None
        return Session.from_row(row)

    @strawberry.field(description="Where to download it as a Word document (same admission).")
    def docx_url(self) -> str:
        return f"/reports/sessions/{to_global_id('Session', self.session_pk)}/petitions.docx"

    @strawberry.field(description="Where to download it as a spreadsheet (same admission).")
    def xlsx_url(self) -> str:
        return f"/reports/sessions/{to_global_id('Session', self.session_pk)}/petitions.xlsx"


async def _meeting_node(info: Info, pk: int) -> VoterMeeting | None:
    row = await meeting_loaders(info).meeting_by_id.load(pk)
    return VoterMeeting.from_row(row) if row is not None else None


register_node("VoterMeeting", _meeting_node)
