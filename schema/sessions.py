"""Council sessions (kỳ họp) in GraphQL."""

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from db import council as db_council
from db.tables import CouncilSession as SessionRow
from schema.context import Info
from schema.node import register_node
from schema.relay import Connection, Node, decode_cursor, make_connection, page_size, to_global_id


@strawberry.enum(description="Kind of council session.")
class SessionKind(Enum):
    REGULAR = strawberry.enum_value("REGULAR", description="Regular session (kỳ họp thường lệ).")
    SPECIAL = strawberry.enum_value("SPECIAL", description="Special session (kỳ họp bất thường).")
    THEMATIC = strawberry.enum_value("THEMATIC", description="Thematic session (kỳ họp chuyên đề).")


@strawberry.enum(description="Where a session stands; the council office moves it along.")
class SessionStatus(Enum):
    UPCOMING = strawberry.enum_value("UPCOMING", description="Not yet opened (sắp diễn ra).")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="Meeting now (đang diễn ra).")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed (đã bế mạc).")


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


@strawberry.type
class SessionsQuery:
    @strawberry.field(description="Council sessions, newest first (at most 100 a page).")
    async def sessions(
        self,
        info: Info,
        status: SessionStatus | None = None,
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


async def _session_node(info: Info, pk: int) -> Session | None:
    row = await info.context.loaders.session_by_id.load(pk)
    return Session.from_row(row) if row else None


register_node("Session", _session_node)
