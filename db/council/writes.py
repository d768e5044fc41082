"""Keeping the directory (STAFF, ADMIN: declared on the mutations): adding and editing
delegates, ending a delegate's service mid-term, setting a group's leader.

Every change writes, in its transaction, one `directory_change` row with the values before and
after (the history) and one audit row (who, which request; ids and field names only).
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.accounts import announce_delegate_change
from db.audit import audit
from db.council.rules import (
    DelegateData,
    checked_committees,
    checked_values,
)
from db.refused import UNSET, Refusal, Refused, required_text
from db.serving import serving_on
from db.tables import (
    CommitteeMember,
    Delegate,
    DelegateGroup,
    DirectoryChange,
)
from db.tables.base import utcnow
from db.viewer import Viewer


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


async def _record(
    session: AsyncSession,
    viewer: Viewer,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, tuple[object, object]],
    request_id: str | None,
) -> None:
    session.add(
        DirectoryChange(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            actor_account_id=viewer.account_id,
            actor_role=viewer.role.value if viewer.role else None,
            changes={k: [_json(a), _json(b)] for k, (a, b) in changes.items()},
        )
    )
    await session.flush()
    await audit(
        session,
        viewer,
        f"directory.{action}",
        entity_type,
        entity_id,
        request_id=request_id,
        details={"fields": sorted(changes)},
    )


async def _committee_ids(session: AsyncSession, delegate_id: int) -> list[int]:
    return sorted(
        (
            await session.execute(
                sa.select(col(CommitteeMember.committee_id)).where(
                    col(CommitteeMember.delegate_id) == delegate_id
                )
            )
        ).scalars()
    )


async def _set_committees(session: AsyncSession, delegate_id: int, ids: list[int]) -> None:
    await session.execute(
        sa.delete(CommitteeMember).where(col(CommitteeMember.delegate_id) == delegate_id)
    )
    for cid in ids:
        session.add(CommitteeMember(committee_id=cid, delegate_id=delegate_id))
    await session.flush()


async def _drop_leadership(
    session: AsyncSession, viewer: Viewer, delegate_id: int, request_id: str | None
) -> None:
    """A delegate who leaves a group (or the council) stops leading it."""
    led = (
        await session.execute(
            sa.select(DelegateGroup).where(col(DelegateGroup.leader_id) == delegate_id)
        )
    ).scalars()
    for group in list(led):
        assert group.id is not None
        group.leader_id = None
        await session.flush()
        await _record(
            session,
            viewer,
            "DelegateGroup",
            group.id,
            "leader",
            {"leaderId": (delegate_id, None)},
            request_id,
        )


async def create_delegate(
    session: AsyncSession, viewer: Viewer, data: DelegateData, *, request_id: str | None = None
) -> Delegate:
    """Add a delegate (a by-election, a correction of the loaded directory)."""
    for name, key, label in (
        ("full_name", "fullName", "họ và tên"),
        ("group_id", "groupId", "Tổ đại biểu"),
        ("served_from", "servedFrom", "ngày bắt đầu nhiệm vụ"),
    ):
        if getattr(data, name) is UNSET or getattr(data, name) is None:
            raise Refused(Refusal.INVALID_INPUT, f"Cần nhập {label}.", "input", key)
    values = await checked_values(session, data, None)
    committees = await checked_committees(
        session, None if data.committee_ids is UNSET else data.committee_ids
    )
    delegate = Delegate(**values)
    session.add(delegate)
    await session.flush()
    assert delegate.id is not None
    await _set_committees(session, delegate.id, committees)
    changes: dict[str, tuple[object, object]] = {k: (None, v) for k, v in values.items()}
    if committees:
        changes["committee_ids"] = (None, committees)
    await _record(session, viewer, "Delegate", delegate.id, "create", changes, request_id)
    await session.refresh(delegate)  # the generated folded name
    return delegate


async def _locked_delegate(session: AsyncSession, delegate_id: int) -> Delegate:
    delegate = (
        await session.execute(
            sa.select(Delegate).where(col(Delegate.id) == delegate_id).with_for_update()
        )
    ).scalar_one_or_none()
    if delegate is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy đại biểu.", "id")
    return delegate


async def update_delegate(
    session: AsyncSession,
    viewer: Viewer,
    delegate_id: int,
    data: DelegateData,
    *,
    request_id: str | None = None,
) -> Delegate:
    """Change the given fields; history holds each changed field's before and after."""
    delegate = await _locked_delegate(session, delegate_id)
    values = await checked_values(session, data, delegate)
    changes: dict[str, tuple[object, object]] = {
        k: (getattr(delegate, k), v) for k, v in values.items() if getattr(delegate, k) != v
    }
    if data.committee_ids is not UNSET:
        wanted = await checked_committees(session, data.committee_ids)
        before = await _committee_ids(session, delegate_id)
        if wanted != before:
            await _set_committees(session, delegate_id, wanted)
            changes["committee_ids"] = (before, wanted)
    if "group_id" in changes:
        await _drop_leadership(session, viewer, delegate_id, request_id)
    for key, (_, after) in changes.items():
        if key != "committee_ids":
            setattr(delegate, key, after)
    if changes:
        delegate.updated_at = utcnow()
        await session.flush()
        await _record(session, viewer, "Delegate", delegate_id, "update", changes, request_id)
        await session.refresh(delegate)
    if changes.keys() & {"group_id", "served_from"}:
        # What the delegate's account may see follows its group and its service.
        await announce_delegate_change(session, delegate_id)
    return delegate


