"""Enumerations of the council: units, bodies and sessions."""

from enum import StrEnum


class UnitLevel(StrEnum):
    """Level of an administrative unit (cấp hành chính)."""

    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


class CommitteeKind(StrEnum):
    """Kind of council body: Thường trực or one of the Ban."""

    STANDING = "STANDING"
    LEGAL = "LEGAL"
    ECONOMY_BUDGET = "ECONOMY_BUDGET"
    CULTURE_SOCIAL = "CULTURE_SOCIAL"
    ETHNIC = "ETHNIC"


class SessionKind(StrEnum):
    """Kind of council session (kỳ họp)."""

    REGULAR = "REGULAR"
    SPECIAL = "SPECIAL"
    THEMATIC = "THEMATIC"


class SessionStatus(StrEnum):
    """Where a session stands; the council office moves it along, in this order."""

    UPCOMING = "UPCOMING"
    IN_PROGRESS = "IN_PROGRESS"
    CLOSED = "CLOSED"


class DirectoryEntity(StrEnum):
    """What a directory change (its history) is about: the GraphQL type's name."""

    DELEGATE = "Delegate"
    DELEGATE_GROUP = "DelegateGroup"
