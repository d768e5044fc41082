"""An account changing its notification preferences (setNotificationPreferences)."""

from dataclasses import dataclass, replace
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.outbox.writes import Preferences, preferences_of, set_preferences
from db.phones import normalize_vn_phone
from db.refused import Refusal, Refused, sign_in_first
from db.tables import NotificationPreference
from db.viewer import Viewer


@dataclass(frozen=True)
class PreferenceChanges:
    """What the caller changes; None leaves a choice as it is."""

    push: bool | None = None
    zalo: bool | None = None
    zalo_phone: str | None = None
    quiet_hours: bool | None = None
    quiet_from: time | None = None
    quiet_until: time | None = None


async def preferences_for(session: AsyncSession, account_id: int) -> Preferences:
    row = await session.get(NotificationPreference, account_id)
    return preferences_of(row)


async def change_preferences(
    session: AsyncSession, viewer: Viewer, changes: PreferenceChanges, now: datetime
) -> Preferences:
    """Apply `changes` to the viewer's preferences; Refused when Zalo is asked for without a
    usable phone number, or the quiet hours start and end at the same time."""
    refused = sign_in_first(viewer)
    if refused is not None:
        raise Refused(refused[0], refused[1])
    assert viewer.account_id is not None
    # Serialise one account's changes: the read and the write below are one decision.
    await session.execute(
        sa.select(col(NotificationPreference.account_id))
        .where(col(NotificationPreference.account_id) == viewer.account_id)
        .with_for_update()
    )
    current = await preferences_for(session, viewer.account_id)
    phone = current.zalo_phone
    if changes.zalo_phone is not None:
        if changes.zalo_phone.strip():
            e164 = normalize_vn_phone(changes.zalo_phone)
            if e164 is None:
                raise Refused(
                    Refusal.INVALID_INPUT,
                    "Số điện thoại Zalo phải là số điện thoại Việt Nam hợp lệ (ví dụ 0901234567).",
                    "input",
                    "zaloPhone",
                )
            phone = e164.lstrip("+")  # Zalo's API takes 84xxxxxxxxx
        else:
            phone = None
    chosen = replace(
        current,
        push=current.push if changes.push is None else changes.push,
        zalo=current.zalo if changes.zalo is None else changes.zalo,
        zalo_phone=phone,
        quiet_hours=current.quiet_hours if changes.quiet_hours is None else changes.quiet_hours,
        quiet_from=changes.quiet_from or current.quiet_from,
        quiet_until=changes.quiet_until or current.quiet_until,
    )
    if chosen.zalo and chosen.zalo_phone is None:
        raise Refused(
            Refusal.INVALID_INPUT,
            "Cần số điện thoại đăng ký Zalo để nhận thông báo qua Zalo.",
            "input",
            "zaloPhone",
        )
    if chosen.quiet_hours and chosen.quiet_from == chosen.quiet_until:
        raise Refused(
            Refusal.INVALID_INPUT,
            "Giờ bắt đầu và kết thúc khoảng yên lặng phải khác nhau.",
            "input",
            "quietUntil",
        )
    return await set_preferences(session, viewer.account_id, chosen, now)