async def end_service(
    session: AsyncSession,
    viewer: Viewer,
    delegate_id: int,
    on: date,
    reason: str,
    *,
    request_id: str | None = None,
) -> Delegate:
    """The delegate's last day of service (left mid-term); they stop leading their group."""
    text = required_text(reason, ("reason",), "lý do thôi nhiệm vụ", min_len=3, max_len=500)
    delegate = await _locked_delegate(session, delegate_id)
    if delegate.served_until is not None:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            f"Đại biểu đã thôi nhiệm vụ từ {delegate.served_until:%d/%m/%Y}.",
            "id",
        )
    if on < delegate.served_from:
        raise Refused(Refusal.INVALID_INPUT, "Ngày thôi nhiệm vụ phải sau ngày bắt đầu.", "on")
    delegate.served_until = on
    delegate.end_reason = text
    delegate.updated_at = utcnow()
    await session.flush()
    await _drop_leadership(session, viewer, delegate_id, request_id)
    await announce_delegate_change(session, delegate_id)
    await _record(
        session,
        viewer,
        "Delegate",
        delegate_id,
        "end",
        {"served_until": (None, on), "end_reason": (None, text)},
        request_id,
    )
    return delegate


async def set_group_leader(
    session: AsyncSession,
    viewer: Viewer,
    group_id: int,
    delegate_id: int,
    today: date,
    *,
    request_id: str | None = None,
) -> DelegateGroup:
    """Make a serving member of the group its leader (Tổ trưởng)."""
    group = (
        await session.execute(
            sa.select(DelegateGroup).where(col(DelegateGroup.id) == group_id).with_for_update()
        )
    ).scalar_one_or_none()
    if group is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy Tổ đại biểu.", "groupId")
    member = (
        await session.execute(
            sa.select(col(Delegate.id)).where(
                col(Delegate.id) == delegate_id,
                col(Delegate.group_id) == group_id,
                serving_on(today),
            )
        )
    ).scalar_one_or_none()
    if member is None:
        raise Refused(
            Refusal.INVALID_INPUT,
            "Tổ trưởng phải là đại biểu đang trong nhiệm kỳ của chính Tổ này.",
            "delegateId",
        )
    if group.leader_id != delegate_id:
        before = group.leader_id
        group.leader_id = delegate_id
        await session.flush()
        await _record(
            session,
            viewer,
            "DelegateGroup",
            group_id,
            "leader",
            {"leaderId": (before, delegate_id)},
            request_id,
        )
    return group
