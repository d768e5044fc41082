"""What a delegate's directory record must be: the checks of `createDelegate` and
`updateDelegate`'s input (names, photo address, group, constituency, committees, service days)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.refused import UNSET, Refusal, Refused, checked_text, required_text
from db.tables import Committee, Constituency, Delegate, DelegateGroup, Term

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


def checked_url(value: str | None) -> str | None:
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


async def current_term(session: AsyncSession) -> Term:
    term = (
        await session.execute(sa.select(Term).order_by(col(Term.number).desc()).limit(1))
    ).scalar_one_or_none()
    if term is None:
        raise Refused(Refusal.INVALID_INPUT, "Chưa nạp khóa HĐND nào (hdnd load-directory).")
    return term


async def checked_values(
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
        values["photo_url"] = checked_url(data.photo_url)
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
            term = await current_term(session)
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
        term = await current_term(session)
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


async def checked_committees(session: AsyncSession, ids: Sequence[int] | None) -> list[int]:
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
