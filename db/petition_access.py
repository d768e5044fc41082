"""Who may see a petition, its submitter, and who may act on it.

Each rule is written twice, side by side: a SQL form (a WHERE clause for lists, and for the
compiled read path to come) and a Python form (for one row already in hand). Change one, change
its twin; tests/db/test_petition_access.py holds them to the same answers.

A delegate holds a petition through their office, so only while serving on `today` (the
request's day, db.serving): once their service has ended, the petitions addressed to them or
their group are no more theirs to read, handle or see the submitter of, like their group's
channel.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.serving import serves_on
from db.tables import Petition
from db.viewer import Role, Viewer

# ---- seeing the petition -------------------------------------------------------------------
# Everyone sees PUBLIC petitions; the submitter their own; a delegate those addressed to them
# or to their group; an agency those forwarded to it; STAFF, MONITOR and ADMIN everything.


def visible_condition(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL form: the petitions `viewer` may see."""
    if viewer.sees_everything:
        return sa.true()
    terms: list[ColumnElement[bool]] = [col(Petition.visibility) == "PUBLIC"]
    if viewer.is_signed_in:
        terms.append(col(Petition.submitter_account_id) == viewer.account_id)
    terms.extend(_addressed_terms(viewer, today))
    if viewer.has_role(Role.AGENCY) and viewer.agency_id is not None:
        terms.append(col(Petition.agency_id) == viewer.agency_id)
    return sa.or_(*terms)


def can_view(viewer: Viewer, row: Petition, today: date) -> bool:
    """Python form of `visible_condition`."""
    return (
        viewer.sees_everything
        or row.visibility == "PUBLIC"
        or (viewer.is_signed_in and row.submitter_account_id == viewer.account_id)
        or is_addressed_to(viewer, row, today)
        or is_with_agency(viewer, row)
    )


def is_with_agency(viewer: Viewer, row: Petition) -> bool:
    """An AGENCY account sees a petition while it is with its agency (forwarded there, and
    after its answer); one sent back is the council's again. Never its submitter."""
    return (
        viewer.has_role(Role.AGENCY)
        and viewer.agency_id is not None
        and row.agency_id == viewer.agency_id
    )


async def can_view_petition(
    session: AsyncSession, viewer: Viewer, petition_id: int, today: date
) -> bool:
    """Whether `viewer` may see petition `petition_id` (False when it does not exist)."""
    stmt = sa.select(sa.literal(True)).where(
        col(Petition.id) == petition_id, visible_condition(viewer, today)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


# ---- addressed to the viewer ---------------------------------------------------------------
# A delegate serving on the day is addressed by a petition routed to them or to the group they
# belong to. Serving is the viewer's own fact, the same for every row: both forms decide it
# with the one rule's Python form (db.serving) over the service the Viewer carries.


def is_serving_delegate(viewer: Viewer, today: date) -> bool:
    """A DELEGATE account whose delegate serves on `today`."""
    return (
        viewer.has_role(Role.DELEGATE)
        and viewer.service is not None
        and serves_on(viewer.service, today)
    )


def _addressed_terms(viewer: Viewer, today: date) -> list[ColumnElement[bool]]:
    if not is_serving_delegate(viewer, today):
        return []
    terms: list[ColumnElement[bool]] = []
    if viewer.delegate_id is not None:
        terms.append(col(Petition.delegate_id) == viewer.delegate_id)
    if viewer.group_id is not None:
        terms.append(col(Petition.group_id) == viewer.group_id)
    return terms


def addressed_condition(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL form: petitions addressed to `viewer` as a delegate serving on `today` (none for
    other roles)."""
    terms = _addressed_terms(viewer, today)
    return sa.or_(*terms) if terms else sa.false()


def is_addressed_to(viewer: Viewer, row: Petition, today: date) -> bool:
    """Python form of `addressed_condition`."""
    if not is_serving_delegate(viewer, today):
        return False
    return (viewer.delegate_id is not None and row.delegate_id == viewer.delegate_id) or (
        viewer.group_id is not None and row.group_id == viewer.group_id
    )


# ---- handling it (acknowledge, forward, answer, reject) and the inbox -----------------------
# The addressed delegate, a member of the addressed group, or STAFF.


def handled_condition(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL form: the petitions `viewer` may handle, which is also their inbox."""
    if viewer.has_role(Role.STAFF):
        return sa.true()
    return addressed_condition(viewer, today)


def may_handle(viewer: Viewer, row: Petition, today: date) -> bool:
    """Python form of `handled_condition`."""
    return viewer.has_role(Role.STAFF) or is_addressed_to(viewer, row, today)


# ---- the submitter's identity (personal data) -----------------------------------------------
# The submitter, the addressed delegate, members of the addressed group, STAFF, MONITOR, ADMIN.
# Every read is audited (db.petitions.read_submitters).


def submitter_condition(viewer: Viewer, today: date) -> ColumnElement[bool]:
    """SQL form: petitions whose submitter `viewer` may see."""
    if viewer.sees_everything:
        return sa.true()
    terms = _addressed_terms(viewer, today)
    if viewer.is_signed_in:
        terms.append(col(Petition.submitter_account_id) == viewer.account_id)
    return sa.or_(*terms) if terms else sa.false()


def may_see_submitter(viewer: Viewer, row: Petition, today: date) -> bool:
    """Python form of `submitter_condition`."""
    return (
        viewer.sees_everything
        or is_addressed_to(viewer, row, today)
        or (viewer.is_signed_in and row.submitter_account_id == viewer.account_id)
    )


# ---- closing and supporting -----------------------------------------------------------------


def is_submitter(viewer: Viewer, row: Petition) -> bool:
    """The account that submitted `row` (closing is theirs alone)."""
    return viewer.is_signed_in and row.submitter_account_id == viewer.account_id


def may_support(viewer: Viewer, row: Petition) -> bool:
    """A citizen other than the submitter (status and visibility are checked by the caller)."""
    return viewer.has_role(Role.CITIZEN) and not is_submitter(viewer, row)
