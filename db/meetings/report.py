"""The consolidated report of a session's voters' petitions (báo cáo tổng hợp ý kiến, kiến nghị
của cử tri), as the council office sends it to the province People's Committee.

What it counts: the petitions collected between the previous session and this one, that is
submitted from the day after the previous session ended (from the beginning when there is none)
to the day before this one opens, and every petition raised at this session's voter meetings
held before it, whenever recorded. A merged duplicate counts once, in the petition it was merged
into (with its voters): the report lists only petitions not merged. Items are grouped by field
(category, in the order of PetitionCategory) then by the competent agency (the agency it was
forwarded to; "not yet forwarded" last), and numbered 1, 2, … through the whole report in that
order (within an agency, oldest first).

The GraphQL query `sessionPetitionReport` and the .docx and .xlsx downloads all read this one
function, so their numbers cannot disagree.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.clock import local_day_start
from db.enums.meetings import MeetingStatus, MeetingTiming, PetitionSource
from db.enums.petitions import PetitionCategory, PetitionStatus
from db.meetings.reads import meetings_by_petition_ids
from db.petition_access import visible_condition
from db.tables import (
    AdministrativeUnit,
    CouncilSession,
    MeetingConcern,
    Petition,
    VoterMeeting,
    VoterMeetingCommune,
)
from db.viewer import Viewer

CATEGORY_LABELS = {
    PetitionCategory.LAND_HOUSING: "Đất đai, nhà ở",
    PetitionCategory.INFRASTRUCTURE_TRANSPORT: "Hạ tầng, giao thông",
    PetitionCategory.ENVIRONMENT: "Tài nguyên, môi trường",
    PetitionCategory.HEALTH: "Y tế",
    PetitionCategory.EDUCATION: "Giáo dục",
    PetitionCategory.SOCIAL_WELFARE: "Lao động, chính sách xã hội",
    PetitionCategory.AGRICULTURE: "Nông nghiệp",
    PetitionCategory.SECURITY_ORDER: "An ninh, trật tự",
    PetitionCategory.ADMINISTRATIVE_PROCEDURE: "Thủ tục hành chính",
    PetitionCategory.OTHER: "Lĩnh vực khác",
}
STATUS_LABELS = {
    PetitionStatus.SUBMITTED: "Chưa tiếp nhận",
    PetitionStatus.ACKNOWLEDGED: "Đã tiếp nhận",
    PetitionStatus.FORWARDED: "Đã chuyển cơ quan giải quyết",
    PetitionStatus.ANSWERED: "Đã trả lời",
    PetitionStatus.CLOSED: "Đã trả lời, cử tri đã đóng",
    PetitionStatus.REJECTED: "Không thuộc thẩm quyền, đã từ chối",
}
NO_AGENCY = "Chưa chuyển cơ quan giải quyết"
ANSWERED = (PetitionStatus.ANSWERED.value, PetitionStatus.CLOSED.value)


@dataclass
class ReportItem:
    number: int
    petition: Petition
    commune_name: str
    meetings: list[VoterMeeting]

    @property
    def voter_count(self) -> int:
        return self.petition.voter_count

    @property
    def is_answered(self) -> bool:
        return self.petition.status in ANSWERED


@dataclass
class AgencySection:
    agency: str | None  # None: not yet forwarded
    items: list[ReportItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.agency or NO_AGENCY

    @property
    def voter_count(self) -> int:
        return sum(i.voter_count for i in self.items)


@dataclass
class FieldSection:
    category: PetitionCategory
    agencies: list[AgencySection] = field(default_factory=list)

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def items(self) -> list[ReportItem]:
        return [i for a in self.agencies for i in a.items]

    @property
    def voter_count(self) -> int:
        return sum(a.voter_count for a in self.agencies)


@dataclass
class SessionReport:
    session: CouncilSession
    previous: CouncilSession | None
    first_day: date | None  # the first day counted (None: from the beginning)
    last_day: date  # the last day counted: the day before the session opens
    meeting_count: int  # this session's meetings before it (its round)
    meetings_held: int
    voters_present: int  # voters present at the round's meetings held
    fields: list[FieldSection]
    province: str  # the province's name, for the documents' heading

    @property
    def items(self) -> list[ReportItem]:
        return [i for f in self.fields for i in f.items]

    @property
    def petition_count(self) -> int:
        return len(self.items)

    @property
    def voter_count(self) -> int:
        return sum(i.voter_count for i in self.items)

    @property
    def from_meetings(self) -> int:
        """Petitions raised at a voter meeting (recorded there, or merged with one that was)."""
        return sum(1 for i in self.items if i.meetings)

    @property
    def from_app(self) -> int:
        return sum(1 for i in self.items if i.petition.source == PetitionSource.APP)

    @property
    def answered_count(self) -> int:
        return sum(1 for i in self.items if i.is_answered)


async def previous_session(
    session: AsyncSession, council_session: CouncilSession
) -> CouncilSession | None:
    """The latest session that ended before this one opened."""
    stmt = (
        sa.select(CouncilSession)
        .where(col(CouncilSession.ends_on) < council_session.starts_on)
        .order_by(col(CouncilSession.ends_on).desc(), col(CouncilSession.id).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def collected_ids(
    session: AsyncSession, council_session: CouncilSession, previous: CouncilSession | None
) -> list[int]:
    """The ids of the petitions the report lists: those collected for the session (see the
    module's docstring), each merged one replaced by the petition it was merged into."""
    assert council_session.id is not None
    in_window = [col(Petition.submitted_at) < local_day_start(council_session.starts_on)]
    if previous is not None:
        in_window.append(
            col(Petition.submitted_at) >= local_day_start(previous.ends_on + timedelta(days=1))
        )
    raised_before = sa.exists(
        sa.select(sa.literal(1))
        .select_from(MeetingConcern)
        .join(VoterMeeting, col(VoterMeeting.id) == col(MeetingConcern.meeting_id))
        .where(
            col(MeetingConcern.petition_id) == col(Petition.id),
            col(VoterMeeting.session_id) == council_session.id,
            col(VoterMeeting.timing) == MeetingTiming.BEFORE_SESSION.value,
        )
    )
    counted = sa.func.coalesce(col(Petition.merged_into_id), col(Petition.id))
    stmt = sa.select(counted).where(sa.or_(sa.and_(*in_window), raised_before)).distinct()
    return [int(pk) for pk in (await session.execute(stmt)).scalars()]


async def session_petition_report(
    session: AsyncSession, council_session: CouncilSession
) -> SessionReport:
    """The report of `council_session` (see the module's docstring)."""
    assert council_session.id is not None
    previous = await previous_session(session, council_session)
    ids = await collected_ids(session, council_session, previous)
    rows = (
        (
            await session.execute(
                sa.select(Petition)
                .where(col(Petition.id).in_(ids))
                .order_by(col(Petition.submitted_at), col(Petition.id))
            )
        )
        .scalars()
        .all()
    )
    names = {
        u.code: u.name
        for u in (
            await session.execute(
                sa.select(AdministrativeUnit).where(
                    col(AdministrativeUnit.code).in_({p.commune_code for p in rows})
                )
            )
        ).scalars()
    }
    raised = await meetings_by_petition_ids(session, ids)
    grouped: dict[str, dict[str | None, list[Petition]]] = defaultdict(lambda: defaultdict(list))
    for p in rows:
        grouped[p.category][p.forwarded_agency].append(p)
    fields: list[FieldSection] = []
    number = 0
    for category in PetitionCategory:
        agencies = grouped.get(category.value)
        if not agencies:
            continue
        section = FieldSection(category)
        # Named agencies alphabetically, then the petitions not yet forwarded.
        for agency in sorted(agencies, key=lambda a: (a is None, a or "")):
            part = AgencySection(agency)
            for p in agencies[agency]:
                assert p.id is not None
                number += 1
                part.items.append(
                    ReportItem(number, p, names.get(p.commune_code, p.commune_code), raised[p.id])
                )
            section.agencies.append(part)
        fields.append(section)
    round_stats = (
        await session.execute(
            sa.select(
                sa.func.count(),
                sa.func.count().filter(col(VoterMeeting.status) == MeetingStatus.HELD.value),
                sa.func.coalesce(sa.func.sum(col(VoterMeeting.voters_present)), 0),
            ).where(
                col(VoterMeeting.session_id) == council_session.id,
                col(VoterMeeting.timing) == MeetingTiming.BEFORE_SESSION.value,
            )
        )
    ).one()
    return SessionReport(
        session=council_session,
        previous=previous,
        first_day=previous.ends_on + timedelta(days=1) if previous else None,
        last_day=council_session.starts_on - timedelta(days=1),
        meeting_count=int(round_stats[0] or 0),
        meetings_held=int(round_stats[1] or 0),
        voters_present=int(round_stats[2] or 0),
        fields=fields,
        province=await province_name(session),
    )


async def province_name(session: AsyncSession) -> str:
    """The name of the province the council serves (its one PROVINCE-level unit)."""
    found = (
        await session.execute(
            sa.select(col(AdministrativeUnit.name))
            .where(col(AdministrativeUnit.level) == "PROVINCE")
            .order_by(col(AdministrativeUnit.code))
            .limit(1)
        )
    ).scalar_one_or_none()
    return found or ""


async def reported_back(
    session: AsyncSession, meeting: VoterMeeting, viewer: Viewer, today: date
) -> list[Petition]:
    """For a meeting after a session: the petitions of that session's report from the
    meeting's communes that `viewer` may see, so delegates can read the answers to voters
    (nothing for a meeting before a session)."""
    if meeting.timing != MeetingTiming.AFTER_SESSION:
        return []
    council_session = await session.get(CouncilSession, meeting.session_id)
    assert council_session is not None and meeting.id is not None
    previous = await previous_session(session, council_session)
    ids = await collected_ids(session, council_session, previous)
    communes = sa.select(col(VoterMeetingCommune.unit_code)).where(
        col(VoterMeetingCommune.meeting_id) == meeting.id
    )
    rows = await session.execute(
        sa.select(Petition)
        .where(
            col(Petition.id).in_(ids),
            col(Petition.commune_code).in_(communes),
            visible_condition(viewer, today),
        )
        .order_by(col(Petition.category), col(Petition.submitted_at), col(Petition.id))
    )
    return list(rows.scalars())
