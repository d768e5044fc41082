"""The sessions domain's GraphQL enums: kinds and statuses of sessions, contributions and
compliance (each defined once in db/enums)."""

from db.enums.council import SessionKind, SessionStatus
from db.enums.sessions import ComplianceStatus, ContributionKind, Venue
from schema.core.enums import graphql_enum

__all__ = ["ComplianceStatus", "ContributionKind", "SessionKind", "SessionStatus", "Venue"]

graphql_enum(
    SessionKind,
    "Kind of council session.",
    {
        SessionKind.REGULAR: "Regular session (kỳ họp thường lệ).",
        SessionKind.SPECIAL: "Special session (kỳ họp bất thường).",
        SessionKind.THEMATIC: "Thematic session (kỳ họp chuyên đề).",
    },
)


graphql_enum(
    SessionStatus,
    "Where a session stands; the council office moves it along.",
    {
        SessionStatus.UPCOMING: "Not yet opened (sắp diễn ra).",
        SessionStatus.IN_PROGRESS: "Meeting now (đang diễn ra).",
        SessionStatus.CLOSED: "Closed (đã bế mạc).",
    },
)


graphql_enum(
    ContributionKind,
    "What kind of contribution a delegate made.",
    {
        ContributionKind.DISCUSSION: "A discussion contribution (ý kiến thảo luận).",
        ContributionKind.QUESTION: "A question put to an official (chất vấn); names its addressee.",
    },
)


graphql_enum(
    Venue,
    "Where a contribution was made.",
    {
        Venue.GROUP: "In group discussion (thảo luận tổ).",
        Venue.PLENARY: "In the plenary hall (hội trường).",
    },
)


graphql_enum(
    ComplianceStatus,
    "A delegate's standing at a session: a status, never a rank (trạng thái).",
    {
        ComplianceStatus.MET: "Quota met (đạt).",
        ComplianceStatus.NOT_YET: "Quota not (yet) met (chưa đạt).",
        ComplianceStatus.EXCUSED: "Excused by the council office (vắng có lý do); not counted.",
    },
)
