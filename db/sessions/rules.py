"""The sessions domain's rules on who may record a contribution and what it must be, and who
may read a delegate's scorecard.

Who: a DELEGATE their own contributions while the session is in progress; STAFF and ADMIN for
anyone, also after it closed (minutes arrive later). Never to an UPCOMING session. A QUESTION
names who is questioned."""

from db.enums.sessions import ContributionKind, Venue
from db.refused import Refusal, Refused, checked_text, required_text, sign_in_first
from db.tables import CouncilSession
from db.viewer import Role, Viewer

WRITERS = (Role.DELEGATE, Role.STAFF, Role.ADMIN)


def may_write(viewer: Viewer) -> None:
    refused = sign_in_first(viewer)
    if refused is not None:
        raise Refused(*refused)
    if not viewer.has_role(*WRITERS):
        raise Refused(Refusal.FORBIDDEN, "Bạn không có quyền ghi nhận ý kiến tại kỳ họp.")


def is_office(viewer: Viewer) -> bool:
    return viewer.has_role(Role.STAFF, Role.ADMIN)


def check_session_open(viewer: Viewer, row: CouncilSession, *field: str) -> None:
    if row.status == "UPCOMING":
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Kỳ họp chưa khai mạc; chưa thể ghi nhận ý kiến.",
            *field,
        )
    if row.status == "CLOSED" and not is_office(viewer):
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Kỳ họp đã bế mạc; Văn phòng HĐND ghi nhận bổ sung nếu cần.",
            *field,
        )


def kind_and_venue(kind: str, venue: str) -> None:
    if kind not in tuple(ContributionKind):
        raise Refused(Refusal.INVALID_INPUT, "Loại ý kiến không hợp lệ.", "input", "kind")
    if venue not in tuple(Venue):
        raise Refused(Refusal.INVALID_INPUT, "Nơi phát biểu không hợp lệ.", "input", "venue")


def checked_addressee(kind: str, addressee: str | None) -> str | None:
    """A QUESTION needs who is questioned; a DISCUSSION has no addressee."""
    if kind == "QUESTION":
        return required_text(
            addressee,
            ("input", "addressee"),
            "người bị chất vấn (addressee)",
            min_len=3,
            max_len=300,
            one_line=True,
        )
    if checked_text(
        addressee,
        ("input", "addressee"),
        "người bị chất vấn",
        min_len=0,
        max_len=300,
        required=False,
    ):
        raise Refused(
            Refusal.INVALID_INPUT,
            "Chỉ chất vấn (QUESTION) mới có người bị chất vấn.",
            "input",
            "addressee",
        )
    return None


def may_read_scorecard(viewer: Viewer, delegate_id: int) -> bool:
    """A delegate's scorecard: for the delegate themselves, STAFF, MONITOR and ADMIN."""
    return viewer.sees_everything or viewer.delegate_id == delegate_id
