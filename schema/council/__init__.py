"""The council directory in GraphQL: units, groups, constituencies, committees, delegates, the
viewer (`me`), the directory queries, keeping the directory (STAFF, ADMIN) and its history.

enums, types (the directory's objects), inputs, queries (CouncilQuery), history
(DirectoryChange), payloads, mutations (DirectoryMutation)."""

from schema.council.mutations import DirectoryMutation
from schema.council.queries import CouncilQuery
from schema.council.types import (
    AdministrativeUnit,
    Committee,
    Constituency,
    Delegate,
    DelegateGroup,
    Viewer,
)

__all__ = [
    "AdministrativeUnit",
    "Committee",
    "Constituency",
    "CouncilQuery",
    "Delegate",
    "DelegateGroup",
    "DirectoryMutation",
    "Viewer",
]
