"""Delegate group channels (nhóm trao đổi của Tổ đại biểu) in GraphQL: a guest and a post."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.clock import local as _local
from db.tables import GroupGuest as GuestRow
from db.tables import GroupPost as PostRow
from schema.context import Info
from schema.relay import Node, to_global_id

if TYPE_CHECKING:
    from schema.council.types import AdministrativeUnit, DelegateGroup


@strawberry.type(
    description="A guest of a delegate group's channel (khách mời): an account the group's "
    "leader or the council office invited, typically a district or commune council leader."
)
class GroupGuest(Node):
    full_name: str = strawberry.field(description="Full name (họ và tên).")
    title: str = strawberry.field(
        description="Position (chức vụ), e.g. «Chủ tịch HĐND xã Hỏa Lựu»."
    )
    invited_at: datetime = strawberry.field(description="When the guest was invited.")
    pk: strawberry.Private[int]
    group_id: strawberry.Private[int]
    unit_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: GuestRow) -> "GroupGuest":
        assert row.id is not None
        return cls(
            id=to_global_id("GroupGuest", row.id),
            pk=row.id,
            group_id=row.group_id,
            unit_code=row.unit_code,
            full_name=row.full_name,
            title=row.title,
            invited_at=_local(row.invited_at),
        )

    @strawberry.field(
        description="The district or commune the guest comes from (đơn vị), if given."
    )
    async def unit(
        self, info: Info
    ) -> Annotated["AdministrativeUnit", strawberry.lazy("schema.council.types")] | None:
        from schema.council.types import AdministrativeUnit

        if self.unit_code is None:
            return None
        row = await info.context.loaders.unit_by_code.load(self.unit_code)
        return AdministrativeUnit.from_row(row) if row else None

    @strawberry.field(description="The delegate group whose channel the guest may use.")
    async def group(
        self, info: Info
    ) -> Annotated["DelegateGroup", strawberry.lazy("schema.council.types")]:
        return await _group_of(info, self.group_id)


@strawberry.type(
    description="A message in a delegate group's channel (bài viết trong nhóm trao đổi)."
)
class GroupPost(Node):
    author_name: str = strawberry.field(
        description="Name of the delegate or guest who wrote it, as it was when posted."
    )
    body: str = strawberry.field(description="The text (NFC), at most 4,000 characters.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    pk: strawberry.Private[int]
    group_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PostRow) -> "GroupPost":
        assert row.id is not None
        return cls(
            id=to_global_id("GroupPost", row.id),
            pk=row.id,
            group_id=row.group_id,
            author_name=row.author_name,
            body=row.body,
            created_at=_local(row.created_at),
        )

    @strawberry.field(description="The delegate group (Tổ đại biểu) whose channel holds it.")
    async def group(
        self, info: Info
    ) -> Annotated["DelegateGroup", strawberry.lazy("schema.council.types")]:
        return await _group_of(info, self.group_id)


async def _group_of(info: Info, group_id: int) -> "DelegateGroup":
    from schema.council.types import DelegateGroup

    row = await info.context.loaders.group_by_id.load(group_id)
    assert row is not None
    return DelegateGroup.from_row(row)
