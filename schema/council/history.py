"""The directory's history in GraphQL: each change of a delegate's or a group's record
(`Delegate.history`, `DelegateGroup.history`), field by field."""

from datetime import datetime
from typing import Any

import orjson
import strawberry

from db.tables import DirectoryChange as ChangeRow
from schema.context import LOCAL_ZONE, Info
from schema.cost import most
from schema.council.enums import Role
from schema.relay import to_global_id

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
