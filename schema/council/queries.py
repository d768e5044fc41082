"""The council domain's root queries: units, groups, committees, the delegate directory,
who represents a unit, and `me`."""

from datetime import date
from typing import Annotated

import strawberry

from db import council as db_council
from schema.context import Info
from schema.core.arguments import After, First
from schema.core.connections import read_connection
from schema.cost import most, paged
from schema.council.enums import Role, UnitLevel
from schema.council.inputs import DelegateFilter
from schema.council.types import AdministrativeUnit, Committee, Delegate, DelegateGroup, Viewer
from schema.errors import bad_input
from schema.relay import Connection, decode_cursor, optional_global_id, page_size


def _db_filter(f: DelegateFilter | None, today: date) -> db_council.DelegateFilter:
    if f is None:
        return db_council.DelegateFilter()
    return db_council.DelegateFilter(
        group_id=optional_global_id(f.group_id, "DelegateGroup", "filter.groupId"),
        committee_id=optional_global_id(f.committee_id, "Committee", "filter.committeeId"),
        constituency_id=optional_global_id(
            f.constituency_id, "Constituency", "filter.constituencyId"
        ),
        search=f.search,
        serving=f.serving,
        today=today,
    )


@strawberry.type
class CouncilQuery:
    @strawberry.field(
        directives=most(200),
        description="Administrative units, by code; narrow by `level` and/or `parentCode`.",
    )
    async def units(
        self,
        info: Info,
        level: Annotated[
            UnitLevel | None,
            strawberry.argument(
                description="Only units of this level (province, district, commune); all levels when left out."
            ),
        ] = None,
        parent_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only the units directly inside the unit of this code (mã đơn vị hành chính, e.g. «930» for Vị Thanh)."
            ),
        ] = None,
    ) -> list[AdministrativeUnit]:
        async with info.context.read() as session:
            rows = await db_council.list_units(session, level.name if level else None, parent_code)
        return [AdministrativeUnit.from_row(r) for r in rows]

    @strawberry.field(
        directives=most(50), description="Every delegate group (Tổ đại biểu) of the council."
    )
    async def delegate_groups(self, info: Info) -> list[DelegateGroup]:
        async with info.context.read() as session:
            rows = await db_council.list_groups(session)
        return [DelegateGroup.from_row(r) for r in rows]

    @strawberry.field(
        directives=most(10),
        description="The council's committees (Ban) and its standing committee.",
    )
    async def committees(self, info: Info) -> list[Committee]:
        async with info.context.read() as session:
            rows = await db_council.list_committees(session)
        return [Committee.from_row(r) for r in rows]

    @strawberry.field(
        directives=paged(), description="The delegate directory in name order (at most 100 a page)."
    )
    async def delegates(
        self,
        info: Info,
        filter: Annotated[
            DelegateFilter | None,
            strawberry.argument(
                description="What to narrow the list to (group, committee, constituency, serving or not, a name to search); every delegate when left out."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Delegate]:
        limit = page_size(first)
        key = decode_cursor(after, (str, int))
        f = _db_filter(filter, info.context.today)
        return await read_connection(
            info,
            key,
            lambda session: db_council.delegates_page(session, f, limit, key),
            lambda session: db_council.delegates_count(session, f),
            db_council.delegate_key,
            Delegate.from_row,
        )

    @strawberry.field(
        directives=most(30),
        description="Who represents this unit: delegates serving today elected in a constituency covering it "
        "(for a district, any of its communes); otherwise the delegates of the group covering it.",
    )
    async def delegates_for_unit(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="Code of the commune, ward or district (mã đơn vị hành chính), e.g. «31318» for Phường I, Vị Thanh."
            ),
        ],
    ) -> list[Delegate]:
        async with info.context.read() as session:
            rows = await db_council.delegates_for_unit(session, code.strip(), info.context.today)
        if rows is None:
            raise bad_input(f"Không có đơn vị hành chính mã «{code}».", "code")
        return [Delegate.from_row(r) for r in rows]

    @strawberry.field(description="The signed-in account; null when anonymous or an integrator.")
    def me(self, info: Info) -> Viewer | None:
        viewer = info.context.viewer
        if not viewer.is_signed_in or viewer.sub is None or viewer.role is None:
            return None
        return Viewer(sub=viewer.sub, role=Role(viewer.role.value), delegate_id=viewer.delegate_id)
