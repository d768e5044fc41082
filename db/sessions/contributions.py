"""Contributions at sessions (ý kiến thảo luận, chất vấn): recording, editing, withdrawing (the
rules they meet are db.sessions.rules'; the reads behind the lists are db.sessions.reads).

Who: a DELEGATE their own contributions while the session is in progress; STAFF and ADMIN for
anyone, also after it closed (minutes arrive later). Never to an UPCOMING session. A QUESTION
names who is questioned. A linked petition must have been addressed to the delegate (to them,
or to their group); each link appends "raised at session N" to the petition's timeline.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.audit import audit
from db.refused import UNSET, Refusal, Refused, checked_text, required_text
from db.serving import serves_during
from db.sessions.rules import check_session_open, checked_addressee, kind_and_venue, may_write
from db.tables import (
    AgendaItem,
    Contribution,
    ContributionPetition,
    CouncilSession,
    Delegate,
    Petition,
)
from db.tables.base import utcnow
from db.timeline import append_event
from db.viewer import Role, Viewer

MAX_PETITIONS = 20
KIND_LABEL = {"DISCUSSION": "ý kiến thảo luận", "QUESTION": "chất vấn"}


@dataclass(frozen=True)
class ContributionInput:
    """`recordContribution`'s input with database ids."""

    session_id: int
    kind: str
    venue: str
    topic: str
    summary: str
    delegate_id: int | None = None
    addressee: str | None = None
    petition_ids: Sequence[int] = ()
    agenda_item_id: int | None = None


@dataclass(frozen=True)
class ContributionChanges:
    """`editContribution`'s input: fields left UNSET stay as they are."""

    kind: Any = UNSET
    venue: Any = UNSET
    topic: Any = UNSET
    summary: Any = UNSET
    addressee: Any = UNSET
    petition_ids: Any = UNSET
    agenda_item_id: Any = UNSET


