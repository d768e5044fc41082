"""Relay connections in SQL: one keyset page (`first` + 1 rows tell whether more follow),
edges with cursors, page info, and `totalCount` only when selected.

A root field's connection reads its rows through two CTEs; a connection inside an object
(a session's contributions) through LATERAL subqueries correlated to that object's row."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import (
    Expr,
    cursor,
    date_key,
    instant_key,
    json_list,
    json_object,
    json_text,
    text_literal,
)
from db.compiled.plan import Field, NotCompiled
from db.compiled.shapes import Scope, render


@dataclass(frozen=True)
class Keyset:
    """A list's order (column names) and direction, and how a row's cursor renders (each part
    as JSON text, as schema.relay.encode_cursor writes the key)."""

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


def _id_key(src: FromClause) -> Expr:
    return sa.cast(src.c.id, sa.Text)


DIRECTORY_ORDER = Keyset(
    ("full_name_folded", "id"), False, lambda d: [json_text(d.c.full_name_folded), _id_key(d)]
)
NEWEST_FIRST = Keyset(
    ("submitted_at", "id"), True, lambda p: [instant_key(p.c.submitted_at), _id_key(p)]
)
SESSIONS_NEWEST_FIRST = Keyset(
    ("starts_on", "id"), True, lambda s: [date_key(s.c.starts_on), _id_key(s)]
)
RECORDED_ORDER = Keyset(
    ("recorded_at", "id"), False, lambda c: [instant_key(c.c.recorded_at), _id_key(c)]
)
RECORDED_NEWEST_FIRST = Keyset(
    ("recorded_at", "id"), True, lambda c: [instant_key(c.c.recorded_at), _id_key(c)]
)


def _over(src: FromClause, aggregate: Expr) -> Expr:
    return sa.select(aggregate).select_from(src).scalar_subquery()


def _typename(field: Field) -> Expr:
    return text_literal(field.literal or "")


def connection(
    type_name: str,
    source: FromClause,
    field: Field,
    scope: Scope,
    conditions: Sequence[ColumnElement[bool]],
    keyset: Keyset,
    first: Expr,
    after: Sequence[Expr] | None,
    outer: FromClause | None = None,
) -> Expr:
    """The connection's JSON over the rows of `source` meeting `conditions`; `outer`: the
    row of the enclosing object the conditions refer to (None for a root field)."""
    where = list(conditions)
    if after is not None:
        where.append(keyset.after(source, after))

    def rows(limit: Expr) -> sa.Select[Any]:
        return sa.select(*source.c).where(*where).order_by(*keyset.order(source)).limit(limit)

    page: FromClause
    cut: FromClause
    if outer is None:
        page = rows(first + 1).cte("page")
        cut = sa.select(*page.c).order_by(*keyset.order(page)).limit(first).cte("cut")
    else:
        page = rows(first + 1).correlate(outer).lateral()
        cut = rows(first).correlate(outer).lateral()

    def end(reverse: bool) -> Expr:
        last = sa.select(cursor(*keyset.key(cut))).select_from(cut)
        return last.order_by(*keyset.order(cut, reverse)).limit(1).scalar_subquery()

    def edge(e: Field) -> Expr:
        if e.name == "__typename":
            return _typename(e)
        if e.name == "cursor":
            return cursor(*keyset.key(cut))
        if e.name == "node":
            return render(type_name, cut, e, scope)
        raise NotCompiled(f"edge.{e.name}")

    def page_info(i: Field) -> Expr:
        if i.name == "__typename":
            return _typename(i)
        if i.name == "hasNextPage":
            return sa.select(sa.func.count()).select_from(page).scalar_subquery() > first
        if i.name == "hasPreviousPage":
            return sa.true() if after is not None else sa.false()
        if i.name in ("startCursor", "endCursor"):
            return end(i.name == "endCursor")
        raise NotCompiled(f"pageInfo.{i.name}")

    def part(f: Field) -> Expr:
        if f.name == "__typename":
            return _typename(f)
        if f.name == "totalCount":
            count = sa.select(sa.func.count()).select_from(source).where(*conditions)
            return (count if outer is None else count.correlate(outer)).scalar_subquery()
        if f.name == "nodes":
            return _over(cut, json_list(render(type_name, cut, f, scope), keyset.order(cut)))
        if f.name == "edges":
            items = json_object([(e.key, edge(e)) for e in f.children or ()])
            return _over(cut, json_list(items, keyset.order(cut)))
        if f.name == "pageInfo":
            return json_object([(i.key, page_info(i)) for i in f.children or ()])
        raise NotCompiled(f"connection.{f.name}")

    return json_object([(f.key, part(f)) for f in field.children or ()])
