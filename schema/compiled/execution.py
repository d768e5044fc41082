"""The execution context that answers covered root fields with one SQL statement.

For a covered root field of a query, the validated selection (fragments, inline fragments,
aliases, @include/@skip already applied by graphql-core's field collection) becomes a tree of
db.compiled.plan.Field, and db.compiled builds the statement rendering the field's whole JSON.
The plan (SQL text and parameter names) is cached by the operation, the root field, the kind of
viewer and the shape of the arguments and variables; a repeated request costs one round trip.
Arguments of fields below the root (a session's `contributions(first:, after:)`) are read
again on each request into the plan's parameters. The JSON text is handed to the response as
an `orjson.Fragment`: graphql-core completes nothing below it.

Anything not covered (a field needing Python, an argument the resolver would refuse, a viewer
the field refuses, an unknown unit) runs the resolvers for the whole root field: they are the
reference, errors included. Root fields settle before a failure ends the query
(schema.compiled.settled), so which path answered a field never changes the errors.
"""

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    OperationType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.error import GraphQLError
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from db.compiled.plan import Field, NotCompiled, Plan, compile_plan, run_plan
from db.compiled.roots import Choice, symbolic
from db.compiled.shapes import Scope
from db.compiled.viewer import symbolic_viewer, viewer_key, viewer_values
from db.petition_fields import Deadlines
from schema.compiled.roots import NESTED, ROOTS, Args, Root, Values
from schema.compiled.settled import SettledRootsExecutionContext

log = logging.getLogger("hdnd.compiled")

PLAN_CACHE_SIZE = 1024
_FALLBACK = object()  # cached: this shape has no compiled form


class _ValuesRefused(NotCompiled):
    """A nested field's argument the resolver would refuse: the resolvers answer this request,
    and nothing is cached (the next request's values may be fine)."""


def _shape(values: Mapping[str, Any]) -> tuple[Hashable, ...]:
    """What of `values` changes a statement: booleans and choices by value, others by their
    type (given or not, and the SQL type they bind as)."""
    return tuple(
        (k, ("=", v) if isinstance(v, bool | Choice) else type(v)) for k, v in values.items()
    )


@dataclass(frozen=True)
class Slot:
    """A field below the root taking arguments: read again on each request (variables may
    change them) into parameters named `prefix` + name; `shape` is what the plan was built
    for."""

    prefix: str
    field_def: GraphQLField
    node: FieldNode
    values: Callable[[Args], Values]
    shape: tuple[Hashable, ...]


@dataclass(frozen=True)
class Compiled:
    plan: Plan
    slots: tuple[Slot, ...]


