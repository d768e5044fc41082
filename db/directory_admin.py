"""Moved to db.council (writes, rules; the history's batch in db.council.reads). Kept,
re-exporting, while schema/session_loaders.py (another change under way) imports it from here;
delete it once that import says db.council.reads."""

from db.council.reads import history_by_entities

__all__ = ["history_by_entities"]
