"""The statements of the covered root fields: each renders that field's whole JSON answer.

Arguments arrive as bound parameters (`param`), never as values; what changes the statement's
shape (an argument given or not, a boolean, the type a `node` id names) is decided by the
caller and is part of the plan's cache key. Lists and connections use the same conditions,
order and keyset as db.council, db.petitions and db.sessions.reads, and the rules' SQL forms
(db.serving, db.petition_access, db.sessions.compliance), so both paths answer alike."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.connection import (
    DIRECTORY_ORDER,
    NEWEST_FIRST,
    SESSIONS_NEWEST_FIRST,
    connection,
)
from db.compiled.council_shapes import (
    AREA,
    COMMITTEE,
    CONSTITUENCY_UNIT,
    DELEGATE,
    GROUP,
    UNIT,
    serving,
)
from db.compiled.json import EMPTY_LIST, NULL_JSON, Expr, json_items, json_list, text_literal
from db.compiled.petition_shapes import PETITION, visible
from db.compiled.plan import Field, NotCompiled
from db.compiled.session_shapes import SESSION, compliance
from db.compiled.shapes import BY_CODE, BY_ID, BY_NAME, SHAPES, Order, Scope, adapt, render
from db.council.reads import DelegateFilter, _delegate_conditions, _session_conditions
from db.petitions import (
    ListScope,
    PetitionFilter,
    filter_conditions,
    hot_conditions,
    hot_score,
    inbox_conditions,
    own_conditions,
)
from db.text import search_matches

Select = sa.Select[tuple[str | None]]


def param(name: str, type_: Any) -> Expr:
    """A value of the request, bound at run time by name."""
    return sa.bindparam(name, type_=type_, required=False)


def _answer(value: Expr) -> Select:
    return sa.select(sa.cast(value, sa.Text))


# ---- plain lists ---------------------------------------------------------------------------


def _list(
    type_name: str,
    table: sa.Table,
    field: Field,
    scope: Scope,
    order: Order,
    where: Callable[[FromClause], Sequence[ColumnElement[bool]]] = lambda t: (),
) -> Expr:
    t = table.alias()
    body = render(type_name, t, field, scope)
    return sa.select(json_list(body, order(t))).select_from(t).where(*where(t)).scalar_subquery()


def units(field: Field, scope: Scope, level: Expr | None, parent_code: Expr | None) -> Select:
    def where(u: FromClause) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if level is not None:
            found.append(u.c.level == level)
        if parent_code is not None:
            found.append(u.c.parent_code == parent_code)
        return found

    return _answer(_list("AdministrativeUnit", UNIT, field, scope, BY_CODE, where))


def delegate_groups(field: Field, scope: Scope) -> Select:
    return _answer(_list("DelegateGroup", GROUP, field, scope, BY_ID))


def committees(field: Field, scope: Scope) -> Select:
    return _answer(_list("Committee", COMMITTEE, field, scope, BY_ID))


def delegates_for_unit(field: Field, scope: Scope, code: Expr) -> Select:
    """`delegatesForUnit`, as db.council.delegates_for_unit decides it: the delegates serving
    today elected in a constituency covering the unit (the unit, a unit above it, a unit
    inside it), else the serving members of the group whose areas cover it most closely;
    NULL when the code names no unit."""
    path = _unit_path(code)
    ancestors = sa.func.string_to_array(path, text_literal("/"), type_=ARRAY(sa.Text))
    link, inside = CONSTITUENCY_UNIT.alias(), UNIT.alias()
    covering = (
        sa.select(link.c.constituency_id)
        .join(inside, inside.c.code == link.c.unit_code)
        .where(
            sa.or_(
                link.c.unit_code == sa.any_(ancestors),
                inside.c.path.like(path.op("||")(text_literal("/%"))),
            )
        )
    )
    area = AREA.alias()
    depth = sa.func.array_position(ancestors, area.c.unit_code)
    group = (
        sa.select(area.c.group_id)
        .where(area.c.unit_code == sa.any_(ancestors))
        .order_by(depth.desc(), area.c.group_id)
        .limit(1)
        .scalar_subquery()
    )

    def serving_where(rule: Callable[[FromClause], ColumnElement[bool]]) -> Expr:
        d = DELEGATE.alias()
        body = render("Delegate", d, field, scope)
        stmt = sa.select(json_items(body, BY_NAME(d))).where(rule(d), serving(d, scope))
        return stmt.scalar_subquery()

    by_constituency = serving_where(lambda d: d.c.constituency_id.in_(covering))
    by_group = serving_where(lambda d: d.c.group_id == group)
    return _answer(_unless_unknown(path, sa.func.coalesce(by_constituency, by_group, EMPTY_LIST)))


# ---- connections ---------------------------------------------------------------------------


def delegates(
    field: Field,
    scope: Scope,
    f: DelegateFilter,
    search: Expr | None,
    search_grams: Expr | None,
    first: Expr,
    after: Sequence[Expr] | None,
) -> Select:
    """`delegates`: the directory in name order, filtered as db.council filters it."""
    conditions = _delegate_conditions(f)
    if search is not None and search_grams is not None:
        conditions.append(search_matches(DELEGATE.c.full_name_folded, search_grams, search))
    return _answer(
        connection("Delegate", DELEGATE, field, scope, conditions, DIRECTORY_ORDER, first, after)
    )


@dataclass(frozen=True)
class _Unit:
    """An administrative unit known only by its path, found by code inside the statement."""

    path: Expr


def _unit_path(code: Expr) -> Expr:
    return sa.select(UNIT.c.path).where(UNIT.c.code == code).scalar_subquery()


def _unless_unknown(unit_path: Expr | None, answer: Expr) -> Expr:
    """NULL when the unit is unknown: the caller lets the resolvers say so."""
    if unit_path is None:
        return answer
    return sa.case((unit_path.is_(None), NULL_JSON), else_=answer)


def petitions(
    field: Field,
    scope: Scope,
    f: PetitionFilter,
    unit_code: Expr | None,
    search: Expr | None,
    search_grams: Expr | None,
    first: Expr,
    after: Sequence[Expr] | None,
) -> Select:
    """`petitions`: what the viewer may see, filtered as db.petitions filters it; NULL when
    `unitCode` names no unit."""
    path = _unit_path(unit_code) if unit_code is not None else None
    list_scope = ListScope(
        viewer=scope.viewer,
        now=cast(Any, scope.now),
        deadlines=scope.deadlines,
        unit=cast(Any, _Unit(path)) if path is not None else None,
        today=scope.day,
    )
    conditions = filter_conditions(f, list_scope)
    if search is not None and search_grams is not None:
        conditions.append(search_matches(PETITION.c.search_folded, search_grams, search))
    answer = _newest_petitions(field, scope, conditions, first, after)
    return _answer(_unless_unknown(path, answer))


def inbox(
    field: Field, scope: Scope, status: Expr | None, first: Expr, after: Sequence[Expr] | None
) -> Select:
    conditions = inbox_conditions(scope.viewer, cast(Any, status), scope.day)
    return _answer(_newest_petitions(field, scope, conditions, first, after))


def my_petitions(field: Field, scope: Scope, first: Expr, after: Sequence[Expr] | None) -> Select:
    conditions = own_conditions(scope.viewer)
    return _answer(_newest_petitions(field, scope, conditions, first, after))


def _newest_petitions(
    field: Field,
    scope: Scope,
    conditions: Sequence[ColumnElement[bool]],
    first: Expr,
    after: Sequence[Expr] | None,
) -> Expr:
    return connection("Petition", PETITION, field, scope, conditions, NEWEST_FIRST, first, after)


def petition_by_tracking_code(field: Field, scope: Scope, code: Expr) -> Select:
    p = PETITION.alias()
    body = render("PetitionTracking", p, field, scope)
    return _answer(sa.select(body).where(p.c.tracking_code == code).limit(1).scalar_subquery())


def hot_issues(
    field: Field, scope: Scope, unit_code: Expr | None, since: Expr | None, first: Expr
) -> Select:
    """`hotIssues`: NULL when `unitCode` names no unit."""
    path = _unit_path(unit_code) if unit_code is not None else None
    conditions = hot_conditions(
        cast(Any, since), cast(Any, _Unit(path)) if path is not None else None, cast(Any, scope.now)
    )

    def order(p: FromClause) -> list[Any]:
        return [adapt(hot_score(scope.now), p).desc(), p.c.id.desc()]

    rows = (
        sa.select(*PETITION.c)
        .where(*conditions)
        .order_by(hot_score(scope.now).desc(), PETITION.c.id.desc())
        .limit(first)
        .subquery()
    )
    body = render("Petition", rows, field, scope)
    answer = sa.select(json_list(body, order(rows))).select_from(rows).scalar_subquery()
    return _answer(_unless_unknown(path, answer))


# ---- sessions ------------------------------------------------------------------------------


def sessions(
    field: Field, scope: Scope, status: Expr | None, first: Expr, after: Sequence[Expr] | None
) -> Select:
    """`sessions`: newest first, by status as db.council.sessions_page filters them."""
    conditions = _session_conditions(cast(Any, status))
    return _answer(
        connection(
            "Session", SESSION, field, scope, conditions, SESSIONS_NEWEST_FIRST, first, after
        )
    )


def session_compliance(field: Field, scope: Scope, session_id: Expr) -> Select:
    """`sessionCompliance`: NULL when no session has this id (the resolvers say so)."""
    known = sa.exists().where(SESSION.c.id == session_id)
    answer = compliance(field, scope, session_id, None)
    return _answer(sa.case((known, answer), else_=NULL_JSON))


# ---- node ----------------------------------------------------------------------------------

# Who may see an object through `node(id:)`, beyond its existing, for the types with a rule.
NODE_RULES: dict[str, Callable[[FromClause, Scope], ColumnElement[bool]]] = {
    "Petition": visible,
}
NODE_TYPES = frozenset(
    {"Delegate", "DelegateGroup", "Committee", "Constituency", "Petition"}
    | {"Session", "AgendaItem", "Contribution"}
)


def node(field: Field, scope: Scope, type_name: str, pk: Expr) -> Select:
    """`node(id:)` for an id of `type_name`: the object, or NULL when it does not exist or
    the viewer may not see it (as the type's registered fetcher answers)."""
    t = SHAPES[type_name].alias()
    where = [t.c.id == pk]
    rule = NODE_RULES.get(type_name)
    if rule is not None:
        where.append(rule(t, scope))
    body = render(type_name, t, field, scope)
    return _answer(sa.select(body).where(*where).limit(1).scalar_subquery())


# ---- parameters ----------------------------------------------------------------------------


def sql_type(value: Any) -> Any:
    """The SQL type a request's value binds as, by its Python type (the plan's key holds
    each value's type, so a cached plan never meets another)."""
    if isinstance(value, datetime):
        return sa.DateTime(timezone=True)
    if isinstance(value, date):
        return sa.Date
    if isinstance(value, int):
        return sa.Integer
    if isinstance(value, str):
        return sa.Text
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ARRAY(sa.Text)
    raise NotCompiled(f"a value of type {type(value).__name__}")


class Choice(str):
    """A value that decides the statement's shape (the type a `node` id names): part of the
    plan's key and built into the statement, never a bound parameter."""

    __slots__ = ()


def symbolic(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """What a statement is built from: a bound parameter (named `prefix` + name) for each
    value given, the value itself for booleans and choices (they change the statement's
    shape), None for values not given."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or isinstance(value, bool | Choice):
            out[name] = value
        else:
            out[name] = param(prefix + name, sql_type(value))
    return out
