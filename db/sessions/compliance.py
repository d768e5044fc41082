"""Who met the council's quota at a session, and a delegate's scorecard over a period.

Everything here is SQL aggregates with a fixed number of statements whatever the number of
delegates: `session_compliance` runs two (per delegate, then per group with a ROLLUP total),
`scorecards` two per distinct period (petitions, sessions) for any number of delegates.

Rules: only delegates serving on at least one day of a session owe it contributions; an
excused delegate is shown as excused and counted neither in `delegate_count` nor against the
quota; withdrawn contributions do not count. Results are statuses, in directory order, never
a ranking.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.clock import local_day_start
from db.enums.sessions import ComplianceStatus
from db.petition_fields import Deadlines, overdue_condition
from db.serving import serving_during
from db.tables import Contribution, CouncilSession, Delegate, ExcusedAbsence, Petition
from db.viewer import Role, Viewer

# Who reads compliance: the delegates themselves, the council office, the Legal Affairs
# Committee and administrators (the resolvers' permission and the compiled path both ask).
COMPLIANCE_READERS = (Role.DELEGATE, Role.STAFF, Role.MONITOR, Role.ADMIN)


# ---- who sees an excuse's reason: the delegate concerned, STAFF, MONITOR, ADMIN -----------------


def sees_excuse_reason(viewer: Viewer, delegate_id: int) -> bool:
    """Python form: whether `viewer` sees why delegate `delegate_id` was excused."""
    return viewer.sees_everything or viewer.delegate_id == delegate_id


def excuse_reason_visible(viewer: Viewer, delegate_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL form of `sees_excuse_reason` over a delegate id column."""
    if viewer.sees_everything:
        return sa.true()
    if viewer.delegate_id is None:
        return sa.false()
    return delegate_id == viewer.delegate_id


@dataclass(frozen=True)
class DelegateStanding:
    delegate: Delegate
    discussions: int
    questions: int
    meets_quota: bool
    excused: bool
    excuse_reason: str | None

    @property
    def status(self) -> ComplianceStatus:
        if self.excused:
            return ComplianceStatus.EXCUSED
        return ComplianceStatus.MET if self.meets_quota else ComplianceStatus.NOT_YET


@dataclass(frozen=True)
class Tally:
    """Counts over some delegates: owing the quota (not excused), meeting it, excused."""

    delegate_count: int = 0
    compliant_count: int = 0
    excused_count: int = 0

    @property
    def not_yet_count(self) -> int:
        return self.delegate_count - self.compliant_count


@dataclass(frozen=True)
class SessionStanding:
    session_id: int
    delegates: list[DelegateStanding]
    groups: list[tuple[int, Tally]]
    total: Tally


def per_delegate(
    session_id: int | ColumnElement[int],
) -> sa.Select[Delegate, int, int, bool, bool, str | None]:
    """Each delegate serving during the session (the Delegate row) with their discussions,
    questions, whether they meet the quota, whether excused and why; `session_id` a value
    or an expression (the compiled path's parameter or an enclosing row's id)."""
    counts = (
        sa.select(
            col(Contribution.delegate_id).label("delegate_id"),
            sa.func.count().filter(col(Contribution.kind) == "DISCUSSION").label("discussions"),
            sa.func.count().filter(col(Contribution.kind) == "QUESTION").label("questions"),
        )
        .where(
            col(Contribution.session_id) == col(CouncilSession.id),
            col(Contribution.withdrawn_at).is_(None),
        )
        .group_by(col(Contribution.delegate_id))
        # LATERAL, by the joined session's id: `session_id` is named once, in that join, so
        # it may be an enclosing row's column (the compiled path's sessions list).
        .lateral()
    )
    discussions: ColumnElement[int] = sa.func.coalesce(counts.c.discussions, 0)
    questions: ColumnElement[int] = sa.func.coalesce(counts.c.questions, 0)
    meets = sa.and_(
        discussions >= col(CouncilSession.required_discussions),
        questions >= col(CouncilSession.required_questions),
    )
    return (
        sa.select(
            Delegate,
            discussions.label("discussions"),
            questions.label("questions"),
            meets.label("meets_quota"),
            col(ExcusedAbsence.delegate_id).is_not(None).label("excused"),
            sa.cast(col(ExcusedAbsence.reason), sa.Text).label("excuse_reason"),
        )
        .select_from(Delegate)
        .join(
            CouncilSession,
            sa.and_(
                col(CouncilSession.id) == session_id,
                serving_during(col(CouncilSession.starts_on), col(CouncilSession.ends_on)),
            ),
        )
        .outerjoin(counts, counts.c.delegate_id == col(Delegate.id))
        .outerjoin(
            ExcusedAbsence,
            sa.and_(
                col(ExcusedAbsence.delegate_id) == col(Delegate.id),
                col(ExcusedAbsence.session_id) == col(CouncilSession.id),
            ),
        )
    )


