"""Changing voter meetings: scheduling one, completing it, recording its concerns in bulk.

Each function runs in the caller's one transaction and checks everything before it writes: a
refusal (db.refused.Refused, or RefusedItems listing every faulty item of the input) leaves
nothing behind. Recording concerns is all or nothing: a few hundred petitions, their timeline
events and their links to the meeting are written together, or none is.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.audit import audit
from db.clock import local, local_date
from db.council import group_for_unit
from db.enums.meetings import MeetingStatus, MeetingTiming, PetitionSource
from db.enums.petitions import PetitionCategory, PetitionStatus
from db.meetings.rules import (
    CO_HOST_LENGTH,
    MAX_COMMUNES,
    MAX_CONCERNS,
    MAX_DELEGATES,
    MAX_VOTERS,
    NOT_FOUND,
    PLACE_LENGTH,
    SPEAKER_LENGTH,
    RefusedItems,
    derived_title,
    require_manager,
)
from db.petitions import CONTENT_LENGTH, TITLE_LENGTH
from db.refused import Refusal, Refused, checked_text, required_text, sign_in_first
from db.serving import serving_on
from db.tables import (
    AdministrativeUnit,
    CouncilSession,
    Delegate,
    DelegateGroup,
    MeetingConcern,
    Petition,
    PetitionEvent,
    VoterMeeting,
    VoterMeetingCommune,
    VoterMeetingDelegate,
)
from db.tables.base import table_of
from db.tracking import new_tracking_code
from db.viewer import Role, Viewer


def _signed_in(viewer: Viewer) -> None:
    needs = sign_in_first(viewer)
    if needs is not None:
        raise Refused(*needs)


@dataclass(frozen=True)
class ScheduleInput:
    group_id: int
    session_id: int
    timing: str
    starts_at: datetime
    place: str
    co_host: str
    commune_codes: Sequence[str]
    delegate_ids: Sequence[int] = ()


async def _meeting_communes(
    session: AsyncSession,
    group_id: int,
    codes: Sequence[str],
    problems: list[Refused],
    *field: str,
) -> list[AdministrativeUnit]:
    """The communes `codes` names, each a commune the group covers; a refusal for each other."""
    if not codes:
        problems.append(Refused(Refusal.INVALID_INPUT, "Cần chọn ít nhất một xã.", *field))
        return []
    if len(codes) > MAX_COMMUNES:
        problems.append(
            Refused(Refusal.INVALID_INPUT, f"Tối đa {MAX_COMMUNES} xã một buổi.", *field)
        )
        return []
    wanted = [c.strip() for c in codes]
    rows = await session.execute(
        sa.select(AdministrativeUnit).where(col(AdministrativeUnit.code).in_(wanted))
    )
    found = {u.code: u for u in rows.scalars()}
    units: list[AdministrativeUnit] = []
    for i, code in enumerate(wanted):
        unit = found.get(code)
        if unit is None or unit.level != "COMMUNE":
            problems.append(
                Refused(
                    Refusal.INVALID_INPUT,
                    f"«{code}» không phải mã xã, phường, thị trấn của tỉnh.",
                    *field,
                    i,
                )
            )
            continue
        group = await group_for_unit(session, unit)
        if group is None or group.id != group_id:
            problems.append(
                Refused(
                    Refusal.INVALID_INPUT,
                    f"{unit.name} không thuộc địa bàn của Tổ đại biểu này.",
                    *field,
                    i,
                )
            )
            continue
        if unit not in units:
            units.append(unit)
    return units


async def _meeting_delegates(
    session: AsyncSession,
    group_id: int,
    ids: Sequence[int],
    day: datetime,
    problems: list[Refused],
    *field: str,
) -> list[int]:
    """The delegates `ids` names, each a member of the group serving on the meeting's day."""
    if len(ids) > MAX_DELEGATES:
        problems.append(
            Refused(Refusal.INVALID_INPUT, f"Tối đa {MAX_DELEGATES} đại biểu một buổi.", *field)
        )
        return []
    rows = await session.execute(
        sa.select(col(Delegate.id)).where(
            col(Delegate.id).in_(list(ids)),
            col(Delegate.group_id) == group_id,
            serving_on(local_date(day)),
        )
    )
    members = set(rows.scalars())
    kept: list[int] = []
    for i, pk in enumerate(ids):
        if pk not in members:
            problems.append(
                Refused(
                    Refusal.INVALID_INPUT,
                    "Đại biểu này không thuộc Tổ đại biểu hoặc không còn công tác vào ngày "
                    "tiếp xúc.",
                    *field,
                    i,
                )
            )
        elif pk not in kept:
            kept.append(pk)
    return kept


