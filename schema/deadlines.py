"""The whole-request deadline (HDND_REQUEST_TIMEOUT) beyond HTTP: over a WebSocket each query or
mutation has the deadline of a request, a subscription outlives it (it is long-lived by design)
but each of its events is resolved within it.

- `api.websocket` runs a socket's query or mutation within `asyncio.timeout` and keeps the
  Timeout in `Context.extra[DEADLINE]`; `SubscriptionsOutliveTheDeadline` lifts it once the
  operation is known to be a subscription (validation included, until then it is bounded).
- `BoundedEventsExecutionContext` resolves each subscription event within the deadline; an event
  past it is answered with the error `TIMEOUT` and the subscription goes on.
"""

import asyncio
from collections.abc import Awaitable, Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationType
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperationType

from schema.compiled.execution import CompiledExecutionContext

# Where a WebSocket operation keeps its asyncio.Timeout (in its Context's `extra`).
DEADLINE = "deadline"
DEADLINE_MESSAGE = "Máy chủ không trả lời kịp trong thời hạn của yêu cầu; hãy thử lại sau."


def deadline_error(request_id: str | None = None) -> GraphQLError:
    """The error of an operation (or subscription event) that passed the request deadline."""
    extensions: dict[str, Any] = {"code": "TIMEOUT"}
    if request_id is not None:
        extensions["requestId"] = request_id
    return GraphQLError(DEADLINE_MESSAGE, extensions=extensions)


def request_timeout(context: Any) -> float | None:
    """HDND_REQUEST_TIMEOUT of the context's settings, or None without settings."""
    seconds = getattr(getattr(context, "settings", None), "request_timeout", None)
    return float(seconds) if isinstance(seconds, int | float) else None


class SubscriptionsOutliveTheDeadline(SchemaExtension):
    """Lift a WebSocket operation's deadline when it turns out to be a subscription: it has been
    bounded up to here (parsing, limits, validation), its events are bounded one by one."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        extra = getattr(ec.context, "extra", None)
        deadline = extra.get(DEADLINE) if isinstance(extra, dict) else None
        if isinstance(deadline, asyncio.Timeout) and _is_subscription(ec):
            deadline.reschedule(None)
        yield


def _is_subscription(ec: Any) -> bool:
    try:
        return bool(ec.operation_type is StrawberryOperationType.SUBSCRIPTION)
    except RuntimeError:  # no operation found: validation has already refused it
        return False


class BoundedEventsExecutionContext(CompiledExecutionContext):
    """graphql-core's executor (with the compiled reads) whose subscription events are each
    resolved within the request deadline. graphql-core runs `execute_operation` once per event
    (on a copy made for the event); the subscription's source stream is set up elsewhere."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        result = super().execute_operation(serially)
        seconds = request_timeout(self.context_value)
        if (
            self.operation.operation is not OperationType.SUBSCRIPTION
            or seconds is None
            or not self.is_awaitable(result)
        ):
            return result
        return self._within(result, seconds)

    async def _within(self, result: Awaitable[Any], seconds: float) -> Any:
        try:
            async with asyncio.timeout(seconds):
                return await result
        except TimeoutError:
            return ExecutionResult(
                data=None,
                errors=[deadline_error(getattr(self.context_value, "request_id", None))],
            )
