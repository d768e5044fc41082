"""Writing notifications: one outbox row per recipient and channel they chose, in the caller's
transaction, so a notification exists exactly when its change committed. And the preferences
that decide the channels."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.clock import local_date
from db.enums.outbox import Channel, NotificationKind
from db.outbox import messages
from db.redact import redact
from db.serving import serving_on
from db.tables import (
    Account,
    Delegate,
    DelegateGroup,
    GroupGuest,
    GroupPost,
    NotificationPreference,
    OutboxMessage,
    Petition,
)
from db.tables.base import table_of


@dataclass(frozen=True)
class Preferences:
    """An account's notification choices; the defaults hold until it sets its own."""

    push: bool = True
    zalo: bool = False
    zalo_phone: str | None = None
    quiet_hours: bool = True
    quiet_from: time = time(22, 0)
    quiet_until: time = time(6, 0)

    @property
    def channels(self) -> list[Channel]:
        chosen = [Channel.PUSH] if self.push else []
        if self.zalo and self.zalo_phone:
            chosen.append(Channel.ZALO)
        return chosen


DEFAULT_PREFERENCES = Preferences()


def preferences_of(row: NotificationPreference | None) -> Preferences:
    if row is None:
        return DEFAULT_PREFERENCES
    return Preferences(
        push=row.push,
        zalo=row.zalo,
        zalo_phone=row.zalo_phone,
        quiet_hours=row.quiet_hours,
        quiet_from=row.quiet_from,
        quiet_until=row.quiet_until,
    )


async def preferences_by_account(
    session: AsyncSession, account_ids: Iterable[int]
) -> dict[int, Preferences]:
    """Each account's preferences (the defaults for those that set none)."""
    ids = sorted(set(account_ids))
    rows = await session.execute(
        sa.select(NotificationPreference).where(col(NotificationPreference.account_id).in_(ids))
    )
    found = {r.account_id: preferences_of(r) for r in rows.scalars()}
    return {i: found.get(i, DEFAULT_PREFERENCES) for i in ids}


