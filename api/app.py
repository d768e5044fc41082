"""The Starlette application: GraphQL over HTTP and WebSocket, health, readiness, metrics."""

import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.identity import AuthenticationError, viewer_from_headers
from api.reports import report_routes
from api.settings import Settings, get_settings
from api.websocket import KeepAliveTransportWSHandler
from db.engine import Sessionmaker, make_engine, make_reader, make_sessionmaker
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


def graphql_error_response(status: int, message: str, code: str, **extensions: Any) -> Response:
    """A GraphQL-shaped error answered before execution (no `data`)."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, identity and orjson encoding."""

    graphql_transport_ws_handler_class = KeepAliveTransportWSHandler

    def __init__(self, settings: Settings) -> None:
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        state.setdefault("request_id", uuid.uuid4().hex)
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                state["viewer"] = await viewer_from_headers(
                    self.settings, _sessionmaker(scope), request.headers.get("authorization")
                )
            except AuthenticationError as exc:
                response = graphql_error_response(401, str(exc), "UNAUTHENTICATED")
                response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.get("state", {})
        viewer: Viewer = state.get("viewer", ANONYMOUS)
        return Context(
            viewer=viewer,
            sessionmaker=_sessionmaker(request.scope),
            reader=request.scope["app"].state.reader,
            settings=self.settings,
            request_id=state.get("request_id", uuid.uuid4().hex),
            request=request,
            response=response if isinstance(response, Response) else None,
            events=getattr(request.scope["app"].state, "events", None),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Sign the WebSocket in with `connection_init`'s {"Authorization": "Bearer <JWT>"};
        no token is anonymous, a bad one closes the connection (4403)."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is not None and not isinstance(authorization, str):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        try:
            context.viewer = await viewer_from_headers(
                self.settings, context.sessionmaker, authorization
            )
        except AuthenticationError as exc:
            raise ConnectionRejectionError(
                {"code": "UNAUTHENTICATED", "message": str(exc)}
            ) from exc
        unset: UnsetType = UNSET
        return unset

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _sessionmaker(scope: Mapping[str, Any]) -> Sessionmaker:
    sessionmaker: Sessionmaker = scope["app"].state.sessionmaker
    return sessionmaker


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready only when the database answers and every migration is applied."""
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        migrated = await is_migrated(engine)
    except Exception:  # any failure to reach the database means "not ready"
        log.warning("readiness check: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not migrated:
        return JSONResponse({"status": "unavailable", "database": "not migrated"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> Starlette:
    """The application; its engine is made in the lifespan and disposed there."""
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if url is None:
        raise ValueError("create_app needs a database URL (HDND_DATABASE_URL or the embedded one).")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(url, pool_size=settings.db_pool_size)
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

    graphql = GraphQLApp(settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *report_routes(),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
