"""Council sessions (kỳ họp) in GraphQL: sessions and their agenda, contributions (ý kiến thảo
luận, chất vấn), excused absences, the Legal Affairs Committee's compliance view and delegates'
scorecards."""

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import contributions as db_contributions
from db import council as db_council
from db import sessions as db_sessions
from db.clock import local
from db.compliance import COMPLIANCE_READERS, sees_excuse_reason
from db.contributions import MAX_PETITIONS
from db.enums.council import SessionKind, SessionStatus
from db.enums.sessions import ComplianceStatus, ContributionKind, Venue
from db.petition_access import can_view
from db.refused import UNSET as DB_UNSET
from db.sessions import MAX_AGENDA
from db.tables import AgendaItem as AgendaItemRow
from db.tables import Contribution as ContributionRow
from db.tables import CouncilSession as SessionRow
from db.viewer import Role
from schema.context import Info
from schema.core.enums import graphql_enum
from schema.cost import most, paged
from schema.council import Delegate, DelegateGroup
from schema.errors import UserError, bad_input, refused
from schema.node import register_node
from schema.permissions import has_role
from schema.petition_loaders import petition_loaders
from schema.petitions import Petition
from schema.refusals import db_id, run_change
from schema.relay import (
    Connection,
    Node,
    decode_cursor,
    from_global_id,
    make_connection,
    page_size,
    to_global_id,
)

OFFICE = (Role.STAFF, Role.ADMIN)
CONTRIBUTORS = (Role.DELEGATE, Role.STAFF, Role.ADMIN)


def _local(value: datetime | None) -> datetime | None:
    """An instant as shown (Asia/Ho_Chi_Minh); None stays None."""
    return local(value) if value is not None else None


graphql_enum(
    SessionKind,
    "Kind of council session.",
    {
        SessionKind.REGULAR: "Regular session (kỳ họp thường lệ).",
        SessionKind.SPECIAL: "Special session (kỳ họp bất thường).",
        SessionKind.THEMATIC: "Thematic session (kỳ họp chuyên đề).",
    },
)


graphql_enum(
    SessionStatus,
    "Where a session stands; the council office moves it along.",
    {
        SessionStatus.UPCOMING: "Not yet opened (sắp diễn ra).",
        SessionStatus.IN_PROGRESS: "Meeting now (đang diễn ra).",
        SessionStatus.CLOSED: "Closed (đã bế mạc).",
    },
)


graphql_enum(
    ContributionKind,
    "What kind of contribution a delegate made.",
    {
        ContributionKind.DISCUSSION: "A discussion contribution (ý kiến thảo luận).",
        ContributionKind.QUESTION: "A question put to an official (chất vấn); names its addressee.",
    },
)


graphql_enum(
    Venue,
    "Where a contribution was made.",
    {
        Venue.GROUP: "In group discussion (thảo luận tổ).",
        Venue.PLENARY: "In the plenary hall (hội trường).",
    },
)


graphql_enum(
    ComplianceStatus,
    "A delegate's standing at a session: a status, never a rank (trạng thái).",
    {
        ComplianceStatus.MET: "Quota met (đạt).",
        ComplianceStatus.NOT_YET: "Quota not (yet) met (chưa đạt).",
        ComplianceStatus.EXCUSED: "Excused by the council office (vắng có lý do); not counted.",
    },
)


@strawberry.type(description="An item of a session's agenda (nội dung chương trình kỳ họp).")
class AgendaItem(Node):
    position: int = strawberry.field(description="Order on the agenda, from 1.")
    title: str = strawberry.field(description="What the item is, e.g. «Dự toán ngân sách 2027».")
    session_id: strawberry.Private[int]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: AgendaItemRow) -> "AgendaItem":
        assert row.id is not None
        return cls(
            id=to_global_id("AgendaItem", row.id),
            pk=row.id,
            session_id=row.session_id,
            position=row.position,
            title=row.title,
        )

    @strawberry.field(description="The session whose agenda this is.")
    async def session(self, info: Info) -> "Session":
        return await _session(info, self.session_id)


