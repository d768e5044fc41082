"""The Starlette application: GraphQL over HTTP and WebSocket, health, readiness, metrics."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLFormattedError
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from api import graphiql
from api.guard import RequestGuard, graphql_error_response, log_operation
from api.identity import (
    AuthenticationError,
    BadDeviceId,
    Identity,
    Throttled,
    account_viewer,
    admit,
    authenticate,
)
from api.ratelimit import RATE_LIMIT_HEADERS, RateLimiter, make_storage
from api.reports import report_routes
from api.session_report import session_report_routes
from api.settings import Settings, get_settings
from api.websocket import KeepAliveTransportWSHandler, TextWebSocketAdapter
from db.availability import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable
from db.engine import Sessionmaker, gated, make_engine, make_reader, make_sessionmaker
from db.listener import EventHub, listening_connections, open_subscriptions
from db.migrate import is_migrated
from db.viewer import ANONYMOUS, Viewer
from schema import build_schema
from schema.context import Context

log = logging.getLogger("hdnd")

Gauge("hdnd_subscriptions_active", "Open GraphQL subscriptions in this process.").set_function(
    open_subscriptions
)
Gauge("hdnd_event_listener_up", "1 while this process's LISTEN connection is up.").set_function(
    listening_connections
)


GRAPHQL_RESPONSE = "application/graphql-response+json"
READY_TIMEOUT = 1.5  # seconds /readyz waits for the database before answering 503


def _wants_graphql_response(accept: str) -> bool:
    """True when the client accepts the GraphQL-over-HTTP media type (with a quality above 0)."""
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() == GRAPHQL_RESPONSE:
            quality = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
            try:
                return float(quality) > 0
            except ValueError:
                return True
    return False


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, identity, limits and orjson encoding.

    Before Strawberry sees an HTTP request: content type (415), credentials (401, never
    anonymous), the client's rate limit (429). After: GraphQL-over-HTTP status codes.
    """

    graphql_transport_ws_handler_class = KeepAliveTransportWSHandler
    websocket_adapter_class = TextWebSocketAdapter

    def __init__(self, settings: Settings, limiter: RateLimiter) -> None:
        super().__init__(
            build_schema(suggestions=settings.graphiql),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=settings.ws_keep_alive,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=20,
        )
        self.settings = settings
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        state.setdefault("request_id", uuid.uuid4().hex)
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            # The whole request, credentials included, within one deadline; cancelling it gives
            # its connections back (the sessions close as the cancellation unwinds them).
            async with asyncio.timeout(self.settings.request_timeout):
                response = await self._answer(request, state)
        except TimeoutError:
            log.warning("request deadline passed", extra={"request_id": state.get("request_id")})
            response = graphql_error_response(
                503,
                "Máy chủ không trả lời kịp trong thời hạn của yêu cầu; hãy thử lại sau.",
                "TIMEOUT",
                headers={"Retry-After": "1"},
                scope=scope,
            )
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            log.warning("database unavailable", extra={"request_id": state["request_id"]})
            response = unavailable_response(scope)
        if state.get("unavailable"):  # a resolver could not reach the database
            response = unavailable_response(scope, counted=True)
        await response(scope, receive, send)

    async def _answer(self, request: Request, state: dict[str, Any]) -> Response:
        response = await self._refusal(request, state)
        if response is not None:
            return response
        try:
            response = await self.run(request)
        except HTTPException as exc:
            return _http_refusal(exc, request.scope)
        self._graphql_over_http(request, response, state)
        return response

    async def _refusal(self, request: Request, state: dict[str, Any]) -> Response | None:
        """The answer refusing this request before GraphQL runs, or None to go on."""
        scope = request.scope
        if request.method == "POST":
            media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
            if media != "application/json":
                # Also what stops a cross-site form (urlencoded, multipart, text/plain).
                return graphql_error_response(
                    415,
                    "POST /graphql chỉ nhận Content-Type: application/json.",
                    "UNSUPPORTED_MEDIA_TYPE",
                    headers={"Accept-Post": "application/json"},
                    scope=scope,
                )
        client_host = request.client.host if request.client else None
        try:
            identity = await admit(
                self.settings, _sessionmaker(scope), self.limiter, request.headers, client_host
            )
        except AuthenticationError as exc:
            return graphql_error_response(
                401,
                str(exc),
                "UNAUTHENTICATED",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                scope=scope,
            )
        except BadDeviceId as exc:
            return graphql_error_response(400, str(exc), "BAD_REQUEST", scope=scope)
        except Throttled as exc:
            state["rate_limit"] = exc.quota
            return graphql_error_response(
                429,
                f"Quá nhiều yêu cầu; hãy thử lại sau {exc.retry_after} giây.",
                "RATE_LIMITED",
                headers={"Retry-After": str(exc.retry_after)},
                scope=scope,
                retryAfter=exc.retry_after,
            )
        state["viewer"] = identity.viewer
        state["claims"] = identity.claims
        state["rate_limit"] = identity.quota  # RateLimit-* headers (api.guard), `rateLimit`
        return None

    def _graphql_over_http(
        self, request: Request, response: Response, state: dict[str, Any]
    ) -> None:
        """GraphQL over HTTP: with its media type accepted, a request error answers 400."""
        if request.method not in ("GET", "POST") or isinstance(response, HTMLResponse):
            return
        if _wants_graphql_response(request.headers.get("accept", "")):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if state.get("request_error"):
                response.status_code = 400

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        # A request error (parse, validation, variables, limits) happened before execution:
        # the GraphQL spec says `data` is then absent, not null.
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            body.pop("data", None)
            request.scope.setdefault("state", {})["request_error"] = True
        return body

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.get("state", {})
        viewer: Viewer = state.get("viewer", ANONYMOUS)
        sessionmaker = _sessionmaker(request.scope)
        claims = state.get("claims")
        # At most a few connections for this request, however many fields and aliases it has.
        gate = asyncio.Semaphore(self.settings.db_connections_per_request)

        async def load_viewer() -> Viewer:
            resolved = await account_viewer(sessionmaker, claims)
            state["viewer"] = resolved
            return resolved

        return Context(
            viewer=viewer,
            sessionmaker=gated(sessionmaker, gate),
            reader=gated(request.scope["app"].state.reader, gate),
            settings=self.settings,
            request_id=state.get("request_id", uuid.uuid4().hex),
            request=request,
            response=response if isinstance(response, Response) else None,
            pending_viewer=load_viewer if claims is not None else None,
            reload_viewer=load_viewer if claims is not None else None,
            events=getattr(request.scope["app"].state, "events", None),
            compiled_reads=self.settings.compiled_reads,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Sign the WebSocket in with `connection_init`'s {"Authorization": "Bearer <JWT>"};
        no token is anonymous, a bad one closes the connection (4403). The account is read
        here and again for every operation (`operation_context`)."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is not None and not isinstance(authorization, str):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        headers = {"authorization": authorization} if authorization is not None else {}
        try:
            identity = await authenticate(self.settings, context.sessionmaker, headers)
        except AuthenticationError as exc:
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": str(exc)}
            ) from exc
        context.viewer = await identity.resolved_viewer(context.sessionmaker)
        context.extra[_IDENTITY] = identity
        unset: UnsetType = UNSET
        return unset

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL, all from this origin, opening on the tour (not Strawberry's CDN page)."""
        return graphiql.render(request)

    # ---- each WebSocket operation is a request of its own (api.websocket) ------------------

    async def operation_context(self, connection: Context) -> Context:
        """A context for one operation on the socket of `connection`: fresh loaders, and the
        account read again once the document has passed every limit, as over HTTP."""
        identity: Identity = connection.extra[_IDENTITY]
        socket = connection.request
        assert isinstance(socket, WebSocket)
        # The operation's own state (request id, viewer, operation, error codes), where the
        # schema's extensions and the access log find it, as they find an HTTP request's.
        state: dict[str, Any] = {
            "request_id": uuid.uuid4().hex,
            "viewer": identity.viewer,
            "claims": identity.claims,
            "rate_key": identity.budget(socket.client.host if socket.client else None),
        }
        request = WebSocket({**socket.scope, "state": state}, socket.receive, socket.send)
        context = await self.get_context(request, socket)
        context.connection_params = connection.connection_params
        return context

    async def operation_refusal(self, context: Context) -> GraphQLFormattedError | None:
        """The client's rate budget is the one its HTTP requests spend."""
        assert context.request is not None
        state = context.request.scope["state"]
        verdict = await self.limiter.hit(state["rate_key"])
        state["rate_limit"] = verdict.quota
        if verdict.allowed:
            return None
        state.setdefault("error_codes", []).append("RATE_LIMITED")
        return {
            "message": f"Quá nhiều yêu cầu; hãy thử lại sau {verdict.retry_after} giây.",
            "extensions": {"code": "RATE_LIMITED", "retryAfter": verdict.retry_after},
        }

    def operation_done(self, context: Context, seconds: float) -> None:
        assert context.request is not None
        log_operation(context.request.scope["state"], seconds)

    def token_expiry(self, connection: Context) -> float | None:
        identity: Identity | None = connection.extra.get(_IDENTITY)
        if identity is None or identity.claims is None:
            return None
        exp = identity.claims.get("exp")
        return float(exp) if isinstance(exp, int | float) else None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        decoded = orjson.loads(data)
        # A body (or GET `variables`) must be an object; an array is a batch, refused later.
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return decoded


_IDENTITY = "identity"  # the socket's Identity, in its connection context's `extra`


def _http_refusal(exc: HTTPException, scope: Scope) -> Response:
    """Strawberry's transport refusals, as GraphQL-shaped JSON with the right status."""
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        return graphql_error_response(
            405,
            "Chỉ gửi truy vấn (query) qua GET; thao tác thay đổi (mutation) phải dùng POST.",
            "METHOD_NOT_ALLOWED",
            headers={"Allow": "POST"},
            scope=scope,
        )
    if exc.reason == "Batching is not enabled":
        return graphql_error_response(
            400,
            "Không nhận nhiều thao tác trong một yêu cầu (mảng JSON); gửi từng thao tác một.",
            "BATCH_NOT_SUPPORTED",
            scope=scope,
        )
    if exc.status_code == 404:
        return graphql_error_response(404, "Không tìm thấy.", "NOT_FOUND", scope=scope)
    message = _REASONS.get(exc.reason, "Yêu cầu GraphQL không hợp lệ.")
    return graphql_error_response(exc.status_code, message, "BAD_REQUEST", scope=scope)


# Strawberry's transport refusals, said in Vietnamese.
_REASONS = {
    "No GraphQL query found in the request": "Thiếu truy vấn GraphQL (`query`).",
    "Unable to parse request body as JSON": "Nội dung yêu cầu không phải JSON hợp lệ.",
    "The request body must be a JSON object": "Nội dung yêu cầu phải là một đối tượng JSON.",
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        "`query` phải là một chuỗi."
    ),
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "`variables` phải là một đối tượng JSON."
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "`extensions` phải là một đối tượng JSON."
    ),
}


