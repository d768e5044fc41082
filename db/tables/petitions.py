"""Petitions (kiến nghị cử tri), their timeline and their supporters."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums.accounts import Role
from db.enums.meetings import PetitionSource
from db.enums.petitions import PetitionCategory, PetitionStatus, Visibility
from db.tables.base import NOW, one_of, timestamptz, utcnow


class Petition(SQLModel, table=True):
    """A voter's concern addressed to a delegate and/or a delegate group."""

    __tablename__ = "petition"
    __table_args__ = (
        one_of("status", PetitionStatus, name="ck_petition_status"),
        one_of("category", PetitionCategory, name="ck_petition_category"),
        one_of("visibility", Visibility, name="ck_petition_visibility"),
        one_of("source", PetitionSource, name="ck_petition_source"),
        sa.CheckConstraint("voter_count >= 1", name="ck_petition_voter_count"),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="ck_petition_merged_into"
        ),
        sa.Index("ix_petition_merged_into", "merged_into_id"),
        sa.CheckConstraint("support_count >= 0", name="ck_petition_support_count"),
        # Keyset pages of the main lists: newest first, by each filter that matters.
        sa.Index("ix_petition_submitted", "submitted_at", "id"),
        sa.Index("ix_petition_status_submitted", "status", "submitted_at", "id"),
        sa.Index("ix_petition_group_submitted", "group_id", "submitted_at", "id"),
        # A delegate's inbox narrowed by status (inbox(status: SUBMITTED) is the work queue).
        sa.Index("ix_petition_group_status_submitted", "group_id", "status", "submitted_at", "id"),
        sa.Index("ix_petition_delegate_submitted", "delegate_id", "submitted_at", "id"),
        sa.Index("ix_petition_submitter", "submitter_account_id", "submitted_at", "id"),
        sa.Index(
            "ix_petition_unit_path",
            "unit_path",
            "submitted_at",
            "id",
            postgresql_ops={"unit_path": "text_pattern_ops"},
        ),
        # `search`: the grams of the folded text (migration 0008, db.text.search_condition).
        sa.Index(
            "ix_petition_search_grams", sa.text("hdnd_grams(search_folded)"), postgresql_using="gin"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_code: str = Field(unique=True, max_length=32)
    title: str
    content: str
    search_folded: str = Field(
        sa_column=sa.Column(
            sa.Text,
            sa.Computed("hdnd_fold(title || ' ' || content)", persisted=True),
            nullable=False,
        )
    )
    category: str
    commune_code: str = Field(foreign_key="administrative_unit.code")
    # The commune's materialised path, copied so "inside this unit" is one prefix match.
    unit_path: str
    status: str = "SUBMITTED"
    visibility: str = "PUBLIC"
    delegate_id: int | None = Field(default=None, foreign_key="delegate.id")
    group_id: int = Field(foreign_key="delegate_group.id")
    submitter_account_id: int | None = Field(default=None, foreign_key="account.id")
    # Personal data: removed by eraseMyData, read only by those the contract lists (audited).
    submitter_name: str | None = None
    submitter_phone: str | None = None
    support_count: int = 0
    forwarded_agency: str | None = None
    answer_body: str | None = None
    answer_respondent: str | None = None
    answered_at: datetime | None = Field(default=None, sa_type=timestamptz())
    acknowledged_at: datetime | None = Field(default=None, sa_type=timestamptz())
    closed_at: datetime | None = Field(default=None, sa_type=timestamptz())
    satisfied: bool | None = None
    # Voter meetings (db.meetings): where it came from, how many voters raised it (with the
    # duplicates merged into it), and for a merged duplicate the petition it now counts in.
    source: str = Field(default="APP", sa_column_kwargs={"server_default": "APP"})
    voter_count: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    merged_into_id: int | None = Field(default=None, foreign_key="petition.id")
    merged_at: datetime | None = Field(default=None, sa_type=timestamptz())
    submitted_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )


class PetitionEvent(SQLModel, table=True):
    """One step of a petition's timeline; appended in the transaction of the change."""

    __tablename__ = "petition_event"
    __table_args__ = (
        one_of("status", PetitionStatus, name="ck_petition_event_status"),
        one_of("actor_role", Role, name="ck_petition_event_role"),
        sa.Index("ix_petition_event_petition", "petition_id", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id")
    at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    status: str
    actor_role: str
    actor_account_id: int | None = Field(default=None, foreign_key="account.id")
    note: str | None = None


class PetitionSupport(SQLModel, table=True):
    """A citizen's support of a public petition; the primary key makes it count once."""

    __tablename__ = "petition_support"
    __table_args__ = (sa.Index("ix_petition_support_account", "account_id"),)

    petition_id: int = Field(foreign_key="petition.id", primary_key=True)
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    supported_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )


class PetitionIdempotency(SQLModel, table=True):
    """An idempotency key of `submitPetition`: the same account and key within 24 hours answer
    the first petition, if the request's body is the same (`request_hash`), else
    IDEMPOTENCY_CONFLICT. The primary key is what makes simultaneous retries safe."""

    __tablename__ = "petition_idempotency"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=200)
    petition_id: int = Field(foreign_key="petition.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    # SHA-256 (hex) of the request's normalised body (db.petitions.request_fingerprint): a
    # digest, so the key's row keeps no copy of what was sent. Null for keys recorded before.
    request_hash: str | None = Field(default=None, max_length=64)