@strawberry.type(
    description="A delegate's discussion contribution or question at a session (ý kiến thảo luận, chất vấn)."
)
class Contribution(Node):
    kind: ContributionKind = strawberry.field(description="Discussion or question.")
    venue: Venue = strawberry.field(description="In group discussion or in the plenary hall.")
    topic: str = strawberry.field(description="What it was about (chủ đề).")
    summary: str = strawberry.field(description="What the delegate said, in brief (tóm tắt).")
    addressee: str | None = strawberry.field(
        description="Who was questioned (người bị chất vấn), e.g. «Giám đốc Sở Y tế»; questions only."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")
    withdrawn_at: datetime | None = strawberry.field(
        description="When it was withdrawn (then it is neither listed nor counted); null otherwise."
    )
    pk: strawberry.Private[int]
    session_id: strawberry.Private[int]
    delegate_id: strawberry.Private[int]
    agenda_item_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ContributionRow) -> "Contribution":
        assert row.id is not None
        recorded, updated = _local(row.recorded_at), _local(row.updated_at)
        assert recorded is not None and updated is not None
        return cls(
            id=to_global_id("Contribution", row.id),
            pk=row.id,
            session_id=row.session_id,
            delegate_id=row.delegate_id,
            agenda_item_id=row.agenda_item_id,
            kind=ContributionKind(row.kind),
            venue=Venue(row.venue),
            topic=row.topic,
            summary=row.summary,
            addressee=row.addressee,
            recorded_at=recorded,
            updated_at=updated,
            withdrawn_at=_local(row.withdrawn_at),
        )

    @strawberry.field(description="The session it was made at.")
    async def session(self, info: Info) -> "Session":
        return await _session(info, self.session_id)

    @strawberry.field(description="The delegate who made it.")
    async def delegate(self, info: Info) -> Delegate:
        row = await info.context.loaders.delegate_by_id.load(self.delegate_id)
        assert row is not None
        return Delegate.from_row(row)

    @strawberry.field(
        directives=most(MAX_PETITIONS),
        description="Petitions (kiến nghị cử tri) the delegate raised with it; only those you may "
        "see are listed. Each got a timeline event «raised at session N» when linked.",
        metadata={"restricted": "each petition only to those who may see it (PRIVATE ones hidden)"},
    )
    async def petitions(self, info: Info) -> list[Petition]:
        ids = await info.context.loaders.sessions.petition_ids_by_contribution_id.load(self.pk)
        rows = await petition_loaders(info).petition_by_id.load_many(ids)
        viewer, today = info.context.viewer, info.context.today
        return [Petition.from_row(r) for r in rows if r is not None and can_view(viewer, r, today)]

    @strawberry.field(description="The agenda item it addressed, if one was named.")
    async def agenda_item(self, info: Info) -> AgendaItem | None:
        if self.agenda_item_id is None:
            return None
        row = await info.context.loaders.sessions.agenda_item_by_id.load(self.agenda_item_id)
        return AgendaItem.from_row(row) if row else None


@strawberry.type(description="One page of contributions (Relay connection).")
class ContributionConnection(Connection[Contribution]):
    pass