async def enqueue(
    session: AsyncSession,
    kind: NotificationKind,
    account_ids: Iterable[int | None],
    payload: dict[str, Any],
    now: datetime,
) -> int:
    """One outbox row per recipient and chosen channel, due at `now`; how many were written.
    One multi-row INSERT whatever the number of recipients."""
    wanted = [a for a in dict.fromkeys(account_ids) if a is not None]
    if not wanted:
        return 0
    preferences = await preferences_by_account(session, wanted)
    rows = [
        {
            "delivery_id": str(uuid.uuid4()),
            "kind": kind.value,
            "channel": channel.value,
            "account_id": account_id,
            "payload": {"kind": kind.value, **payload},
            "state": "PENDING",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for account_id in wanted
        for channel in preferences[account_id].channels
    ]
    if rows:
        await session.execute(sa.insert(table_of(OutboxMessage)).values(rows))
    return len(rows)


# ---- recipients ----------------------------------------------------------------------------


async def delegate_accounts(session: AsyncSession, row: Petition, today: date) -> list[int]:
    """The accounts a petition is addressed to: its delegate's, else every serving member's of
    its group."""
    stmt = (
        sa.select(col(Account.id))
        .join(Delegate, col(Delegate.id) == col(Account.delegate_id))
        .where(serving_on(today))
        .order_by(col(Account.id))
    )
    if row.delegate_id is not None:
        stmt = stmt.where(col(Delegate.id) == row.delegate_id)
    else:
        stmt = stmt.where(col(Delegate.group_id) == row.group_id)
    return [a for a in (await session.execute(stmt)).scalars() if a is not None]


async def agency_accounts(session: AsyncSession, agency_id: int) -> list[int]:
    rows = await session.execute(
        sa.select(col(Account.id))
        .where(col(Account.agency_id) == agency_id, col(Account.role) == "AGENCY")
        .order_by(col(Account.id))
    )
    return [a for a in rows.scalars() if a is not None]


# ---- the events ----------------------------------------------------------------------------


async def announce_petition_step(session: AsyncSession, row: Petition, now: datetime) -> None:
    """The submitter hears of each step of their petition (db.petitions.transition)."""
    kind = messages.STEP_KINDS.get(row.status)
    if kind is None or row.submitter_account_id is None:
        return
    await enqueue(session, kind, [row.submitter_account_id], messages.petition_step(row), now)


async def announce_new_petition(session: AsyncSession, row: Petition, now: datetime) -> None:
    """A new petition in the addressed delegates' inbox (db.petitions.submit_petition)."""
    accounts = await delegate_accounts(session, row, local_date(now))
    await enqueue(
        session, NotificationKind.PETITION_RECEIVED, accounts, messages.petition_received(row), now
    )


async def announce_to_agency(
    session: AsyncSession, row: Petition, agency_id: int, agency_name: str, now: datetime
) -> None:
    """A petition forwarded to an agency: its accounts hear of it."""
    accounts = await agency_accounts(session, agency_id)
    await enqueue(
        session,
        NotificationKind.PETITION_RECEIVED,
        accounts,
        messages.petition_received(row, agency_name),
        now,
    )


async def announce_returned(
    session: AsyncSession, row: Petition, agency_name: str, reason: str, now: datetime
) -> None:
    """An agency sent a petition back: the addressed delegates hear why."""
    accounts = await delegate_accounts(session, row, local_date(now))
    await enqueue(
        session,
        NotificationKind.PETITION_RETURNED,
        accounts,
        messages.petition_returned(row, agency_name, reason),
        now,
    )


async def announce_group_post(session: AsyncSession, post: GroupPost, now: datetime) -> None:
    """A post in a group's channel: its serving members and active guests hear of it, its
    author aside."""
    group_name = (
        await session.execute(
            sa.select(col(DelegateGroup.name)).where(col(DelegateGroup.id) == post.group_id)
        )
    ).scalar_one()
    members = (
        sa.select(col(Account.id))
        .join(Delegate, col(Delegate.id) == col(Account.delegate_id))
        .where(col(Delegate.group_id) == post.group_id, serving_on(local_date(now)))
    )
    guests = sa.select(col(GroupGuest.account_id)).where(
        col(GroupGuest.group_id) == post.group_id, col(GroupGuest.removed_at).is_(None)
    )
    found = (await session.execute(sa.union(members, guests))).scalars()
    accounts = sorted(a for a in found if a is not None and a != post.author_account_id)
    await enqueue(
        session, NotificationKind.GROUP_POST, accounts, messages.group_post(post, group_name), now
    )


# Citizens "near" a meeting: those who petitioned from one of its communes in the last year
# (an account holds no address; its petitions say where it cares about).
NEIGHBOURS_WINDOW = timedelta(days=365)


async def announce_voter_meeting(
    session: AsyncSession,
    group_id: int,
    commune_codes: list[str],
    starts_at: datetime,
    place: str,
    meeting_id: int,
    now: datetime,
) -> None:
    """A voter meeting scheduled: citizens of its communes hear where and when."""
    group_name = (
        await session.execute(
            sa.select(col(DelegateGroup.name)).where(col(DelegateGroup.id) == group_id)
        )
    ).scalar_one()
    found = await session.execute(
        sa.select(col(Petition.submitter_account_id))
        .where(
            col(Petition.commune_code).in_(commune_codes),
            col(Petition.submitted_at) >= now - NEIGHBOURS_WINDOW,
            col(Petition.submitter_account_id).is_not(None),
        )
        .distinct()
    )
    accounts = sorted(a for a in found.scalars() if a is not None)
    payload = messages.voter_meeting(group_name, starts_at, place)
    payload["data"] = {"meeting": meeting_id}
    await enqueue(session, NotificationKind.VOTER_MEETING, accounts, payload, now)


# ---- preferences ---------------------------------------------------------------------------


async def set_preferences(
    session: AsyncSession, account_id: int, chosen: Preferences, now: datetime
) -> Preferences:
    """Store an account's choices (checked by the caller)."""
    values = {
        "push": chosen.push,
        "zalo": chosen.zalo,
        "zalo_phone": chosen.zalo_phone,
        "quiet_hours": chosen.quiet_hours,
        "quiet_from": chosen.quiet_from,
        "quiet_until": chosen.quiet_until,
        "updated_at": now,
    }
    stmt = insert(NotificationPreference).values(account_id=account_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["account_id"], set_=values))
    return chosen


# ---- erasure -------------------------------------------------------------------------------


def _redacted(value: Any, names: set[str], phones: set[str]) -> Any:
    if isinstance(value, str):
        return redact(value, names, phones)
    if isinstance(value, dict):
        return {k: _redacted(v, names, phones) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, names, phones) for v in value]
    return value


async def redact_notifications(
    session: AsyncSession,
    account_id: int,
    petition_ids: list[int],
    names: set[str],
    phones: set[str],
) -> list[str]:
    """eraseMyData: the person's name and phone out of every notification that repeats their
    petitions' text (to them, their delegates, agencies) or was theirs, and their Zalo phone
    forgotten; the tables changed."""
    stmt = sa.select(OutboxMessage).where(
        sa.or_(
            col(OutboxMessage.account_id) == account_id,
            col(OutboxMessage.payload)["data"]["petition"].as_integer().in_(petition_ids),
        )
    )
    touched: list[str] = []
    for row in list((await session.execute(stmt)).scalars()):
        cleaned = _redacted(row.payload, names, phones)
        if cleaned != row.payload:
            if not touched:
                touched.append(table_of(OutboxMessage).name)
            await session.execute(
                sa.update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .values(payload=cleaned)
                .execution_options(synchronize_session=False)
            )
    # The Zalo phone is theirs too.
    forgotten = await session.execute(
        sa.update(NotificationPreference)
        .where(
            col(NotificationPreference.account_id) == account_id,
            col(NotificationPreference.zalo_phone).is_not(None),
        )
        .values(zalo=False, zalo_phone=None)
    )
    if forgotten.rowcount:  # type: ignore[attr-defined]
        touched.append(table_of(NotificationPreference).name)
    return touched
