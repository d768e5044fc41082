"""Mutations of the voter meetings domain: thin, each one transaction calling one function of
db.meetings; refusals (one, or every faulty item at once) become `userErrors`."""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import transaction
from db.meetings import merge as db_merge
from db.meetings import writes as db_writes
from db.meetings.rules import RefusedItems
from db.meetings.similar import suggestions_for_batch
from db.refused import Refused
from db.tables import VoterMeeting as MeetingRow
from db.viewer import Role
from schema.context import Info
from schema.errors import UserError
from schema.meetings.inputs import (
    CompleteVoterMeetingInput,
    MeetingConcernInput,
    ScheduleVoterMeetingInput,
)
from schema.meetings.types import (
    MergePetitionsPayload,
    RecordedConcern,
    RecordMeetingConcernsPayload,
    SimilarPetition,
    VoterMeeting,
    VoterMeetingPayload,
)
from schema.permissions import MutationRoles
from schema.refusals import as_user_error, db_id

T = TypeVar("T")
# Who may try; db.meetings.rules decides on the group (a DELEGATE only for their own group).
MANAGERS = (Role.STAFF, Role.DELEGATE)
SUGGESTED = 5

MeetingId = Annotated[strawberry.ID, strawberry.argument(description="The meeting's global id.")]


async def _run(
    info: Info, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """`work` in one transaction; its refusals as userErrors, everything rolled back."""
    try:
        async with transaction(info.context.sessionmaker) as session:
            return await work(session), []
    except Refused as exc:
        return None, [as_user_error(exc)]
    except RefusedItems as exc:
        return None, [as_user_error(r) for r in exc.refusals]


def _ids(values: list[strawberry.ID], type_name: str, *field: str) -> list[int]:
    return [db_id(v, type_name, *field, str(i)) for i, v in enumerate(values)]


def _meeting_payload(row: MeetingRow | None, errors: list[UserError]) -> VoterMeetingPayload:
    return VoterMeetingPayload(
        meeting=VoterMeeting.from_row(row) if row is not None else None, user_errors=errors
    )


@strawberry.type
class MeetingsMutation:
    @strawberry.mutation(
        extensions=[MutationRoles(*MANAGERS)],
        description="Announce a voter meeting of a group for a session: STAFF, or a serving "
        "member of the group.",
    )
    async def schedule_voter_meeting(
        self,
        info: Info,
        input: Annotated[
            ScheduleVoterMeetingInput,
            strawberry.argument(description="The group, session, time, place and communes."),
        ],
    ) -> VoterMeetingPayload:
        async def work(s: AsyncSession) -> MeetingRow:
            data = db_writes.ScheduleInput(
                group_id=db_id(input.group_id, "DelegateGroup", "input", "groupId"),
                session_id=db_id(input.session_id, "Session", "input", "sessionId"),
                timing=input.timing.value,
                starts_at=input.starts_at,
                place=input.place,
                co_host=input.co_host,
                commune_codes=input.commune_codes,
                delegate_ids=_ids(input.delegate_ids, "Delegate", "input", "delegateIds"),
            )
            return await db_writes.schedule_meeting(
                s,
                info.context.viewer,
                data,
                now=info.context.now,
                request_id=info.context.request_id,
            )

        return _meeting_payload(*(await _run(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*MANAGERS)],
        description="Record a scheduled meeting as held (once it has begun): the voters present "
        "and the delegates who attended. STAFF, or a serving member of the group.",
    )
    async def complete_voter_meeting(
        self,
        info: Info,
        id: MeetingId,
        input: Annotated[
            CompleteVoterMeetingInput,
            strawberry.argument(description="Voters present and delegates who attended."),
        ],
    ) -> VoterMeetingPayload:
        async def work(s: AsyncSession) -> MeetingRow:
            delegates = (
                _ids(input.delegate_ids, "Delegate", "input", "delegateIds")
                if input.delegate_ids is not None
                else None
            )
            return await db_writes.complete_meeting(
                s,
                info.context.viewer,
                db_id(id, "VoterMeeting", "id"),
                input.voters_present,
                delegates,
                now=info.context.now,
                request_id=info.context.request_id,
            )

        return _meeting_payload(*(await _run(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*MANAGERS)],
        description="Record the concerns raised at a meeting, up to 500 at once, all or nothing: "
        "each becomes a PUBLIC petition (source VOTER_MEETING) addressed to the group. Every "
        "faulty item is reported (`concerns.<i>.<field>`) and then nothing is recorded. Each "
        "recorded concern comes with the open petitions of its district that may say the same. "
        "STAFF, or a serving member of the group.",
    )
    async def record_meeting_concerns(
        self,
        info: Info,
        meeting_id: MeetingId,
        concerns: Annotated[
            list[MeetingConcernInput],
            strawberry.argument(description="The concerns, in the order raised (1–500)."),
        ],
    ) -> RecordMeetingConcernsPayload:
        from schema.petitions import Petition

        async def work(s: AsyncSession) -> tuple[MeetingRow, list[RecordedConcern]]:
            pk = db_id(meeting_id, "VoterMeeting", "meetingId")
            viewer, now = info.context.viewer, info.context.now
            made = await db_writes.record_concerns(
                s,
                viewer,
                pk,
                [
                    db_writes.ConcernInput(
                        content=c.content,
                        category=c.category.value,
                        commune_code=c.commune_code,
                        title=c.title,
                        speaker_name=c.speaker_name,
                    )
                    for c in concerns
                ],
                now=now,
                request_id=info.context.request_id,
            )
            batch = [p.id for p in made if p.id is not None]
            suggestions = await suggestions_for_batch(
                s,
                viewer,
                info.context.today,
                [(p.commune_code, p.search_folded) for p in made],
                exclude=batch,
                limit=SUGGESTED,
            )
            recorded = [
                RecordedConcern(
                    petition=Petition.from_row(p),
                    similar=[
                        SimilarPetition(
                            petition=Petition.from_row(f.petition), similarity=f.similarity
                        )
                        for f in found
                    ],
                )
                for p, found in zip(made, suggestions, strict=True)
            ]
            meeting = await s.get(MeetingRow, pk)
            assert meeting is not None
            return meeting, recorded

        done, errors = await _run(info, work)
        if done is None:
            return RecordMeetingConcernsPayload(meeting=None, concerns=None, user_errors=errors)
        return RecordMeetingConcernsPayload(
            meeting=VoterMeeting.from_row(done[0]), concerns=done[1], user_errors=[]
        )

    @strawberry.mutation(
        extensions=[MutationRoles(Role.STAFF)],
        description="STAFF: merge duplicate petitions into one (gộp kiến nghị trùng). The "
        "duplicates stay, each submitter still sees theirs, and point to the one kept "
        "(`mergedInto`); it adds up their voters and supporters and the meetings where they were "
        "raised. All open; none merged already; the one kept PUBLIC.",
    )
    async def merge_petitions(
        self,
        info: Info,
        petition_id: Annotated[
            strawberry.ID, strawberry.argument(description="The petition to keep.")
        ],
        duplicate_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="The duplicates to merge into it (1–50)."),
        ],
    ) -> MergePetitionsPayload:
        from schema.petitions import Petition

        async def work(s: AsyncSession) -> db_merge.Merged:
            return await db_merge.merge_petitions(
                s,
                info.context.viewer,
                db_id(petition_id, "Petition", "petitionId"),
                _ids(duplicate_ids, "Petition", "duplicateIds"),
                now=info.context.now,
                request_id=info.context.request_id,
            )

        done, errors = await _run(info, work)
        if done is None:
            return MergePetitionsPayload(petition=None, merged=None, user_errors=errors)
        return MergePetitionsPayload(
            petition=Petition.from_row(done.petition),
            merged=[Petition.from_row(d) for d in done.duplicates],
            user_errors=[],
        )
