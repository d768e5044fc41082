"""The sessions domain's mutations: sessions and their agenda, excuses (STAFF, ADMIN) and
contributions (delegates for their own, the council office for any). Each declares its roles;
the rules that depend on the row are db's, their refusals answered by schema.refusals."""

from enum import Enum
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import sessions as db_sessions
from db.sessions import contributions as db_contributions
from db.tables import AgendaItem as AgendaItemRow
from db.tables import Contribution as ContributionRow
from db.tables import CouncilSession as SessionRow
from db.viewer import Role
from schema.context import Info
from schema.core.inputs import db_ids, given, given_id, given_ids
from schema.council.types import Delegate
from schema.errors import UserError
from schema.permissions import MutationRoles
from schema.refusals import db_id, run_change
from schema.sessions.inputs import (
    CreateSessionInput,
    EditContributionInput,
    RecordContributionInput,
)
from schema.sessions.payloads import (
    AgendaItemPayload,
    ContributionPayload,
    ExcusePayload,
    SessionPayload,
)
from schema.sessions.types import AgendaItem, Contribution, Session, session_of

OFFICE = (Role.STAFF, Role.ADMIN)
CONTRIBUTORS = (Role.DELEGATE, Role.STAFF, Role.ADMIN)


def _fresh_session(info: Info, row: SessionRow | None) -> Session | None:
    """The payload's session, and the request's loader told about the change."""
    if row is None or row.id is None:
        return None
    info.context.loaders.session_by_id.prime(row.id, row, force=True)
    return Session.from_row(row)


@strawberry.type
class SessionsMutation:
    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Create a session with its agenda (STAFF, ADMIN).",
    )
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

        row, errors = await run_change(info, work)
        return SessionPayload(session=_fresh_session(info, row), user_errors=errors)

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Open a session: UPCOMING to IN_PROGRESS; contributions may then be recorded (STAFF, ADMIN).",
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

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Close a session: IN_PROGRESS to CLOSED (STAFF, ADMIN).",
    )
    async def close_session(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The IN_PROGRESS session to close (`Session.id`)."),
        ],
    ) -> SessionPayload:
        return await _advance(info, id, "CLOSED")

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Append an item to a session's agenda (STAFF, ADMIN).",
    )
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

        done, errors = await run_change(info, work)
        if done is None:
            return AgendaItemPayload(agenda_item=None, session=None, user_errors=errors)
        return AgendaItemPayload(
            agenda_item=AgendaItem.from_row(done[0]),
            session=_fresh_session(info, done[1]),
            user_errors=[],
        )

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Remove an agenda item no contribution names, before the session closes (STAFF, ADMIN).",
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

        row, errors = await run_change(info, work)
        return SessionPayload(session=_fresh_session(info, row), user_errors=errors)

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Excuse a delegate from a session with a reason (vắng có lý do): shown as excused, not counted against the quota (STAFF, ADMIN).",
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

        return await _excuse_payload(info, *(await run_change(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Undo an excuse given by mistake (STAFF, ADMIN).",
    )
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

        return await _excuse_payload(info, *(await run_change(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*CONTRIBUTORS)],
        description="Record a contribution: a DELEGATE their own while the session is in progress; STAFF or ADMIN for any delegate, also after it closed. Never at an UPCOMING session.",
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
                petition_ids=db_ids(input.petition_ids, "Petition", "input", "petitionIds"),
                agenda_item_id=(
                    db_id(input.agenda_item_id, "AgendaItem", "input", "agendaItemId")
                    if input.agenda_item_id is not None
                    else None
                ),
            )
            return await db_contributions.record_contribution(
                s, info.context.viewer, data, request_id=info.context.request_id
            )

        row, errors = await run_change(info, work)
        return ContributionPayload(
            contribution=Contribution.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        extensions=[MutationRoles(*CONTRIBUTORS)],
        description="Edit a contribution (the same people who may record it; not once withdrawn).",
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
            agenda = given_id(input.agenda_item_id, "AgendaItem", "input", "agendaItemId")
            petitions = given_ids(input.petition_ids, "Petition", "input", "petitionIds")
            changes = db_contributions.ContributionChanges(
                kind=given(input.kind.name if isinstance(input.kind, Enum) else input.kind),
                venue=given(input.venue.name if isinstance(input.venue, Enum) else input.venue),
                topic=given(input.topic),
                summary=given(input.summary),
                addressee=given(input.addressee),
                petition_ids=petitions,
                agenda_item_id=agenda,
            )
            return await db_contributions.edit_contribution(
                s, info.context.viewer, pk, changes, request_id=info.context.request_id
            )

        row, errors = await run_change(info, work)
        if row is not None and row.id is not None:
            info.context.loaders.sessions.contribution_by_id.prime(row.id, row, force=True)
        return ContributionPayload(
            contribution=Contribution.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        extensions=[MutationRoles(*CONTRIBUTORS)],
        description="Withdraw a contribution recorded by mistake: kept on record, no longer listed or counted.",
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

        row, errors = await run_change(info, work)
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

    row, errors = await run_change(info, work)
    return SessionPayload(session=_fresh_session(info, row), user_errors=errors)


async def _excuse_payload(
    info: Info, done: tuple[int, int] | None, errors: list[UserError]
) -> ExcusePayload:
    if done is None:
        return ExcusePayload(session=None, delegate=None, user_errors=errors)
    session_pk, delegate_pk = done
    delegate = await info.context.loaders.delegate_by_id.load(delegate_pk)
    return ExcusePayload(
        session=await session_of(info, session_pk),
        delegate=Delegate.from_row(delegate) if delegate else None,
        user_errors=[],
    )
