"""Voter meetings (tiếp xúc cử tri): a delegate group meets the voters of some of its communes
before or after a session, with the Fatherland Front; the concerns raised there are petitions
(source VOTER_MEETING) linked to the meetings that raised them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.enums.meetings import MeetingStatus, MeetingTiming
from db.tables.base import NOW, one_of, timestamptz, utcnow


class VoterMeeting(SQLModel, table=True):
    """One meeting of a delegate group with voters, for a session (before or after it)."""

    __tablename__ = "voter_meeting"
    __table_args__ = (
        one_of("timing", MeetingTiming, name="ck_voter_meeting_timing"),
        one_of("status", MeetingStatus, name="ck_voter_meeting_status"),
        sa.CheckConstraint(
            "voters_present IS NULL OR voters_present >= 0", name="ck_voter_meeting_voters"
        ),
        # Lists: a session's round in time order, a group's meetings, the upcoming ones.
        sa.Index("ix_voter_meeting_session", "session_id", "starts_at", "id"),
        sa.Index("ix_voter_meeting_group", "group_id", "starts_at", "id"),
        sa.Index("ix_voter_meeting_starts", "starts_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="delegate_group.id")
    session_id: int = Field(foreign_key="council_session.id")
    timing: str
    status: str = "SCHEDULED"
    starts_at: datetime = Field(sa_type=timestamptz())
    place: str
    # The Fatherland Front committee co-hosting (Ủy ban MTTQ Việt Nam at that level).
    co_host: str
    voters_present: int | None = None
    created_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    held_at: datetime | None = Field(default=None, sa_type=timestamptz())


class VoterMeetingCommune(SQLModel, table=True):
    """A commune whose voters a meeting covers."""

    __tablename__ = "voter_meeting_commune"
    __table_args__ = (sa.Index("ix_voter_meeting_commune_unit", "unit_code"),)

    meeting_id: int = Field(foreign_key="voter_meeting.id", primary_key=True)
    unit_code: str = Field(foreign_key="administrative_unit.code", primary_key=True)


class VoterMeetingDelegate(SQLModel, table=True):
    """A delegate attending a meeting (planned, then as it was held)."""

    __tablename__ = "voter_meeting_delegate"
    __table_args__ = (sa.Index("ix_voter_meeting_delegate_delegate", "delegate_id"),)

    meeting_id: int = Field(foreign_key="voter_meeting.id", primary_key=True)
    delegate_id: int = Field(foreign_key="delegate.id", primary_key=True)


class MeetingConcern(SQLModel, table=True):
    """A petition raised at a meeting: the concerns recorded there, and those merged into them."""

    __tablename__ = "meeting_concern"
    __table_args__ = (sa.Index("ix_meeting_concern_petition", "petition_id"),)

    meeting_id: int = Field(foreign_key="voter_meeting.id", primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", primary_key=True)
    # The order the concern was recorded in (1, 2, …), for the minutes.
    position: int = 0
