"""SQL expressions that render JSON exactly as the resolvers' answer would serialise it:
objects, lists, global ids, cursors, dates and instants (ISO 8601, local offset)."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from db.compiled.plan import NotCompiled

# json_build_object takes at most 100 arguments (50 keys); beyond that, the resolvers answer.
MAX_KEYS = 50
LOCAL_ZONE = "Asia/Ho_Chi_Minh"
# Việt Nam has kept UTC+7 without daylight saving since 1975.
LOCAL_OFFSET = "+07:00"

Expr = ColumnElement[Any]


def text_literal(value: str) -> Expr:
    """A constant string of the query's shape (a response key or a type name), never a value
    from the request: GraphQL names are [_A-Za-z][_0-9A-Za-z]*, so quoting is enough."""
    if "'" in value or "\\" in value:
        raise NotCompiled(value)
    return sa.literal_column(f"'{value}'", sa.Text)


def json_object(pairs: Sequence[tuple[str, Expr]]) -> Expr:
    """`json_build_object(key, value, …)` in the selection's order (keys may repeat)."""
    if len(pairs) > MAX_KEYS:
        raise NotCompiled("too many keys")
    args: list[Any] = []
    for key, value in pairs:
        args.extend((text_literal(key), value))
    return sa.func.json_build_object(*args, type_=sa.JSON)


EMPTY_LIST = sa.literal_column("'[]'::json", sa.JSON)
NULL_JSON = sa.literal_column("NULL::json", sa.JSON)


def json_items(item: Expr, order_by: Sequence[Any]) -> Expr:
    """The items of the enclosing SELECT as a JSON array in `order_by` order (NULL when none)."""
    return sa.func.json_agg(aggregate_order_by(item, *order_by), type_=sa.JSON)


def json_list(item: Expr, order_by: Sequence[Any]) -> Expr:
    """The items of the enclosing SELECT as a JSON array in `order_by` order ([] when none)."""
    return sa.func.coalesce(json_items(item, order_by), EMPTY_LIST)


def _base64url(text: Expr) -> Expr:
    """URL-safe base64 of `text`'s UTF-8 bytes without padding (PostgreSQL wraps lines)."""
    encoded = sa.func.encode(sa.func.convert_to(text, sa.literal_column("'UTF8'")), "base64")
    return sa.func.rtrim(
        sa.func.translate(encoded, sa.literal_column("E'+/\\n'"), sa.literal_column("'-_'")),
        sa.literal_column("'='"),
    )


def global_id(type_name: str, pk: Expr) -> Expr:
    """schema.relay.to_global_id in SQL."""
    return _base64url(text_literal(f"{type_name}:").op("||")(sa.cast(pk, sa.Text)))


def _iso_time(local: Expr) -> Expr:
    """'YYYY-MM-DDTHH:MM:SS' and '.ffffff' unless the microseconds are zero (as isoformat)."""
    micro = sa.func.to_char(local, sa.literal_column("'US'"))
    return sa.func.to_char(local, sa.literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'")).op("||")(
        sa.case(
            (micro == sa.literal_column("'000000'"), sa.literal_column("''")),
            else_=text_literal(".").op("||")(micro),
        )
    )


def local_instant(value: Expr) -> Expr:
    """A `timestamptz` as the API shows it: ISO 8601 with Asia/Ho_Chi_Minh's offset."""
    local = sa.func.timezone(sa.literal_column(f"'{LOCAL_ZONE}'"), value)
    return _iso_time(local).op("||")(sa.literal_column(f"'{LOCAL_OFFSET}'"))


def utc_instant(value: Expr) -> Expr:
    """A `timestamptz` in UTC, as Python's isoformat writes a stored instant (cursors)."""
    utc = sa.func.timezone(sa.literal_column("'UTC'"), value)
    return _iso_time(utc).op("||")(sa.literal_column("'+00:00'"))


def iso_date(value: Expr) -> Expr:
    return sa.func.to_char(value, sa.literal_column("'YYYY-MM-DD'"))


def json_text(value: Expr) -> Expr:
    """A text value as a JSON string literal (orjson and PostgreSQL escape alike)."""
    return sa.cast(sa.func.to_json(value), sa.Text)


def cursor(*parts: Expr) -> Expr:
    """schema.relay.encode_cursor in SQL: base64url of the compact JSON array of `parts`,
    each already rendered as JSON text."""
    joined: Expr = text_literal("[")
    for i, part in enumerate(parts):
        if i:
            joined = joined.op("||")(text_literal(","))
        joined = joined.op("||")(part)
    return _base64url(joined.op("||")(text_literal("]")))


def instant_key(value: Expr) -> Expr:
    """An instant inside a cursor: {"t": "<isoformat>"}."""
    return text_literal('{"t":"').op("||")(utc_instant(value)).op("||")(text_literal('"}'))


def date_key(value: Expr) -> Expr:
    """A date inside a cursor: {"d": "<isoformat>"}."""
    return text_literal('{"d":"').op("||")(iso_date(value)).op("||")(text_literal('"}'))
