"""Delegate group channels (nhóm trao đổi của Tổ đại biểu): invited guests and posts."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.tables.base import NOW, timestamptz, utcnow


class GroupGuest(SQLModel, table=True):
    """An account given access to one group's channel (a district or commune council leader).

    Removal keeps the row (`removed_at`) so past posts keep their author; only rows without
    `removed_at` give access, and an account is an active guest of a group at most once.
    """

    __tablename__ = "group_guest"
    __table_args__ = (
        sa.Index(
            "uq_group_guest_active",
            "group_id",
            "account_id",
            unique=True,
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
        sa.Index("ix_group_guest_account", "account_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="delegate_group.id")
    account_id: int = Field(foreign_key="account.id")
    full_name: str
    title: str
    unit_code: str | None = Field(default=None, foreign_key="administrative_unit.code")
    invited_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    invited_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    removed_at: datetime | None = Field(default=None, sa_type=timestamptz())
    removed_by_account_id: int | None = Field(default=None, foreign_key="account.id")


class GroupPost(SQLModel, table=True):
    """A message in a group's channel; the author's name is kept as it was when posted."""

    __tablename__ = "group_post"
    __table_args__ = (
        sa.CheckConstraint("length(body) > 0", name="ck_group_post_body"),
        # Newest-first keyset pages per group.
        sa.Index("ix_group_post_group_created", "group_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="delegate_group.id")
    author_account_id: int | None = Field(default=None, foreign_key="account.id")
    author_name: str
    body: str
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
