"""Query cost: how many objects an answer can hold, computed from the document before execution.

Like GitHub's node limit, and declared the way the GraphQL cost directive specification (IBM)
does: every list field carries `@listSize` beside it (a fixed `assumedSize` for plain lists such
as `members`, or `slicingArguments: ["first"]` and `sizedFields: ["edges", "nodes"]` for a
connection), and a field, argument or input field that makes the database scan carries
`@cost(weight: N)`. The directives are in the SDL, so integrators can price a query themselves.

The cost of a document is then:
- an object (a non-list composite field): 1 plus its selection's cost, plus its weight;
- a list: its weight plus `size × (1 + the cost of one item's selection)`; size is `first` when
  given, else the declared `assumedSize` (a connection's `edges` and `nodes` take the
  connection's size);
- a scalar: its weight (0 unless declared); an argument or input field given a value: its weight;
- introspection fields: 0 (served from memory; `MaxIntrospectionDepthRule` bounds their nesting).

It runs before the specification's validation rules (it needs only the parsed document): an
unknown field or fragment prices 0, and validation refuses it afterwards.

`document_cost` is the one function that prices a document; the resolvers' path (through
`QueryCost`) and any other path that executes documents use it, so both report the same cost.
schema/query_cost.py holds the extension that applies it to every request and remembers prices.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)
from graphql.utilities import get_operation_ast
from strawberry.schema_directive import Location

from api.settings import Settings
from db.pagination import MAX_PAGE

# HDND_MAX_QUERY_COST's default, chosen from what App Hậu Giang's screens ask for (docs/identity.md
# lists them with their costs): the heaviest, a directory page of 100 delegates with group,
# constituency and committees, costs about 1,000; 10,000 leaves room for several such reads in
# one request while keeping any answer to tens of thousands of objects, not the hundreds of
# thousands that blocked the process for half a minute.
DEFAULT_MAX_COST: int = Settings.model_fields["max_query_cost"].default
# What a search (an index read over up to every petition, and a recheck) or a count costs beside
# a page: a few searches fit a request, thirty aliased ones are refused.
SEARCH_WEIGHT = 1_000
COUNT_WEIGHT = 50


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="listSize",
    description=(
        "How many items a list can hold, for the query cost (`extensions.cost`): `assumedSize` "
        "for a list of fixed bound, or the value of a slicing argument (`first`) when given; "
        "`sizedFields` are the fields of the returned connection that hold that many items."
    ),
)
class ListSize:
    assumed_size: int = strawberry.field(
        description="Most items the list holds when no slicing argument is given."
    )
    slicing_arguments: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Arguments that set the list's size (e.g. `first`).",
    )
    sized_fields: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Fields of the returned connection whose size the slicing argument sets.",
    )


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION, Location.INPUT_FIELD_DEFINITION],
    name="cost",
    description=(
        "Extra cost of resolving this field, or of giving this input field a value, for the "
        "query cost (`extensions.cost`): the work of a scan or a count beside the objects returned."
    ),
)
class Cost:
    weight: int = strawberry.field(description="Cost added each time the field is resolved.")


def most(size: int) -> list[object]:
    """Directives of a plain list holding at most about `size` items."""
    return [ListSize(assumed_size=size)]


def paged(default: int = 20, sized: tuple[str, ...] = ("edges", "nodes")) -> list[object]:
    """Directives of a list or connection paged by `first` (`default` items without it)."""
    return [ListSize(assumed_size=default, slicing_arguments=["first"], sized_fields=list(sized))]


def weighing(weight: int) -> list[object]:
    """Directives of a field or input field that scans or counts (see SEARCH_WEIGHT)."""
    return [Cost(weight=weight)]


class QueryTooComplex(GraphQLError):
    """The document could hold more objects than the budget allows."""


@dataclass(frozen=True, slots=True)
class _Rule:
    weight: int
    list_size: ListSize | None


def _directives(definition: Any) -> list[object]:
    strawberry_definition = (getattr(definition, "extensions", None) or {}).get(
        "strawberry-definition"
    )
    return list(getattr(strawberry_definition, "directives", None) or [])


def _read_rule(field: GraphQLField | Any) -> _Rule:
    weight = 0
    size: ListSize | None = None
    for directive in _directives(field):
        if isinstance(directive, Cost):
            weight += directive.weight
        elif isinstance(directive, ListSize):
            size = directive
    return _Rule(weight, size)


# Every field's, argument's and input field's rule, read once from its directives: an entry keeps
# its definition (so the id stays its own); definitions belong to one schema and live with it.
_RULES: dict[int, tuple[object, _Rule]] = {}


def _rule(definition: GraphQLField | Any) -> _Rule:
    entry = _RULES.get(id(definition))
    if entry is None or entry[0] is not definition:
        entry = (definition, _read_rule(definition))
        _RULES[id(definition)] = entry
    return entry[1]


def _is_list(type_: GraphQLOutputType) -> bool:
    return isinstance(get_nullable_type(type_), GraphQLList)


def _is_composite(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def undeclared_lists(schema: GraphQLSchema) -> list[str]:
    """`Type.field` of every list or connection field with no `@listSize` (a test keeps it empty)."""
    missing: list[str] = []
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for name, field in type_.fields.items():
            named = get_named_type(field.type)
            listed = _is_list(field.type) and _is_composite(named)
            paged = "first" in field.args
            if (listed or paged) and _rule(field).list_size is None:
                missing.append(f"{type_.name}.{name}")
    return missing


class _Pricer:
    """Prices one operation; the cost of a selection set is remembered by where it stands, so
    fragments spread many times are priced once (no exponential walk)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = value_from_ast_untyped(definition.default_value)
        self.memo: dict[tuple[int, str, tuple[tuple[str, int], ...]], int] = {}
        self.active: set[tuple[int, str, tuple[tuple[str, int], ...]]] = set()

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        sized: tuple[tuple[str, int], ...] = (),
    ) -> int:
        if selection_set is None or not _is_composite(parent):
            return 0
        key = (id(selection_set), parent.name, sized)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        if key in self.active:
            return 0  # a fragment cycle: validation refuses the document right after
        self.active.add(key)
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, dict(sized))
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection_cost(selection.selection_set, condition or parent, sized)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    condition = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_cost(fragment.selection_set, condition or parent, sized)
        self.active.discard(key)
        self.memo[key] = total
        return total

    def field_cost(self, node: FieldNode, parent: GraphQLNamedType, sized: dict[str, int]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        field = parent.fields.get(name)
        if field is None:
            return 0
        rule = _rule(field)
        weight = rule.weight + self.argument_weight(node, field)
        named = get_named_type(field.type)
        if not _is_composite(named):
            return weight
        size = sized.get(name)
        if size is None and rule.list_size is not None:
            size = self.slice(node, rule.list_size)
        if _is_list(field.type):
            # An undeclared list is priced as a full page (and a test keeps none undeclared).
            items = MAX_PAGE if size is None else size
            return weight + items * (1 + self.selection_cost(node.selection_set, named))
        inner: tuple[tuple[str, int], ...] = ()
        if rule.list_size is not None and size is not None:
            inner = tuple((f, size) for f in rule.list_size.sized_fields or ())
        return weight + 1 + self.selection_cost(node.selection_set, named, inner)

    def slice(self, node: FieldNode, declared: ListSize) -> int:
        for argument in node.arguments or ():
            if argument.name.value in (declared.slicing_arguments or ()):
                value = self.literal(argument.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    return min(max(value, 0), MAX_PAGE)
        return declared.assumed_size

    def literal(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        return value_from_ast_untyped(value, self.variables)

    def argument_weight(self, node: FieldNode, field: GraphQLField) -> int:
        total = 0
        for argument in node.arguments or ():
            definition = field.args.get(argument.name.value)
            if definition is not None:
                total += _rule(definition).weight + self.input_weight(
                    definition.type, self.literal_tree(argument.value)
                )
        return total

    def literal_tree(self, value: ValueNode) -> Any:
        """The argument's value with variables put in, as plain Python (keys: GraphQL names)."""
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, NullValueNode):
            return None
        if isinstance(value, ObjectValueNode):
            return {f.name.value: self.literal_tree(f.value) for f in value.fields}
        if isinstance(value, ListValueNode):
            return [self.literal_tree(v) for v in value.values]
        return True  # a scalar or enum literal: present

    def input_weight(self, type_: GraphQLInputType, value: Any) -> int:
        if value is None:
            return 0
        nullable = get_nullable_type(type_)
        if isinstance(nullable, GraphQLList):
            items = value if isinstance(value, list) else [value]
            return sum(self.input_weight(nullable.of_type, v) for v in items)
        if isinstance(nullable, GraphQLInputObjectType) and isinstance(value, Mapping):
            total = 0
            for name, given in value.items():
                field = nullable.fields.get(name)
                if field is not None and given is not None:
                    total += _rule(field).weight + self.input_weight(field.type, given)
            return total
        return 0


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """How many objects the answer to `document` can hold, with the declared weights added.

    Needs a valid document (run it after validation); 0 when the operation is not found.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    pricer = _Pricer(schema, document, operation, variables or {})
    return pricer.selection_cost(operation.selection_set, root)
