"""GraphQL types of agencies: Agency, a petition's forwarding, the per-agency table's row."""

from datetime import date, datetime

import strawberry

from db.agencies.rules import is_forward_overdue
from db.clock import local
from db.enums.agencies import AgencyLevel, ForwardOutcome
from db.tables import Agency as AgencyRow
from db.tables import PetitionForward as ForwardRow
from schema.agencies.loaders import agency_loaders
from schema.context import Info
from schema.core.enums import graphql_enum
from schema.cost import most
from schema.council import AdministrativeUnit
from schema.node import register_node
from schema.relay import Node, to_global_id

graphql_enum(
    AgencyLevel,
    "Level of a competent agency (cấp của cơ quan).",
    {
        AgencyLevel.PROVINCE: "The province: its People's Committee and departments (UBND tỉnh, sở, ngành).",
        AgencyLevel.DISTRICT: "A district's People's Committee (UBND cấp huyện).",
        AgencyLevel.COMMUNE: "A commune's People's Committee (UBND cấp xã).",
    },
)

graphql_enum(
    ForwardOutcome,
    "What became of one forwarding of a petition to an agency.",
    {
        ForwardOutcome.PENDING: "With the agency, not answered yet (đang xử lý).",
        ForwardOutcome.ANSWERED: "Answered (đã trả lời), by the agency or recorded by the council office.",
        ForwardOutcome.RETURNED: "Sent back to the council with a reason (trả lại).",
    },
)


def answer_days_of(info: Info, row: AgencyRow) -> int:
    """The agency's own deadline, else HDND_AGENCY_ANSWER_DAYS."""
    return row.answer_days or info.context.settings.agency_answer_days


@strawberry.type(
    description="A competent agency (cơ quan có thẩm quyền) that answers forwarded petitions: "
    "the provincial People's Committee and its departments (sở), or the People's Committee of a "
    "district or commune."
)
class Agency(Node):
    code: str = strawberry.field(
        description="The directory's code of the agency (this service's own, e.g. «SO-XAYDUNG»)."
    )
    name: str = strawberry.field(description="Full name, e.g. «Sở Xây dựng tỉnh Hậu Giang».")
    level: AgencyLevel = strawberry.field(description="Province, district or commune.")
    answer_days: int = strawberry.field(
        description="Days it has to answer a forwarded petition (its own, else "
        "HDND_AGENCY_ANSWER_DAYS, default 30)."
    )
    pk: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: AgencyRow, answer_days: int) -> "Agency":
        assert row.id is not None
        return cls(
            id=to_global_id("Agency", row.id),
            pk=row.id,
            code=row.code,
            name=row.name,
            level=AgencyLevel(row.level),
            answer_days=answer_days,
            parent_id=row.parent_id,
        )

    @classmethod
    def of(cls, info: Info, row: AgencyRow) -> "Agency":
        return cls.from_row(row, answer_days_of(info, row))

    @strawberry.field(
        description="The agency above it (a department's: the provincial People's Committee)."
    )
    async def parent(self, info: Info) -> "Agency | None":
        if self.parent_id is None:
            return None
        row = await agency_loaders(info).agency_by_id.load(self.parent_id)
        return Agency.of(info, row) if row else None

    @strawberry.field(directives=most(5), description="The units it covers, by code.")
    async def units(self, info: Info) -> list[AdministrativeUnit]:
        codes = await agency_loaders(info).unit_codes_by_agency_id.load(self.pk)
        rows = await info.context.loaders.unit_by_code.load_many(codes)
        return [AdministrativeUnit.from_row(r) for r in rows if r is not None]


async def agency_of(info: Info, pk: int | None) -> Agency | None:
    if pk is None:
        return None
    row = await agency_loaders(info).agency_by_id.load(pk)
    return Agency.of(info, row) if row else None


@strawberry.type(
    description="One forwarding of a petition to an agency (chuyển cơ quan có thẩm quyền)."
)
class PetitionForwarding:
    forwarded_at: datetime = strawberry.field(description="When it was forwarded.")
    due_at: datetime = strawberry.field(
        description="When the agency's answer falls due (forwarded + the agency's answerDays)."
    )
    outcome: ForwardOutcome = strawberry.field(description="Pending, answered or sent back.")
    settled_at: datetime | None = strawberry.field(
        description="When it was answered or sent back; null while pending."
    )
    letter_number: str | None = strawberry.field(
        description="Number of the agency's answering letter (số văn bản), once answered."
    )
    letter_date: date | None = strawberry.field(
        description="Date of the agency's answering letter (ngày văn bản), once answered."
    )
    return_reason: str | None = strawberry.field(
        description="Why the agency sent it back, when it did."
    )
    is_overdue: bool = strawberry.field(
        description="True when late (quá hạn): pending past `dueAt`, or answered after it."
    )
    agency_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ForwardRow, now: datetime) -> "PetitionForwarding":
        return cls(
            forwarded_at=local(row.forwarded_at),
            due_at=local(row.due_at),
            outcome=ForwardOutcome(row.outcome),
            settled_at=local(row.settled_at) if row.settled_at else None,
            letter_number=row.letter_number,
            letter_date=row.letter_date,
            return_reason=row.return_reason,
            is_overdue=is_forward_overdue(row, now),
            agency_pk=row.agency_id,
        )

    @strawberry.field(description="The agency it was forwarded to.")
    async def agency(self, info: Info) -> Agency:
        found = await agency_of(info, self.agency_pk)
        assert found is not None
        return found


async def forwardings_of(info: Info, petition_pk: int) -> list[PetitionForwarding]:
    rows = await agency_loaders(info).forwards_by_petition_id.load(petition_pk)
    return [PetitionForwarding.from_row(r, info.context.now) for r in rows]


@strawberry.type(
    description="One agency's row of the per-agency table: the petitions forwarded to it in the "
    "period and what became of them."
)
class AgencyStatistics:
    agency: Agency = strawberry.field(description="The agency.")
    received: int = strawberry.field(description="Forwardings it received in the period.")
    answered: int = strawberry.field(description="Of those, answered.")
    returned: int = strawberry.field(description="Of those, sent back to the council.")
    pending: int = strawberry.field(description="Of those, still waiting for its answer.")
    overdue: int = strawberry.field(
        description="Of those, late now: pending past their due time, or answered after it."
    )
    median_days_to_answer: float | None = strawberry.field(
        description="Median days from forwarding to answer (answered ones); null when none."
    )


async def _agency_node(info: Info, pk: int) -> Agency | None:
    return await agency_of(info, pk)


register_node("Agency", _agency_node)
