"""The outermost middleware: request id, body size limit, access log and metrics.

It reads a request's body before anything else does, so a body over the limit is refused
(HTTP 413) before any parsing, identity check or SQL.
"""

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import (
    ERRORS,
    GRAPHQL_OPERATIONS,
    HTTP_DURATION,
    HTTP_REQUESTS,
    IN_FLIGHT,
    path_label,
)
from api.ratelimit import Quota, rate_limit_headers

MAX_BODY = 1024 * 1024  # 1 MiB, the contract's limit
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")

access_log = logging.getLogger("hdnd.access")


def graphql_error_response(
    status: int,
    message: str,
    code: str,
    *,
    headers: dict[str, str] | None = None,
    scope: Scope | None = None,
    **extensions: Any,
) -> Response:
    """A GraphQL-shaped error answered before execution (no `data`), its code noted for logs."""
    if scope is not None:
        scope.setdefault("state", {}).setdefault("error_codes", []).append(code)
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, or BodyTooLarge as soon as it passes `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body over once, then waits on the real one."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class RequestGuard:
    """Request id, body limit, one access-log line and the metrics of every HTTP request."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
                quota = state.get("rate_limit")  # left by admission (api.identity.admit)
                if isinstance(quota, Quota):
                    message["headers"].extend(rate_limit_headers(quota))
            await send(message)

        IN_FLIGHT.inc()
        try:
            if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                declared = headers.get("content-length")
                try:
                    if declared is not None and int(declared) > self.max_body:
                        raise BodyTooLarge
                    body = await read_body(receive, self.max_body)
                except BodyTooLarge:
                    response = graphql_error_response(
                        413,
                        "Yêu cầu vượt quá 1 MiB.",
                        "PAYLOAD_TOO_LARGE",
                        headers={"Connection": "close"},
                        scope=scope,
                    )
                    await response(scope, receive, send_with_id)
                    return
                receive = replay(body, receive)
            await self.app(scope, receive, send_with_id)
        finally:
            IN_FLIGHT.dec()
            self._record(scope, state, status, time.perf_counter() - started)

    def _record(self, scope: Scope, state: dict[str, Any], status: int, seconds: float) -> None:
        path = path_label(scope["path"])
        HTTP_REQUESTS.labels(path, scope["method"], str(status)).inc()
        HTTP_DURATION.labels(path).observe(seconds)
        _count_operation(state)
        if path in ("/healthz", "/metrics"):
            return  # probes and scrapes would drown the log
        access_log.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"] if path != "other" else "other",
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                **_facts(state),
            },
        )


def _count_operation(state: dict[str, Any]) -> None:
    for code in _codes(state):
        ERRORS.labels(code).inc()
    operation_type = state.get("operation_type")
    if operation_type:
        kind = getattr(getattr(state.get("viewer"), "kind", None), "value", None)
        GRAPHQL_OPERATIONS.labels(operation_type, kind or "anonymous").inc()


def _codes(state: dict[str, Any]) -> list[str]:
    return [c for c in state.get("error_codes", []) if isinstance(c, str)]


def _facts(state: dict[str, Any]) -> dict[str, Any]:
    """The access-log fields a GraphQL request left in its state (no personal data)."""
    viewer = state.get("viewer")
    operation = state.get("operation")
    return {
        "request_id": state.get("request_id"),
        "operation": operation
        if isinstance(operation, str) and _OPERATION_NAME.match(operation)
        else None,
        "operation_type": state.get("operation_type"),
        "viewer": getattr(getattr(viewer, "kind", None), "value", None),
        "role": getattr(getattr(viewer, "role", None), "value", None),
        "integrator": getattr(viewer, "integrator", None),
        "error_codes": _codes(state) or None,
    }


def log_operation(state: dict[str, Any], seconds: float) -> None:
    """One access-log line (and the metrics) for an operation run over a WebSocket, when it
    ends: a subscription's duration is how long it was open."""
    _count_operation(state)
    access_log.info(
        "request",
        extra={
            "method": "WS",
            "path": "/graphql",
            "duration_ms": round(seconds * 1000, 2),
            **_facts(state),
        },
    )
