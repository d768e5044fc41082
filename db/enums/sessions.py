"""Enumerations of what happens at sessions: contributions and compliance."""

from enum import StrEnum


class ContributionKind(StrEnum):
    """What kind of contribution a delegate made."""

    DISCUSSION = "DISCUSSION"
    QUESTION = "QUESTION"


class Venue(StrEnum):
    """Where a contribution was made."""

    GROUP = "GROUP"
    PLENARY = "PLENARY"


class ComplianceStatus(StrEnum):
    """A delegate's standing at a session: a status, never a rank. Computed, not stored."""

    MET = "MET"
    NOT_YET = "NOT_YET"
    EXCUSED = "EXCUSED"
