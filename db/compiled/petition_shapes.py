"""Petitions in SQL: the petition (and what its tracking code shows), its answer and timeline,
its computed fields (isOverdue, supportCount, viewerHasSupported) from their SQL forms in
db.petition_fields, and who may see one (db.petition_access)."""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import NULL_JSON, Expr
from db.compiled.plan import Field
from db.compiled.shapes import (
    Render,
    Scope,
    adapt,
    column,
    global_id_of,
    instant_column,
    instants,
    many,
    order_by,
    plain,
    ref,
    render,
    shape,
)
from db.petition_access import visible_condition
from db.petition_fields import (
    overdue_condition,
    support_count_column,
    viewer_has_supported_condition,
)
from db.tables import Petition, PetitionEvent
from db.tables.base import table_of

PETITION = table_of(Petition)
EVENT = table_of(PetitionEvent)


def visible(petition: FromClause, scope: Scope) -> ColumnElement[bool]:
    """The petitions the viewer may see (db.petition_access), over an alias of the table."""
    return adapt(visible_condition(scope.viewer, scope.day), petition)


def _answer(src: FromClause, field: Field, scope: Scope) -> Expr:
    """PetitionAnswer, null until both the body and the time are recorded."""
    unanswered = sa.or_(src.c.answer_body.is_(None), src.c.answered_at.is_(None))
    return sa.case((unanswered, NULL_JSON), else_=render("PetitionAnswer", src, field, scope))


def _overdue(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(overdue_condition(scope.now, scope.deadlines), src)  # type: ignore[arg-type]


def _supported(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(viewer_has_supported_condition(scope.viewer), src)


def _support_count(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(support_count_column(), src)


# Read from the petition's own row.
shape(
    "PetitionAnswer",
    None,
    {
        "body": column("answer_body"),
        "respondent": lambda src, field, scope: sa.func.coalesce(src.c.answer_respondent, ""),
        "answeredAt": instant_column("answered_at"),
    },
)

shape("PetitionEvent", EVENT, {**instants("at"), **plain("status", "actorRole", "note")})

_COMMON: dict[str, Render] = {
    **plain("trackingCode", "status"),
    **instants("submittedAt"),
    "answer": _answer,
    "timeline": many(
        "PetitionEvent", lambda e, src, scope: [e.c.petition_id == src.c.id], order_by("at", "id")
    ),
}

shape(
    "Petition",
    PETITION,
    {
        **_COMMON,
        "id": global_id_of("Petition"),
        **plain("title", "content", "category", "visibility", "satisfied"),
        **instants("updatedAt", "acknowledgedAt", "closedAt"),
        "forwardedTo": column("forwarded_agency"),
        "commune": ref("AdministrativeUnit", "commune_code", key="code"),
        "delegate": ref("Delegate", "delegate_id"),
        "group": ref("DelegateGroup", "group_id"),
        "supportCount": _support_count,
        "viewerHasSupported": _supported,
        "isOverdue": _overdue,
    },
)

# What anyone holding the tracking code sees: no content, no personal data.
shape("PetitionTracking", PETITION, dict(_COMMON))
