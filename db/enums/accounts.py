"""Enumerations of accounts."""

from enum import StrEnum


class Role(StrEnum):
    """Roles are stored per account in the database, never read from a token."""

    CITIZEN = "CITIZEN"
    DELEGATE = "DELEGATE"
    STAFF = "STAFF"
    MONITOR = "MONITOR"
    ADMIN = "ADMIN"
    # An account of a competent agency (Sở, UBND): answers the petitions forwarded to it.
    AGENCY = "AGENCY"
