"""Relay conventions: opaque global ids, the Node interface, cursor connections."""

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
import strawberry

from db.pagination import MAX_PAGE
from schema.cost import COUNT_WEIGHT, most, weighing
from schema.errors import bad_input

T = TypeVar("T")
DEFAULT_PAGE = 20
# Every table's id is a PostgreSQL `integer` (serial): a number beyond it names nothing, and
# sent to the database it would fail the query instead of finding no row.
MAX_DATABASE_ID = 2**31 - 1
_DIGITS = frozenset("0123456789")


@strawberry.interface(description="An object with a stable, opaque global id (Relay `Node`).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id; pass it to `node(id:)` or to any argument taking an ID."
    )


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    """`type_name:pk` in URL-safe base64 without padding."""
    raw = f"{type_name}:{pk}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse_global_id(value: str) -> tuple[str, int] | None:
    """(type name, database id) of a global id, or None when it is not one of ours (including
    an id out of the columns' range, which no row can have)."""
    if len(value) > 200:  # ours are short; a long one is not worth decoding
        return None
    try:
        padded = value + "=" * (-len(value) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii", "strict"))
        type_name, _, pk = raw.decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    # ASCII digits only (str.isdigit also takes "²" or Arabic-Indic digits), at most ten.
    if not type_name.isidentifier() or not pk or len(pk) > 10 or not set(pk) <= _DIGITS:
        return None
    number = int(pk)
    return (type_name, number) if number <= MAX_DATABASE_ID else None


def pk_of(value: str, type_name: str) -> int | None:
    """The database id inside a global id of `type_name`; None for anything else (not one of
    ours, out of range, or another type's). Every caller decodes ids of a known type here and
    words its own refusal (`not_an_id` for the common one)."""
    parsed = parse_global_id(value)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


def not_an_id(value: str, type_name: str) -> str:
    """The message for a value that is not a global id of `type_name`."""
    return f"«{value}» không phải là mã {type_name} hợp lệ."


def from_global_id(value: str, type_name: str, field: str = "id") -> int:
    """The database id inside a global id of `type_name`; a clear input error otherwise."""
    pk = pk_of(value, type_name)
    if pk is None:
        raise bad_input(not_an_id(value, type_name), field)
    return pk


def optional_global_id(value: str | None, type_name: str, field: str) -> int | None:
    return None if value is None else from_global_id(value, type_name, field)


@strawberry.type(description="Where a page stands in its list (Relay `PageInfo`).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for with `after` (items come before it)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="An item of a list with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item, for `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list that grows (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        directives=most(MAX_PAGE), description="The items of this page with cursors."
    )
    page_info: PageInfo = strawberry.field(description="Where this page stands in the list.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        directives=most(MAX_PAGE), description="The items of this page without cursors."
    )
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        directives=weighing(COUNT_WEIGHT),
        description="How many items the whole list holds (computed only when asked for).",
    )
    async def total_count(self) -> int:
        return await self.count()


def page_size(first: int | None) -> int:
    """`first` checked against the contract's bounds (1 to 100, default 20)."""
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise bad_input(f"`first` phải từ 0 đến {MAX_PAGE}.", "first")
    return first


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode_cursor(key: Sequence[Any]) -> str:
    """An opaque cursor carrying a sort key."""
    return base64.urlsafe_b64encode(orjson.dumps([_plain(v) for v in key])).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The sort key inside `cursor`, checked against the expected types of each part."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = [_typed(v) for v in orjson.loads(base64.urlsafe_b64decode(padded.encode()))]
        # Exactly the type: true is an int to Python and an instant a date, to SQL neither.
        if len(values) == len(types) and all(
            type(v) is t for v, t in zip(values, types, strict=True)
        ):
            return tuple(values)
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError):
        pass
    raise bad_input("Con trỏ `after` không hợp lệ; dùng `endCursor` của trang trước.", "after")


def make_connection(
    rows: Sequence[Any],
    has_next: bool,
    has_previous: bool,
    key: Callable[[Any], Sequence[Any]],
    to_node: Callable[[Any], T],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection of `rows` (one page already cut), each node built by `to_node`."""
    edges = [Edge(cursor=encode_cursor(key(row)), node=to_node(row)) for row in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
