"""Computed fields of a petition, each in its SQL form and its Python form, side by side.

`isOverdue`, `supportCount` and `viewerHasSupported` are computed here and nowhere else: the
resolvers use the Python forms, list filters (and the compiled read path to come) the SQL forms.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.tables import Petition, PetitionSupport
from db.tables.base import table_of
from db.viewer import Viewer

# Waiting for acknowledgement: only a SUBMITTED petition. Waiting for an answer: every status
# before ANSWERED. Both deadlines run from submission.
AWAITING_ACK = ("SUBMITTED",)
AWAITING_ANSWER = ("SUBMITTED", "ACKNOWLEDGED", "FORWARDED")


@dataclass(frozen=True)
class Deadlines:
    """`HDND_ACK_DAYS` and `HDND_ANSWER_DAYS`, taken as arguments (db/ reads no settings)."""

    ack_days: int = 7
    answer_days: int = 30


# ---- isOverdue ---------------------------------------------------------------------------


def overdue_condition(now: datetime, deadlines: Deadlines) -> ColumnElement[bool]:
    """SQL form of `isOverdue`."""
    submitted = col(Petition.submitted_at)
    status = col(Petition.status)
    return sa.or_(
        sa.and_(status.in_(AWAITING_ACK), submitted < now - timedelta(days=deadlines.ack_days)),
        sa.and_(
            status.in_(AWAITING_ANSWER),
            submitted < now - timedelta(days=deadlines.answer_days),
        ),
    )


def is_overdue(row: Petition, now: datetime, deadlines: Deadlines) -> bool:
    """Python form of `overdue_condition`."""
    age = now - row.submitted_at
    return (row.status in AWAITING_ACK and age > timedelta(days=deadlines.ack_days)) or (
        row.status in AWAITING_ANSWER and age > timedelta(days=deadlines.answer_days)
    )


# ---- supportCount ------------------------------------------------------------------------
# Kept in `petition.support_count`, maintained in the transaction that adds a support.


def support_count_column() -> ColumnElement[int]:
    """SQL form of `supportCount`."""
    return table_of(Petition).c.support_count


def support_count(row: Petition) -> int:
    """Python form of `supportCount`."""
    return row.support_count


# ---- viewerHasSupported --------------------------------------------------------------------


def viewer_has_supported_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form of `viewerHasSupported`."""
    if not viewer.is_signed_in:
        return sa.false()
    return sa.exists().where(
        col(PetitionSupport.petition_id) == col(Petition.id),
        col(PetitionSupport.account_id) == viewer.account_id,
    )


def viewer_has_supported(row: Petition, supported_ids: Collection[int]) -> bool:
    """Python form: `supported_ids` are the viewer's supports among the petitions at hand,
    fetched in one batch (db.petitions.supported_petition_ids)."""
    return row.id in supported_ids
