"""Who may see a petition, its submitter, and who may act on it.

Each rule is written twice, side by side: a SQL form (a WHERE clause for lists, and for the
compiled read path to come) and a Python form (for one row already in hand). Change one, change
its twin; tests/db/test_petition_access.py holds them to the same answers.
"""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.tables import Petition
from db.viewer import Role, Viewer

# ---- seeing the petition -------------------------------------------------------------------
# Everyone sees PUBLIC petitions; the submitter their own; a delegate those addressed to them
# or to their group; STAFF, MONITOR and ADMIN everything.


def visible_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: the petitions `viewer` may see."""
    if viewer.sees_everything:
        return sa.true()
    terms: list[ColumnElement[bool]] = [col(Petition.visibility) == "PUBLIC"]
    if viewer.is_signed_in:
        terms.append(col(Petition.submitter_account_id) == viewer.account_id)
    terms.extend(_addressed_terms(viewer))
    return sa.or_(*terms)


def can_view(viewer: Viewer, row: Petition) -> bool:
    """Python form of `visible_condition`."""
    return (
        viewer.sees_everything
        or row.visibility == "PUBLIC"
        or (viewer.is_signed_in and row.submitter_account_id == viewer.account_id)
        or is_addressed_to(viewer, row)
    )


async def can_view_petition(session: AsyncSession, viewer: Viewer, petition_id: int) -> bool:
    """Whether `viewer` may see petition `petition_id` (False when it does not exist)."""
    stmt = sa.select(sa.literal(True)).where(
        col(Petition.id) == petition_id, visible_condition(viewer)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


# ---- addressed to the viewer ---------------------------------------------------------------
# A delegate is addressed by a petition routed to them or to the group they belong to.


def _addressed_terms(viewer: Viewer) -> list[ColumnElement[bool]]:
    if not viewer.has_role(Role.DELEGATE):
        return []
    terms: list[ColumnElement[bool]] = []
    if viewer.delegate_id is not None:
        terms.append(col(Petition.delegate_id) == viewer.delegate_id)
    if viewer.group_id is not None:
        terms.append(col(Petition.group_id) == viewer.group_id)
    return terms


def addressed_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: petitions addressed to `viewer` as a delegate (none for other roles)."""
    terms = _addressed_terms(viewer)
    return sa.or_(*terms) if terms else sa.false()


def is_addressed_to(viewer: Viewer, row: Petition) -> bool:
    """Python form of `addressed_condition`."""
    if not viewer.has_role(Role.DELEGATE):
        return False
    return (viewer.delegate_id is not None and row.delegate_id == viewer.delegate_id) or (
        viewer.group_id is not None and row.group_id == viewer.group_id
    )


# ---- handling it (acknowledge, forward, answer, reject) and the inbox -----------------------
# The addressed delegate, a member of the addressed group, or STAFF.


def handled_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: the petitions `viewer` may handle, which is also their inbox."""
    if viewer.has_role(Role.STAFF):
        return sa.true()
    return addressed_condition(viewer)


def may_handle(viewer: Viewer, row: Petition) -> bool:
    """Python form of `handled_condition`."""
    return viewer.has_role(Role.STAFF) or is_addressed_to(viewer, row)


# ---- the submitter's identity (personal data) -----------------------------------------------
# The submitter, the addressed delegate, members of the addressed group, STAFF, MONITOR, ADMIN.
# Every read is audited (db.petitions.read_submitters).


def submitter_condition(viewer: Viewer) -> ColumnElement[bool]:
    """SQL form: petitions whose submitter `viewer` may see."""
    if viewer.sees_everything:
        return sa.true()
    terms = _addressed_terms(viewer)
    if viewer.is_signed_in:
        terms.append(col(Petition.submitter_account_id) == viewer.account_id)
    return sa.or_(*terms) if terms else sa.false()


def may_see_submitter(viewer: Viewer, row: Petition) -> bool:
    """Python form of `submitter_condition`."""
    return (
        viewer.sees_everything
        or is_addressed_to(viewer, row)
        or (viewer.is_signed_in and row.submitter_account_id == viewer.account_id)
    )


# ---- closing and supporting -----------------------------------------------------------------


def is_submitter(viewer: Viewer, row: Petition) -> bool:
    """The account that submitted `row` (closing is theirs alone)."""
    return viewer.is_signed_in and row.submitter_account_id == viewer.account_id


def may_support(viewer: Viewer, row: Petition) -> bool:
    """A citizen other than the submitter (status and visibility are checked by the caller)."""
    return viewer.has_role(Role.CITIZEN) and not is_submitter(viewer, row)