async def schedule_meeting(
    session: AsyncSession,
    viewer: Viewer,
    data: ScheduleInput,
    *,
    now: datetime,
    request_id: str | None = None,
) -> VoterMeeting:
    """A new SCHEDULED meeting of the group for the session, with its communes and delegates."""
    _signed_in(viewer)
    group = await session.get(DelegateGroup, data.group_id)
    if group is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy Tổ đại biểu này.", "input", "groupId")
    require_manager(viewer, data.group_id, local_date(now))
    council_session = await session.get(CouncilSession, data.session_id)
    if council_session is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy kỳ họp này.", "input", "sessionId")
    problems: list[Refused] = []
    place = co_host = None
    try:
        place = required_text(
            data.place,
            ("input", "place"),
            "địa điểm",
            min_len=PLACE_LENGTH[0],
            max_len=PLACE_LENGTH[1],
            one_line=True,
        )
    except Refused as exc:
        problems.append(exc)
    try:
        co_host = required_text(
            data.co_host,
            ("input", "coHost"),
            "cơ quan phối hợp",
            min_len=CO_HOST_LENGTH[0],
            max_len=CO_HOST_LENGTH[1],
            one_line=True,
        )
    except Refused as exc:
        problems.append(exc)
    day = local_date(data.starts_at)
    if data.timing == MeetingTiming.BEFORE_SESSION and day >= council_session.starts_on:
        problems.append(
            Refused(
                Refusal.INVALID_INPUT,
                "Buổi tiếp xúc trước kỳ họp phải diễn ra trước ngày khai mạc "
                f"({council_session.starts_on:%d/%m/%Y}).",
                "input",
                "startsAt",
            )
        )
    if data.timing == MeetingTiming.AFTER_SESSION and day <= council_session.ends_on:
        problems.append(
            Refused(
                Refusal.INVALID_INPUT,
                "Buổi tiếp xúc sau kỳ họp phải diễn ra sau ngày bế mạc "
                f"({council_session.ends_on:%d/%m/%Y}).",
                "input",
                "startsAt",
            )
        )
    communes = await _meeting_communes(
        session, data.group_id, data.commune_codes, problems, "input", "communeCodes"
    )
    delegates = await _meeting_delegates(
        session, data.group_id, data.delegate_ids, data.starts_at, problems, "input", "delegateIds"
    )
    if problems:
        raise RefusedItems(problems)
    assert place is not None and co_host is not None
    meeting = VoterMeeting(
        group_id=data.group_id,
        session_id=data.session_id,
        timing=data.timing,
        status=MeetingStatus.SCHEDULED,
        starts_at=data.starts_at,
        place=place,
        co_host=co_host,
        created_by_account_id=viewer.account_id,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()
    assert meeting.id is not None
    session.add_all(VoterMeetingCommune(meeting_id=meeting.id, unit_code=u.code) for u in communes)
    session.add_all(VoterMeetingDelegate(meeting_id=meeting.id, delegate_id=d) for d in delegates)
    await session.flush()
    await audit(
        session, viewer, "meeting.schedule", "voter_meeting", meeting.id, request_id=request_id
    )
    return meeting


async def _locked_meeting(session: AsyncSession, meeting_id: int, *field: str) -> VoterMeeting:
    meeting = (
        await session.execute(
            sa.select(VoterMeeting).where(col(VoterMeeting.id) == meeting_id).with_for_update()
        )
    ).scalar_one_or_none()
    if meeting is None:
        raise Refused(Refusal.NOT_FOUND, NOT_FOUND, *field)
    return meeting


async def complete_meeting(
    session: AsyncSession,
    viewer: Viewer,
    meeting_id: int,
    voters_present: int,
    delegate_ids: Sequence[int] | None,
    *,
    now: datetime,
    request_id: str | None = None,
) -> VoterMeeting:
    """SCHEDULED -> HELD once it has begun: the voters present and, when given, the delegates
    who attended (replacing those planned)."""
    _signed_in(viewer)
    meeting = await _locked_meeting(session, meeting_id, "id")
    require_manager(viewer, meeting.group_id, local_date(now))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Refused(
            Refusal.INVALID_TRANSITION, "Buổi tiếp xúc này đã được ghi nhận là đã diễn ra.", "id"
        )
    if meeting.starts_at > now:
        raise Refused(Refusal.INVALID_TRANSITION, "Buổi tiếp xúc chưa đến giờ bắt đầu.", "id")
    problems: list[Refused] = []
    if not 0 <= voters_present <= MAX_VOTERS:
        problems.append(
            Refused(
                Refusal.INVALID_INPUT,
                f"Số cử tri tham dự phải từ 0 đến {MAX_VOTERS}.",
                "input",
                "votersPresent",
            )
        )
    delegates: list[int] | None = None
    if delegate_ids is not None:
        delegates = await _meeting_delegates(
            session,
            meeting.group_id,
            delegate_ids,
            meeting.starts_at,
            problems,
            "input",
            "delegateIds",
        )
    if problems:
        raise RefusedItems(problems)
    meeting.status = MeetingStatus.HELD
    meeting.voters_present = voters_present
    meeting.held_at = now
    if delegates is not None:
        await session.execute(
            sa.delete(VoterMeetingDelegate).where(
                col(VoterMeetingDelegate.meeting_id) == meeting_id
            )
        )
        session.add_all(
            VoterMeetingDelegate(meeting_id=meeting_id, delegate_id=d) for d in delegates
        )
    await session.flush()
    await audit(
        session, viewer, "meeting.complete", "voter_meeting", meeting_id, request_id=request_id
    )
    return meeting


@dataclass(frozen=True)
class ConcernInput:
    content: str
    category: str
    commune_code: str
    title: str | None = None
    speaker_name: str | None = None


@dataclass(frozen=True)
class _Checked:
    title: str
    content: str
    category: str
    commune: AdministrativeUnit
    speaker: str | None


def raised_note(meeting: VoterMeeting) -> str:
    """The timeline's words for a concern raised at `meeting`."""
    return f"Cử tri nêu tại buổi tiếp xúc cử tri ngày {local(meeting.starts_at):%d/%m/%Y}, {meeting.place}."


async def record_concerns(
    session: AsyncSession,
    viewer: Viewer,
    meeting_id: int,
    concerns: Sequence[ConcernInput],
    *,
    now: datetime,
    request_id: str | None = None,
) -> list[Petition]:
    """Each concern becomes a PUBLIC petition (source VOTER_MEETING) addressed to the meeting's
    group, linked to the meeting, with its SUBMITTED event; in the order given. Every faulty
    item is refused at once (field `concerns.<i>.<field>`) and nothing is written."""
    _signed_in(viewer)
    meeting = await _locked_meeting(session, meeting_id, "meetingId")
    require_manager(viewer, meeting.group_id, local_date(now))
    if meeting.starts_at > now:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Chỉ ghi nhận ý kiến cử tri khi buổi tiếp xúc đã bắt đầu.",
            "meetingId",
        )
    if not concerns:
        raise Refused(Refusal.INVALID_INPUT, "Cần ít nhất một ý kiến.", "concerns")
    if len(concerns) > MAX_CONCERNS:
        raise Refused(
            Refusal.INVALID_INPUT, f"Mỗi lần ghi tối đa {MAX_CONCERNS} ý kiến.", "concerns"
        )
    # The meeting's communes: a concern names one of them.
    units = {
        u.code: u
        for u in (
            await session.execute(
                sa.select(AdministrativeUnit)
                .join(
                    VoterMeetingCommune,
                    col(VoterMeetingCommune.unit_code) == col(AdministrativeUnit.code),
                )
                .where(col(VoterMeetingCommune.meeting_id) == meeting_id)
            )
        ).scalars()
    }
    problems: list[Refused] = []
    checked: list[_Checked] = []
    for i, item in enumerate(concerns):
        at = ("concerns", str(i))
        before = len(problems)
        content = title = speaker = None
        try:
            content = required_text(
                item.content,
                (*at, "content"),
                "nội dung",
                min_len=CONTENT_LENGTH[0],
                max_len=CONTENT_LENGTH[1],
            )
        except Refused as exc:
            problems.append(exc)
        try:
            title = checked_text(
                item.title,
                (*at, "title"),
                "tiêu đề",
                min_len=TITLE_LENGTH[0],
                max_len=TITLE_LENGTH[1],
                required=False,
                one_line=True,
            )
        except Refused as exc:
            problems.append(exc)
        try:
            speaker = checked_text(
                item.speaker_name,
                (*at, "speakerName"),
                "tên người phát biểu",
                min_len=SPEAKER_LENGTH[0],
                max_len=SPEAKER_LENGTH[1],
                required=False,
                one_line=True,
            )
        except Refused as exc:
            problems.append(exc)
        if item.category not in tuple(PetitionCategory):
            problems.append(
                Refused(Refusal.INVALID_INPUT, "Lĩnh vực không hợp lệ.", *at, "category")
            )
        commune = units.get(item.commune_code.strip())
        if commune is None:
            problems.append(
                Refused(
                    Refusal.INVALID_INPUT,
                    f"«{item.commune_code}» không phải xã của buổi tiếp xúc này.",
                    *at,
                    "communeCode",
                )
            )
        if len(problems) == before:
            assert content is not None and commune is not None
            checked.append(
                _Checked(
                    title=title or derived_title(content),
                    content=content,
                    category=item.category,
                    commune=commune,
                    speaker=speaker,
                )
            )
    if problems:
        raise RefusedItems(problems)

    petitions = await _insert_petitions(session, meeting, checked, now)
    ids = [p.id for p in petitions]
    assert all(pk is not None for pk in ids)
    note = raised_note(meeting)
    await session.execute(
        sa.insert(table_of(PetitionEvent)),
        [
            {
                "petition_id": pk,
                "at": now,
                "status": PetitionStatus.SUBMITTED.value,
                "actor_role": (viewer.role or Role.CITIZEN).value,
                "actor_account_id": viewer.account_id,
                "note": note,
            }
            for pk in ids
        ],
    )
    start = (
        await session.execute(
            sa.select(sa.func.coalesce(sa.func.max(col(MeetingConcern.position)), 0)).where(
                col(MeetingConcern.meeting_id) == meeting_id
            )
        )
    ).scalar_one()
    await session.execute(
        sa.insert(table_of(MeetingConcern)),
        [
            {"meeting_id": meeting_id, "petition_id": pk, "position": start + n}
            for n, pk in enumerate(ids, 1)
        ],
    )
    await audit(
        session,
        viewer,
        "meeting.concerns.record",
        "voter_meeting",
        meeting_id,
        request_id=request_id,
        details={"petitionIds": ids},
    )
    return petitions


