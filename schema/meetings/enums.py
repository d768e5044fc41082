"""The GraphQL enums of the voter meetings domain, made from db.enums.meetings once, before any
type or input of the domain names them."""

from db.enums.meetings import MeetingStatus, MeetingTiming, PetitionSource
from schema.core.enums import graphql_enum

__all__ = ["MeetingStatus", "MeetingTiming", "PetitionSource"]

graphql_enum(
    MeetingTiming,
    "When a voter meeting is held relative to its session.",
    {
        MeetingTiming.BEFORE_SESSION: "Before the session (tiếp xúc cử tri trước kỳ họp): voters' "
        "concerns are collected for it.",
        MeetingTiming.AFTER_SESSION: "After the session (tiếp xúc cử tri sau kỳ họp): the "
        "session's results and the answers to the concerns are reported back.",
    },
)
graphql_enum(
    MeetingStatus,
    "Where a voter meeting stands.",
    {
        MeetingStatus.SCHEDULED: "Announced, not yet recorded as held (đã lên lịch).",
        MeetingStatus.HELD: "Held; the voters present are recorded (đã tổ chức).",
    },
)
graphql_enum(
    PetitionSource,
    "How a petition reached the council (nguồn kiến nghị).",
    {
        PetitionSource.APP: "Sent by a citizen from App Hậu Giang.",
        PetitionSource.VOTER_MEETING: "Raised at a voter meeting (tiếp xúc cử tri) and recorded "
        "by the delegate group or the council office.",
    },
)
