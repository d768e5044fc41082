"""SQLModel tables, one module per domain. Importing this package registers every table in
`SQLModel.metadata`, which Alembic compares with the migrations."""

from db.tables.accounts import Account
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

__all__ = [
    "Account",
    "AdministrativeUnit",
    "Committee",
    "CommitteeMember",
    "Constituency",
    "ConstituencyUnit",
    "CouncilSession",
    "Delegate",
    "DelegateGroup",
    "GroupArea",
    "Term",
]
