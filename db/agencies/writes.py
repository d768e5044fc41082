"""Forwarding a petition to an agency (by its id), the agency's answer with its official
letter, and its sending a petition back. Each change writes, in the caller's one transaction,
the petition, its timeline event, its forwarding row, its audit row and its notifications; a
refusal (db.refused.Refused, or the workflow's PetitionRefused) comes before any write."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import petitions as db_petitions
from db.agencies.forwards import settle_pending
from db.agencies.rules import (
    ANSWER_LENGTH,
    LETTER_NUMBER_LENGTH,
    RETURN_REASON_LENGTH,
    SIGNER_LENGTH,
    due_at,
    is_agency_account,
)
from db.audit import audit
from db.clock import local_date
from db.enums.agencies import ForwardOutcome
from db.outbox.writes import announce_petition_step, announce_returned, announce_to_agency
from db.petition_access import can_view
from db.refused import Refusal, Refused, checked_text, required_text, sign_in_first
from db.tables import Agency, Petition, PetitionForward
from db.text import fold
from db.timeline import append_event
from db.viewer import Viewer

NOT_FOUND = "Không tìm thấy kiến nghị này."
NO_AGENCY = "Không có cơ quan với mã này."
ONLY_AGENCY = "Chỉ tài khoản của cơ quan được chuyển kiến nghị mới được thực hiện thao tác này."
NOT_YOURS = "Kiến nghị này không được chuyển đến cơ quan của bạn."


async def agency_by_name(session: AsyncSession, name: str) -> Agency | None:
    """The agency whose name is `name` (case and diacritics aside), if exactly one is."""
    rows = (
        await session.execute(
            sa.select(Agency).where(sa.func.hdnd_fold(col(Agency.name)) == fold(name.strip()))
        )
    ).scalars()
    found = list(rows)
    return found[0] if len(found) == 1 else None


async def forward_petition(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    *,
    agency_id: int | None,
    agency_text: str | None,
    note: str | None,
    now: datetime,
    answer_days: int,
    request_id: str | None = None,
) -> Petition:
    """ACKNOWLEDGED → FORWARDED to an agency of the directory (by id, or by its exact name);
    a name that matches none is kept as free text, as before agencies were data. The agency's
    answer falls due `answer_days` (its own, else the setting) after `now`."""
    agency: Agency | None = None
    if agency_id is not None:
        agency = await session.get(Agency, agency_id)
        if agency is None:
            raise Refused(Refusal.NOT_FOUND, NO_AGENCY, "agencyId")
    elif agency_text is None:
        raise Refused(Refusal.INVALID_INPUT, "Cần chọn cơ quan nhận kiến nghị.", "agencyId")
    elif agency_text.strip():
        agency = await agency_by_name(session, agency_text)
    # A blank name goes on to the workflow, which refuses it for the `agency` field.
    name = agency.name if agency is not None else agency_text
    row = await db_petitions.transition(
        session,
        viewer,
        petition_id,
        db_petitions.Action.FORWARD,
        db_petitions.StepInput(agency=name, note=note),
        now=now,
        request_id=request_id,
    )
    if agency is None:
        return row
    assert agency.id is not None
    updated = (
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petition_id)
            .values(agency_id=agency.id)
            .returning(Petition)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one()
    session.add(
        PetitionForward(
            petition_id=petition_id,
            agency_id=agency.id,
            forwarded_at=now,
            due_at=due_at(now, agency.answer_days or answer_days),
            forwarded_by_account_id=viewer.account_id,
        )
    )
    await session.flush()
    await announce_to_agency(session, updated, agency.id, agency.name, now)
    return updated


async def _held(
    session: AsyncSession, viewer: Viewer, petition_id: int, now: datetime
) -> tuple[Petition, Agency]:
    """The petition locked, checked to be with the viewer's agency and FORWARDED."""
    refused = sign_in_first(viewer)
    if refused is not None:
        raise Refused(refused[0], refused[1])
    row = (
        await session.execute(
            sa.select(Petition)
            .where(col(Petition.id) == petition_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None or not can_view(viewer, row, local_date(now)):
        raise Refused(Refusal.NOT_FOUND, NOT_FOUND, "id")
    if not is_agency_account(viewer):
        raise Refused(Refusal.FORBIDDEN, ONLY_AGENCY)
    if row.agency_id != viewer.agency_id:
        raise Refused(Refusal.FORBIDDEN, NOT_YOURS)
    if row.status != "FORWARDED":
        raise Refused(
            Refusal.INVALID_TRANSITION,
            f"Kiến nghị {db_petitions.STATUS_NAMES[row.status]}, không thể thực hiện thao tác này.",
        )
    agency = await session.get(Agency, viewer.agency_id)
    assert agency is not None
    return row, agency


@dataclass(frozen=True)
class AgencyAnswer:
    """The agency's answer: its text and the official letter (công văn) it was sent with."""

    body: str
    letter_number: str
    letter_date: date
    signer: str | None = None


def _checked_answer(answer: AgencyAnswer, today: date) -> AgencyAnswer:
    body = required_text(
        answer.body,
        ("input", "body"),
        "nội dung trả lời",
        min_len=ANSWER_LENGTH[0],
        max_len=ANSWER_LENGTH[1],
    )
    number = required_text(
        answer.letter_number,
        ("input", "letterNumber"),
        "số văn bản",
        min_len=LETTER_NUMBER_LENGTH[0],
        max_len=LETTER_NUMBER_LENGTH[1],
        one_line=True,
    )
    signer = checked_text(
        answer.signer,
        ("input", "signer"),
        "người ký",
        min_len=SIGNER_LENGTH[0],
        max_len=SIGNER_LENGTH[1],
        required=False,
        one_line=True,
    )
    if answer.letter_date > today:
        raise Refused(
            Refusal.INVALID_INPUT, "Ngày văn bản không được sau hôm nay.", "input", "letterDate"
        )
    return AgencyAnswer(body, number, answer.letter_date, signer)


async def answer_forwarded(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    answer: AgencyAnswer,
    *,
    now: datetime,
    request_id: str | None = None,
) -> Petition:
    """FORWARDED → ANSWERED by an account of the agency it is with, with its letter."""
    checked = _checked_answer(answer, local_date(now))
    row, agency = await _held(session, viewer, petition_id, now)
    if checked.letter_date < local_date(row.submitted_at):
        raise Refused(
            Refusal.INVALID_INPUT,
            "Ngày văn bản không được trước ngày gửi kiến nghị.",
            "input",
            "letterDate",
        )
    respondent = agency.name + (f" ({checked.signer})" if checked.signer else "")
    updated = (
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petition_id, col(Petition.status) == "FORWARDED")
            .values(
                status="ANSWERED",
                answer_body=checked.body,
                answer_respondent=respondent,
                answered_at=now,
                answer_letter_number=checked.letter_number,
                answer_letter_date=checked.letter_date,
                updated_at=now,
            )
            .returning(Petition)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one()
    letter = f"văn bản số {checked.letter_number} ngày {checked.letter_date:%d/%m/%Y}"
    await append_event(
        session, petition_id, "ANSWERED", viewer, f"{agency.name} trả lời tại {letter}", at=now
    )
    await settle_pending(
        session,
        petition_id,
        ForwardOutcome.ANSWERED,
        now,
        viewer.account_id,
        letter_number=checked.letter_number,
        letter_date=checked.letter_date,
    )
    await announce_petition_step(session, updated, now)
    await audit(
        session,
        viewer,
        "petition.answer",
        "petition",
        petition_id,
        request_id=request_id,
        details={"from": "FORWARDED", "to": "ANSWERED", "agency": agency.code},
    )
    return updated


async def return_forwarded(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    reason: str,
    *,
    now: datetime,
    request_id: str | None = None,
) -> Petition:
    """FORWARDED → ACKNOWLEDGED: the agency sends it back to the council with a reason (not
    its competence, say); the delegates may forward it elsewhere or answer it."""
    text = required_text(
        reason,
        ("reason",),
        "lý do trả lại",
        min_len=RETURN_REASON_LENGTH[0],
        max_len=RETURN_REASON_LENGTH[1],
    )
    row, agency = await _held(session, viewer, petition_id, now)
    updated = (
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == row.id, col(Petition.status) == "FORWARDED")
            .values(status="ACKNOWLEDGED", agency_id=None, forwarded_agency=None, updated_at=now)
            .returning(Petition)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one()
    await append_event(
        session, petition_id, "ACKNOWLEDGED", viewer, f"{agency.name} trả lại: {text}", at=now
    )
    await settle_pending(
        session, petition_id, ForwardOutcome.RETURNED, now, viewer.account_id, return_reason=text
    )
    await announce_returned(session, updated, agency.name, text, now)
    await audit(
        session,
        viewer,
        "petition.return",
        "petition",
        petition_id,
        request_id=request_id,
        details={"from": "FORWARDED", "to": "ACKNOWLEDGED", "agency": agency.code},
    )
    return updated
