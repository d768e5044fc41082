"""The outbox: every notification a citizen, delegate or agency should get, written in the
transaction of the change it tells of, then delivered by the worker (db.outbox, api.worker);
and each account's preferences of channel and quiet hours."""

from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

from db.enums.outbox import Channel, NotificationKind, OutboxState
from db.tables.base import NOW, one_of, timestamptz, utcnow


class OutboxMessage(SQLModel, table=True):
    """One notification to one account by one channel. `delivery_id` is the idempotency id the
    receiver sees on every attempt; `next_attempt_at` is when the worker may take it (again):
    after a backoff, or after the lease of a worker that took it and did not finish."""

    __tablename__ = "outbox"
    __table_args__ = (
        one_of("kind", NotificationKind, name="ck_outbox_kind"),
        one_of("channel", Channel, name="ck_outbox_channel"),
        one_of("state", OutboxState, name="ck_outbox_state"),
        sa.CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
        # The worker's queue: due rows, oldest first.
        sa.Index(
            "ix_outbox_due",
            "next_attempt_at",
            "id",
            postgresql_where=sa.text("state = 'PENDING'"),
        ),
        # In order per recipient and channel: a row waits while an older one is pending.
        sa.Index(
            "ix_outbox_recipient_pending",
            "account_id",
            "channel",
            "id",
            postgresql_where=sa.text("state = 'PENDING'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(sa_column=sa.Column(UUID(as_uuid=False), nullable=False, unique=True))
    kind: str
    channel: str
    account_id: int = Field(foreign_key="account.id")
    payload: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    state: str = "PENDING"
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=timestamptz())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    delivered_at: datetime | None = Field(default=None, sa_type=timestamptz())
    last_error: str | None = Field(default=None, max_length=500)


class NotificationPreference(SQLModel, table=True):
    """An account's choices (setNotificationPreferences); no row: push on, Zalo off, quiet from
    22:00 to 06:00 local time."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        sa.CheckConstraint(
            "NOT zalo OR zalo_phone IS NOT NULL", name="ck_notification_preference_zalo_phone"
        ),
    )

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    push: bool = True
    zalo: bool = False
    # E.164 without "+", as Zalo's API takes it: personal data, read only by the worker.
    zalo_phone: str | None = Field(default=None, max_length=20)
    quiet_hours: bool = True
    quiet_from: time = time(22, 0)
    quiet_until: time = time(6, 0)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
