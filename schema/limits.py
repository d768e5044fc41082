"""Query limits and production hardening, as schema extensions.

Every limit here runs while parsing or validating, or before execution starts: a refused
document costs no SQL (the signed-in account itself is read only by `ResolveViewer`, last).
"""

import logging
import re
import traceback
from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
from graphql import (
    ArgumentNode,
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    IntValueNode,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    VariableNode,
    Visitor,
    visit,
)
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types import ExecutionContext

from db.availability import UNAVAILABLE_MESSAGE, database_unavailable
from db.pagination import MAX_PAGE
from schema.context import OperationClock
from schema.deadlines import SubscriptionsOutliveTheDeadline
from schema.query_cost import KEY_CHARS, QueryCost, Remembered

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Fields written in a document (fragments counted once): the largest operation of the tests and
# docs has about 90 and GraphiQL's introspection about 60; a thousand repeated fields cost
# seconds of validation CPU (overlapping fields are compared pairwise) before any limit said no.
MAX_FIELDS = 400
UNEXPECTED = "Unexpected error."

log = logging.getLogger("hdnd.graphql")
_SUGGESTION = re.compile(r"\s*Did you mean .*?\?", re.DOTALL)


def _first_too_large(value: int) -> GraphQLError:
    return GraphQLError(
        f"`first` phải từ 0 đến {MAX_PAGE} (đã nhận {value}).",
        extensions={"code": "BAD_USER_INPUT", "field": "first"},
    )


class FirstLiteralRule(ValidationRule):
    """`first` written in the document is checked while validating: 0 to MAX_PAGE."""

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value == "first" and isinstance(node.value, IntValueNode):
            value = int(node.value.value)
            if not 0 <= value <= MAX_PAGE:
                self.report_error(_first_too_large(value))


class _FirstVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value == "first" and isinstance(node.value, VariableNode):
            self.names.add(node.value.name.value)


class FirstVariableLimit(SchemaExtension):
    """`first` given through a variable is checked before execution starts."""

    def on_execute(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        variables = self.execution_context.variables or {}
        if document is not None and variables:
            found = _FirstVariables()
            visit(document, found)
            for name in found.names:
                value = variables.get(name)
                if isinstance(value, int) and not 0 <= value <= MAX_PAGE:
                    raise _first_too_large(value)
        yield


class ResolveViewer(SchemaExtension):
    """Read the signed-in account only once the document passed every limit (last extension)."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        pending = getattr(context, "pending_viewer", None)
        if pending is not None:
            context.viewer = await pending()
            context.pending_viewer = None
        yield


class RequestFacts(SchemaExtension):
    """Leave the operation's name and type where the access log and metrics find them."""

    def on_operation(self) -> Iterator[None]:
        yield
        facts = request_facts(self.execution_context)
        if facts is not None:
            ec = self.execution_context
            facts["operation"] = _operation_name(ec)
            try:
                facts["operation_type"] = ec.operation_type.value
            except (RuntimeError, AttributeError):
                facts["operation_type"] = None


def _operation_name(ec: ExecutionContext) -> str | None:
    try:
        return ec.operation_name
    except (RuntimeError, AttributeError):
        return None


def request_facts(ec: ExecutionContext | None) -> dict[str, Any] | None:
    """The request's shared state (request id, error codes, operation) when there is one."""
    request = getattr(getattr(ec, "context", None), "request", None)
    if request is None:
        return None
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


# PostgreSQL's query_canceled: statement_timeout (or a cancel) ended the statement.
QUERY_CANCELED = "57014"


def is_timeout(exc: BaseException) -> bool:
    """The database did not answer in time: the server's statement timeout, or the client's
    command timeout when the server does not answer at all."""
    if isinstance(exc, TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        return getattr(orig, "sqlstate", None) == QUERY_CANCELED or isinstance(
            getattr(orig, "__cause__", None), TimeoutError
        )
    return False


def _is_unexpected(error: GraphQLError) -> bool:
    """An exception our code did not raise on purpose (a GraphQLError is always on purpose)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _trace(exc: BaseException) -> list[str]:
    """Where it failed: file, line, function; never the exception's text (it may hold SQL or
    personal data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in frames]


class HdndSchema(strawberry.Schema):
    """Strawberry's schema whose errors are classified, masked and logged our way."""

    suggestions: bool = True

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        facts = request_facts(execution_context)
        request_id = (facts or {}).get("request_id")
        for error in errors:
            if not self.suggestions:
                error.message = _SUGGESTION.sub("", error.message)
            if _is_unexpected(error) and is_timeout(error.original_error or Exception()):
                log.warning(
                    "database timeout",
                    extra={"request_id": request_id, "path": list(error.path or [])},
                )
                error.message = "Cơ sở dữ liệu không trả lời kịp; hãy thử lại sau."
                error.original_error = None
                error.extensions = {"code": "TIMEOUT", "requestId": request_id}
            elif _is_unexpected(error) and database_unavailable(error.original_error):
                # Not a bug: the database is unreachable. The transport answers 503.
                log.warning(
                    "database unavailable",
                    extra={
                        "request_id": request_id,
                        "error_type": type(error.original_error).__name__,
                    },
                )
                error.message = UNAVAILABLE_MESSAGE
                error.original_error = None
                error.extensions = {"code": "UNAVAILABLE", "requestId": request_id}
                if facts is not None:
                    facts["unavailable"] = True
            elif _is_unexpected(error):
                original = error.original_error
                assert original is not None
                log.error(
                    "unexpected error",
                    extra={
                        "request_id": request_id,
                        "error_type": type(original).__name__,
                        "sqlstate": getattr(getattr(original, "orig", None), "sqlstate", None)
                        if isinstance(original, DBAPIError)
                        else None,
                        "trace": _trace(original),
                        "path": list(error.path or []),
                    },
                )
                error.message = UNEXPECTED
                error.original_error = None
                error.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
            elif not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": _code_of(error)}
            if facts is not None:
                facts.setdefault("error_codes", []).append((error.extensions or {}).get("code"))


def _code_of(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError) or error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.path:
        return "INTERNAL_SERVER_ERROR"
    # Validation errors are labelled by ValidationCodes; what is left before execution is a
    # variable that does not coerce to its type.
    return "BAD_USER_INPUT"


class ValidationCodes(SchemaExtension):
    """Label what validation refused (limits included) GRAPHQL_VALIDATION_FAILED."""

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}


