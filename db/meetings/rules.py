"""Who may run a group's voter meetings, and the limits of what is typed into them.

STAFF, or a member of the meeting's group serving on the request's day (a delegate whose
service ended keeps the link to the group, not its work): they schedule and complete the
meetings and record the concerns raised there. Merging duplicates is the council office's
(STAFF). Written twice like db.petition_access: a SQL form and a Python form.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.petition_access import is_serving_delegate
from db.refused import Refusal, Refused
from db.tables import VoterMeeting
from db.viewer import Role, Viewer

PLACE_LENGTH = (3, 300)
CO_HOST_LENGTH = (3, 300)
SPEAKER_LENGTH = (1, 200)
# One call records a meeting's concerns at once: a few hundred is a long meeting's minutes.
MAX_CONCERNS = 500
MAX_COMMUNES = 50
MAX_DELEGATES = 30
MAX_VOTERS = 100_000
MAX_MERGED = 50
# A concern's title when none is typed: the start of its content, cut at a word.
DERIVED_TITLE_LENGTH = 120

NOT_FOUND = "Không tìm thấy buổi tiếp xúc cử tri này."
FORBIDDEN = "Chỉ Văn phòng HĐND hoặc đại biểu trong Tổ đại biểu này được thực hiện thao tác này."


def may_manage(viewer: Viewer, group_id: int, today: date) -> bool:
    """STAFF, or a serving member of group `group_id`."""
    if viewer.has_role(Role.STAFF):
        return True
    return is_serving_delegate(viewer, today) and viewer.group_id == group_id


def managed_condition(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL form of `may_manage`: the meetings `viewer` may run."""
    if viewer.has_role(Role.STAFF):
        return sa.true()
    if is_serving_delegate(viewer, today) and viewer.group_id is not None:
        return col(VoterMeeting.group_id) == viewer.group_id
    return sa.false()


def require_manager(viewer: Viewer, group_id: int, today: date, *field: str | int) -> None:
    """Refuse (FORBIDDEN) unless `viewer` may run the group's meetings."""
    if not may_manage(viewer, group_id, today):
        raise Refused(Refusal.FORBIDDEN, FORBIDDEN, *field)


def derived_title(content: str) -> str:
    """A title from `content`: its first line, cut at a word within DERIVED_TITLE_LENGTH."""
    first = " ".join(content.split("\n", 1)[0].split())
    if len(first) <= DERIVED_TITLE_LENGTH:
        return first
    cut = first[:DERIVED_TITLE_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


class RefusedItems(Exception):
    """Several refusals at once (one per faulty item of a bulk call); nothing was written."""

    def __init__(self, refusals: list[Refused]) -> None:
        super().__init__("; ".join(r.message for r in refusals))
        self.refusals = refusals
