"""Enumerations of petitions."""

from enum import StrEnum


class PetitionStatus(StrEnum):
    """Where a petition stands in its workflow (trạng thái kiến nghị)."""

    SUBMITTED = "SUBMITTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    FORWARDED = "FORWARDED"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"


class PetitionCategory(StrEnum):
    """Field of a petition (lĩnh vực)."""

    LAND_HOUSING = "LAND_HOUSING"
    INFRASTRUCTURE_TRANSPORT = "INFRASTRUCTURE_TRANSPORT"
    ENVIRONMENT = "ENVIRONMENT"
    HEALTH = "HEALTH"
    EDUCATION = "EDUCATION"
    SOCIAL_WELFARE = "SOCIAL_WELFARE"
    AGRICULTURE = "AGRICULTURE"
    SECURITY_ORDER = "SECURITY_ORDER"
    ADMINISTRATIVE_PROCEDURE = "ADMINISTRATIVE_PROCEDURE"
    OTHER = "OTHER"


class Visibility(StrEnum):
    """Who may read a petition (chế độ hiển thị)."""

    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


# Statuses in which a petition still awaits the council (and may gather support).
OPEN_STATUSES = (
    PetitionStatus.SUBMITTED,
    PetitionStatus.ACKNOWLEDGED,
    PetitionStatus.FORWARDED,
    PetitionStatus.ANSWERED,
)
