"""Who met the council's quota (the Legal Affairs Committee's view of a session) and a
delegate's scorecard over a period, in GraphQL; who may read them is decided in db.sessions."""

from datetime import date

import strawberry

from db.sessions.compliance import sees_excuse_reason
from db.sessions.rules import may_read_scorecard
from schema.context import Info
from schema.cost import most
from schema.council.types import Delegate, DelegateGroup
from schema.errors import bad_input, refused
from schema.sessions.enums import ComplianceStatus
from schema.sessions.types import Session, session_of


@strawberry.type(description="A delegate's standing at one session (kết quả thực hiện chỉ tiêu).")
class DelegateCompliance:
    delegate: Delegate = strawberry.field(description="The delegate.")
    discussions: int = strawberry.field(description="Discussion contributions made.")
    questions: int = strawberry.field(description="Questions put.")
    meets_quota: bool = strawberry.field(
        description="At least the session's required discussions and questions."
    )
    status: ComplianceStatus = strawberry.field(
        description="Met, not yet, or excused (an excused delegate is not counted against the quota)."
    )
    excuse_reason: str | None = strawberry.field(
        description="Why the delegate was excused: shown to the delegate, STAFF, MONITOR and ADMIN only.",
        metadata={"restricted": "the delegate concerned, STAFF, MONITOR, ADMIN"},
    )


@strawberry.type(description="How a delegate group stands at a session.")
class GroupCompliance:
    delegate_count: int = strawberry.field(
        description="Members serving during the session and not excused: those who owe the quota."
    )
    compliant_count: int = strawberry.field(description="Of those, how many met it.")
    not_yet_count: int = strawberry.field(description="Of those, how many have not (yet).")
    excused_count: int = strawberry.field(description="Members excused from the session.")
    group_id: strawberry.Private[int]

    @strawberry.field(description="The delegate group (Tổ đại biểu).")
    async def group(self, info: Info) -> DelegateGroup:
        row = await info.context.loaders.group_by_id.load(self.group_id)
        assert row is not None
        return DelegateGroup.from_row(row)


@strawberry.type(
    description="Who met the council's quota at a session (the Legal Affairs Committee's view): statuses in directory order, not a ranking."
)
class SessionCompliance:
    delegate_count: int = strawberry.field(
        description="Delegates serving on at least one day of the session, not excused: those who owe the quota."
    )
    compliant_count: int = strawberry.field(description="Of those, how many met it.")
    not_yet_count: int = strawberry.field(description="Of those, how many have not (yet).")
    excused_count: int = strawberry.field(description="Delegates excused from the session.")
    delegates: list[DelegateCompliance] = strawberry.field(
        directives=most(120),
        description="Every delegate serving during the session (excused ones too), by group then name.",
    )
    groups: list[GroupCompliance] = strawberry.field(
        directives=most(50), description="Each group's tally."
    )
    session_id: strawberry.Private[int]

    @strawberry.field(description="The session.")
    async def session(self, info: Info) -> Session:
        return await session_of(info, self.session_id)


@strawberry.type(
    description="A delegate's record over a period (phiếu theo dõi): petitions addressed to them and sessions."
)
class DelegateScorecard:
    petitions_received: int = strawberry.field(
        description="Petitions addressed to the delegate (not only to their group) submitted in the period."
    )
    petitions_answered: int = strawberry.field(description="Of those, how many have an answer.")
    petitions_overdue: int = strawberry.field(
        description="Of those, how many are overdue now (as `Petition.isOverdue`)."
    )
    median_hours_to_acknowledge: float | None = strawberry.field(
        description="Median hours from submission to acknowledgement, of those acknowledged; null when none."
    )
    sessions_total: int = strawberry.field(
        description="Sessions opened in the period (in progress or closed) while the delegate served, not excused."
    )
    sessions_meeting_quota: int = strawberry.field(description="Of those, how many met the quota.")
    sessions_excused: int = strawberry.field(description="Sessions the delegate was excused from.")
    discussions: int = strawberry.field(description="Discussion contributions at those sessions.")
    questions: int = strawberry.field(description="Questions at those sessions.")


async def session_compliance(info: Info, session_pk: int) -> SessionCompliance:
    standing = await info.context.loaders.sessions.compliance_by_session_id.load(session_pk)
    viewer = info.context.viewer
    delegate_loader = info.context.loaders.delegate_by_id
    rows: list[DelegateCompliance] = []
    for d in standing.delegates:
        assert d.delegate.id is not None
        delegate_loader.prime(d.delegate.id, d.delegate)
        sees_reason = sees_excuse_reason(viewer, d.delegate.id)
        rows.append(
            DelegateCompliance(
                delegate=Delegate.from_row(d.delegate),
                discussions=d.discussions,
                questions=d.questions,
                meets_quota=d.meets_quota,
                status=ComplianceStatus[d.status.value],
                excuse_reason=d.excuse_reason if sees_reason else None,
            )
        )
    total = standing.total
    return SessionCompliance(
        session_id=session_pk,
        delegate_count=total.delegate_count,
        compliant_count=total.compliant_count,
        not_yet_count=total.not_yet_count,
        excused_count=total.excused_count,
        delegates=rows,
        groups=[
            GroupCompliance(
                group_id=gid,
                delegate_count=t.delegate_count,
                compliant_count=t.compliant_count,
                not_yet_count=t.not_yet_count,
                excused_count=t.excused_count,
            )
            for gid, t in standing.groups
        ],
    )


async def delegate_scorecard(
    info: Info, delegate_pk: int, start: date | None, end: date | None
) -> DelegateScorecard:
    """The scorecard: for the delegate themselves, STAFF, MONITOR and ADMIN."""
    viewer = info.context.viewer
    if not may_read_scorecard(viewer, delegate_pk):
        raise refused(
            viewer, "Chỉ đại biểu, Văn phòng HĐND, Ban Pháp chế và quản trị xem được phiếu này."
        )
    if start is not None and end is not None and end < start:
        raise bad_input("`to` phải từ `from` trở đi.", "to")
    settings = info.context.settings
    loader = info.context.loaders.sessions.scorecards(
        info.context.now, settings.ack_days, settings.answer_days
    )
    card = await loader.load((delegate_pk, start, end))
    return DelegateScorecard(
        petitions_received=card.petitions_received,
        petitions_answered=card.petitions_answered,
        petitions_overdue=card.petitions_overdue,
        median_hours_to_acknowledge=card.median_hours_to_acknowledge,
        sessions_total=card.sessions_total,
        sessions_meeting_quota=card.sessions_meeting_quota,
        sessions_excused=card.sessions_excused,
        discussions=card.discussions,
        questions=card.questions,
    )