def unavailable_response(scope: Scope, *, counted: bool = False) -> Response:
    """HTTP 503 while the database cannot be reached: try again after Retry-After seconds.
    `counted`: its code is already among the request's error codes (from process_errors)."""
    return graphql_error_response(
        503,
        UNAVAILABLE_MESSAGE,
        "UNAVAILABLE",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        scope=None if counted else scope,
        requestId=scope.get("state", {}).get("request_id"),
    )


def _sessionmaker(scope: Mapping[str, Any]) -> Sessionmaker:
    sessionmaker: Sessionmaker = scope["app"].state.sessionmaker
    return sessionmaker


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def _database_state(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return await is_migrated(engine)


def _forget(task: "asyncio.Task[bool]") -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so a late failure is not reported as unhandled


async def readyz(request: Request) -> Response:
    """Ready only when the database answers and every migration is applied."""
    engine: AsyncEngine = request.app.state.engine
    # A database that does not answer at once is not ready: the probe answers within
    # READY_TIMEOUT even when cleaning up after a frozen server would take longer (the check
    # is cancelled and left to unwind on its own).
    check = asyncio.create_task(_database_state(engine))
    check.add_done_callback(_forget)
    done, _ = await asyncio.wait({check}, timeout=READY_TIMEOUT)
    if not done or check.cancelled() or check.exception() is not None:
        check.cancel()
        log.warning("readiness check: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not check.result():
        return JSONResponse({"status": "unavailable", "database": "not migrated"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _cors(settings: Settings) -> list[Middleware]:
    """CORS for the allowed web origins only, outermost so a preflight costs no budget."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "X-Device-Id",
                "X-Request-Id",
            ],
            expose_headers=["Retry-After", "X-Request-Id", *RATE_LIMIT_HEADERS],
            max_age=600,
        )
    ]


def _graphiql_assets(settings: Settings) -> list[BaseRoute]:
    """GraphiQL's script, styles and workers; nothing when GraphiQL is off."""
    if not settings.graphiql:
        return []
    return [Mount(graphiql.STATIC_PATH, app=graphiql.static_files(), name="graphiql")]


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> Starlette:
    """The application; its engine is made in the lifespan and disposed there."""
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if url is None:
        raise ValueError("create_app needs a database URL (HDND_DATABASE_URL or the embedded one).")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(
            url, pool_size=settings.db_pool_size, statement_timeout=settings.statement_timeout
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.reader = make_reader(engine)
        # One LISTEN connection for the whole process, shared by every subscription.
        app.state.events = EventHub(url)
        await app.state.events.start()
        try:
            yield
        finally:
            await app.state.events.stop()
            await engine.dispose()

    # One budget per client for every route (GraphQL and the reports).
    limiter = RateLimiter(
        settings.rate_limit, make_storage(settings.redis_url), settings.rate_limit_per_address
    )
    graphql = GraphQLApp(settings, limiter)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *report_routes(),
            *session_report_routes(),
            *_graphiql_assets(settings),
        ],
        lifespan=lifespan,
        middleware=[*_cors(settings), Middleware(RequestGuard)],
    )
    app.state.settings = settings
    app.state.limiter = limiter
    return app
