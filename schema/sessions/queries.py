"""The sessions domain's root queries: `sessions` and `sessionCompliance`."""

from datetime import date
from typing import Annotated

import strawberry

from db import council as db_council
from db.sessions.compliance import COMPLIANCE_READERS
from schema.context import Info
from schema.core.arguments import After, First
from schema.core.connections import read_connection
from schema.cost import paged
from schema.errors import bad_input
from schema.permissions import has_role
from schema.relay import Connection, decode_cursor, from_global_id, page_size
from schema.sessions.compliance import SessionCompliance, session_compliance
from schema.sessions.enums import SessionStatus
from schema.sessions.types import Session


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
        first: First = None,
        after: After = None,
    ) -> Connection[Session]:
        limit = page_size(first)
        key = decode_cursor(after, (date, int))
        wanted = status.name if status else None
        return await read_connection(
            info,
            key,
            lambda session: db_council.sessions_page(session, wanted, limit, key),
            lambda session: db_council.sessions_count(session, wanted),
            db_council.session_key,
            Session.from_row,
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
        return await session_compliance(info, pk)