@strawberry.type(description="A session of the provincial council (kỳ họp HĐND tỉnh).")
class Session(Node):
    number: int = strawberry.field(
        description="Number of the session within its term (kỳ họp thứ …)."
    )
    title: str = strawberry.field(
        description="Title, e.g. «Kỳ họp thứ 26 (kỳ họp thường lệ cuối năm 2026)»."
    )
    kind: SessionKind = strawberry.field(description="Regular, special or thematic.")
    starts_on: date = strawberry.field(description="Opening day.")
    ends_on: date = strawberry.field(description="Closing day.")
    status: SessionStatus = strawberry.field(description="Upcoming, in progress or closed.")
    required_discussions: int = strawberry.field(
        description="Discussion contributions (ý kiến thảo luận) each delegate owes at this session (default 1)."
    )
    required_questions: int = strawberry.field(
        description="Questions (chất vấn) each delegate owes at this session (default 1)."
    )
    pk: strawberry.Private[int]
    term_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: SessionRow) -> "Session":
        assert row.id is not None
        return cls(
            id=to_global_id("Session", row.id),
            pk=row.id,
            term_id=row.term_id,
            number=row.number,
            title=row.title,
            kind=SessionKind(row.kind),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            status=SessionStatus(row.status),
            required_discussions=row.required_discussions,
            required_questions=row.required_questions,
        )

    @strawberry.field(description="Number of the council term (khóa), e.g. 10 for khóa X.")
    async def term(self, info: Info) -> int:
        row = await info.context.loaders.term_by_id.load(self.term_id)
        assert row is not None
        return row.number

    @strawberry.field(
        directives=most(MAX_AGENDA), description="The agenda (chương trình kỳ họp), in order."
    )
    async def agenda(self, info: Info) -> list[AgendaItem]:
        rows = await info.context.loaders.sessions.agenda_by_session_id.load(self.pk)
        return [AgendaItem.from_row(r) for r in rows]

    @strawberry.field(
        directives=paged(),
        description="Contributions recorded at this session, in the order recorded (withdrawn ones left out).",
    )
    async def contributions(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> ContributionConnection:
        return await contribution_connection(info, "session", self.pk, None, first, after)

    @strawberry.field(
        description="Who met the quota at this session (delegates, the council office, the Legal Affairs Committee, administrators).",
        permission_classes=[has_role(*COMPLIANCE_READERS)],
    )
    async def compliance(self, info: Info) -> "SessionCompliance | None":
        return await _compliance(info, self.pk)


@strawberry.type(description="A delegate's standing at one session (kết quả thực hiện chỉ tiêu).")
class DelegateCompliance:
    delegate: Delegate = strawberry.field(description="The delegate.")
    discussions: int = strawberry.field(description="Discussion contributions made.")
    questions: int = strawberry.field(description="Questions put.")
    meets_quota: bool = strawberry.field(
        description="At least the session's required discussions and questions."
    )
    status: ComplianceStatus = strawberry.field(
        description="Met, not yet, or excused (an excused delegate is not counted against the quota)."
    )
    excuse_reason: str | None = strawberry.field(
        description="Why the delegate was excused: shown to the delegate, STAFF, MONITOR and ADMIN only.",
        metadata={"restricted": "the delegate concerned, STAFF, MONITOR, ADMIN"},
    )


@strawberry.type(description="How a delegate group stands at a session.")
class GroupCompliance:
    delegate_count: int = strawberry.field(
        description="Members serving during the session and not excused: those who owe the quota."
    )
    compliant_count: int = strawberry.field(description="Of those, how many met it.")
    not_yet_count: int = strawberry.field(description="Of those, how many have not (yet).")
    excused_count: int = strawberry.field(description="Members excused from the session.")
    group_id: strawberry.Private[int]

    @strawberry.field(description="The delegate group (Tổ đại biểu).")
    async def group(self, info: Info) -> DelegateGroup:
        row = await info.context.loaders.group_by_id.load(self.group_id)
        assert row is not None
        return DelegateGroup.from_row(row)


@strawberry.type(
    description="Who met the council's quota at a session (the Legal Affairs Committee's view): statuses in directory order, not a ranking."
)
class SessionCompliance:
    delegate_count: int = strawberry.field(
        description="Delegates serving on at least one day of the session, not excused: those who owe the quota."
    )
    compliant_count: int = strawberry.field(description="Of those, how many met it.")
    not_yet_count: int = strawberry.field(description="Of those, how many have not (yet).")
    excused_count: int = strawberry.field(description="Delegates excused from the session.")
    delegates: list[DelegateCompliance] = strawberry.field(
        directives=most(120),
        description="Every delegate serving during the session (excused ones too), by group then name.",
    )
    groups: list[GroupCompliance] = strawberry.field(
        directives=most(50), description="Each group's tally."
    )
    session_id: strawberry.Private[int]

    @strawberry.field(description="The session.")
    async def session(self, info: Info) -> Session:
        return await _session(info, self.session_id)


@strawberry.type(
    description="A delegate's record over a period (phiếu theo dõi): petitions addressed to them and sessions."
)
class DelegateScorecard:
    petitions_received: int = strawberry.field(
        description="Petitions addressed to the delegate (not only to their group) submitted in the period."
    )
    petitions_answered: int = strawberry.field(description="Of those, how many have an answer.")
    petitions_overdue: int = strawberry.field(
        description="Of those, how many are overdue now (as `Petition.isOverdue`)."
    )
    median_hours_to_acknowledge: float | None = strawberry.field(
        description="Median hours from submission to acknowledgement, of those acknowledged; null when none."
    )
    sessions_total: int = strawberry.field(
        description="Sessions opened in the period (in progress or closed) while the delegate served, not excused."
    )
    sessions_meeting_quota: int = strawberry.field(description="Of those, how many met the quota.")
    sessions_excused: int = strawberry.field(description="Sessions the delegate was excused from.")
    discussions: int = strawberry.field(description="Discussion contributions at those sessions.")
    questions: int = strawberry.field(description="Questions at those sessions.")


# ---- resolvers' helpers ---------------------------------------------------------------------------


async def _session(info: Info, pk: int) -> Session:
    row = await info.context.loaders.session_by_id.load(pk)
    assert row is not None
    return Session.from_row(row)


async def _compliance(info: Info, session_pk: int) -> SessionCompliance:
    standing = await info.context.loaders.sessions.compliance_by_session_id.load(session_pk)
    viewer = info.context.viewer
    delegate_loader = info.context.loaders.delegate_by_id
    rows: list[DelegateCompliance] = []
    for d in standing.delegates:
        assert d.delegate.id is not None
        delegate_loader.prime(d.delegate.id, d.delegate)
        sees_reason = sees_excuse_reason(viewer, d.delegate.id)
        rows.append(
            DelegateCompliance(
                delegate=Delegate.from_row(d.delegate),
                discussions=d.discussions,
                questions=d.questions,
                meets_quota=d.meets_quota,
                status=ComplianceStatus[d.status.value],
                excuse_reason=d.excuse_reason if sees_reason else None,
            )
        )
    total = standing.total
    return SessionCompliance(
        session_id=session_pk,
        delegate_count=total.delegate_count,
        compliant_count=total.compliant_count,
        not_yet_count=total.not_yet_count,
        excused_count=total.excused_count,
        delegates=rows,
        groups=[
            GroupCompliance(
                group_id=gid,
                delegate_count=t.delegate_count,
                compliant_count=t.compliant_count,
                not_yet_count=t.not_yet_count,
                excused_count=t.excused_count,
            )
            for gid, t in standing.groups
        ],
    )


async def contribution_connection(
    info: Info,
    by: str,
    owner_id: int,
    session_id: strawberry.ID | None,
    first: int | None,
    after: str | None,
) -> ContributionConnection:
    """A page of a session's or a delegate's contributions, through the batching loaders."""
    limit = page_size(first)
    key = decode_cursor(after, (datetime, int))
    session_pk = from_global_id(session_id, "Session", "sessionId") if session_id else None
    loaders = info.context.loaders.sessions
    request = db_contributions.PageRequest(by, owner_id, session_pk, limit, key)
    page = await loaders.contribution_page_by_request.load(request)
    assert page is not None

    async def count() -> int:
        return await loaders.contribution_count_by_owner.load((by, owner_id, session_pk)) or 0

    made = make_connection(
        page.rows,
        page.has_next,
        key is not None,
        db_contributions.contribution_key,
        Contribution.from_row,
        count,
    )
    return ContributionConnection(edges=made.edges, page_info=made.page_info, count=count)


async def delegate_scorecard(
    info: Info, delegate_pk: int, start: date | None, end: date | None
) -> DelegateScorecard:
    """The scorecard: for the delegate themselves, STAFF, MONITOR and ADMIN."""
    viewer = info.context.viewer
    if not (viewer.sees_everything or viewer.delegate_id == delegate_pk):
        raise refused(
            viewer, "Chỉ đại biểu, Văn phòng HĐND, Ban Pháp chế và quản trị xem được phiếu này."
        )
    if start is not None and end is not None and end < start:
        from schema.errors import bad_input

        raise bad_input("`to` phải từ `from` trở đi.", "to")
    settings = info.context.settings
    loader = info.context.loaders.sessions.scorecards(
        info.context.now, settings.ack_days, settings.answer_days
    )
    card = await loader.load((delegate_pk, start, end))
    return DelegateScorecard(
        petitions_received=card.petitions_received,
        petitions_answered=card.petitions_answered,
        petitions_overdue=card.petitions_overdue,
        median_hours_to_acknowledge=card.median_hours_to_acknowledge,
        sessions_total=card.sessions_total,
        sessions_meeting_quota=card.sessions_meeting_quota,
        sessions_excused=card.sessions_excused,
        discussions=card.discussions,
        questions=card.questions,
    )


# ---- queries ------------------------------------------------------------------------------------


@strawberry.type
class SessionsQuery:
    @strawberry.field(
        directives=paged(), description="Council sessions, newest first (at most 100 a page)."
    )
    async def sessions(
        self,
        info: Info,
        status: Annotated[
            SessionStatus | None,
            strawberry.argument(
                description="Only sessions in this status (UPCOMING, IN_PROGRESS, CLOSED); all when left out."
            ),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> Connection[Session]:
        limit = page_size(first)
        key = decode_cursor(after, (date, int))
        wanted = status.name if status else None
        sm = info.context.read
        async with sm() as session:
            page = await db_council.sessions_page(session, wanted, limit, key)

        async def count() -> int:
            async with sm() as session:
                return await db_council.sessions_count(session, wanted)

        return make_connection(
            page.rows,
            page.has_next,
            key is not None,
            db_council.session_key,
            Session.from_row,
            count,
        )

    @strawberry.field(
        description="Who met the quota at a session: per delegate, per group and in total (delegates, STAFF, MONITOR, ADMIN).",
        permission_classes=[has_role(*COMPLIANCE_READERS)],
    )
    async def session_compliance(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID, strawberry.argument(description="The session (`Session.id`).")
        ],
    ) -> SessionCompliance | None:
        pk = from_global_id(session_id, "Session", "sessionId")
        if await info.context.loaders.session_by_id.load(pk) is None:
            raise bad_input("Không tìm thấy kỳ họp.", "sessionId")
        return await _compliance(info, pk)


# ---- mutations ------------------------------------------------------------------------------------


@strawberry.input(description="A new session (kỳ họp); it starts UPCOMING.")
class CreateSessionInput:
    title: str = strawberry.field(description="Title, 5–300 characters.")
    starts_on: date = strawberry.field(description="Opening day.")
    ends_on: date = strawberry.field(description="Closing day (on or after the opening day).")
    kind: SessionKind = strawberry.field(
        default=SessionKind.REGULAR, description="Regular (default), special or thematic."
    )
    term: int | None = strawberry.field(
        default=None, description="Term number (khóa); default: the term the opening day falls in."
    )
    number: int | None = strawberry.field(
        default=None, description="Session number in the term; default: the next one."
    )
    required_discussions: int = strawberry.field(
        default=1, description="Discussion contributions each delegate owes (default 1)."
    )
    required_questions: int = strawberry.field(
        default=1, description="Questions each delegate owes (default 1)."
    )
    agenda: list[str] = strawberry.field(
        default_factory=list, description="Agenda items in order (3–300 characters each)."
    )


@strawberry.input(description="A contribution to record at a session.")
class RecordContributionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The session (in progress, or closed for STAFF)."
    )
    kind: ContributionKind = strawberry.field(description="Discussion or question.")
    venue: Venue = strawberry.field(description="Group discussion or plenary.")
    topic: str = strawberry.field(description="What it was about, 3–300 characters.")
    summary: str = strawberry.field(description="What was said, 10–10,000 characters.")
    delegate_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The delegate who spoke: STAFF must give it; a DELEGATE records their own (omit it or give their own).",
    )
    addressee: str | None = strawberry.field(
        default=None,
        description="Who was questioned: required for QUESTION, absent for DISCUSSION.",
    )
    petition_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Petitions raised (at most 20), each addressed to this delegate or their group; each gets a timeline event.",
    )
    agenda_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agenda item of this session it addressed."
    )


