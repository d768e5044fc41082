"""How each covered GraphQL type renders as JSON in SQL: its table, its columns, its related
objects and lists, and its computed fields, the viewer's rules taken from their SQL forms
(db.petition_access, db.petition_fields, db.council). A field not listed here is not covered:
the whole root field then falls back to the resolvers (masked and audited fields, fields with
arguments, restricted ones)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import (
    NULL_JSON,
    Expr,
    global_id,
    iso_date,
    json_list,
    json_object,
    local_instant,
    text_literal,
)
from db.compiled.plan import Field, NotCompiled
from db.petition_fields import (
    Deadlines,
    overdue_condition,
    support_count_column,
    viewer_has_supported_condition,
)
from db.serving import serving_on
from db.tables import (
    AdministrativeUnit,
    Committee,
    CommitteeMember,
    Constituency,
    ConstituencyUnit,
    Delegate,
    DelegateGroup,
    GroupArea,
    Petition,
    PetitionEvent,
)
from db.tables.base import table_of
from db.viewer import Viewer

UNIT = table_of(AdministrativeUnit)
GROUP = table_of(DelegateGroup)
AREA = table_of(GroupArea)
DELEGATE = table_of(Delegate)
CONSTITUENCY = table_of(Constituency)
CONSTITUENCY_UNIT = table_of(ConstituencyUnit)
COMMITTEE = table_of(Committee)
COMMITTEE_MEMBER = table_of(CommitteeMember)
PETITION = table_of(Petition)
EVENT = table_of(PetitionEvent)


@dataclass(frozen=True)
class Scope:
    """What rendering depends on beyond the selection: the viewer (ids as bound parameters),
    today's date and the current instant (bound parameters), the petition deadlines, and the
    request's day itself where a rule decides in Python (whether the viewer serves: part of
    the plan's key)."""

    viewer: Viewer
    today: Expr
    now: Expr
    deadlines: Deadlines
    day: date


def adapt(condition: ColumnElement[Any], source: FromClause) -> ColumnElement[Any]:
    """A rule written against a table, rewritten against an alias or CTE of it."""
    adapted: ColumnElement[Any] = sql_util.ClauseAdapter(source).traverse(condition)
    return adapted


Render = Callable[[FromClause, Field, Scope], Expr]


def _column(name: str) -> Render:
    return lambda src, field, scope: src.c[name]


def _date(name: str) -> Render:
    return lambda src, field, scope: iso_date(src.c[name])


def _instant(name: str) -> Render:
    return lambda src, field, scope: local_instant(src.c[name])


def _id(type_name: str) -> Render:
    return lambda src, field, scope: global_id(type_name, src.c.id)


@dataclass(frozen=True)
class Shape:
    """A GraphQL object type over a table: each field's rendering from a row of it."""

    name: str
    table: sa.Table
    fields: dict[str, Render]

    def render(self, src: FromClause, selection: Sequence[Field], scope: Scope) -> Expr:
        pairs: list[tuple[str, Expr]] = []
        for field in selection:
            if field.name == "__typename":
                pairs.append((field.key, text_literal(field.literal or self.name)))
                continue
            render = self.fields.get(field.name)
            if render is None:
                raise NotCompiled(f"{self.name}.{field.name}")
            pairs.append((field.key, render(src, field, scope)))
        return json_object(pairs)


SHAPES: dict[str, Shape] = {}


def render(type_name: str, src: FromClause, field: Field, scope: Scope) -> Expr:
    if field.children is None:
        raise NotCompiled(f"{type_name} without a selection")
    return SHAPES[type_name].render(src, field.children, scope)


def one(type_name: str, where: Callable[[FromClause, FromClause], ColumnElement[bool]]) -> Render:
    """A related object (null when there is none): a correlated scalar subquery."""

    def build(src: FromClause, field: Field, scope: Scope) -> Expr:
        inner = SHAPES[type_name].table.alias()
        body = render(type_name, inner, field, scope)
        stmt = sa.select(body).where(where(inner, src)).correlate(src).limit(1)
        return stmt.scalar_subquery()

    return build