async def _insert_petitions(
    session: AsyncSession, meeting: VoterMeeting, items: Sequence[_Checked], now: datetime
) -> list[Petition]:
    """The petitions in one statement, in order; a clashing tracking code (astronomically rare)
    is drawn again for that row alone."""
    rows = [
        {
            "title": c.title,
            "content": c.content,
            "category": c.category,
            "commune_code": c.commune.code,
            "unit_path": c.commune.path,
            "status": PetitionStatus.SUBMITTED.value,
            "visibility": "PUBLIC",
            "group_id": meeting.group_id,
            "submitter_name": c.speaker,
            "support_count": 0,
            "source": PetitionSource.VOTER_MEETING.value,
            "voter_count": 1,
            "submitted_at": now,
            "updated_at": now,
        }
        for c in items
    ]
    made: dict[int, Petition] = {}
    pending = list(range(len(rows)))
    for _ in range(8):
        codes = {new_tracking_code(): i for i in pending}
        if len(codes) < len(pending):
            continue
        stmt = (
            insert(Petition)
            .values([{**rows[i], "tracking_code": code} for code, i in codes.items()])
            .on_conflict_do_nothing(index_elements=["tracking_code"])
            .returning(Petition)
        )
        for petition in (await session.execute(stmt)).scalars():
            made[codes[petition.tracking_code]] = petition
        pending = [i for i in pending if i not in made]
        if not pending:
            return [made[i] for i in range(len(rows))]
    raise RuntimeError("could not draw free tracking codes")
