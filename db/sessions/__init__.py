"""Council sessions: creating one, moving it along, its agenda and excuses (writes),
contributions at it (contributions, under rules), the batched reads behind the lists (reads),
who met the quota and scorecards (compliance), the demo's contributions (demo)."""

from db.sessions.reads import agenda_by_session_ids, agenda_items_by_ids
from db.sessions.writes import (
    MAX_AGENDA,
    MAX_QUOTA,
    NEXT_STATUS,
    NewSession,
    add_agenda_item,
    advance_session,
    create_session,
    excuse_delegate,
    remove_agenda_item,
    revoke_excuse,
)

__all__ = [
    "MAX_AGENDA",
    "MAX_QUOTA",
    "NEXT_STATUS",
    "NewSession",
    "add_agenda_item",
    "advance_session",
    "agenda_by_session_ids",
    "agenda_items_by_ids",
    "create_session",
    "excuse_delegate",
    "remove_agenda_item",
    "revoke_excuse",
]
