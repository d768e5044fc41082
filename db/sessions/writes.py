"""Council sessions: creating one, moving it UPCOMING -> IN_PROGRESS -> CLOSED, its agenda,
and excusing a delegate from it. Every change is audited in its own transaction (the caller's)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.audit import audit
from db.enums.council import SessionKind
from db.refused import Refusal, Refused, required_text
from db.serving import serves_during
from db.tables import (
    AgendaItem,
    Contribution,
    CouncilSession,
    Delegate,
    ExcusedAbsence,
    Term,
)
from db.viewer import Viewer

MAX_QUOTA = 50
MAX_AGENDA = 100
# The only moves a session makes; anything else is INVALID_TRANSITION.
NEXT_STATUS = {"UPCOMING": "IN_PROGRESS", "IN_PROGRESS": "CLOSED"}


@dataclass(frozen=True)
class NewSession:
    """What `createSession` takes; ids are database ids, texts as typed."""

    title: str
    starts_on: date
    ends_on: date
    kind: str = "REGULAR"
    term: int | None = None
    number: int | None = None
    required_discussions: int = 1
    required_questions: int = 1
    agenda: Sequence[str] = field(default_factory=tuple)


async def _term_for(session: AsyncSession, number: int | None, day: date) -> Term:
    if number is not None:
        stmt = sa.select(Term).where(col(Term.number) == number)
    else:
        stmt = sa.select(Term).where(col(Term.starts_on) <= day, col(Term.ends_on) >= day)
    term = (await session.execute(stmt.limit(1))).scalar_one_or_none()
    if term is None:
        if number is not None:
            raise Refused(Refusal.NOT_FOUND, f"Không có khóa {number}.", "input", "term")
        raise Refused(
            Refusal.INVALID_INPUT,
            "Ngày khai mạc không thuộc khóa nào; hãy chọn khóa (term).",
            "input",
            "startsOn",
        )
    return term


async def create_session(
    session: AsyncSession, viewer: Viewer, new: NewSession, *, request_id: str | None = None
) -> CouncilSession:
    """A new UPCOMING session with its agenda (STAFF and ADMIN; the caller checks the role)."""
    title = required_text(
        new.title, ("input", "title"), "tên kỳ họp", min_len=5, max_len=300, one_line=True
    )
    if new.kind not in tuple(SessionKind):
        raise Refused(Refusal.INVALID_INPUT, "Loại kỳ họp không hợp lệ.", "input", "kind")
    if new.ends_on < new.starts_on:
        raise Refused(
            Refusal.INVALID_INPUT, "Ngày bế mạc phải từ ngày khai mạc trở đi.", "input", "endsOn"
        )
    for name, value in (
        ("requiredDiscussions", new.required_discussions),
        ("requiredQuestions", new.required_questions),
    ):
        if not 0 <= value <= MAX_QUOTA:
            raise Refused(
                Refusal.INVALID_INPUT, f"Chỉ tiêu phải từ 0 đến {MAX_QUOTA}.", "input", name
            )
    if len(new.agenda) > MAX_AGENDA:
        raise Refused(
            Refusal.INVALID_INPUT, f"Tối đa {MAX_AGENDA} nội dung chương trình.", "input", "agenda"
        )
    agenda = [
        required_text(
            t, ("input", "agenda", str(i)), "nội dung", min_len=3, max_len=300, one_line=True
        )
        for i, t in enumerate(new.agenda)
    ]
    term = await _term_for(session, new.term, new.starts_on)
    assert term.id is not None
    if new.starts_on < term.starts_on or new.ends_on > term.ends_on:
        raise Refused(
            Refusal.INVALID_INPUT,
            f"Kỳ họp phải nằm trong nhiệm kỳ ({term.starts_on:%d/%m/%Y} – {term.ends_on:%d/%m/%Y}).",
            "input",
            "startsOn",
        )
    number = new.number
    if number is None:
        # Serialise numbering within the term: two concurrent creations must not pick the same.
        await session.execute(
            sa.select(col(Term.id)).where(col(Term.id) == term.id).with_for_update()
        )
        highest = (
            await session.execute(
                sa.select(sa.func.max(CouncilSession.number)).where(
                    col(CouncilSession.term_id) == term.id
                )
            )
        ).scalar_one()
        number = int(highest or 0) + 1
    elif number < 1:
        raise Refused(Refusal.INVALID_INPUT, "Số kỳ họp phải lớn hơn 0.", "input", "number")
    row = CouncilSession(
        term_id=term.id,
        number=number,
        title=title,
        kind=new.kind,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        status="UPCOMING",
        required_discussions=new.required_discussions,
        required_questions=new.required_questions,
    )
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Refused(
            Refusal.DUPLICATE, f"Khóa này đã có kỳ họp thứ {number}.", "input", "number"
        ) from exc
    assert row.id is not None
    for position, item in enumerate(agenda, start=1):
        session.add(AgendaItem(session_id=row.id, position=position, title=item))
    await session.flush()
    await audit(
        session,
        viewer,
        "session.create",
        "Session",
        row.id,
        request_id=request_id,
        details={"term_id": term.id, "number": number, "agenda_items": len(agenda)},
    )
    return row


async def _locked_session(session: AsyncSession, session_id: int, *field: str) -> CouncilSession:
    row = (
        await session.execute(
            sa.select(CouncilSession).where(col(CouncilSession.id) == session_id).with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy kỳ họp.", *field)
    return row


async def advance_session(
    session: AsyncSession,
    viewer: Viewer,
    session_id: int,
    to: str,
    *,
    request_id: str | None = None,
) -> CouncilSession:
    """Move a session to `to` (IN_PROGRESS or CLOSED), only from the status before it."""
    row = await _locked_session(session, session_id, "id")
    if NEXT_STATUS.get(row.status) != to:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            f"Không thể chuyển kỳ họp từ trạng thái {row.status} sang {to}.",
            "id",
        )
    before = row.status
    row.status = to
    await session.flush()
    await audit(
        session,
        viewer,
        "session.status",
        "Session",
        session_id,
        request_id=request_id,
        details={"from": before, "to": to},
    )
    return row


async def add_agenda_item(
    session: AsyncSession,
    viewer: Viewer,
    session_id: int,
    title: str,
    *,
    request_id: str | None = None,
) -> AgendaItem:
    """Append an item to a session's agenda (not once the session is closed)."""
    text = required_text(title, ("title",), "nội dung", min_len=3, max_len=300, one_line=True)
    row = await _locked_session(session, session_id, "sessionId")
    if row.status == "CLOSED":
        raise Refused(
            Refusal.INVALID_TRANSITION, "Kỳ họp đã bế mạc; không sửa chương trình.", "sessionId"
        )
    highest = (
        await session.execute(
            sa.select(sa.func.max(AgendaItem.position)).where(
                col(AgendaItem.session_id) == session_id
            )
        )
    ).scalar_one()
    if int(highest or 0) >= MAX_AGENDA:
        raise Refused(
            Refusal.INVALID_INPUT, f"Tối đa {MAX_AGENDA} nội dung chương trình.", "sessionId"
        )
    item = AgendaItem(session_id=session_id, position=int(highest or 0) + 1, title=text)
    session.add(item)
    await session.flush()
    assert item.id is not None
    await audit(
        session,
        viewer,
        "agenda.add",
        "AgendaItem",
        item.id,
        request_id=request_id,
        details={"session_id": session_id},
    )
    return item


