"""Enumerations of agencies (cơ quan có thẩm quyền) and of what happened to a forwarding."""

from enum import StrEnum


class AgencyLevel(StrEnum):
    """Level of a competent agency (cấp của cơ quan)."""

    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


class ForwardOutcome(StrEnum):
    """Where one forwarding of a petition to an agency stands."""

    PENDING = "PENDING"
    ANSWERED = "ANSWERED"
    RETURNED = "RETURNED"
