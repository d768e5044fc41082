"""The statements of the covered root fields: each renders that field's whole JSON answer.

Arguments arrive as bound parameters (`param`), never as values; what changes the statement's
shape (an argument given or not, a boolean) is decided by the caller and is part of the plan's
cache key. Lists and connections use the same conditions, order and keyset as db.council and
db.petitions, and the rules' SQL forms (db.petition_access), so both paths answer alike."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import (
    NULL_JSON,
    Expr,
    cursor,
    instant_key,
    json_list,
    json_object,
    json_text,
    text_literal,
)
from db.compiled.plan import Field, NotCompiled
from db.compiled.shapes import COMMITTEE, DELEGATE, GROUP, PETITION, UNIT, Scope, render
from db.council import DelegateFilter, _delegate_conditions
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
    where: Callable[[FromClause], Sequence[ColumnElement[bool]]],
    order: Callable[[FromClause], Sequence[Any]],
    limit: Expr | None = None,
) -> Expr:
    t = table.alias()
    if limit is None:
        body = render(type_name, t, field, scope)
        return (
            sa.select(json_list(body, order(t))).select_from(t).where(*where(t)).scalar_subquery()
        )
    # Cut first, then aggregate: the LIMIT applies to rows, not to the aggregate.
    rows = sa.select(*t.c).where(*where(t)).order_by(*order(t)).limit(limit).subquery()
    body = render(type_name, rows, field, scope)
    return sa.select(json_list(body, order(rows))).select_from(rows).scalar_subquery()


def units(field: Field, scope: Scope, level: Expr | None, parent_code: Expr | None) -> Select:
    def where(u: FromClause) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if level is not None:
            found.append(u.c.level == level)
        if parent_code is not None:
            found.append(u.c.parent_code == parent_code)
        return found

    return _answer(_list("AdministrativeUnit", UNIT, field, scope, where, lambda u: [u.c.code]))


def delegate_groups(field: Field, scope: Scope) -> Select:
    return _answer(_list("DelegateGroup", GROUP, field, scope, lambda g: [], lambda g: [g.c.id]))


def committees(field: Field, scope: Scope) -> Select:
    return _answer(_list("Committee", COMMITTEE, field, scope, lambda c: [], lambda c: [c.c.id]))


# ---- connections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyset:
    """A list's order (column names) and direction, and how a row's cursor renders."""

    columns: tuple[str, ...]
    descending: bool
    key: Callable[[FromClause], Sequence[Expr]]

    def order(self, src: FromClause, reverse: bool = False) -> list[Any]:
        down = self.descending != reverse
        return [src.c[c].desc() if down else src.c[c] for c in self.columns]

    def after(self, src: FromClause, key: Sequence[Expr]) -> ColumnElement[bool]:
        row = sa.tuple_(*[src.c[c] for c in self.columns])
        bound = sa.tuple_(*key)
        return row < bound if self.descending else row > bound


DIRECTORY_ORDER = Keyset(
    ("full_name_folded", "id"),
    False,
    lambda d: [json_text(d.c.full_name_folded), sa.cast(d.c.id, sa.Text)],
)
NEWEST_FIRST = Keyset(
    ("submitted_at", "id"),
    True,
    lambda p: [instant_key(p.c.submitted_at), sa.cast(p.c.id, sa.Text)],
)


def connection(
    type_name: str,
    table: sa.Table,
    field: Field,
    scope: Scope,
    conditions: Sequence[ColumnElement[bool]],
    keyset: Keyset,
    first: Expr,
    after: Sequence[Expr] | None,
) -> Expr:
    """A Relay connection: one keyset page (`first` + 1 rows tell whether more follow), edges
    with cursors, page info, and `totalCount` only when selected."""
    where = list(conditions)
    if after is not None:
        where.append(keyset.after(table, after))
    page = (
        sa.select(*table.c)
        .where(*where)
        .order_by(*keyset.order(table))
        .limit(first + 1)
        .cte("page")
    )
    cut = sa.select(*page.c).order_by(*keyset.order(page)).limit(first).cte("cut")

    def cursor_of(src: FromClause) -> Expr:
        return cursor(*keyset.key(src))

    def end(reverse: bool) -> Expr:
        return (
            sa.select(cursor_of(cut))
            .order_by(*keyset.order(cut, reverse))
            .limit(1)
            .scalar_subquery()
        )

    pairs: list[tuple[str, Expr]] = []
    for f in field.children or ():
        if f.name == "__typename":
            pairs.append((f.key, text_literal(f.literal or "")))
        elif f.name == "totalCount":
            count = sa.select(sa.func.count()).select_from(table).where(*conditions)
            pairs.append((f.key, count.scalar_subquery()))
        elif f.name == "nodes":
            body = render(type_name, cut, f, scope)
            pairs.append((f.key, _over(cut, json_list(body, keyset.order(cut)))))
        elif f.name == "edges":
            edge: list[tuple[str, Expr]] = []
            for e in f.children or ():
                if e.name == "__typename":
                    edge.append((e.key, text_literal(e.literal or "")))
                elif e.name == "cursor":
                    edge.append((e.key, cursor_of(cut)))
                elif e.name == "node":
                    edge.append((e.key, render(type_name, cut, e, scope)))
                else:
                    raise NotCompiled(f"edge.{e.name}")
            pairs.append((f.key, _over(cut, json_list(json_object(edge), keyset.order(cut)))))
        elif f.name == "pageInfo":
            info: list[tuple[str, Expr]] = []
            for i in f.children or ():
                if i.name == "__typename":
                    info.append((i.key, text_literal(i.literal or "")))
                elif i.name == "hasNextPage":
                    more = sa.select(sa.func.count()).select_from(page).scalar_subquery() > first
                    info.append((i.key, more))
                elif i.name == "hasPreviousPage":
                    info.append((i.key, sa.true() if after is not None else sa.false()))
                elif i.name == "startCursor":
                    info.append((i.key, end(False)))
                elif i.name == "endCursor":
                    info.append((i.key, end(True)))
                else:
                    raise NotCompiled(f"pageInfo.{i.name}")
            pairs.append((f.key, json_object(info)))
        else:
            raise NotCompiled(f"connection.{f.name}")
    return json_object(pairs)


def _over(src: FromClause, aggregate: Expr) -> Expr:
    return sa.select(aggregate).select_from(src).scalar_subquery()


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
    answer = connection("Petition", PETITION, field, scope, conditions, NEWEST_FIRST, first, after)
    return _answer(_unless_unknown(path, answer))


def inbox(
    field: Field, scope: Scope, status: Expr | None, first: Expr, after: Sequence[Expr] | None
) -> Select:
    conditions = inbox_conditions(scope.viewer, cast(Any, status), scope.day)
    return _answer(
        connection("Petition", PETITION, field, scope, conditions, NEWEST_FIRST, first, after)
    )


def my_petitions(field: Field, scope: Scope, first: Expr, after: Sequence[Expr] | None) -> Select:
    conditions = own_conditions(scope.viewer)
    return _answer(
        connection("Petition", PETITION, field, scope, conditions, NEWEST_FIRST, first, after)
    )


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
        from db.compiled.shapes import adapt

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


# ---- parameters ----------------------------------------------------------------------------

# The SQL type of each named value a root may take (names are shared by every root).
PARAM_TYPES: dict[str, Any] = {
    "first": sa.Integer,
    "after_name": sa.Text,
    "after_id": sa.Integer,
    "after_at": sa.DateTime(timezone=True),
    "group_id": sa.Integer,
    "committee_id": sa.Integer,
    "constituency_id": sa.Integer,
    "delegate_id": sa.Integer,
    "search": sa.Text,
    "search_grams": ARRAY(sa.Text),
    "status": sa.Text,
    "category": sa.Text,
    "unit_code": sa.Text,
    "level": sa.Text,
    "parent_code": sa.Text,
    "code": sa.Text,
    "since": sa.DateTime(timezone=True),
}


def symbolic(values: dict[str, Any]) -> dict[str, Any]:
    """What a statement is built from: a bound parameter for each value given, the value
    itself for booleans (they change the statement's shape), None for values not given."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or isinstance(value, bool):
            out[name] = value
        else:
            out[name] = param(name, PARAM_TYPES[name])
    return out