class PlanCache:
    """Plans by (operation, root field, viewer kind, argument shape); least recently used go."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], tuple[Any, object]] = OrderedDict()
        self.compiled = 0  # how many plans were made (tests check reuse)

    def get(self, key: tuple[Any, ...], operation: Any) -> object | None:
        found = self.entries.get(key)
        # The operation is kept alive with its plan, so its id cannot be reused meanwhile.
        if found is None or found[0] is not operation:
            return None
        self.entries.move_to_end(key)
        return found[1]

    def put(self, key: tuple[Any, ...], operation: Any, plan: object) -> None:
        self.entries[key] = (operation, plan)
        self.compiled += 1
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


PLANS = PlanCache()


class CompiledExecutionContext(SettledRootsExecutionContext):
    """graphql-core's executor, answering covered root query fields from one statement."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any = None,
    ) -> Any:
        if (
            path.prev is None
            and self.operation.operation == OperationType.QUERY
            and getattr(self.context_value, "compiled_reads", False)
        ):
            root = ROOTS.get(field_details_list[0].node.name.value)
            if root is not None and parent_type is self.schema.query_type:
                return self._compiled(
                    root, parent_type, source, field_details_list, path, position_context
                )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    async def _compiled(
        self,
        root: Root,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        try:
            answer = await self._answer(root, parent_type, field_details_list, path)
        except Exception as error:
            self.handle_field_error(error, field_def.type, field_details_list, path)
            return None
        if answer is not _FALLBACK:
            return answer
        result = super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
        if self.is_awaitable(result):
            assert isinstance(result, Awaitable)
            return await result
        return result

    async def _answer(
        self,
        root: Root,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        context = self.context_value
        viewer = context.viewer
        if not root.allowed(viewer):
            return _FALLBACK
        first = field_details_list[0]
        if any(d.fragment_variable_values is not None for d in field_details_list):
            return _FALLBACK
        field_def = parent_type.fields[first.node.name.value]
        try:
            args = get_argument_values(field_def, first.node, self.variable_values)
            values = root.values(_python_names(args))
        except (GraphQLError, NotCompiled, ValueError, TypeError):
            return _FALLBACK
        settings = context.settings
        deadlines = Deadlines(ack_days=settings.ack_days, answer_days=settings.answer_days)
        key = (
            id(self.operation),
            path.key,
            viewer_key(viewer, context.today),
            deadlines,
            _shape(values),
            _shape(self.variable_values.coerced),
        )
        compiled = PLANS.get(key, self.operation)
        if compiled is None:
            compiled = self._plan(root, parent_type, field_details_list, path, values, deadlines)
            if compiled is None:
                return _FALLBACK
            PLANS.put(key, self.operation, compiled)
        if compiled is _FALLBACK:
            return _FALLBACK
        assert isinstance(compiled, Compiled)
        for slot in compiled.slots:
            try:
                nested = slot.values(
                    _python_names(
                        get_argument_values(slot.field_def, slot.node, self.variable_values)
                    )
                )
            except (GraphQLError, NotCompiled, ValueError, TypeError):
                return _FALLBACK
            if _shape(nested) != slot.shape:
                return _FALLBACK
            values.update((slot.prefix + k, v) for k, v in nested.items())
        values.update(viewer_values(viewer))
        values["today"] = context.today
        values["now"] = context.now
        async with context.read() as session:
            connection = await session.connection()
            text = await run_plan(connection, compiled.plan, values)
        if text is None:
            return _FALLBACK if root.null_falls_back else None
        return orjson.Fragment(text)

    def _plan(
        self,
        root: Root,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        values: dict[str, Any],
        deadlines: Deadlines,
    ) -> object:
        """The root's Compiled plan; _FALLBACK when the shape has no compiled form; None when
        only these values have none (nothing to cache)."""
        import sqlalchemy as sa

        from db.compiled.roots import param

        name = field_details_list[0].node.name.value
        slots: list[Slot] = []
        try:
            return_type = self._object_type(
                root, get_named_type(parent_type.fields[name].type), values
            )
            children = self._selection(return_type, field_details_list, slots)
            field = Field(str(path.key), name, children)
            scope = Scope(
                viewer=symbolic_viewer(self.context_value.viewer),
                today=param("today", sa.Date),
                now=param("now", sa.DateTime(timezone=True)),
                deadlines=deadlines,
                day=self.context_value.today,
            )
            plan = compile_plan(root.build(field, scope, symbolic(values)))
            return Compiled(plan, tuple(slots))
        except _ValuesRefused as reason:
            log.debug("not compiled for these values: %s", reason)
            return None
        except NotCompiled as reason:
            log.debug("not compiled: %s", reason)
            return _FALLBACK

    def _object_type(self, root: Root, named: Any, values: Values) -> GraphQLObjectType:
        """The root field's object type; for an abstract one, the type its values name."""
        if is_abstract_type(named) and root.concrete is not None:
            concrete = self.schema.get_type(root.concrete(values))
            if isinstance(concrete, GraphQLObjectType) and self.schema.is_sub_type(named, concrete):
                return concrete
        if not isinstance(named, GraphQLObjectType):
            raise NotCompiled(f"{named}: not an object type")
        return named

    def _selection(
        self, gql_type: GraphQLObjectType, field_details_list: FieldDetailsList, slots: list[Slot]
    ) -> tuple[Field, ...]:
        collected = self.collect_subfields(gql_type, field_details_list)
        if collected.new_defer_usages:
            raise NotCompiled("@defer")
        out: list[Field] = []
        for key, group in collected.grouped_field_set.items():
            node = group[0].node
            name = node.name.value
            if name == "__typename":
                out.append(Field(key, name, None, gql_type.name))
                continue
            field_def = gql_type.fields.get(name)
            if field_def is None:
                raise NotCompiled(name)
            if any(d.fragment_variable_values is not None for d in group):
                raise NotCompiled(f"{gql_type.name}.{name} in a fragment with variables")
            args = None
            read = NESTED.get((gql_type.name, name))
            if read is not None:
                args = self._arguments(field_def, node, read, slots)
            elif any(d.node.arguments for d in group):
                raise NotCompiled(f"{gql_type.name}.{name} with arguments")
            named = get_named_type(field_def.type)
            if is_object_type(named):
                assert isinstance(named, GraphQLObjectType)
                out.append(Field(key, name, self._selection(named, group, slots), args=args))
            elif is_leaf_type(named):
                out.append(Field(key, name, args=args))
            else:
                raise NotCompiled(f"{gql_type.name}.{name}: abstract type")
        return tuple(out)

    def _arguments(
        self,
        field_def: GraphQLField,
        node: FieldNode,
        read: Callable[[Args], Values],
        slots: list[Slot],
    ) -> dict[str, Any]:
        """A nested field's arguments as the statement sees them; a slot to read them again on
        each request."""
        try:
            values = read(_python_names(get_argument_values(field_def, node, self.variable_values)))
        except (GraphQLError, ValueError, TypeError) as refused:
            raise _ValuesRefused(str(refused)) from refused
        prefix = f"a{len(slots)}_"
        slots.append(Slot(prefix, field_def, node, read, _shape(values)))
        return symbolic(values, prefix)


def _python_names(args: dict[str, Any]) -> dict[str, Any]:
    """Arguments (and input objects' fields) by their Python names (`parentCode` ->
    `parent_code`), as resolvers get them."""
    return {_snake(k): _python_names(v) if isinstance(v, dict) else v for k, v in args.items()}


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