# Made once (the same rule classes every request); these are the rules of Strawberry's
# QueryDepthLimiter and MaxAliasesLimiter.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_DEPTH, None),
    aliases_rule(MAX_ALIASES),
    FirstLiteralRule,
]
# The limit rules that look at the document while it is walked (the others, when made).
VISITING_RULES: tuple[type[ASTValidationRule], ...] = (FirstLiteralRule,)


def count_fields(document: DocumentNode, stop_after: int) -> int:
    """Fields written in `document` (each fragment once), counting no further than `stop_after`."""
    count = 0
    pending: list[Any] = [document]
    while pending and count <= stop_after:
        node = pending.pop()
        if isinstance(node, FieldNode):
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
        definitions = getattr(node, "definitions", None)
        if definitions is not None:
            pending.extend(definitions)
    return count


def _too_many_fields() -> GraphQLError:
    return GraphQLError(
        f"Truy vấn có quá nhiều trường (tối đa {MAX_FIELDS}).",
        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
    )


# The limits' verdict per query text (the document is ParserCache's for the same text); the
# error, when there is one, is the same object each time (nothing changes it once labelled).
_VERDICTS: Remembered[str, tuple[GraphQLError | None]] = Remembered(1024)


def _limits_verdict(schema: GraphQLSchema, document: DocumentNode) -> GraphQLError | None:
    if count_fields(document, MAX_FIELDS) > MAX_FIELDS:
        return _too_many_fields()
    # One rule at a time, in order, stopping at the first refusal. Depth and aliases judge the
    # document while being made; only `first` visits it, and none needs the types, so this is
    # not graphql-core's `validate` (which walks the document with its types once per call).
    refusals: list[GraphQLError] = []
    context = ValidationContext(schema, document, TypeInfo(schema), refusals.append)
    for rule in LIMIT_RULES:
        made = rule(context)
        if not refusals and rule in VISITING_RULES:
            visit(document, made)
        if refusals:
            return refusals[0]
    return None


class DocumentLimits(SchemaExtension):
    """The limits first, before the rest of validation: the number of fields, then depth,
    aliases and `first`. The first limit exceeded is the only error, and the costly rules of
    the specification (overlapping fields compare pairs) never run on a refused document."""

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        if document is not None and ec.pre_execution_errors is None:
            query = ec.query
            kept = _VERDICTS.get(query) if query is not None else None
            if kept is None:
                kept = (_limits_verdict(ec.schema._schema, document),)
                if query is not None and len(query) <= KEY_CHARS:
                    _VERDICTS.put(query, kept)
            if kept[0] is not None:
                ec.pre_execution_errors = [kept[0]]
        yield


class CachedValidation(ValidationCache):
    """Strawberry's ValidationCache, skipped when a limit already refused the document."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


def schema_extensions(suggestions: bool) -> list[Any]:
    """Extensions every schema carries, in order; `ResolveViewer` must come after every one that
    may refuse, and a WebSocket subscription's deadline is lifted only after it (the account is
    read within the deadline)."""
    # Factories: Strawberry makes each extension afresh per request, so no state is shared.
    return [
        OperationClock,
        RequestFacts,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        DocumentLimits,
        QueryCost,
        lambda: CachedValidation(maxsize=512),
        ValidationCodes,
        FirstVariableLimit,
        ResolveViewer,
        SubscriptionsOutliveTheDeadline,
    ]