async def remove_agenda_item(
    session: AsyncSession, viewer: Viewer, item_id: int, *, request_id: str | None = None
) -> CouncilSession:
    """Remove an agenda item no contribution names, before the session closes."""
    item = await session.get(AgendaItem, item_id)
    if item is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy nội dung chương trình.", "id")
    row = await _locked_session(session, item.session_id, "id")
    if row.status == "CLOSED":
        raise Refused(Refusal.INVALID_TRANSITION, "Kỳ họp đã bế mạc; không sửa chương trình.", "id")
    named = (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(Contribution)
            .where(col(Contribution.agenda_item_id) == item_id)
        )
    ).scalar_one()
    if named:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Đã có ý kiến gắn với nội dung này; không thể xóa.",
            "id",
        )
    await session.delete(item)
    await session.flush()
    await audit(
        session,
        viewer,
        "agenda.remove",
        "AgendaItem",
        item_id,
        request_id=request_id,
        details={"session_id": row.id},
    )
    return row


async def excuse_delegate(
    session: AsyncSession,
    viewer: Viewer,
    session_id: int,
    delegate_id: int,
    reason: str,
    *,
    request_id: str | None = None,
) -> ExcusedAbsence:
    """Excuse a delegate serving during the session (again: the reason is replaced)."""
    text = required_text(reason, ("reason",), "lý do vắng mặt", min_len=3, max_len=500)
    row = await _locked_session(session, session_id, "sessionId")
    delegate = await session.get(Delegate, delegate_id)
    if delegate is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy đại biểu.", "delegateId")
    if not serves_during(delegate, row.starts_on, row.ends_on):
        raise Refused(
            Refusal.INVALID_INPUT,
            "Đại biểu không trong nhiệm kỳ vào những ngày của kỳ họp này.",
            "delegateId",
        )
    absence = await session.get(ExcusedAbsence, (session_id, delegate_id))
    if absence is None:
        absence = ExcusedAbsence(
            session_id=session_id,
            delegate_id=delegate_id,
            reason=text,
            excused_by_account_id=viewer.account_id,
        )
        session.add(absence)
    else:
        absence.reason = text
        absence.excused_by_account_id = viewer.account_id
    await session.flush()
    # The reason may be about health: the audit row keeps ids only.
    await audit(
        session,
        viewer,
        "session.excuse",
        "Session",
        session_id,
        request_id=request_id,
        details={"delegate_id": delegate_id},
    )
    return absence


async def revoke_excuse(
    session: AsyncSession,
    viewer: Viewer,
    session_id: int,
    delegate_id: int,
    *,
    request_id: str | None = None,
) -> CouncilSession:
    """Withdraw an excuse given by mistake: the delegate counts against the quota again."""
    row = await _locked_session(session, session_id, "sessionId")
    absence = await session.get(ExcusedAbsence, (session_id, delegate_id))
    if absence is None:
        raise Refused(
            Refusal.NOT_FOUND, "Đại biểu này không được miễn tại kỳ họp này.", "delegateId"
        )
    await session.delete(absence)
    await session.flush()
    await audit(
        session,
        viewer,
        "session.unexcuse",
        "Session",
        session_id,
        request_id=request_id,
        details={"delegate_id": delegate_id},
    )
    return row
