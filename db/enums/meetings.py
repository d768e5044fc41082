"""Enumerations of voter meetings (tiếp xúc cử tri) and of where a petition came from."""

from enum import StrEnum


class MeetingTiming(StrEnum):
    """When a voter meeting is held relative to its session."""

    BEFORE_SESSION = "BEFORE_SESSION"
    AFTER_SESSION = "AFTER_SESSION"


class MeetingStatus(StrEnum):
    """Where a voter meeting stands."""

    SCHEDULED = "SCHEDULED"
    HELD = "HELD"


class PetitionSource(StrEnum):
    """How a petition reached the council."""

    APP = "APP"
    VOTER_MEETING = "VOTER_MEETING"
