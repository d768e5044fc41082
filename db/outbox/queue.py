"""The worker's side of the outbox: take due notifications (leased, so a worker that dies
loses nothing), and settle each one: delivered, retried later, dead letter, or skipped.

Order: per recipient and channel, a notification is taken only when no older one of theirs is
still pending, so a citizen hears the steps of a petition in the order they happened even when
an attempt fails and waits for its retry.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.enums.outbox import OutboxState
from db.outbox.rules import QuietHours, Retry, backoff, gives_up
from db.outbox.writes import preferences_by_account
from db.tables import OutboxMessage

ERROR_LENGTH = 500

_CLAIM = sa.text(
    """
    WITH due AS (
        SELECT o.id FROM outbox o
        WHERE o.state = 'PENDING' AND o.next_attempt_at <= :now
          AND NOT EXISTS (
              SELECT 1 FROM outbox p
              WHERE p.state = 'PENDING' AND p.account_id = o.account_id
                AND p.channel = o.channel AND p.id < o.id)
        ORDER BY o.next_attempt_at, o.id
        LIMIT :batch
        FOR UPDATE SKIP LOCKED)
    UPDATE outbox SET next_attempt_at = :lease_until, attempts = outbox.attempts + 1
    FROM due WHERE outbox.id = due.id
    RETURNING outbox.id, outbox.delivery_id, outbox.kind, outbox.channel, outbox.account_id,
              outbox.payload, outbox.attempts, outbox.created_at,
              (SELECT a.sub FROM account a WHERE a.id = outbox.account_id) AS sub
    """
)


@dataclass(frozen=True)
class Taken:
    """A notification a worker holds until `lease_until`; `attempts` counts this one."""

    id: int
    delivery_id: str
    kind: str
    channel: str
    account_id: int
    sub: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    zalo_phone: str | None
    quiet: QuietHours | None


async def claim(session: AsyncSession, now: datetime, batch: int, lease: timedelta) -> list[Taken]:
    """Take up to `batch` due notifications, oldest first, each the oldest pending one of its
    recipient and channel; with each, what the worker needs of the recipient's preferences."""
    rows = (
        await session.execute(_CLAIM, {"now": now, "batch": batch, "lease_until": now + lease})
    ).all()
    preferences = await preferences_by_account(session, [r.account_id for r in rows])
    taken = []
    for r in sorted(rows, key=lambda r: r.id):
        chosen = preferences[r.account_id]
        quiet = QuietHours(chosen.quiet_from, chosen.quiet_until) if chosen.quiet_hours else None
        taken.append(
            Taken(
                id=r.id,
                delivery_id=str(r.delivery_id),
                kind=r.kind,
                channel=r.channel,
                account_id=r.account_id,
                sub=r.sub,
                payload=dict(r.payload),
                attempts=r.attempts,
                created_at=r.created_at,
                zalo_phone=chosen.zalo_phone,
                quiet=quiet,
            )
        )
    return taken


def _update(row_id: int, attempts: int) -> Any:
    # Only the holder of this attempt settles it: a worker whose lease ran out and was
    # overtaken finds `attempts` moved on and changes nothing.
    return sa.update(OutboxMessage).where(
        col(OutboxMessage.id) == row_id,
        col(OutboxMessage.attempts) == attempts,
        col(OutboxMessage.state) == OutboxState.PENDING.value,
    )


async def delivered(session: AsyncSession, taken: Taken, now: datetime) -> None:
    await session.execute(
        _update(taken.id, taken.attempts).values(
            state=OutboxState.DELIVERED.value, delivered_at=now, last_error=None
        )
    )


async def failed(
    session: AsyncSession,
    taken: Taken,
    now: datetime,
    error: str,
    policy: Retry,
    *,
    final: bool = False,
) -> OutboxState:
    """A failed attempt: retried after the backoff, or a dead letter after the last one (or
    at once when `final`: the receiver refused it for good)."""
    dead = final or gives_up(taken.attempts, policy)
    state = OutboxState.DEAD if dead else OutboxState.PENDING
    await session.execute(
        _update(taken.id, taken.attempts).values(
            state=state.value,
            next_attempt_at=now + backoff(taken.attempts, policy),
            last_error=error[:ERROR_LENGTH],
        )
    )
    return state


async def skipped(session: AsyncSession, taken: Taken, reason: str) -> None:
    """Its channel is not configured: settled without an attempt."""
    await session.execute(
        _update(taken.id, taken.attempts).values(
            state=OutboxState.SKIPPED.value, last_error=reason[:ERROR_LENGTH]
        )
    )


async def postponed(session: AsyncSession, taken: Taken, until: datetime) -> None:
    """The recipient's quiet hours: given back untried (the attempt not counted) until then."""
    await session.execute(
        _update(taken.id, taken.attempts).values(next_attempt_at=until, attempts=taken.attempts - 1)
    )


async def pending_count(session: AsyncSession) -> int:
    """Notifications not yet settled (the partial index answers it)."""
    stmt = sa.select(sa.func.count()).where(col(OutboxMessage.state) == "PENDING")
    return int((await session.execute(stmt)).scalar_one())


async def counts(session: AsyncSession) -> dict[str, int]:
    """How many notifications are in each state."""
    rows = await session.execute(
        sa.select(col(OutboxMessage.state), sa.func.count()).group_by(col(OutboxMessage.state))
    )
    found = {str(state): int(n) for state, n in rows}
    return {s.value: found.get(s.value, 0) for s in OutboxState}


async def requeue_dead(session: AsyncSession, now: datetime) -> int:
    """Give every dead letter a fresh set of attempts, due at `now` (after the receiver was
    fixed: `hdnd outbox retry`); how many. Each keeps its delivery id, so a receiver that did
    get one counts it once."""
    result = await session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.state) == OutboxState.DEAD.value)
        .values(state=OutboxState.PENDING.value, attempts=0, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