async def session_compliance(session: AsyncSession, session_id: int) -> SessionStanding:
    """Each delegate serving during the session with their counts and status (by group, then
    name), each group's tally and the total."""
    per = per_delegate(session_id)
    rows = await session.execute(
        per.order_by(col(Delegate.group_id), col(Delegate.full_name_folded), col(Delegate.id))
    )
    delegates = [
        DelegateStanding(
            delegate=d,
            discussions=int(n_d),
            questions=int(n_q),
            meets_quota=bool(meets),
            excused=bool(excused),
            excuse_reason=reason,
        )
        for d, n_d, n_q, meets, excused, reason in rows
    ]
    # The tally reads the same per-delegate rows: the list and the counts cannot disagree.
    sub = per.subquery()
    owing = sa.not_(sub.c.excused)
    tallies = await session.execute(
        sa.select(
            sub.c.group_id,
            sa.func.count().filter(owing),
            sa.func.count().filter(sa.and_(owing, sub.c.meets_quota)),
            sa.func.count().filter(sub.c.excused),
        )
        .group_by(sa.func.rollup(sub.c.group_id))
        .order_by(sub.c.group_id.nulls_last())
    )
    groups: list[tuple[int, Tally]] = []
    total = Tally()
    for group_id, owing_n, met_n, excused_n in tallies:
        tally = Tally(int(owing_n), int(met_n), int(excused_n))
        if group_id is None:
            total = tally
        else:
            groups.append((int(group_id), tally))
    return SessionStanding(session_id, delegates, groups, total)


# ---- scorecards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scorecard:
    petitions_received: int = 0
    petitions_answered: int = 0
    petitions_overdue: int = 0
    median_hours_to_acknowledge: float | None = None
    sessions_total: int = 0
    sessions_meeting_quota: int = 0
    sessions_excused: int = 0
    discussions: int = 0
    questions: int = 0


Period = tuple[date | None, date | None]


