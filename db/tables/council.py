"""The council directory: administrative units, terms, groups, constituencies, committees,
delegates and council sessions (kỳ họp)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums.council import CommitteeKind, SessionKind, SessionStatus, UnitLevel
from db.tables.base import NOW, one_of, timestamptz, utcnow


class AdministrativeUnit(SQLModel, table=True):
    """A province, district-level or commune-level unit, keyed by its official GSO code."""

    __tablename__ = "administrative_unit"
    __table_args__ = (
        one_of("level", UnitLevel, name="ck_unit_level"),
        sa.Index("ix_unit_parent", "parent_code"),
    )

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(sa_column_kwargs={"nullable": False})
    type: str
    level: str
    parent_code: str | None = Field(default=None, foreign_key="administrative_unit.code")
    # Materialised path of codes from the province down ("93/930/31318"), so "this unit and
    # every unit inside it" is one indexed prefix match.
    path: str = Field(index=True)
    name_folded: str = Field(
        sa_column=sa.Column(sa.Text, sa.Computed("hdnd_fold(name)", persisted=True), nullable=False)
    )


class Term(SQLModel, table=True):
    """A council term (khóa), e.g. term X, 2021–2026."""

    __tablename__ = "term"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    name: str
    starts_on: date
    ends_on: date


class DelegateGroup(SQLModel, table=True):
    """A delegate group (Tổ đại biểu): the delegates elected in one area."""

    __tablename__ = "delegate_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    leader_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("delegate.id", use_alter=True, name="fk_group_leader"),
            nullable=True,
        ),
    )


class GroupArea(SQLModel, table=True):
    """A unit a delegate group covers: a district, or individual wards and communes."""

    __tablename__ = "group_area"
    __table_args__ = (sa.Index("ix_group_area_unit", "unit_code"),)

    group_id: int = Field(foreign_key="delegate_group.id", primary_key=True)
    unit_code: str = Field(foreign_key="administrative_unit.code", primary_key=True)


class Constituency(SQLModel, table=True):
    """An electoral constituency (đơn vị bầu cử) of a term."""

    __tablename__ = "constituency"
    __table_args__ = (sa.UniqueConstraint("term_id", "number", name="uq_constituency_number"),)

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id")
    number: int
    name: str
    seats: int = Field(
        sa_column=sa.Column(sa.Integer, sa.CheckConstraint("seats > 0"), nullable=False)
    )


class ConstituencyUnit(SQLModel, table=True):
    """A unit inside a constituency."""

    __tablename__ = "constituency_unit"
    __table_args__ = (sa.Index("ix_constituency_unit_unit", "unit_code"),)

    constituency_id: int = Field(foreign_key="constituency.id", primary_key=True)
    unit_code: str = Field(foreign_key="administrative_unit.code", primary_key=True)


class Committee(SQLModel, table=True):
    """The standing committee (Thường trực) or one of the council's committees (Ban)."""

    __tablename__ = "committee"
    __table_args__ = (one_of("kind", CommitteeKind, name="ck_committee_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str = Field(unique=True)


class Delegate(SQLModel, table=True):
    """A delegate (đại biểu) of the provincial council."""

    __tablename__ = "delegate"
    __table_args__ = (
        sa.Index("ix_delegate_group_name", "group_id", "full_name_folded", "id"),
        sa.Index("ix_delegate_name", "full_name_folded", "id"),
        sa.Index("ix_delegate_constituency", "constituency_id"),
        sa.Index(
            "ix_delegate_name_grams",
            sa.text("hdnd_grams(full_name_folded)"),
            postgresql_using="gin",
        ),
        sa.CheckConstraint(
            "served_until IS NULL OR served_until >= served_from", name="ck_delegate_service"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    full_name: str
    full_name_folded: str = Field(
        sa_column=sa.Column(
            sa.Text, sa.Computed("hdnd_fold(full_name)", persisted=True), nullable=False
        )
    )
    title: str | None = None
    workplace: str | None = None
    photo_url: str | None = None
    is_full_time: bool = False
    group_id: int = Field(foreign_key="delegate_group.id")
    constituency_id: int | None = Field(default=None, foreign_key="constituency.id")
    served_from: date
    served_until: date | None = None
    end_reason: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column_kwargs={"server_default": NOW},
        sa_type=timestamptz(),
    )
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column_kwargs={"server_default": NOW},
        sa_type=timestamptz(),
    )


class CommitteeMember(SQLModel, table=True):
    """A delegate's seat on a committee."""

    __tablename__ = "committee_member"
    __table_args__ = (sa.Index("ix_committee_member_delegate", "delegate_id"),)

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    delegate_id: int = Field(foreign_key="delegate.id", primary_key=True)


class CouncilSession(SQLModel, table=True):
    """A session (kỳ họp) of the council within a term."""

    __tablename__ = "council_session"
    __table_args__ = (
        sa.UniqueConstraint("term_id", "number", name="uq_session_number"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_session_dates"),
        one_of("kind", SessionKind, name="ck_session_kind"),
        one_of("status", SessionStatus, name="ck_session_status"),
        sa.CheckConstraint(
            "required_discussions >= 0 AND required_questions >= 0", name="ck_session_quota"
        ),
        sa.Index("ix_session_order", "starts_on", "id"),
        sa.Index("ix_session_status_order", "status", "starts_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id")
    number: int
    title: str
    kind: str = "REGULAR"
    starts_on: date
    ends_on: date
    status: str = "UPCOMING"
    required_discussions: int = 1
    required_questions: int = 1
