"""Queries of agencies: the directory of agencies (public), an agency's inbox (AGENCY), the
per-agency table (STAFF, MONITOR, ADMIN)."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from db.agencies import reads
from db.enums.accounts import Role
from db.enums.agencies import AgencyLevel
from db.enums.petitions import PetitionStatus
from schema.agencies.types import Agency, AgencyStatistics
from schema.context import Info
from schema.cost import SEARCH_WEIGHT, most, paged, weighing
from schema.errors import bad_input
from schema.permissions import EVERYONE_WHO_SEES_ALL, has_role
from schema.petitions import After, PageSize, Petition, _connection
from schema.relay import Connection, decode_cursor, page_size

SEARCH_MAX = 100


@strawberry.type
class AgenciesQuery:
    @strawberry.field(
        directives=[*most(100), *weighing(SEARCH_WEIGHT)],
        description="Competent agencies (cơ quan có thẩm quyền) petitions may be forwarded to: "
        "province first, then by code. Public.",
    )
    async def agencies(
        self,
        info: Info,
        level: Annotated[
            AgencyLevel | None, strawberry.argument(description="Only agencies of this level.")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Part of the name; case and diacritics do not matter («xay dung»)."
            ),
        ] = None,
        unit_code: Annotated[
            str | None,
            strawberry.argument(description="Only agencies covering this unit (by its code)."),
        ] = None,
    ) -> list[Agency]:
        if search is not None and len(search) > SEARCH_MAX:
            raise bad_input(f"Từ khoá tìm kiếm dài tối đa {SEARCH_MAX} ký tự.", "search")
        async with info.context.read() as session:
            rows = await reads.agencies(session, level.value if level else None, search, unit_code)
        return [Agency.of(info, r) for r in rows]

    @strawberry.field(
        directives=paged(),
        description="Petitions forwarded to your agency (hộp thư của cơ quan), newest first: "
        "those waiting for its answer (FORWARDED) and those it answered. AGENCY accounts.",
        permission_classes=[has_role(Role.AGENCY)],
    )
    async def agency_inbox(
        self,
        info: Info,
        status: Annotated[
            PetitionStatus | None,
            strawberry.argument(
                description="Only this status (FORWARDED: waiting for your answer); all when left out."
            ),
        ] = None,
        overdue: Annotated[
            bool | None,
            strawberry.argument(
                description="true: only those late (past the agency's deadline); false: only those not."
            ),
        ] = None,
        first: PageSize = None,
        after: After = None,
    ) -> Connection[Petition] | None:
        limit = page_size(first)
        key = decode_cursor(after, (datetime, int))
        conditions = reads.inbox_conditions(
            info.context.viewer, status.value if status else None, overdue, info.context.now
        )
        read = info.context.read
        async with read() as session:
            page = await reads.inbox_page(session, conditions, limit, key)

        async def count() -> int:
            async with read() as session:
                return await reads.inbox_count(session, conditions)

        return _connection(page.rows, page.has_next, key is not None, count)

    @strawberry.field(
        directives=most(100),
        description="The per-agency table (bảng theo dõi cơ quan): for each agency that received "
        "forwarded petitions in the period, how many it received, answered, sent back, still "
        "holds, and how many are late; and the median days to answer. Most late first. "
        "STAFF, MONITOR and ADMIN.",
        permission_classes=[has_role(*EVERYONE_WHO_SEES_ALL)],
    )
    async def agency_statistics(
        self,
        info: Info,
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from",
                description="First day of forwarding counted (local); open when left out.",
            ),
        ] = None,
        to: Annotated[
            date | None,
            strawberry.argument(description="Last day of forwarding counted (local), included."),
        ] = None,
    ) -> list[AgencyStatistics] | None:
        if from_ is not None and to is not None and to < from_:
            raise bad_input("Ngày kết thúc phải sau ngày bắt đầu.", "to")
        async with info.context.read() as session:
            table = await reads.agency_table(session, info.context.now, from_, to)
        return [
            AgencyStatistics(
                agency=Agency.of(info, f.agency),
                received=f.received,
                answered=f.answered,
                returned=f.returned,
                pending=f.pending,
                overdue=f.overdue,
                median_days_to_answer=f.median_days_to_answer,
            )
            for f in table
        ]
