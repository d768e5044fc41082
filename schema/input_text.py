"""Refuse, before execution, any string PostgreSQL could not store (db.storable).

One check for every operation: string literals anywhere in the document (arguments, input
object fields, variable defaults) and every string in the variables. A refused request runs
no SQL (this extension comes before `ResolveViewer`) and answers INVALID_INPUT naming the
argument or variable, never an unexpected error.
"""

from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from db.storable import Path, storable, unstorable_at

# The contract's word for a bad value (UserErrorCode.INVALID_INPUT), here as a request error.
CODE = "INVALID_INPUT"
MESSAGE = "Giá trị của «{field}» chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lẻ)."


def invalid_text(field: str) -> GraphQLError:
    return GraphQLError(MESSAGE.format(field=field), extensions={"code": CODE, "field": field})


class _Literals(Visitor):
    """Finds the first string literal that cannot be stored, with the names leading to it."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.found: str | None = None

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.names.append(node.name.value)

    def leave_argument(self, *_: Any) -> None:
        self.names.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.names.append(node.name.value)

    def leave_object_field(self, *_: Any) -> None:
        self.names.pop()

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
        self.names.append("$" + node.variable.name.value)

    def leave_variable_definition(self, *_: Any) -> None:
        self.names.pop()

    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if self.found is None and not storable(node.value):
            self.found = ".".join(self.names) or "query"
            return self.BREAK
        return None


def unstorable_literal(document: DocumentNode) -> str | None:
    """The argument (dotted path) of the first string literal that cannot be stored."""
    finder = _Literals()
    visit(document, finder)
    return finder.found


def _dotted(path: Path) -> str:
    return "$" + ".".join(str(step) for step in path)


class StorableInput(SchemaExtension):
    """Refuse text PostgreSQL cannot store, in the document or the variables, before execution."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None:
            literal = unstorable_literal(ec.graphql_document)
            if literal is not None:
                raise invalid_text(literal)
        variable = unstorable_at(ec.variables or {})
        if variable is not None:
            raise invalid_text(_dotted(variable))
        yield
