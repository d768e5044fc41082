"""SQLModel tables, one module per domain. Importing this package registers every table in
`SQLModel.metadata`, which Alembic compares with the migrations."""

from db.tables.accounts import Account
from db.tables.audit import AuditEvent
from db.tables.channels import GroupGuest, GroupPost
from db.tables.council import (
    AdministrativeUnit,
    Committee,
    CommitteeMember,
    Constituency,
    ConstituencyUnit,
    CouncilSession,
    Delegate,
    DelegateGroup,
    GroupArea,
    Term,
)
from db.tables.integrators import ApiKey
from db.tables.meetings import (
    MeetingConcern,
    VoterMeeting,
    VoterMeetingCommune,
    VoterMeetingDelegate,
)
from db.tables.petitions import Petition, PetitionEvent, PetitionIdempotency, PetitionSupport
from db.tables.sessions import (
    AgendaItem,
    Contribution,
    ContributionPetition,
    DirectoryChange,
    ExcusedAbsence,
)

__all__ = [
    "Account",
    "AdministrativeUnit",
    "AgendaItem",
    "ApiKey",
    "AuditEvent",
    "Committee",
    "CommitteeMember",
    "Constituency",
    "ConstituencyUnit",
    "Contribution",
    "ContributionPetition",
    "CouncilSession",
    "Delegate",
    "DelegateGroup",
    "DirectoryChange",
    "ExcusedAbsence",
    "GroupArea",
    "GroupGuest",
    "GroupPost",
    "MeetingConcern",
    "Petition",
    "PetitionEvent",
    "PetitionIdempotency",
    "PetitionSupport",
    "Term",
    "VoterMeeting",
    "VoterMeetingCommune",
    "VoterMeetingDelegate",
]
