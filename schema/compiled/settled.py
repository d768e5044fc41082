"""Root query fields that answer the same errors whichever finishes first.

graphql-core runs a query's root fields concurrently and, when one of them fails past its
non-null type (the whole `data` becomes null), cancels the others: which of their errors make
it into the answer then depends on timing, and so does the order of the errors of fields that
fail side by side. Here every root field is let finish, all their errors are kept, and the
errors are ordered by the root field they belong to (the document's order), so an answer does
not depend on which field's statement came back first: the compiled path and the resolvers
answer alike, and the resolvers answer alike from one request to the next.
"""

import asyncio
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, OperationType
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class SettledRootsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with a query's root fields settled before failing."""

    _root_order: dict[str, int] | None = None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if path is not None or self.operation.operation != OperationType.QUERY:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        self._root_order = {name: i for i, name in enumerate(grouped_field_set)}
        results: dict[str, Any] = {}
        pending: list[str] = []
        failed: list[tuple[str, Exception]] = []
        for name, field_details_list in grouped_field_set.items():
            field_path = Path(None, name, parent_type.name)
            try:
                result = self.execute_field(
                    parent_type, source_value, field_details_list, field_path, position_context
                )
            except Exception as error:
                failed.append((name, error))
                continue
            if result is Undefined:
                continue
            results[name] = result
            if self.is_awaitable(result):
                pending.append(name)
        if not pending:
            return self._settled(results, failed, parent_type)

        async def settle() -> dict[str, Any]:
            done = await asyncio.gather(*(results[n] for n in pending), return_exceptions=True)
            for name, value in zip(pending, done, strict=True):
                if isinstance(value, asyncio.CancelledError):
                    raise value
                if isinstance(value, Exception):
                    failed.append((name, value))
                elif isinstance(value, BaseException):
                    raise value
                else:
                    results[name] = value
            return self._settled(results, failed, parent_type)

        return settle()

    def _settled(
        self,
        results: dict[str, Any],
        failed: list[tuple[str, Exception]],
        parent_type: GraphQLObjectType,
    ) -> dict[str, Any]:
        """The root's data; or, when fields failed past their non-null type, the first of
        them raised (`data` becomes null) and the others' errors kept."""
        if not failed:
            return results
        order = self._root_order or {}
        failed.sort(key=lambda item: order.get(item[0], -1))
        first = failed[0][1]
        for name, error in failed[1:]:
            if not isinstance(error, GraphQLError):
                raise error
            self.collected_errors.add(error, Path(None, name, parent_type.name))
        raise first

    def build_response(self, data: dict[str, Any] | None) -> Any:
        order = self._root_order
        if order is not None:
            # Stable: within one root field, the errors keep the order they came in.
            self.collected_errors.errors.sort(key=lambda error: _root_index(error, order))
        return super().build_response(data)


def _root_index(error: GraphQLError, order: dict[str, int]) -> int:
    path = error.path
    if not path or not isinstance(path[0], str):
        return -1
    return order.get(path[0], -1)
