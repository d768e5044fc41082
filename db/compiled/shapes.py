"""How a GraphQL object type renders as JSON in SQL: a `Shape` holds, for each covered field,
how it renders from a row of the type's table (a column, a related object or list, a computed
field with the viewer's rules in their SQL forms). The domains declare their types in
db.compiled.council_shapes, petition_shapes and session_shapes. A field not declared is not
covered: the whole root field then falls back to the resolvers (masked and audited fields,
restricted ones)."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import (
    Expr,
    global_id,
    iso_date,
    json_list,
    json_object,
    local_instant,
    text_literal,
)
from db.compiled.plan import Field, NotCompiled
from db.petition_fields import Deadlines
from db.viewer import Viewer


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
Where = Callable[[FromClause, FromClause, Scope], Sequence[ColumnElement[bool]]]
Order = Callable[[FromClause], Sequence[Any]]


# ---- fields read from the row --------------------------------------------------------------


def column(name: str) -> Render:
    return lambda src, field, scope: src.c[name]


def date_column(name: str) -> Render:
    return lambda src, field, scope: iso_date(src.c[name])


def instant_column(name: str) -> Render:
    return lambda src, field, scope: local_instant(src.c[name])


def global_id_of(type_name: str) -> Render:
    return lambda src, field, scope: global_id(type_name, src.c.id)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def plain(*names: str) -> dict[str, Render]:
    """Fields that are their column as stored (`photoUrl` reads `photo_url`)."""
    return {name: column(_snake(name)) for name in names}


def dates(*names: str) -> dict[str, Render]:
    return {name: date_column(_snake(name)) for name in names}


def instants(*names: str) -> dict[str, Render]:
    return {name: instant_column(_snake(name)) for name in names}


# ---- the types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A GraphQL object type: each field's rendering from a row of `table` (None for a type
    rendered only from rows its parent computes, such as a compliance line)."""

    name: str
    table: sa.Table | None
    fields: dict[str, Render]

    def alias(self) -> FromClause:
        if self.table is None:
            raise NotCompiled(f"{self.name} has no table")
        return self.table.alias()

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


def shape(name: str, table: sa.Table | None, fields: dict[str, Render]) -> Shape:
    """Declare how type `name` renders."""
    made = SHAPES[name] = Shape(name, table, fields)
    return made


def render(type_name: str, src: FromClause, field: Field, scope: Scope) -> Expr:
    if field.children is None:
        raise NotCompiled(f"{type_name} without a selection")
    return SHAPES[type_name].render(src, field.children, scope)


# ---- related objects and lists -------------------------------------------------------------


def one(type_name: str, where: Callable[[FromClause, FromClause], ColumnElement[bool]]) -> Render:
    """A related object (null when there is none): a correlated scalar subquery."""

    def build(src: FromClause, field: Field, scope: Scope) -> Expr:
        inner = SHAPES[type_name].alias()
        body = render(type_name, inner, field, scope)
        stmt = sa.select(body).where(where(inner, src)).correlate(src).limit(1)
        return stmt.scalar_subquery()

    return build


def ref(type_name: str, column_name: str, key: str = "id") -> Render:
    """The object the row's `column_name` points at (by its `key`)."""
    return one(type_name, lambda item, src: item.c[key] == src.c[column_name])


def many(type_name: str, where: Where, order: Order) -> Render:
    """A related list in `order`: json_agg over a correlated subquery ([] when empty)."""

    def build(src: FromClause, field: Field, scope: Scope) -> Expr:
        inner = SHAPES[type_name].alias()
        body = render(type_name, inner, field, scope)
        stmt = sa.select(json_list(body, order(inner))).select_from(inner)
        return stmt.where(*where(inner, src, scope)).correlate(src).scalar_subquery()

    return build


def through(
    type_name: str,
    link: sa.Table,
    to_item: str,
    to_owner: str,
    order: Order,
    *,
    item_key: str = "id",
    also: Callable[[FromClause, Scope], Sequence[ColumnElement[bool]]] | None = None,
) -> Render:
    """A list related through a link table: the items whose `item_key` a link row's `to_item`
    names, of the link rows whose `to_owner` is this row's id (and meeting `also`)."""

    def where(item: FromClause, src: FromClause, scope: Scope) -> list[ColumnElement[bool]]:
        linked = (
            sa.exists()
            .where(link.c[to_item] == item.c[item_key], link.c[to_owner] == src.c.id)
            .correlate_except(link)
        )
        return [linked, *(also(item, scope) if also is not None else ())]

    return many(type_name, where, order)


def order_by(*names: str) -> Order:
    return lambda src: [src.c[name] for name in names]


BY_CODE = order_by("code")
BY_ID = order_by("id")
BY_NAME = order_by("full_name_folded", "id")  # the directory's order
