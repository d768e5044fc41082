"""Keeping the directory in GraphQL: createDelegate, updateDelegate, endDelegateService,
setGroupLeader (STAFF, ADMIN), and each record's history of changes."""

from datetime import date, datetime
from typing import Annotated, Any

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import directory_admin as db_admin
from db.refused import UNSET as DB_UNSET
from db.tables import Delegate as DelegateRow
from db.tables import DelegateGroup as GroupRow
from db.tables import DirectoryChange as ChangeRow
from db.viewer import Role
from schema.context import LOCAL_ZONE, Info
from schema.cost import most
from schema.council import Delegate, DelegateGroup
from schema.errors import UserError
from schema.refusals import db_id, forget, run_change

OFFICE = (Role.STAFF, Role.ADMIN)
# Field names of the history as the API spells them.
FIELD_NAMES = {
    "full_name": "fullName",
    "title": "title",
    "workplace": "workplace",
    "photo_url": "photoUrl",
    "is_full_time": "isFullTime",
    "group_id": "groupId",
    "constituency_id": "constituencyId",
    "committee_ids": "committeeIds",
    "served_from": "servedFrom",
    "served_until": "servedUntil",
    "end_reason": "endReason",
    "leaderId": "leaderId",
}
ID_TYPES = {
    "group_id": "DelegateGroup",
    "constituency_id": "Constituency",
    "committee_ids": "Committee",
    "leaderId": "Delegate",
}


@strawberry.input(
    description="A delegate's directory record. createDelegate needs fullName, groupId and servedFrom; updateDelegate changes only the fields given."
)
class DelegateInput:
    full_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Full name (họ và tên), 2–120 characters."
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Position (chức vụ)."
    )
    workplace: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where the delegate works (nơi công tác)."
    )
    photo_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="Portrait address (https://…)."
    )
    is_full_time: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Full-time delegate (đại biểu chuyên trách)."
    )
    group_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The delegate group (Tổ đại biểu)."
    )
    constituency_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The constituency of the current term; null for none."
    )
    committee_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Every committee the delegate sits on (replaces the set).",
    )
    served_from: date | None = strawberry.field(
        default=strawberry.UNSET, description="First day of service, within the current term."
    )


@strawberry.type(description="One field of a directory change.")
class FieldChange:
    field: str = strawberry.field(description="Which field, as the API names it.")
    before: str | None = strawberry.field(description="Its value before (JSON text), or null.")
    after: str | None = strawberry.field(description="Its value after (JSON text), or null.")


@strawberry.type(description="A change of the directory (lịch sử thay đổi), kept for good.")
class DirectoryChange:
    at: datetime = strawberry.field(description="When.")
    action: str = strawberry.field(
        description="create, update, end (service ended) or leader (a group's leader set)."
    )
    actor_role: Role | None = strawberry.field(description="The role of who made it.")
    fields: list[FieldChange] = strawberry.field(directives=most(20), description="What changed.")

    @classmethod
    def from_row(cls, row: ChangeRow) -> "DirectoryChange":
        def shown(name: str, value: Any) -> str | None:
            if value is None:
                return None
            if name in ID_TYPES:
                from schema.relay import to_global_id

                kind = ID_TYPES[name]
                value = (
                    [to_global_id(kind, v) for v in value]
                    if isinstance(value, list)
                    else to_global_id(kind, value)
                )
            return orjson.dumps(value).decode()

        return cls(
            at=row.at.astimezone(LOCAL_ZONE),
            action=row.action,
            actor_role=Role(row.actor_role) if row.actor_role else None,
            fields=[
                FieldChange(
                    field=FIELD_NAMES.get(name, name),
                    before=shown(name, pair[0]),
                    after=shown(name, pair[1]),
                )
                for name, pair in sorted(row.changes.items())
            ],
        )


async def history(info: Info, entity_type: str, pk: int) -> list[DirectoryChange]:
    rows = await info.context.loaders.sessions.history_by_entity.load((entity_type, pk))
    return [DirectoryChange.from_row(r) for r in rows]


@strawberry.type(description="Result of a change to a delegate's record.")
class DelegatePayload:
    delegate: Delegate | None = strawberry.field(description="The delegate, as now recorded.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


@strawberry.type(description="Result of a change to a delegate group.")
class DelegateGroupPayload:
    group: DelegateGroup | None = strawberry.field(description="The group, as now recorded.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused, if it was."
    )


def _given(value: Any) -> Any:
    return DB_UNSET if value is strawberry.UNSET else value


def _data(input: DelegateInput) -> db_admin.DelegateData:
    """The input with database ids (a malformed id is refused with its field)."""
    group: Any = _given(input.group_id)
    if group is not DB_UNSET and group is not None:
        group = db_id(group, "DelegateGroup", "input", "groupId")
    constituency: Any = _given(input.constituency_id)
    if constituency is not DB_UNSET and constituency is not None:
        constituency = db_id(constituency, "Constituency", "input", "constituencyId")
    committees: Any = _given(input.committee_ids)
    if committees is not DB_UNSET:
        committees = [
            db_id(c, "Committee", "input", "committeeIds", str(i))
            for i, c in enumerate(committees or [])
        ]
    return db_admin.DelegateData(
        full_name=_given(input.full_name),
        title=_given(input.title),
        workplace=_given(input.workplace),
        photo_url=_given(input.photo_url),
        is_full_time=_given(input.is_full_time),
        group_id=group,
        constituency_id=constituency,
        committee_ids=committees,
        served_from=_given(input.served_from),
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
    @strawberry.mutation(description="Add a delegate to the directory (STAFF, ADMIN; audited).")
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

        return _delegate_payload(info, *(await run_change(info, OFFICE, work)))

    @strawberry.mutation(
        description="Change a delegate's record: only the fields given (STAFF, ADMIN; audited, history kept)."
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

        return _delegate_payload(info, *(await run_change(info, OFFICE, work)))

    @strawberry.mutation(
        description="End a delegate's service mid-term (thôi làm nhiệm vụ đại biểu): `on` is the last day served; they stop leading their group (STAFF, ADMIN; audited)."
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

        return _delegate_payload(info, *(await run_change(info, OFFICE, work)))

    @strawberry.mutation(
        description="Make a serving member of the group its leader (Tổ trưởng) (STAFF, ADMIN; audited)."
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

        row, errors = await run_change(info, OFFICE, work)
        if row is None or row.id is None:
            return DelegateGroupPayload(group=None, user_errors=errors)
        info.context.loaders.group_by_id.prime(row.id, row, force=True)
        return DelegateGroupPayload(group=DelegateGroup.from_row(row), user_errors=[])
