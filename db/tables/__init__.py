"""SQLModel tables, one module per domain. Importing this package registers every table in
`SQLModel.metadata`, which Alembic compares with the migrations."""

from db.tables.accounts import Account
from db.tables.audit import AuditEvent
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
from db.tables.petitions import Petition, PetitionEvent, PetitionIdempotency, PetitionSupport

__all__ = [
    "Account",
    "AdministrativeUnit",
    "AuditEvent",
    "Committee",
    "CommitteeMember",
    "Constituency",
    "ConstituencyUnit",
    "CouncilSession",
    "Delegate",
    "DelegateGroup",
    "GroupArea",
    "Petition",
    "PetitionEvent",
    "PetitionIdempotency",
    "PetitionSupport",
    "Term",
]