async def _locked_session(session: AsyncSession, session_id: int) -> CouncilSession:
    # FOR SHARE: the session cannot be closed (or reopened) under a contribution being written.
    row = (
        await session.execute(
            sa.select(CouncilSession)
            .where(col(CouncilSession.id) == session_id)
            .with_for_update(read=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy kỳ họp.", "input", "sessionId")
    return row


async def _agenda_item(session: AsyncSession, item_id: int | None, session_id: int) -> int | None:
    if item_id is None:
        return None
    item = await session.get(AgendaItem, item_id)
    if item is None or item.session_id != session_id:
        raise Refused(
            Refusal.INVALID_INPUT,
            "Nội dung chương trình không thuộc kỳ họp này.",
            "input",
            "agendaItemId",
        )
    return item_id


async def _addressed_petitions(
    session: AsyncSession, delegate: Delegate, petition_ids: Sequence[int]
) -> list[Petition]:
    """The petitions, locked, if every one was addressed to `delegate` or their group. The
    refusal is the same whether a petition is missing or someone else's: it leaks nothing."""
    if len(petition_ids) > MAX_PETITIONS:
        raise Refused(
            Refusal.INVALID_INPUT,
            f"Gắn tối đa {MAX_PETITIONS} kiến nghị cho một ý kiến.",
            "input",
            "petitionIds",
        )
    wanted = list(dict.fromkeys(petition_ids))
    if not wanted:
        return []
    rows = await session.execute(
        sa.select(Petition)
        .where(
            col(Petition.id).in_(wanted),
            sa.or_(
                col(Petition.delegate_id) == delegate.id,
                col(Petition.group_id) == delegate.group_id,
            ),
        )
        .order_by(col(Petition.id))
        .with_for_update(read=True)
    )
    found = {p.id: p for p in rows.scalars()}
    for index, pid in enumerate(petition_ids):
        if pid not in found:
            raise Refused(
                Refusal.INVALID_INPUT,
                "Kiến nghị không tồn tại hoặc không gửi tới đại biểu này (hay Tổ của đại biểu).",
                "input",
                "petitionIds",
                str(index),
            )
    return [found[pid] for pid in wanted]


async def _link(
    session: AsyncSession,
    viewer: Viewer,
    contribution: Contribution,
    row: CouncilSession,
    petitions: Sequence[Petition],
) -> None:
    """Link the petitions and tell each one's timeline it was raised (status unchanged)."""
    assert contribution.id is not None
    note = f"Được nêu tại kỳ họp thứ {row.number} ({KIND_LABEL[contribution.kind]})."
    for petition in petitions:
        assert petition.id is not None
        session.add(ContributionPetition(contribution_id=contribution.id, petition_id=petition.id))
        await session.flush()
        await append_event(session, petition.id, petition.status, viewer, note)


async def record_contribution(
    session: AsyncSession,
    viewer: Viewer,
    data: ContributionInput,
    *,
    request_id: str | None = None,
) -> Contribution:
    """Record a contribution; raises Refused (and writes nothing) when a rule says no."""
    may_write(viewer)
    if viewer.has_role(Role.DELEGATE):
        if data.delegate_id is not None and data.delegate_id != viewer.delegate_id:
            raise Refused(
                Refusal.FORBIDDEN,
                "Đại biểu chỉ ghi nhận ý kiến của chính mình.",
                "input",
                "delegateId",
            )
        delegate_id = viewer.delegate_id
    else:
        delegate_id = data.delegate_id
    if delegate_id is None:
        raise Refused(Refusal.INVALID_INPUT, "Cần chọn đại biểu phát biểu.", "input", "delegateId")
    kind_and_venue(data.kind, data.venue)
    topic = required_text(
        data.topic, ("input", "topic"), "chủ đề", min_len=3, max_len=300, one_line=True
    )
    summary = required_text(
        data.summary, ("input", "summary"), "tóm tắt nội dung", min_len=10, max_len=10_000
    )
    addressee = checked_addressee(data.kind, data.addressee)
    row = await _locked_session(session, data.session_id)
    check_session_open(viewer, row, "input", "sessionId")
    delegate = await session.get(Delegate, delegate_id)
    if delegate is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy đại biểu.", "input", "delegateId")
    if not serves_during(delegate, row.starts_on, row.ends_on):
        raise Refused(
            Refusal.INVALID_INPUT,
            "Đại biểu không trong nhiệm kỳ vào những ngày của kỳ họp này.",
            "input",
            "delegateId",
        )
    agenda_item_id = await _agenda_item(session, data.agenda_item_id, data.session_id)
    petitions = await _addressed_petitions(session, delegate, data.petition_ids)
    contribution = Contribution(
        session_id=data.session_id,
        delegate_id=delegate_id,
        agenda_item_id=agenda_item_id,
        kind=data.kind,
        venue=data.venue,
        topic=topic,
        summary=summary,
        addressee=addressee,
        recorded_by_account_id=viewer.account_id,
    )
    session.add(contribution)
    await session.flush()
    await _link(session, viewer, contribution, row, petitions)
    assert contribution.id is not None
    await audit(
        session,
        viewer,
        "contribution.record",
        "Contribution",
        contribution.id,
        request_id=request_id,
        details={
            "session_id": data.session_id,
            "delegate_id": delegate_id,
            "petition_ids": [p.id for p in petitions],
        },
    )
    return contribution


async def _editable(
    session: AsyncSession, viewer: Viewer, contribution_id: int
) -> tuple[Contribution, CouncilSession]:
    may_write(viewer)
    contribution = (
        await session.execute(
            sa.select(Contribution).where(col(Contribution.id) == contribution_id).with_for_update()
        )
    ).scalar_one_or_none()
    if contribution is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy ý kiến.", "id")
    if viewer.has_role(Role.DELEGATE) and contribution.delegate_id != viewer.delegate_id:
        raise Refused(Refusal.FORBIDDEN, "Đại biểu chỉ sửa ý kiến của chính mình.", "id")
    if contribution.withdrawn_at is not None:
        raise Refused(Refusal.INVALID_TRANSITION, "Ý kiến này đã được rút.", "id")
    row = await _locked_session(session, contribution.session_id)
    check_session_open(viewer, row, "id")
    return contribution, row


async def edit_contribution(
    session: AsyncSession,
    viewer: Viewer,
    contribution_id: int,
    changes: ContributionChanges,
    *,
    request_id: str | None = None,
) -> Contribution:
    """Change what was recorded; petitions newly linked get their timeline event."""
    contribution, row = await _editable(session, viewer, contribution_id)
    kind = contribution.kind if changes.kind is UNSET else changes.kind
    venue = contribution.venue if changes.venue is UNSET else changes.venue
    kind_and_venue(kind, venue)
    changed: list[str] = []
    if changes.topic is not UNSET:
        contribution.topic = required_text(
            changes.topic, ("input", "topic"), "chủ đề", min_len=3, max_len=300, one_line=True
        )
        changed.append("topic")
    if changes.summary is not UNSET:
        contribution.summary = required_text(
            changes.summary, ("input", "summary"), "tóm tắt nội dung", min_len=10, max_len=10_000
        )
        changed.append("summary")
    # Switching to DISCUSSION drops the addressee unless one is given (which is refused).
    if changes.addressee is not UNSET:
        addressee = changes.addressee
    else:
        addressee = contribution.addressee if kind == "QUESTION" else None
    contribution.addressee = checked_addressee(kind, addressee)
    contribution.kind, contribution.venue = kind, venue
    changed += [n for n in ("kind", "venue", "addressee") if getattr(changes, n) is not UNSET]
    if changes.agenda_item_id is not UNSET:
        contribution.agenda_item_id = await _agenda_item(
            session, changes.agenda_item_id, contribution.session_id
        )
        changed.append("agendaItemId")
    added: list[int] = []
    if changes.petition_ids is not UNSET:
        delegate = await session.get(Delegate, contribution.delegate_id)
        assert delegate is not None
        petitions = await _addressed_petitions(session, delegate, changes.petition_ids)
        current = set(
            (
                await session.execute(
                    sa.select(col(ContributionPetition.petition_id)).where(
                        col(ContributionPetition.contribution_id) == contribution_id
                    )
                )
            ).scalars()
        )
        wanted = {p.id for p in petitions}
        await session.execute(
            sa.delete(ContributionPetition).where(
                col(ContributionPetition.contribution_id) == contribution_id,
                col(ContributionPetition.petition_id).in_(list(current - wanted)),
            )
        )
        new = [p for p in petitions if p.id not in current]
        await _link(session, viewer, contribution, row, new)
        added = [p.id for p in new if p.id is not None]
        changed.append("petitionIds")
    contribution.updated_at = utcnow()
    await session.flush()
    await audit(
        session,
        viewer,
        "contribution.edit",
        "Contribution",
        contribution_id,
        request_id=request_id,
        details={"fields": changed, "petitions_added": added},
    )
    return contribution


async def withdraw_contribution(
    session: AsyncSession,
    viewer: Viewer,
    contribution_id: int,
    reason: str | None,
    *,
    request_id: str | None = None,
) -> Contribution:
    """Withdraw a contribution recorded by mistake: kept, but no longer listed or counted."""
    text = checked_text(
        reason, ("reason",), "lý do rút ý kiến", min_len=3, max_len=500, required=False
    )
    contribution, _ = await _editable(session, viewer, contribution_id)
    contribution.withdrawn_at = utcnow()
    contribution.withdrawn_reason = text
    await session.flush()
    await audit(
        session,
        viewer,
        "contribution.withdraw",
        "Contribution",
        contribution_id,
        request_id=request_id,
        details={"session_id": contribution.session_id, "delegate_id": contribution.delegate_id},
    )
    return contribution
