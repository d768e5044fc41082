"""An agency's mutations: answer a petition forwarded to it with its official letter, or send
it back to the council with a reason. AGENCY accounts; the rules are db.agencies.writes'."""

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db.agencies import writes
from db.enums.accounts import Role
from db.tables import Petition as PetitionRow
from schema.agencies.inputs import AgencyAnswerInput
from schema.context import Info
from schema.permissions import MutationRoles
from schema.petitions import PetitionId, PetitionPayload, _changed
from schema.refusals import db_id, run_change


@strawberry.type
class AgenciesMutation:
    @strawberry.mutation(
        description="Answer a petition forwarded to your agency (trả lời kiến nghị): FORWARDED → "
        "ANSWERED, with the official letter's number and date. The citizen is notified. "
        "AGENCY accounts of the agency it was forwarded to.",
        extensions=[MutationRoles(Role.AGENCY)],
    )
    async def answer_forwarded_petition(
        self,
        info: Info,
        id: PetitionId,
        input: Annotated[
            AgencyAnswerInput,
            strawberry.argument(description="The answer and its letter (number, date, signer)."),
        ],
    ) -> PetitionPayload:
        context = info.context
        answer = writes.AgencyAnswer(
            body=input.body,
            letter_number=input.letter_number,
            letter_date=input.letter_date,
            signer=input.signer,
        )

        async def work(session: AsyncSession) -> PetitionRow:
            pk = db_id(id, "Petition", "id")
            return await writes.answer_forwarded(
                session,
                context.viewer,
                pk,
                answer,
                now=context.now,
                request_id=context.request_id,
            )

        row, errors = await run_change(info, work)
        if row is None:
            return PetitionPayload(petition=None, user_errors=errors)
        return _changed(info, row)

    @strawberry.mutation(
        description="Send a forwarded petition back to the council (trả lại) with a reason, e.g. "
        "not your agency's competence: FORWARDED → ACKNOWLEDGED; the addressed delegates are "
        "notified and may forward it elsewhere. AGENCY accounts of the agency it is with.",
        extensions=[MutationRoles(Role.AGENCY)],
    )
    async def return_forwarded_petition(
        self,
        info: Info,
        id: PetitionId,
        reason: Annotated[
            str, strawberry.argument(description="Why (5–2,000 characters); shown in the timeline.")
        ],
    ) -> PetitionPayload:
        context = info.context

        async def work(session: AsyncSession) -> PetitionRow:
            pk = db_id(id, "Petition", "id")
            return await writes.return_forwarded(
                session,
                context.viewer,
                pk,
                reason,
                now=context.now,
                request_id=context.request_id,
            )

        row, errors = await run_change(info, work)
        if row is None:
            return PetitionPayload(petition=None, user_errors=errors)
        return _changed(info, row)
