"""Council sessions (kỳ họp) in GraphQL: a session, its agenda and the contributions (ý kiến
thảo luận, chất vấn) recorded at it; `node(id:)` for each."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.clock import local
from db.petition_access import can_view
from db.sessions import reads as db_session_reads
from db.sessions.compliance import COMPLIANCE_READERS
from db.sessions.contributions import MAX_PETITIONS
from db.sessions.writes import MAX_AGENDA
from db.tables import AgendaItem as AgendaItemRow
from db.tables import Contribution as ContributionRow
from db.tables import CouncilSession as SessionRow
from schema.context import Info
from schema.core.arguments import After, First
from schema.cost import most, paged
from schema.council.types import Delegate
from schema.node import register_node
from schema.permissions import has_role
from schema.petition_loaders import petition_loaders
from schema.petitions import Petition
from schema.relay import (
    Connection,
    Node,
    decode_cursor,
    from_global_id,
    make_connection,
    page_size,
    to_global_id,
)
from schema.sessions.enums import ContributionKind, SessionKind, SessionStatus, Venue

if TYPE_CHECKING:
    from schema.sessions.compliance import SessionCompliance


def _local(value: datetime | None) -> datetime | None:
    """An instant as shown (Asia/Ho_Chi_Minh); None stays None."""
    return local(value) if value is not None else None


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
        return await session_of(info, self.session_id)


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
        return await session_of(info, self.session_id)

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
        first: First = None,
        after: After = None,
    ) -> ContributionConnection:
        return await contribution_connection(info, "session", self.pk, None, first, after)

    @strawberry.field(
        description="Who met the quota at this session (delegates, the council office, the Legal Affairs Committee, administrators).",
        permission_classes=[has_role(*COMPLIANCE_READERS)],
    )
    async def compliance(
        self, info: Info
    ) -> Annotated["SessionCompliance", strawberry.lazy("schema.sessions.compliance")] | None:
        from schema.sessions.compliance import session_compliance

        return await session_compliance(info, self.pk)


async def session_of(info: Info, pk: int) -> Session:
    row = await info.context.loaders.session_by_id.load(pk)
    assert row is not None
    return Session.from_row(row)


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
    request = db_session_reads.PageRequest(by, owner_id, session_pk, limit, key)
    page = await loaders.contribution_page_by_request.load(request)
    assert page is not None

    async def count() -> int:
        return await loaders.contribution_count_by_owner.load((by, owner_id, session_pk)) or 0

    made = make_connection(
        page.rows,
        page.has_next,
        key is not None,
        db_session_reads.contribution_key,
        Contribution.from_row,
        count,
    )
    return ContributionConnection(edges=made.edges, page_info=made.page_info, count=count)


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
