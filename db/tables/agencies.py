"""Competent agencies (cơ quan có thẩm quyền: Sở, UBND cấp huyện, cấp xã), the units each
covers, and each forwarding of a petition to one of them."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums.agencies import AgencyLevel, ForwardOutcome
from db.tables.base import NOW, one_of, timestamptz, utcnow


class Agency(SQLModel, table=True):
    """An agency that answers petitions, loaded from the directory's agencies.csv."""

    __tablename__ = "agency"
    __table_args__ = (
        one_of("level", AgencyLevel, name="ck_agency_level"),
        sa.CheckConstraint("answer_days IS NULL OR answer_days > 0", name="ck_agency_answer_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    name: str
    level: str
    parent_id: int | None = Field(default=None, foreign_key="agency.id")
    # Days it has to answer a forwarded petition; null: HDND_AGENCY_ANSWER_DAYS.
    answer_days: int | None = None


class AgencyUnit(SQLModel, table=True):
    """A unit an agency covers (a UBND its district or commune; a Sở the whole province)."""

    __tablename__ = "agency_unit"
    __table_args__ = (sa.Index("ix_agency_unit_unit", "unit_code"),)

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    unit_code: str = Field(foreign_key="administrative_unit.code", primary_key=True)


class PetitionForward(SQLModel, table=True):
    """One forwarding of a petition to an agency: when, by when it must answer, and how it
    ended (answered with its letter, or sent back with a reason). A petition sent back and
    forwarded again has one row per forwarding; at most one is PENDING."""

    __tablename__ = "petition_forward"
    __table_args__ = (
        one_of("outcome", ForwardOutcome, name="ck_petition_forward_outcome"),
        sa.Index(
            "uq_petition_forward_pending",
            "petition_id",
            unique=True,
            postgresql_where=sa.text("outcome = 'PENDING'"),
        ),
        sa.Index("ix_petition_forward_agency", "agency_id", "forwarded_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id")
    agency_id: int = Field(foreign_key="agency.id")
    forwarded_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    due_at: datetime = Field(sa_type=timestamptz())
    outcome: str = "PENDING"
    settled_at: datetime | None = Field(default=None, sa_type=timestamptz())
    letter_number: str | None = Field(default=None, max_length=100)
    letter_date: date | None = None
    return_reason: str | None = None
    forwarded_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    settled_by_account_id: int | None = Field(default=None, foreign_key="account.id")
