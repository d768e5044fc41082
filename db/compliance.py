"""Moved to db.sessions.compliance. Kept, re-exporting, while api/reports.py and
schema/session_loaders.py (other changes under way) import it from here; delete it once they
say db.sessions.compliance."""

from db.sessions.compliance import (
    COMPLIANCE_READERS,
    DelegateStanding,
    Scorecard,
    SessionStanding,
    Tally,
    excuse_reason_visible,
    per_delegate,
    scorecards,
    scorecards_by_keys,
    sees_excuse_reason,
    session_compliance,
)

__all__ = [
    "COMPLIANCE_READERS",
    "DelegateStanding",
    "Scorecard",
    "SessionStanding",
    "Tally",
    "excuse_reason_visible",
    "per_delegate",
    "scorecards",
    "scorecards_by_keys",
    "sees_excuse_reason",
    "session_compliance",
]
