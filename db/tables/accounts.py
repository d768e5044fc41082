"""Accounts: who signs in (by the token's `sub`) and the role the council gave them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums.accounts import Role
from db.tables.base import NOW, one_of, timestamptz, utcnow


class Account(SQLModel, table=True):
    """A signed-in account. Roles live here, never in the token."""

    __tablename__ = "account"
    __table_args__ = (
        one_of("role", Role, name="ck_account_role"),
        sa.CheckConstraint(
            "(role = 'DELEGATE') = (delegate_id IS NOT NULL)", name="ck_account_delegate"
        ),
        sa.CheckConstraint("(role = 'AGENCY') = (agency_id IS NOT NULL)", name="ck_account_agency"),
        sa.Index("ix_account_agency", "agency_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sub: str = Field(unique=True, max_length=255)
    role: str = "CITIZEN"
    delegate_id: int | None = Field(default=None, foreign_key="delegate.id", unique=True)
    # The agency an AGENCY account answers for (several accounts may share one).
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column_kwargs={"server_default": NOW},
        sa_type=timestamptz(),
    )