@strawberry.input(description="Changes to a contribution; fields left out stay as they are.")
class EditContributionInput:
    kind: ContributionKind | None = strawberry.field(
        default=strawberry.UNSET, description="New kind."
    )
    venue: Venue | None = strawberry.field(default=strawberry.UNSET, description="New venue.")
    topic: str | None = strawberry.field(default=strawberry.UNSET, description="New topic.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="New summary.")
    addressee: str | None = strawberry.field(
        default=strawberry.UNSET, description="New addressee (QUESTION only)."
    )
    petition_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The full new set of petitions raised; newly added ones get a timeline event.",
    )
    agenda_item_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The agenda item addressed; null for none."
    )


@strawberry.type(description="Result of a change to a session.")
class SessionPayload:
    session: Session | None = strawberry.field(description="The session, as it now stands.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


@strawberry.type(description="Result of adding an agenda item.")
class AgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(description="The new item.")
    session: Session | None = strawberry.field(description="Its session.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


@strawberry.type(description="Result of excusing a delegate from a session, or undoing it.")
class ExcusePayload:
    session: Session | None = strawberry.field(description="The session.")
    delegate: Delegate | None = strawberry.field(description="The delegate.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


@strawberry.type(description="Result of recording, editing or withdrawing a contribution.")
class ContributionPayload:
    contribution: Contribution | None = strawberry.field(description="The contribution.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


def _fresh_session(info: Info, row: SessionRow | None) -> Session | None:
    """The payload's session, and the request's loader told about the change."""
    if row is None or row.id is None:
        return None
    info.context.loaders.session_by_id.prime(row.id, row, force=True)
    return Session.from_row(row)


def _ids(values: list[strawberry.ID] | None, type_name: str, *field: str) -> list[int]:
    return [db_id(v, type_name, *field, str(i)) for i, v in enumerate(values or [])]


def _given(value: Any) -> Any:
    """Strawberry's UNSET (left out) as db's UNSET."""
    return DB_UNSET if value is strawberry.UNSET else value


@strawberry.type
class SessionsMutation:
    @strawberry.mutation(description="Create a session with its agenda (STAFF, ADMIN).")
    async def create_session(
        self,
        info: Info,
        input: Annotated[
            CreateSessionInput,
            strawberry.argument(description="The session: number, title, days, quotas and agenda."),
        ],
    ) -> SessionPayload:
        async def work(s: AsyncSession) -> SessionRow:
            return await db_sessions.create_session(
                s,
                info.context.viewer,
                db_sessions.NewSession(
                    title=input.title,
                    starts_on=input.starts_on,
                    ends_on=input.ends_on,
                    kind=input.kind.name,
                    term=input.term,
                    number=input.number,
                    required_discussions=input.required_discussions,
                    required_questions=input.required_questions,
                    agenda=input.agenda,
                ),
                request_id=info.context.request_id,
            )

        row, errors = await run_change(info, OFFICE, work)
        return SessionPayload(session=_fresh_session(info, row), user_errors=errors)

    @strawberry.mutation(
        description="Open a session: UPCOMING to IN_PROGRESS; contributions may then be recorded (STAFF, ADMIN)."
    )
    async def open_session(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The UPCOMING session to open (`Session.id`)."),
        ],
    ) -> SessionPayload:
        return await _advance(info, id, "IN_PROGRESS")

    @strawberry.mutation(description="Close a session: IN_PROGRESS to CLOSED (STAFF, ADMIN).")
    async def close_session(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The IN_PROGRESS session to close (`Session.id`)."),
        ],
    ) -> SessionPayload:
        return await _advance(info, id, "CLOSED")

    @strawberry.mutation(description="Append an item to a session's agenda (STAFF, ADMIN).")
    async def add_agenda_item(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The session whose agenda it joins (`Session.id`); not a CLOSED one."
            ),
        ],
        title: Annotated[
            str,
            strawberry.argument(
                description="The item, one line (chương trình kỳ họp), e.g. «Báo cáo kinh tế - xã hội năm 2026»."
            ),
        ],
    ) -> AgendaItemPayload:
        async def work(s: AsyncSession) -> tuple[AgendaItemRow, SessionRow | None]:
            pk = db_id(session_id, "Session", "sessionId")
            item = await db_sessions.add_agenda_item(
                s, info.context.viewer, pk, title, request_id=info.context.request_id
            )
            return item, await s.get(SessionRow, pk)

        done, errors = await run_change(info, OFFICE, work)
        if done is None:
            return AgendaItemPayload(agenda_item=None, session=None, user_errors=errors)
        return AgendaItemPayload(
            agenda_item=AgendaItem.from_row(done[0]),
            session=_fresh_session(info, done[1]),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Remove an agenda item no contribution names, before the session closes (STAFF, ADMIN)."
    )
    async def remove_agenda_item(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The agenda item (`AgendaItem.id`).")
        ],
    ) -> SessionPayload:
        async def work(s: AsyncSession) -> SessionRow:
            return await db_sessions.remove_agenda_item(
                s,
                info.context.viewer,
                db_id(id, "AgendaItem", "id"),
                request_id=info.context.request_id,
            )

        row, errors = await run_change(info, OFFICE, work)
        return SessionPayload(session=_fresh_session(info, row), user_errors=errors)

    @strawberry.mutation(
        description="Excuse a delegate from a session with a reason (vắng có lý do): shown as excused, not counted against the quota (STAFF, ADMIN)."
    )
    async def excuse_delegate(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID, strawberry.argument(description="The session (`Session.id`).")
        ],
        delegate_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The delegate excused (`Delegate.id`); one serving during the session."
            ),
        ],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why they are absent (lý do vắng mặt), shown to compliance readers."
            ),
        ],
    ) -> ExcusePayload:
        async def work(s: AsyncSession) -> tuple[int, int]:
            spk = db_id(session_id, "Session", "sessionId")
            dpk = db_id(delegate_id, "Delegate", "delegateId")
            await db_sessions.excuse_delegate(
                s, info.context.viewer, spk, dpk, reason, request_id=info.context.request_id
            )
            return spk, dpk

        return await _excuse_payload(info, *(await run_change(info, OFFICE, work)))

    @strawberry.mutation(description="Undo an excuse given by mistake (STAFF, ADMIN).")
    async def revoke_excuse(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID, strawberry.argument(description="The session (`Session.id`).")
        ],
        delegate_id: Annotated[
            strawberry.ID, strawberry.argument(description="The delegate (`Delegate.id`).")
        ],
    ) -> ExcusePayload:
        async def work(s: AsyncSession) -> tuple[int, int]:
            spk = db_id(session_id, "Session", "sessionId")
            dpk = db_id(delegate_id, "Delegate", "delegateId")
            await db_sessions.revoke_excuse(
                s, info.context.viewer, spk, dpk, request_id=info.context.request_id
            )
            return spk, dpk

        return await _excuse_payload(info, *(await run_change(info, OFFICE, work)))

    @strawberry.mutation(
        description="Record a contribution: a DELEGATE their own while the session is in progress; STAFF or ADMIN for any delegate, also after it closed. Never at an UPCOMING session."
    )
    async def record_contribution(
        self,
        info: Info,
        input: Annotated[
            RecordContributionInput,
            strawberry.argument(
                description="The contribution: session, kind, venue, topic and what was said."
            ),
        ],
    ) -> ContributionPayload:
        async def work(s: AsyncSession) -> ContributionRow:
            data = db_contributions.ContributionInput(
                session_id=db_id(input.session_id, "Session", "input", "sessionId"),
                delegate_id=(
                    db_id(input.delegate_id, "Delegate", "input", "delegateId")
                    if input.delegate_id is not None
                    else None
                ),
                kind=input.kind.name,
                venue=input.venue.name,
                topic=input.topic,
                summary=input.summary,
                addressee=input.addressee,
                petition_ids=_ids(input.petition_ids, "Petition", "input", "petitionIds"),
                agenda_item_id=(
                    db_id(input.agenda_item_id, "AgendaItem", "input", "agendaItemId")
                    if input.agenda_item_id is not None
                    else None
                ),
            )
            return await db_contributions.record_contribution(
                s, info.context.viewer, data, request_id=info.context.request_id
            )

        row, errors = await run_change(info, CONTRIBUTORS, work)
        return ContributionPayload(
            contribution=Contribution.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Edit a contribution (the same people who may record it; not once withdrawn)."
    )
    async def edit_contribution(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The contribution (`Contribution.id`).")
        ],
        input: Annotated[
            EditContributionInput,
            strawberry.argument(
                description="The fields to change; those left out stay as they are."
            ),
        ],
    ) -> ContributionPayload:
        async def work(s: AsyncSession) -> ContributionRow:
            pk = db_id(id, "Contribution", "id")
            agenda: Any = _given(input.agenda_item_id)
            if agenda is not DB_UNSET and agenda is not None:
                agenda = db_id(agenda, "AgendaItem", "input", "agendaItemId")
            petitions: Any = _given(input.petition_ids)
            if petitions is not DB_UNSET:
                petitions = _ids(petitions, "Petition", "input", "petitionIds")
            changes = db_contributions.ContributionChanges(
                kind=_given(input.kind.name if isinstance(input.kind, Enum) else input.kind),
                venue=_given(input.venue.name if isinstance(input.venue, Enum) else input.venue),
                topic=_given(input.topic),
                summary=_given(input.summary),
                addressee=_given(input.addressee),
                petition_ids=petitions,
                agenda_item_id=agenda,
            )
            return await db_contributions.edit_contribution(
                s, info.context.viewer, pk, changes, request_id=info.context.request_id
            )

        row, errors = await run_change(info, CONTRIBUTORS, work)
        if row is not None and row.id is not None:
            info.context.loaders.sessions.contribution_by_id.prime(row.id, row, force=True)
        return ContributionPayload(
            contribution=Contribution.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Withdraw a contribution recorded by mistake: kept on record, no longer listed or counted."
    )
    async def withdraw_contribution(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The contribution (`Contribution.id`).")
        ],
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="Why it is withdrawn, kept on record (3–500 characters)."
            ),
        ] = None,
    ) -> ContributionPayload:
        async def work(s: AsyncSession) -> ContributionRow:
            return await db_contributions.withdraw_contribution(
                s,
                info.context.viewer,
                db_id(id, "Contribution", "id"),
                reason,
                request_id=info.context.request_id,
            )

        row, errors = await run_change(info, CONTRIBUTORS, work)
        return ContributionPayload(
            contribution=Contribution.from_row(row) if row else None, user_errors=errors
        )