async def scorecards(
    session: AsyncSession,
    delegate_ids: Sequence[int],
    period: Period,
    *,
    now: datetime,
    ack_days: int,
    answer_days: int,
) -> dict[int, Scorecard]:
    """Scorecards of many delegates over one period (days inclusive, local time; None: open).

    Petitions: those addressed to the delegate (not merely to their group) submitted in the
    period; answered: they have an answer; overdue: overdue now. Sessions: those that opened
    in the period (in progress or closed) while the delegate served; excused ones apart.
    """
    ids = list(dict.fromkeys(delegate_ids))
    start, end = period
    petition_where: list[ColumnElement[bool]] = [col(Petition.delegate_id).in_(ids)]
    if start is not None:
        petition_where.append(col(Petition.submitted_at) >= local_day_start(start))
    if end is not None:
        petition_where.append(col(Petition.submitted_at) < local_day_start(end + timedelta(days=1)))
    hours = sa.extract("epoch", col(Petition.acknowledged_at) - col(Petition.submitted_at)) / 3600
    petition_rows = await session.execute(
        sa.select(
            col(Petition.delegate_id),
            sa.func.count(),
            sa.func.count().filter(col(Petition.answered_at).is_not(None)),
            sa.func.count().filter(overdue_condition(now, Deadlines(ack_days, answer_days))),
            # percentile_cont skips nulls: petitions not yet acknowledged do not count.
            sa.func.percentile_cont(0.5).within_group(hours),
        )
        .where(*petition_where)
        .group_by(col(Petition.delegate_id))
    )
    petitions = {int(r[0]): r[1:] for r in petition_rows}

    counts = (
        sa.select(
            col(Contribution.session_id).label("session_id"),
            col(Contribution.delegate_id).label("delegate_id"),
            sa.func.count().filter(col(Contribution.kind) == "DISCUSSION").label("discussions"),
            sa.func.count().filter(col(Contribution.kind) == "QUESTION").label("questions"),
        )
        .where(col(Contribution.delegate_id).in_(ids), col(Contribution.withdrawn_at).is_(None))
        .group_by(col(Contribution.session_id), col(Contribution.delegate_id))
        .subquery()
    )
    discussions = sa.func.coalesce(counts.c.discussions, 0)
    questions = sa.func.coalesce(counts.c.questions, 0)
    meets = sa.and_(
        discussions >= col(CouncilSession.required_discussions),
        questions >= col(CouncilSession.required_questions),
    )
    excused = col(ExcusedAbsence.delegate_id).is_not(None)
    session_where: list[ColumnElement[bool]] = [
        col(Delegate.id).in_(ids),
        col(CouncilSession.status) != "UPCOMING",
    ]
    if start is not None:
        session_where.append(col(CouncilSession.starts_on) >= start)
    if end is not None:
        session_where.append(col(CouncilSession.starts_on) <= end)
    session_rows = await session.execute(
        sa.select(
            col(Delegate.id),
            sa.func.count().filter(sa.not_(excused)),
            sa.func.count().filter(sa.and_(sa.not_(excused), meets)),
            sa.func.count().filter(excused),
            sa.func.sum(discussions),
            sa.func.sum(questions),
        )
        .select_from(Delegate)
        .join(
            CouncilSession,
            serving_during(col(CouncilSession.starts_on), col(CouncilSession.ends_on)),
        )
        .outerjoin(
            counts,
            sa.and_(
                counts.c.session_id == col(CouncilSession.id),
                counts.c.delegate_id == col(Delegate.id),
            ),
        )
        .outerjoin(
            ExcusedAbsence,
            sa.and_(
                col(ExcusedAbsence.session_id) == col(CouncilSession.id),
                col(ExcusedAbsence.delegate_id) == col(Delegate.id),
            ),
        )
        .where(*session_where)
        .group_by(col(Delegate.id))
    )
    sessions = {int(r[0]): r[1:] for r in session_rows}

    result: dict[int, Scorecard] = {}
    for delegate_id in ids:
        received, answered, overdue, median = petitions.get(delegate_id, (0, 0, 0, None))
        total, met, excused_n, n_d, n_q = sessions.get(delegate_id, (0, 0, 0, 0, 0))
        result[delegate_id] = Scorecard(
            petitions_received=int(received),
            petitions_answered=int(answered),
            petitions_overdue=int(overdue),
            median_hours_to_acknowledge=float(median) if median is not None else None,
            sessions_total=int(total),
            sessions_meeting_quota=int(met),
            sessions_excused=int(excused_n),
            discussions=int(n_d or 0),
            questions=int(n_q or 0),
        )
    return result


async def scorecards_by_keys(
    session: AsyncSession,
    keys: Sequence[tuple[int, date | None, date | None]],
    *,
    now: datetime,
    ack_days: int,
    answer_days: int,
) -> dict[tuple[int, date | None, date | None], Scorecard]:
    """For a DataLoader: keys (delegate id, from, to), grouped by period."""
    by_period: dict[Period, list[int]] = defaultdict(list)
    for delegate_id, start, end in keys:
        by_period[(start, end)].append(delegate_id)
    result: dict[tuple[int, date | None, date | None], Scorecard] = {}
    for period, ids in by_period.items():
        cards = await scorecards(
            session, ids, period, now=now, ack_days=ack_days, answer_days=answer_days
        )
        for delegate_id, card in cards.items():
            result[(delegate_id, *period)] = card
    return result
