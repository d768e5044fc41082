"""What happens at council sessions: agenda items, contributions (ý kiến thảo luận, chất vấn),
the petitions a contribution raised, excused absences; and the directory's change history."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from db.enums.council import DirectoryEntity
from db.enums.sessions import ContributionKind, Venue
from db.tables.base import NOW, one_of, timestamptz, utcnow


class AgendaItem(SQLModel, table=True):
    """An item of a session's agenda (nội dung kỳ họp), which contributions may name."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "position", name="uq_agenda_position"),
        sa.CheckConstraint("position > 0", name="ck_agenda_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="council_session.id")
    position: int
    title: str
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )


class Contribution(SQLModel, table=True):
    """A delegate's discussion contribution or question at a session. Withdrawn ones stay
    (with `withdrawn_at`) so the record of what was said and undone is kept."""

    __tablename__ = "contribution"
    __table_args__ = (
        one_of("kind", ContributionKind, name="ck_contribution_kind"),
        one_of("venue", Venue, name="ck_contribution_venue"),
        # The council's rule, held by the database too: a question names who is questioned.
        sa.CheckConstraint(
            "kind <> 'QUESTION' OR addressee IS NOT NULL", name="ck_contribution_addressee"
        ),
        # Compliance counts per (session, delegate); lists page by time within an owner.
        sa.Index("ix_contribution_session_delegate", "session_id", "delegate_id"),
        sa.Index("ix_contribution_session_order", "session_id", "recorded_at", "id"),
        sa.Index("ix_contribution_delegate_order", "delegate_id", "recorded_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="council_session.id")
    delegate_id: int = Field(foreign_key="delegate.id")
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    kind: str
    venue: str
    topic: str
    summary: str
    addressee: str | None = None
    recorded_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    withdrawn_at: datetime | None = Field(default=None, sa_type=timestamptz())
    withdrawn_reason: str | None = None


class ContributionPetition(SQLModel, table=True):
    """A petition a contribution raised at the session."""

    __tablename__ = "contribution_petition"
    __table_args__ = (sa.Index("ix_contribution_petition_petition", "petition_id"),)

    contribution_id: int = Field(foreign_key="contribution.id", primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", primary_key=True)


class ExcusedAbsence(SQLModel, table=True):
    """The council office excused a delegate from a session: not counted against the quota."""

    __tablename__ = "excused_absence"

    session_id: int = Field(foreign_key="council_session.id", primary_key=True)
    delegate_id: int = Field(foreign_key="delegate.id", primary_key=True)
    reason: str
    excused_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    excused_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )


class DirectoryChange(SQLModel, table=True):
    """One change of the directory (a delegate added, edited, leaving; a group's leader), with
    the values before and after: the directory's history. Never updated or deleted."""

    __tablename__ = "directory_change"
    __table_args__ = (
        one_of("entity_type", DirectoryEntity, name="ck_directory_change_entity"),
        sa.Index("ix_directory_change_entity", "entity_type", "entity_id", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    entity_type: str
    entity_id: int
    action: str
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    actor_role: str | None = None
    # {field: [before, after]}: public directory values only, JSON-ready (dates as ISO text).
    changes: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