def many(
    type_name: str,
    where: Callable[[FromClause, FromClause, Scope], Sequence[ColumnElement[bool]]],
    order: Callable[[FromClause], Sequence[Any]],
    join: Callable[[FromClause], tuple[FromClause, ColumnElement[bool]]] | None = None,
) -> Render:
    """A related list in `order`: json_agg over a correlated subquery ([] when empty)."""

    def build(src: FromClause, field: Field, scope: Scope) -> Expr:
        inner = SHAPES[type_name].table.alias()
        body = render(type_name, inner, field, scope)
        stmt = sa.select(json_list(body, order(inner)))
        if join is not None:
            link, on = join(inner)
            stmt = stmt.select_from(inner.join(link, on))
        else:
            stmt = stmt.select_from(inner)
        return stmt.where(*where(inner, src, scope)).correlate(src).scalar_subquery()

    return build


def by_code(src: FromClause) -> Sequence[Any]:
    return [src.c.code]


def by_id(src: FromClause) -> Sequence[Any]:
    return [src.c.id]


def by_name(src: FromClause) -> Sequence[Any]:
    """The directory's order: folded name, then id."""
    return [src.c.full_name_folded, src.c.id]


def serving(delegate: FromClause, scope: Scope) -> ColumnElement[bool]:
    return adapt(serving_on(scope.today), delegate)


# ---- the council ---------------------------------------------------------------------------


SHAPES["AdministrativeUnit"] = Shape(
    "AdministrativeUnit",
    UNIT,
    {
        "code": _column("code"),
        "name": _column("name"),
        "type": _column("type"),
        "level": _column("level"),
        "parent": one("AdministrativeUnit", lambda u, src: u.c.code == src.c.parent_code),
        "children": many(
            "AdministrativeUnit", lambda u, src, scope: [u.c.parent_code == src.c.code], by_code
        ),
    },
)

SHAPES["Committee"] = Shape(
    "Committee",
    COMMITTEE,
    {
        "id": _id("Committee"),
        "name": _column("name"),
        "kind": _column("kind"),
        "members": many(
            "Delegate",
            lambda d, src, scope: [
                sa.exists()
                .where(
                    COMMITTEE_MEMBER.c.delegate_id == d.c.id,
                    COMMITTEE_MEMBER.c.committee_id == src.c.id,
                )
                .correlate_except(COMMITTEE_MEMBER),
                serving(d, scope),
            ],
            by_name,
        ),
    },
)

SHAPES["Constituency"] = Shape(
    "Constituency",
    CONSTITUENCY,
    {
        "id": _id("Constituency"),
        "number": _column("number"),
        "name": _column("name"),
        "seats": _column("seats"),
        "units": many(
            "AdministrativeUnit",
            lambda u, src, scope: [
                sa.exists()
                .where(
                    CONSTITUENCY_UNIT.c.unit_code == u.c.code,
                    CONSTITUENCY_UNIT.c.constituency_id == src.c.id,
                )
                .correlate_except(CONSTITUENCY_UNIT)
            ],
            by_code,
        ),
        # Everyone elected there this term, those who left included.
        "delegates": many(
            "Delegate", lambda d, src, scope: [d.c.constituency_id == src.c.id], by_name
        ),
    },
)


def _member_count(src: FromClause, field: Field, scope: Scope) -> Expr:
    d = DELEGATE.alias()
    return (
        sa.select(sa.func.count())
        .select_from(d)
        .where(d.c.group_id == src.c.id, serving(d, scope))
        .correlate(src)
        .scalar_subquery()
    )


SHAPES["DelegateGroup"] = Shape(
    "DelegateGroup",
    GROUP,
    {
        "id": _id("DelegateGroup"),
        "name": _column("name"),
        "areas": many(
            "AdministrativeUnit",
            lambda u, src, scope: [
                sa.exists()
                .where(AREA.c.unit_code == u.c.code, AREA.c.group_id == src.c.id)
                .correlate_except(AREA)
            ],
            by_code,
        ),
        "leader": one("Delegate", lambda d, src: d.c.id == src.c.leader_id),
        "members": many(
            "Delegate",
            lambda d, src, scope: [d.c.group_id == src.c.id, serving(d, scope)],
            by_name,
        ),
        "memberCount": _member_count,
    },
)

