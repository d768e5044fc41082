"""Keeping the directory in GraphQL: createDelegate, updateDelegate, endDelegateService,
setGroupLeader (STAFF, ADMIN, declared on each field; the rules are db.council's)."""

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db.council import writes as db_admin
from db.council.rules import DelegateData
from db.tables import Delegate as DelegateRow
from db.tables import DelegateGroup as GroupRow
from db.viewer import Role
from schema.context import Info
from schema.core.inputs import given, given_id, given_ids
from schema.council.inputs import DelegateInput
from schema.council.payloads import DelegateGroupPayload, DelegatePayload
from schema.council.types import Delegate, DelegateGroup
from schema.errors import UserError
from schema.permissions import MutationRoles
from schema.refusals import db_id, forget, run_change

OFFICE = (Role.STAFF, Role.ADMIN)


def _data(input: DelegateInput) -> DelegateData:
    """The input with database ids (a malformed id is refused with its field)."""
    # In the order the fields are checked: the first bad id is the one answered.
    group = given_id(input.group_id, "DelegateGroup", "input", "groupId")
    constituency = given_id(input.constituency_id, "Constituency", "input", "constituencyId")
    committees = given_ids(input.committee_ids, "Committee", "input", "committeeIds")
    return DelegateData(
        full_name=given(input.full_name),
        title=given(input.title),
        workplace=given(input.workplace),
        photo_url=given(input.photo_url),
        is_full_time=given(input.is_full_time),
        group_id=group,
        constituency_id=constituency,
        committee_ids=committees,
        served_from=given(input.served_from),
    )


def _delegate_payload(
    info: Info, row: DelegateRow | None, errors: list[UserError]
) -> DelegatePayload:
    if row is None or row.id is None:
        return DelegatePayload(delegate=None, user_errors=errors)
    loaders = info.context.loaders
    loaders.delegate_by_id.prime(row.id, row, force=True)
    forget(loaders.committees_by_delegate_id, row.id)
    return DelegatePayload(delegate=Delegate.from_row(row), user_errors=errors)


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Add a delegate to the directory (STAFF, ADMIN; audited).",
    )
    async def create_delegate(
        self,
        info: Info,
        input: Annotated[
            DelegateInput,
            strawberry.argument(
                description="The delegate: at least `fullName`, `groupId` and `servedFrom`."
            ),
        ],
    ) -> DelegatePayload:
        async def work(s: AsyncSession) -> DelegateRow:
            return await db_admin.create_delegate(
                s, info.context.viewer, _data(input), request_id=info.context.request_id
            )

        return _delegate_payload(info, *(await run_change(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Change a delegate's record: only the fields given (STAFF, ADMIN; audited, history kept).",
    )
    async def update_delegate(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The delegate (`Delegate.id`).")
        ],
        input: Annotated[
            DelegateInput,
            strawberry.argument(
                description="The fields to change; those left out stay as they are."
            ),
        ],
    ) -> DelegatePayload:
        async def work(s: AsyncSession) -> DelegateRow:
            return await db_admin.update_delegate(
                s,
                info.context.viewer,
                db_id(id, "Delegate", "id"),
                _data(input),
                request_id=info.context.request_id,
            )

        return _delegate_payload(info, *(await run_change(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="End a delegate's service mid-term (thôi làm nhiệm vụ đại biểu): `on` is the last day served; they stop leading their group (STAFF, ADMIN; audited).",
    )
    async def end_delegate_service(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The delegate (`Delegate.id`).")
        ],
        on: Annotated[
            date,
            strawberry.argument(
                description="The last day they served (ngày thôi làm nhiệm vụ); not before `servedFrom`."
            ),
        ],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why their service ends, e.g. «Chuyển công tác khác»; kept in the history."
            ),
        ],
    ) -> DelegatePayload:
        async def work(s: AsyncSession) -> DelegateRow:
            return await db_admin.end_service(
                s,
                info.context.viewer,
                db_id(id, "Delegate", "id"),
                on,
                reason,
                request_id=info.context.request_id,
            )

        return _delegate_payload(info, *(await run_change(info, work)))

    @strawberry.mutation(
        extensions=[MutationRoles(*OFFICE)],
        description="Make a serving member of the group its leader (Tổ trưởng) (STAFF, ADMIN; audited).",
    )
    async def set_group_leader(
        self,
        info: Info,
        group_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The delegate group (`DelegateGroup.id`)."),
        ],
        delegate_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Its new leader (`Delegate.id`): a member serving today."
            ),
        ],
    ) -> DelegateGroupPayload:
        async def work(s: AsyncSession) -> GroupRow:
            return await db_admin.set_group_leader(
                s,
                info.context.viewer,
                db_id(group_id, "DelegateGroup", "groupId"),
                db_id(delegate_id, "Delegate", "delegateId"),
                info.context.today,
                request_id=info.context.request_id,
            )

        row, errors = await run_change(info, work)
        if row is None or row.id is None:
            return DelegateGroupPayload(group=None, user_errors=errors)
        info.context.loaders.group_by_id.prime(row.id, row, force=True)
        return DelegateGroupPayload(group=DelegateGroup.from_row(row), user_errors=[])
