"""Who acts for an agency, and when its answer is late; each rule in its Python form and, where
lists need it, its SQL form, side by side."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.tables import Petition, PetitionForward
from db.viewer import Role, Viewer

# Length limits of what an agency writes.
LETTER_NUMBER_LENGTH = (1, 100)
SIGNER_LENGTH = (2, 200)
RETURN_REASON_LENGTH = (5, 2_000)
ANSWER_LENGTH = (1, 10_000)


def is_agency_account(viewer: Viewer) -> bool:
    """An AGENCY account linked to its agency."""
    return viewer.has_role(Role.AGENCY) and viewer.agency_id is not None


def held_by_agency_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: the petitions the viewer's agency holds now (forwarded to it, not yet answered
    or sent back); nothing for other viewers."""
    if not is_agency_account(viewer):
        return sa.false()
    return sa.and_(col(Petition.agency_id) == viewer.agency_id, col(Petition.status) == "FORWARDED")


def is_held_by_agency(viewer: Viewer, row: Petition) -> bool:
    """Python form of `held_by_agency_condition`."""
    return (
        is_agency_account(viewer)
        and row.agency_id == viewer.agency_id
        and row.status == "FORWARDED"
    )


def forwarded_to_agency_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: petitions ever forwarded to the viewer's agency (it keeps reading what it
    answered or sent back)."""
    if not is_agency_account(viewer):
        return sa.false()
    return sa.exists().where(
        col(PetitionForward.petition_id) == col(Petition.id),
        col(PetitionForward.agency_id) == viewer.agency_id,
    )


def due_at(forwarded_at: datetime, answer_days: int) -> datetime:
    """When an agency's answer falls due: `answer_days` whole days after the forwarding."""
    return forwarded_at + timedelta(days=answer_days)


def forward_overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL form: a forwarding late at `now`: still pending past its due time, or answered
    after it."""
    due = col(PetitionForward.due_at)
    return sa.or_(
        sa.and_(col(PetitionForward.outcome) == "PENDING", due < now),
        sa.and_(col(PetitionForward.outcome) == "ANSWERED", col(PetitionForward.settled_at) > due),
    )


def is_forward_overdue(row: PetitionForward, now: datetime) -> bool:
    """Python form of `forward_overdue_condition`."""
    if row.outcome == "PENDING":
        return row.due_at < now
    return row.outcome == "ANSWERED" and row.settled_at is not None and row.settled_at > row.due_at