async def _advance(info: Info, id: strawberry.ID, to: str) -> SessionPayload:
    async def work(s: AsyncSession) -> SessionRow:
        return await db_sessions.advance_session(
            s,
            info.context.viewer,
            db_id(id, "Session", "id"),
            to,
            request_id=info.context.request_id,
        )

    row, errors = await run_change(info, OFFICE, work)
    return SessionPayload(session=_fresh_session(info, row), user_errors=errors)


async def _excuse_payload(
    info: Info, done: tuple[int, int] | None, errors: list[UserError]
) -> ExcusePayload:
    if done is None:
        return ExcusePayload(session=None, delegate=None, user_errors=errors)
    session_pk, delegate_pk = done
    delegate = await info.context.loaders.delegate_by_id.load(delegate_pk)
    return ExcusePayload(
        session=await _session(info, session_pk),
        delegate=Delegate.from_row(delegate) if delegate else None,
        user_errors=[],
    )


async def _session_node(info: Info, pk: int) -> Session | None:
    row = await info.context.loaders.session_by_id.load(pk)
    return Session.from_row(row) if row else None


async def _agenda_item_node(info: Info, pk: int) -> AgendaItem | None:
    row = await info.context.loaders.sessions.agenda_item_by_id.load(pk)
    return AgendaItem.from_row(row) if row else None


async def _contribution_node(info: Info, pk: int) -> Contribution | None:
    row = await info.context.loaders.sessions.contribution_by_id.load(pk)
    return Contribution.from_row(row) if row else None


register_node("Session", _session_node)
register_node("AgendaItem", _agenda_item_node)
register_node("Contribution", _contribution_node)
