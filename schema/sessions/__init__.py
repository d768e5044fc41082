"""Council sessions (kỳ họp) in GraphQL: sessions and their agenda, contributions (ý kiến thảo
luận, chất vấn), excused absences, the Legal Affairs Committee's compliance view and delegates'
scorecards.

enums (kinds and statuses), types (Session, AgendaItem, Contribution), compliance (who met the
quota, scorecards), inputs, payloads, queries (SessionsQuery), mutations (SessionsMutation)."""

from schema.sessions.compliance import DelegateScorecard, SessionCompliance, delegate_scorecard
from schema.sessions.mutations import SessionsMutation
from schema.sessions.queries import SessionsQuery
from schema.sessions.types import (
    AgendaItem,
    Contribution,
    ContributionConnection,
    Session,
    contribution_connection,
)

__all__ = [
    "AgendaItem",
    "Contribution",
    "ContributionConnection",
    "DelegateScorecard",
    "Session",
    "SessionCompliance",
    "SessionsMutation",
    "SessionsQuery",
    "contribution_connection",
    "delegate_scorecard",
]
