"""Moved to db.sessions.contributions (writes) and db.sessions.reads (the lists' batches).
Kept, re-exporting, while schema/session_loaders.py (another change under way) imports it
from here; delete it once that import says db.sessions.reads."""

from db.sessions.contributions import (
    MAX_PETITIONS,
    ContributionChanges,
    ContributionInput,
    edit_contribution,
    record_contribution,
    withdraw_contribution,
)
from db.sessions.reads import (
    ContributionKey,
    CountKey,
    PageRequest,
    contribution_counts,
    contribution_key,
    contribution_pages,
    contributions_by_ids,
    petition_ids_by_contribution_ids,
)

__all__ = [
    "MAX_PETITIONS",
    "ContributionChanges",
    "ContributionInput",
    "ContributionKey",
    "CountKey",
    "PageRequest",
    "contribution_counts",
    "contribution_key",
    "contribution_pages",
    "contributions_by_ids",
    "edit_contribution",
    "petition_ids_by_contribution_ids",
    "record_contribution",
    "withdraw_contribution",
]
