"""WebSocket (graphql-transport-ws) details Strawberry leaves to us.

- Text frames: the protocol's messages are JSON text; a binary frame is refused by the
  reference client (`graphql-ws`) and by Apollo, urql and GraphiQL.
- Keep-alive pings: Strawberry's `keep_alive` only drives the legacy graphql-ws protocol; with
  graphql-transport-ws the server must send `ping` itself, or proxies and mobile networks close
  idle subscriptions.
- Each operation is a request of its own: the account is read again (a role removed an hour
  after `connection_init` no longer holds), the client's rate budget is spent, and one access-log
  line is written when it ends. The socket closes (4401) when its token expires.
- Each query or mutation ends within the request deadline (HDND_REQUEST_TIMEOUT): past it, the
  operation's answer is an `error` message with the code TIMEOUT, its connections are given
  back, and the socket stays open. A subscription outlives it, each event bounded instead
  (`schema.deadlines`).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol, cast

from graphql import GraphQLFormattedError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
)
from strawberry.utils.aio import aclosing

from schema.deadlines import DEADLINE, deadline_error, request_timeout

log = logging.getLogger("hdnd")

EXPIRED_CODE = 4401
EXPIRED_REASON = "Token expired"


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's Starlette adapter, but every message leaves as a text frame (our JSON
    encoder returns bytes, which Strawberry would send as binary)."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class SocketView(Protocol):
    """What the handler asks of the view (api.app.GraphQLApp) for each operation."""

    async def operation_context(self, connection: Any) -> Any:
        """A fresh context for one operation, its viewer read from the database."""

    async def operation_refusal(self, context: Any) -> GraphQLFormattedError | None:
        """The GraphQL error refusing the operation before it runs (rate budget), or None."""

    def operation_done(self, context: Any, seconds: float) -> None:
        """The operation ended: log and count it as an HTTP request would be."""

    def token_expiry(self, connection: Any) -> float | None:
        """When the socket's credentials stop holding (Unix time), or None (anonymous)."""


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    """Sends a protocol `ping` every `keep_alive_interval` seconds once the connection is
    acknowledged (the client answers `pong`; graphql-ws clients do so on their own); runs each
    operation as a request of its own; closes the socket when its token expires."""

    keep_alive_task: asyncio.Task[None] | None = None
    expiry_task: asyncio.Task[None] | None = None

    @property
    def socket_view(self) -> SocketView:
        return cast(SocketView, self.view)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if not self.connection_acknowledged:
            return
        interval = getattr(self.view, "keep_alive_interval", None)
        if interval and self.keep_alive_task is None:
            self.keep_alive_task = asyncio.create_task(self._keep_alive(float(interval)))
        expires = self.socket_view.token_expiry(self.context)
        if expires is not None and self.expiry_task is None:
            self.expiry_task = asyncio.create_task(self._expire(expires))

    async def _keep_alive(self, interval: float) -> None:
        # A failed send means the socket is gone; the handler's own loop notices and shuts down.
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def _expire(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        await self._close_expired()

    async def _close_expired(self) -> None:
        # Closing ends the receive loop, whose shutdown cancels every operation.
        with contextlib.suppress(Exception):
            await self.websocket.close(code=EXPIRED_CODE, reason=EXPIRED_REASON)

    async def run_operation(self, operation: Operation[Any, None]) -> None:
        """Strawberry's operation task, with a context (and a viewer) of the operation's own."""
        view = self.socket_view
        expires = view.token_expiry(self.context)
        if expires is not None and expires <= time.time():
            # The timer has not fired yet; the token is already no good.
            self.operations.pop(operation.id, None)
            await self._close_expired()
            return
        started = time.perf_counter()
        context = await view.operation_context(self.context)
        try:
            refusal = await view.operation_refusal(context)
            if refusal is not None:
                refused: ErrorMessage = {"id": operation.id, "type": "error", "payload": [refusal]}
                await operation.send_operation_message(refused)
                return
            await self._run_within_deadline(operation, context)
        finally:
            view.operation_done(context, time.perf_counter() - started)

    async def _run_within_deadline(self, operation: Operation[Any, None], context: Any) -> None:
        """`_run` within the request deadline, which a subscription lifts once it starts."""
        deadline = asyncio.timeout(request_timeout(context))
        context.extra[DEADLINE] = deadline
        try:
            async with deadline:
                await self._run(operation, context)
        except TimeoutError:
            if not deadline.expired():
                raise
            # Cancelled by the deadline: the operation's sessions were closed as it unwound.
            state = context.request.scope["state"]
            state.setdefault("error_codes", []).append("TIMEOUT")
            log.warning("request deadline passed", extra={"request_id": state.get("request_id")})
            timed_out: ErrorMessage = {
                "id": operation.id,
                "type": "error",
                "payload": [deadline_error(state.get("request_id")).formatted],
            }
            with contextlib.suppress(KeyError):  # the client completed it meanwhile
                await operation.send_operation_message(timed_out)

    async def _run(self, operation: Operation[Any, None], context: Any) -> None:
        # BaseGraphQLTransportWSHandler.run_operation with `context` for `self.context`.
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def shutdown(self) -> None:
        for task in (self.keep_alive_task, self.expiry_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await super().shutdown()
