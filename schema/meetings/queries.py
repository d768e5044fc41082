"""Queries of the voter meetings domain: the public list of meetings and the session's
consolidated petition report."""

from datetime import datetime
from typing import Annotated

import strawberry

from db.meetings import reads
from db.meetings.report import session_petition_report
from db.tables import AdministrativeUnit as UnitRow
from db.tables import CouncilSession
from db.viewer import Role
from schema.context import Info
from schema.cost import paged
from schema.errors import bad_input
from schema.meetings.types import SessionPetitionReport, VoterMeeting, VoterMeetingConnection
from schema.permissions import EVERYONE_WHO_SEES_ALL, has_role
from schema.relay import (
    decode_cursor,
    from_global_id,
    make_connection,
    optional_global_id,
    page_size,
)

REPORT_READERS = EVERYONE_WHO_SEES_ALL
assert set(REPORT_READERS) == {Role.STAFF, Role.MONITOR, Role.ADMIN}


@strawberry.type
class MeetingsQuery:
    @strawberry.field(
        directives=paged(),
        description="Voter meetings (tiếp xúc cử tri), earliest first: public, so citizens know "
        "when and where their delegates meet them.",
    )
    async def voter_meetings(
        self,
        info: Info,
        unit_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only meetings covering a commune inside this unit (a commune, a "
                "district or the province), e.g. «31318»."
            ),
        ] = None,
        session_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the meetings for this session."),
        ] = None,
        group_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this delegate group's meetings."),
        ] = None,
        upcoming: Annotated[
            bool,
            strawberry.argument(description="Only scheduled meetings not yet begun."),
        ] = False,
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 100 (default 20).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> VoterMeetingConnection:
        limit = page_size(first)
        key = decode_cursor(after, (datetime, int))
        unit: UnitRow | None = None
        async with info.context.read() as session:
            if unit_code is not None:
                unit = await session.get(UnitRow, unit_code.strip())
                if unit is None:
                    raise bad_input(f"Không có đơn vị hành chính mã «{unit_code}».", "unitCode")
            f = reads.MeetingFilter(
                unit=unit,
                session_id=optional_global_id(session_id, "Session", "sessionId"),
                group_id=optional_global_id(group_id, "DelegateGroup", "groupId"),
                upcoming_from=info.context.now if upcoming else None,
            )
            page = await reads.meetings_page(session, f, (key[0], key[1]) if key else None, limit)
        sm = info.context.read

        async def count() -> int:
            async with sm() as session:
                return await reads.meetings_count(session, f)

        connection = make_connection(
            page.rows,
            page.has_next,
            key is not None,
            lambda m: (m.starts_at, m.id),
            VoterMeeting.from_row,
            count,
        )
        return VoterMeetingConnection(
            edges=connection.edges, page_info=connection.page_info, count=count
        )

    @strawberry.field(
        permission_classes=[has_role(*REPORT_READERS)],
        description="STAFF, MONITOR, ADMIN: the consolidated report of voters' petitions for a "
        "session (báo cáo tổng hợp ý kiến, kiến nghị của cử tri), grouped by field and agency.",
    )
    async def session_petition_report(
        self,
        info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(description="The session.")],
    ) -> SessionPetitionReport | None:
        pk = from_global_id(session_id, "Session", "sessionId")
        async with info.context.read() as session:
            found = await session.get(CouncilSession, pk)
            if found is None:
                return None
            report = await session_petition_report(session, found)
        return SessionPetitionReport.of(report)
