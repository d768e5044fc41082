"""The append-only audit log: directory changes, petition changes, reads of personal data."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.tables.base import NOW, timestamptz, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did or read what, when, under which request. Never updated, never deleted
    (a trigger refuses both); it holds ids, never names or phone numbers."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_entity", "entity_type", "entity_id", "at"),
        sa.Index("ix_audit_actor", "actor_account_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    actor_role: str | None = None
    action: str
    entity_type: str
    entity_id: int | None = None
    request_id: str | None = None
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