SHAPES["Delegate"] = Shape(
    "Delegate",
    DELEGATE,
    {
        "id": _id("Delegate"),
        "fullName": _column("full_name"),
        "title": _column("title"),
        "workplace": _column("workplace"),
        "photoUrl": _column("photo_url"),
        "isFullTime": _column("is_full_time"),
        "servedFrom": _date("served_from"),
        "servedUntil": _date("served_until"),
        "endReason": _column("end_reason"),
        "group": one("DelegateGroup", lambda g, src: g.c.id == src.c.group_id),
        "constituency": one("Constituency", lambda c, src: c.c.id == src.c.constituency_id),
        "committees": many(
            "Committee",
            lambda c, src, scope: [
                sa.exists()
                .where(
                    COMMITTEE_MEMBER.c.committee_id == c.c.id,
                    COMMITTEE_MEMBER.c.delegate_id == src.c.id,
                )
                .correlate_except(COMMITTEE_MEMBER)
            ],
            by_id,
        ),
    },
)


# ---- petitions -----------------------------------------------------------------------------


def _answer(src: FromClause, field: Field, scope: Scope) -> Expr:
    """PetitionAnswer, null until both the body and the time are recorded."""
    pairs: list[tuple[str, Expr]] = []
    for f in field.children or ():
        if f.name == "__typename":
            pairs.append((f.key, text_literal("PetitionAnswer")))
        elif f.name == "body":
            pairs.append((f.key, src.c.answer_body))
        elif f.name == "respondent":
            pairs.append((f.key, sa.func.coalesce(src.c.answer_respondent, "")))
        elif f.name == "answeredAt":
            pairs.append((f.key, local_instant(src.c.answered_at)))
        else:
            raise NotCompiled(f"PetitionAnswer.{f.name}")
    return sa.case(
        (sa.or_(src.c.answer_body.is_(None), src.c.answered_at.is_(None)), NULL_JSON),
        else_=json_object(pairs),
    )


def _timeline(src: FromClause, field: Field, scope: Scope) -> Expr:
    e = EVENT.alias()
    body = render("PetitionEvent", e, field, scope)
    return (
        sa.select(json_list(body, [e.c.at, e.c.id]))
        .select_from(e)
        .where(e.c.petition_id == src.c.id)
        .correlate(src)
        .scalar_subquery()
    )


def _overdue(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(overdue_condition(scope.now, scope.deadlines), src)  # type: ignore[arg-type]


def _supported(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(viewer_has_supported_condition(scope.viewer), src)


def _support_count(src: FromClause, field: Field, scope: Scope) -> Expr:
    return adapt(support_count_column(), src)


SHAPES["PetitionEvent"] = Shape(
    "PetitionEvent",
    EVENT,
    {
        "at": _instant("at"),
        "status": _column("status"),
        "actorRole": _column("actor_role"),
        "note": _column("note"),
    },
)

_PETITION_COMMON: dict[str, Render] = {
    "trackingCode": _column("tracking_code"),
    "status": _column("status"),
    "submittedAt": _instant("submitted_at"),
    "answer": _answer,
    "timeline": _timeline,
}

SHAPES["Petition"] = Shape(
    "Petition",
    PETITION,
    {
        **_PETITION_COMMON,
        "id": _id("Petition"),
        "title": _column("title"),
        "content": _column("content"),
        "category": _column("category"),
        "visibility": _column("visibility"),
        "updatedAt": _instant("updated_at"),
        "acknowledgedAt": _instant("acknowledged_at"),
        "forwardedTo": _column("forwarded_agency"),
        "closedAt": _instant("closed_at"),
        "satisfied": _column("satisfied"),
        "commune": one("AdministrativeUnit", lambda u, src: u.c.code == src.c.commune_code),
        "delegate": one("Delegate", lambda d, src: d.c.id == src.c.delegate_id),
        "group": one("DelegateGroup", lambda g, src: g.c.id == src.c.group_id),
        "supportCount": _support_count,
        "viewerHasSupported": _supported,
        "isOverdue": _overdue,
    },
)

# What anyone holding the tracking code sees: no content, no personal data.
SHAPES["PetitionTracking"] = Shape("PetitionTracking", PETITION, dict(_PETITION_COMMON))
