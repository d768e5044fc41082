"""The council directory in GraphQL: units, committees, constituencies, delegate groups,
delegates and the viewer (`me`); `node(id:)` for each."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.council.rules import MAX_COMMITTEES
from db.tables import AdministrativeUnit as UnitRow
from db.tables import Committee as CommitteeRow
from db.tables import Constituency as ConstituencyRow
from db.tables import Delegate as DelegateRow
from db.tables import DelegateGroup as GroupRow
from schema.channels import GroupGuest, GroupPost, group_guests, group_posts
from schema.context import Info
from schema.core.arguments import After, First
from schema.cost import most, paged
from schema.council.enums import CommitteeKind, Role, UnitLevel
from schema.meetings.fields import DelegateMeetingFields
from schema.node import register_node
from schema.permissions import EVERYONE_WHO_SEES_ALL, has_role
from schema.relay import Connection, Node, to_global_id

if TYPE_CHECKING:
    from schema.council.history import DirectoryChange
    from schema.sessions.compliance import DelegateScorecard
    from schema.sessions.types import ContributionConnection


@strawberry.type(description="An administrative unit (đơn vị hành chính) with its official code.")
class AdministrativeUnit:
    code: str = strawberry.field(
        description="Official unit code of the General Statistics Office (mã ĐVHC)."
    )
    name: str = strawberry.field(description="Official name, e.g. «Phường I», «Huyện Phụng Hiệp».")
    type: str = strawberry.field(
        description="Kind of unit as written in Vietnamese: Tỉnh, Huyện, Thị xã, Xã, Phường, Thị trấn…"
    )
    level: UnitLevel = strawberry.field(description="Level in the administrative tree.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: UnitRow) -> "AdministrativeUnit":
        return cls(
            code=row.code,
            name=row.name,
            type=row.type,
            level=UnitLevel(row.level),
            parent_code=row.parent_code,
        )

    @strawberry.field(description="The unit directly above this one; null for the province.")
    async def parent(self, info: Info) -> "AdministrativeUnit | None":
        if self.parent_code is None:
            return None
        row = await info.context.loaders.unit_by_code.load(self.parent_code)
        return AdministrativeUnit.from_row(row) if row else None

    # Priced as a district's communes (up to 20): the province's own children in a two-level
    # structure are more, but only one unit has them, so the province → units tree stays cheap.
    @strawberry.field(directives=most(20), description="Units directly below this one, by code.")
    async def children(self, info: Info) -> list["AdministrativeUnit"]:
        rows = await info.context.loaders.unit_children_by_code.load(self.code)
        return [AdministrativeUnit.from_row(r) for r in rows]


@strawberry.type(
    description="The standing committee (Thường trực HĐND) or a committee (Ban) of the council."
)
class Committee(Node):
    name: str = strawberry.field(description="Name, e.g. «Ban Pháp chế».")
    kind: CommitteeKind = strawberry.field(description="Which body this is.")
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: CommitteeRow) -> "Committee":
        assert row.id is not None
        return cls(
            id=to_global_id("Committee", row.id),
            pk=row.id,
            name=row.name,
            kind=CommitteeKind(row.kind),
        )

    @strawberry.field(directives=most(30), description="Delegates serving on it today, by name.")
    async def members(self, info: Info) -> list["Delegate"]:
        rows = await info.context.loaders.committee_members_by_id.load(self.pk)
        return [Delegate.from_row(r) for r in rows]


@strawberry.type(description="An electoral constituency (đơn vị bầu cử) of the current term.")
class Constituency(Node):
    number: int = strawberry.field(description="Number of the constituency within the term.")
    name: str = strawberry.field(
        description="Name, e.g. «Đơn vị bầu cử số 1 (thành phố Vị Thanh)»."
    )
    seats: int = strawberry.field(description="How many delegates it elects.")
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ConstituencyRow) -> "Constituency":
        assert row.id is not None
        return cls(
            id=to_global_id("Constituency", row.id),
            pk=row.id,
            number=row.number,
            name=row.name,
            seats=row.seats,
        )

    @strawberry.field(directives=most(30), description="Units that vote in it.")
    async def units(self, info: Info) -> list[AdministrativeUnit]:
        rows = await info.context.loaders.constituency_units_by_id.load(self.pk)
        return [AdministrativeUnit.from_row(r) for r in rows]

    @strawberry.field(
        directives=most(10),
        description="Delegates elected in it this term (also those who have left; see `servedUntil`).",
    )
    async def delegates(self, info: Info) -> list["Delegate"]:
        rows = await info.context.loaders.constituency_delegates_by_id.load(self.pk)
        return [Delegate.from_row(r) for r in rows]


@strawberry.type(
    description="A delegate group (Tổ đại biểu HĐND tỉnh): the delegates elected in one area."
)
class DelegateGroup(Node):
    name: str = strawberry.field(description="Name, e.g. «Tổ đại biểu huyện Phụng Hiệp».")
    pk: strawberry.Private[int]
    leader_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: GroupRow) -> "DelegateGroup":
        assert row.id is not None
        return cls(
            id=to_global_id("DelegateGroup", row.id),
            pk=row.id,
            name=row.name,
            leader_id=row.leader_id,
        )

    @strawberry.field(
        directives=most(50),
        description="Units the group covers: a district, or wards and communes. Petitions from these units are routed to it.",
    )
    async def areas(self, info: Info) -> list[AdministrativeUnit]:
        rows = await info.context.loaders.group_areas_by_group_id.load(self.pk)
        return [AdministrativeUnit.from_row(r) for r in rows]

    @strawberry.field(description="The group's leader (Tổ trưởng), if one is set.")
    async def leader(self, info: Info) -> "Delegate | None":
        if self.leader_id is None:
            return None
        row = await info.context.loaders.delegate_by_id.load(self.leader_id)
        return Delegate.from_row(row) if row else None

    @strawberry.field(
        directives=most(30), description="Delegates of the group serving today, by name."
    )
    async def members(self, info: Info) -> list["Delegate"]:
        rows = await info.context.loaders.group_members_by_group_id.load(self.pk)
        return [Delegate.from_row(r) for r in rows]

    @strawberry.field(description="How many delegates of the group serve today.")
    async def member_count(self, info: Info) -> int:
        return len(await info.context.loaders.group_members_by_group_id.load(self.pk))

    @strawberry.field(
        directives=most(100),
        description="Changes of the group's record, oldest first (STAFF, MONITOR, ADMIN).",
        permission_classes=[has_role(*EVERYONE_WHO_SEES_ALL)],
    )
    async def history(
        self, info: Info
    ) -> list[Annotated["DirectoryChange", strawberry.lazy("schema.council.history")]] | None:
        from schema.council.history import history

        return await history(info, "DelegateGroup", self.pk)

    @strawberry.field(
        directives=most(50),
        description="Guests invited to the group's channel (khách mời), by invitation time. "
        "Readable by members of the group, its guests, STAFF, MONITOR and ADMIN.",
        metadata={"restricted": "members of the group, its guests, STAFF, MONITOR, ADMIN"},
    )
    async def guests(self, info: Info) -> list[GroupGuest] | None:
        return await group_guests(info, self.pk)

    @strawberry.field(
        directives=paged(),
        description="Posts of the group's channel (nhóm trao đổi), newest first (at most 100 a "
        "page). Readable by members of the group, its guests, STAFF, MONITOR and ADMIN.",
        metadata={"restricted": "members of the group, its guests, STAFF, MONITOR, ADMIN"},
    )
    async def posts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[GroupPost] | None:
        return await group_posts(info, self.pk, first, after)


@strawberry.type(description="A delegate (đại biểu HĐND tỉnh).")
class Delegate(Node, DelegateMeetingFields):
    full_name: str = strawberry.field(description="Full name (họ và tên).")
    title: str | None = strawberry.field(
        description="Position (chức vụ), e.g. «Phó Trưởng Ban Pháp chế»."
    )
    workplace: str | None = strawberry.field(description="Where the delegate works (nơi công tác).")
    photo_url: str | None = strawberry.field(description="Portrait photo address, if published.")
    is_full_time: bool = strawberry.field(
        description="True for a full-time delegate (đại biểu chuyên trách)."
    )
    served_from: date = strawberry.field(description="First day of service in this term.")
    served_until: date | None = strawberry.field(
        description="Last day of service; null while serving."
    )
    end_reason: str | None = strawberry.field(
        description="Why service ended mid-term, when it did."
    )
    pk: strawberry.Private[int]
    group_id: strawberry.Private[int]
    constituency_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: DelegateRow) -> "Delegate":
        assert row.id is not None
        return cls(
            id=to_global_id("Delegate", row.id),
            pk=row.id,
            full_name=row.full_name,
            title=row.title,
            workplace=row.workplace,
            photo_url=row.photo_url,
            is_full_time=row.is_full_time,
            served_from=row.served_from,
            served_until=row.served_until,
            end_reason=row.end_reason,
            group_id=row.group_id,
            constituency_id=row.constituency_id,
        )

    @strawberry.field(description="The delegate group (Tổ đại biểu) the delegate belongs to.")
    async def group(self, info: Info) -> DelegateGroup:
        row = await info.context.loaders.group_by_id.load(self.group_id)
        assert row is not None
        return DelegateGroup.from_row(row)

    @strawberry.field(description="The constituency that elected the delegate.")
    async def constituency(self, info: Info) -> Constituency | None:
        if self.constituency_id is None:
            return None
        row = await info.context.loaders.constituency_by_id.load(self.constituency_id)
        return Constituency.from_row(row) if row else None

    @strawberry.field(
        directives=most(MAX_COMMITTEES),
        description="Committees (Ban) and the standing committee the delegate sits on.",
    )
    async def committees(self, info: Info) -> list[Committee]:
        rows = await info.context.loaders.committees_by_delegate_id.load(self.pk)
        return [Committee.from_row(r) for r in rows]

    @strawberry.field(
        directives=paged(),
        description="The delegate's contributions at sessions (ý kiến, chất vấn), newest first; `sessionId` narrows to one session.",
    )
    async def contributions(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only their contributions at this session (`Session.id`); at every session when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Annotated["ContributionConnection", strawberry.lazy("schema.sessions.types")]:
        from schema.sessions.types import contribution_connection

        return await contribution_connection(info, "delegate", self.pk, session_id, first, after)

    @strawberry.field(
        description="The delegate's record over a period, days inclusive (open-ended when left out): for the delegate, STAFF, MONITOR and ADMIN.",
        metadata={"restricted": "the delegate themselves, STAFF, MONITOR, ADMIN"},
    )
    async def scorecard(
        self,
        info: Info,
        from_: Annotated[
            date | None, strawberry.argument(name="from", description="First day of the period.")
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="Last day of the period.")
        ] = None,
    ) -> Annotated["DelegateScorecard", strawberry.lazy("schema.sessions.compliance")] | None:
        from schema.sessions.compliance import delegate_scorecard

        return await delegate_scorecard(info, self.pk, from_, to)

    @strawberry.field(
        directives=most(100),
        description="Changes of the delegate's record, oldest first (STAFF, MONITOR, ADMIN).",
        permission_classes=[has_role(*EVERYONE_WHO_SEES_ALL)],
    )
    async def history(
        self, info: Info
    ) -> list[Annotated["DirectoryChange", strawberry.lazy("schema.council.history")]] | None:
        from schema.council.history import history

        return await history(info, "Delegate", self.pk)


@strawberry.type(description="Who is asking: the signed-in account.")
class Viewer:
    sub: str = strawberry.field(
        description="The account's subject (`sub` claim of the App Hậu Giang token)."
    )
    role: Role = strawberry.field(description="The role the council gave this account.")
    delegate_id: strawberry.Private[int | None]

    @strawberry.field(description="The delegate this account is linked to (role DELEGATE).")
    async def delegate(self, info: Info) -> Delegate | None:
        if self.delegate_id is None:
            return None
        row = await info.context.loaders.delegate_by_id.load(self.delegate_id)
        return Delegate.from_row(row) if row else None


async def _delegate_node(info: Info, pk: int) -> Delegate | None:
    row = await info.context.loaders.delegate_by_id.load(pk)
    return Delegate.from_row(row) if row else None


async def _group_node(info: Info, pk: int) -> DelegateGroup | None:
    row = await info.context.loaders.group_by_id.load(pk)
    return DelegateGroup.from_row(row) if row else None


async def _constituency_node(info: Info, pk: int) -> Constituency | None:
    row = await info.context.loaders.constituency_by_id.load(pk)
    return Constituency.from_row(row) if row else None


async def _committee_node(info: Info, pk: int) -> Committee | None:
    row = await info.context.loaders.committee_by_id.load(pk)
    return Committee.from_row(row) if row else None


register_node("Delegate", _delegate_node)
register_node("DelegateGroup", _group_node)
register_node("Constituency", _constituency_node)
register_node("Committee", _committee_node)
