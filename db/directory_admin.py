"""Keeping the directory (STAFF, ADMIN; the caller checks the role): adding and editing
delegates, ending a delegate's service mid-term, setting a group's leader.

Every change writes, in its transaction, one `directory_change` row with the values before and
after (the history) and one audit row (who, which request; ids and field names only).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.accounts import announce_delegate_change
from db.audit import audit
from db.refused import UNSET, Refusal, Refused, checked_text, required_text
from db.serving import serving_on
from db.tables import (
    Committee,
    CommitteeMember,
    Constituency,
    Delegate,
    DelegateGroup,
    DirectoryChange,
    Term,
)
from db.tables.base import utcnow
from db.viewer import Viewer

MAX_COMMITTEES = 5


@dataclass(frozen=True)
class DelegateData:
    """`DelegateInput` with database ids; fields left UNSET are not given (create: required
    ones refused; update: unchanged)."""

    full_name: Any = UNSET
    title: Any = UNSET
    workplace: Any = UNSET
    photo_url: Any = UNSET
    is_full_time: Any = UNSET
    group_id: Any = UNSET
    constituency_id: Any = UNSET
    committee_ids: Any = UNSET
    served_from: Any = UNSET


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


def _url(value: str | None) -> str | None:
    text = checked_text(
        value,
        ("input", "photoUrl"),
        "địa chỉ ảnh",
        min_len=10,
        max_len=500,
        required=False,
        one_line=True,
    )
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc:
        raise Refused(
            Refusal.INVALID_INPUT, "Địa chỉ ảnh phải bắt đầu bằng https://.", "input", "photoUrl"
        )
    return text


async def _current_term(session: AsyncSession) -> Term:
    term = (
        await session.execute(sa.select(Term).order_by(col(Term.number).desc()).limit(1))
    ).scalar_one_or_none()
    if term is None:
        raise Refused(Refusal.INVALID_INPUT, "Chưa nạp khóa HĐND nào (hdnd load-directory).")
    return term


async def _values(
    session: AsyncSession, data: DelegateData, current: Delegate | None
) -> dict[str, Any]:
    """Checked column values of the fields given."""
    values: dict[str, Any] = {}
    if data.full_name is not UNSET:
        values["full_name"] = required_text(
            data.full_name,
            ("input", "fullName"),
            "họ và tên",
            min_len=2,
            max_len=120,
            one_line=True,
        )
    for name, key, label in (
        ("title", "title", "chức vụ"),
        ("workplace", "workplace", "nơi công tác"),
    ):
        given = getattr(data, name)
        if given is not UNSET:
            values[name] = checked_text(
                given, ("input", key), label, min_len=2, max_len=300, required=False, one_line=True
            )
    if data.photo_url is not UNSET:
        values["photo_url"] = _url(data.photo_url)
    if data.is_full_time is not UNSET:
        if data.is_full_time is None:
            raise Refused(
                Refusal.INVALID_INPUT, "Cần cho biết có chuyên trách không.", "input", "isFullTime"
            )
        values["is_full_time"] = bool(data.is_full_time)
    if data.group_id is not UNSET:
        if data.group_id is None or await session.get(DelegateGroup, data.group_id) is None:
            raise Refused(Refusal.INVALID_INPUT, "Không có Tổ đại biểu này.", "input", "groupId")
        values["group_id"] = data.group_id
    if data.constituency_id is not UNSET:
        if data.constituency_id is not None:
            constituency = await session.get(Constituency, data.constituency_id)
            term = await _current_term(session)
            if constituency is None or constituency.term_id != term.id:
                raise Refused(
                    Refusal.INVALID_INPUT,
                    "Không có đơn vị bầu cử này trong khóa hiện tại.",
                    "input",
                    "constituencyId",
                )
        values["constituency_id"] = data.constituency_id
    if data.served_from is not UNSET:
        if data.served_from is None:
            raise Refused(
                Refusal.INVALID_INPUT, "Cần ngày bắt đầu nhiệm vụ.", "input", "servedFrom"
            )
        term = await _current_term(session)
        if not term.starts_on <= data.served_from <= term.ends_on:
            raise Refused(
                Refusal.INVALID_INPUT,
                f"Ngày bắt đầu phải trong nhiệm kỳ ({term.starts_on:%d/%m/%Y} – {term.ends_on:%d/%m/%Y}).",
                "input",
                "servedFrom",
            )
        until = current.served_until if current else None
        if until is not None and data.served_from > until:
            raise Refused(
                Refusal.INVALID_INPUT,
                "Ngày bắt đầu phải trước ngày thôi nhiệm vụ.",
                "input",
                "servedFrom",
            )
        values["served_from"] = data.served_from
    return values


async def _committees(session: AsyncSession, ids: Sequence[int] | None) -> list[int]:
    wanted = list(dict.fromkeys(ids or []))
    if len(wanted) > MAX_COMMITTEES:
        raise Refused(Refusal.INVALID_INPUT, "Quá nhiều ban.", "input", "committeeIds")
    if wanted:
        found = set(
            (
                await session.execute(
                    sa.select(col(Committee.id)).where(col(Committee.id).in_(wanted))
                )
            ).scalars()
        )
        for index, cid in enumerate(ids or []):
            if cid not in found:
                raise Refused(
                    Refusal.INVALID_INPUT, "Không có ban này.", "input", "committeeIds", str(index)
                )
    return sorted(wanted)


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
    values = await _values(session, data, None)
    committees = await _committees(
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
    values = await _values(session, data, delegate)
    changes: dict[str, tuple[object, object]] = {
        k: (getattr(delegate, k), v) for k, v in values.items() if getattr(delegate, k) != v
    }
    if data.committee_ids is not UNSET:
        wanted = await _committees(session, data.committee_ids)
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


async def history_by_entities(
    session: AsyncSession, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], list[DirectoryChange]]:
    """Changes of each (entity type, id), oldest first."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for entity_type, entity_id in keys:
        by_type[entity_type].append(entity_id)
    conditions = [
        sa.and_(
            col(DirectoryChange.entity_type) == entity_type,
            col(DirectoryChange.entity_id).in_(ids),
        )
        for entity_type, ids in by_type.items()
    ]
    rows = await session.execute(
        sa.select(DirectoryChange)
        .where(sa.or_(*conditions))
        .order_by(col(DirectoryChange.at), col(DirectoryChange.id))
    )
    result: dict[tuple[str, int], list[DirectoryChange]] = defaultdict(list)
    for change in rows.scalars():
        result[(change.entity_type, change.entity_id)].append(change)
    return result
