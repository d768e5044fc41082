"""The QueryCost extension: every document priced (schema/cost.py's `document_cost`) before the
rest of validation, the price remembered per document text, operation and shape of its variables
(so a client repeating a refused document costs a dictionary look-up), and the refusal of one
over the budget."""

import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import orjson
from graphql import DocumentNode, GraphQLSchema, get_operation_ast
from strawberry.extensions import SchemaExtension

from schema.cost import DEFAULT_MAX_COST, QueryTooComplex, document_cost


def _shape(value: Any) -> Any:
    """What of a variable's value the price depends on: nulls, lists, objects and their keys, and
    integers (`first`); any other value only counts as given. Pricing the shape gives the price of
    the value, and documents sent again with other words to search share one entry."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Mapping):
        return {str(k): _shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shape(v) for v in value]
    return True


K = TypeVar("K")
V = TypeVar("V")

# Documents whose price is remembered, per schema; a longer text (with its variables' shape) is
# priced each time rather than kept (the body limit allows a mebibyte).
COSTS_KEPT = 1024
KEY_CHARS = 32_768


class Remembered(Generic[K, V]):
    """A bounded LRU: what was worked out for a document, by its text (and what else it depends
    on). Used from the event loop only, so no lock."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        if len(self.entries) > self.kept:
            self.entries.popitem(last=False)


_COSTS: "weakref.WeakKeyDictionary[GraphQLSchema, Remembered[tuple[str, str | None, bytes], int]]"
_COSTS = weakref.WeakKeyDictionary()


def remembered_cost(
    schema: GraphQLSchema,
    query: str | None,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """`document_cost` of `document` (parsed from `query`), remembered by the text, the operation
    and the shape of the variables it declares."""
    operation = get_operation_ast(document, operation_name)
    declared = (
        [d.variable.name.value for d in (operation.variable_definitions or ())] if operation else []
    )
    given = variables or {}
    shape = {name: _shape(given[name]) for name in declared if name in given}
    key_shape = orjson.dumps(shape, option=orjson.OPT_SORT_KEYS) if shape else b""
    if query is None or len(query) + len(key_shape) > KEY_CHARS:
        return document_cost(schema, document, shape, operation_name)
    costs = _COSTS.get(schema)
    if costs is None:
        costs = _COSTS[schema] = Remembered(COSTS_KEPT)
    key = (query, operation_name, key_shape)
    cost = costs.get(key)
    if cost is None:
        cost = document_cost(schema, document, shape, operation_name)
        costs.put(key, cost)
    return cost


def too_complex(cost: int, limit: int) -> QueryTooComplex:
    """The refusal of a document whose cost is over the budget."""
    return QueryTooComplex(
        f"Truy vấn quá lớn: có thể trả về {cost} đối tượng, vượt giới hạn {limit}. "
        "Hãy giảm `first`, bớt trường lồng nhau hoặc tách thành nhiều truy vấn.",
        extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "maxCost": limit},
    )


# Where QueryCost leaves the cost in the Context's `extra`, for the `rateLimit` field.
COST_KEY = "query_cost"


class QueryCost(SchemaExtension):
    """Price the document once the cheap limits passed and before the rest of validation (the
    costly part, for a document of hundreds of fields), so an oversized document is refused in
    about a millisecond and no SQL runs; report the cost of every answer in `extensions.cost`."""

    def __init__(self) -> None:
        super().__init__()
        self.cost: int | None = None
        self.limit = DEFAULT_MAX_COST

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        settings = getattr(ec.context, "settings", None)
        self.limit = getattr(settings, "max_query_cost", DEFAULT_MAX_COST)
        if ec.graphql_document is not None and not ec.pre_execution_errors:
            self.cost = remembered_cost(
                ec.schema._schema, ec.query, ec.graphql_document, ec.variables, ec.operation_name
            )
            if self.cost > self.limit:
                ec.pre_execution_errors = [too_complex(self.cost, self.limit)]
            extra = getattr(ec.context, "extra", None)
            if isinstance(extra, dict):
                extra[COST_KEY] = self.cost
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.limit}}
