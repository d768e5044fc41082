"""The per-request context every resolver receives as `info.context`."""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types import Info as StrawberryInfo

from api.settings import Settings
from db import clock
from db.clock import LOCAL_ZONE
from db.engine import Sessionmaker
from db.listener import EventHub
from db.viewer import Viewer
from schema.loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["LOCAL_ZONE", "Context", "Info", "OperationClock", "operation_clock", "tick"]

# The instant of the WebSocket operation (or subscription event) running in this task. A socket's
# operations share one Context and run concurrently, each in a task of its own: a context
# variable gives each its own clock where a field of the shared Context could not.
_operation_now: ContextVar[datetime | None] = ContextVar("operation_now", default=None)


@contextmanager
def operation_clock(moment: datetime | None = None) -> Iterator[datetime]:
    """Within the block, `Context.now` of this task is `moment` (default: the clock, now)."""
    taken = moment if moment is not None else clock.now()
    token = _operation_now.set(taken)
    try:
        yield taken
    finally:
        # A stream closed from another task (garbage collection) cannot reset; nothing to undo.
        with suppress(ValueError):
            _operation_now.reset(token)


def tick() -> datetime:
    """Take the clock again for the rest of this task's operation (a subscription event)."""
    taken = clock.now()
    _operation_now.set(taken)
    return taken


@dataclass
class Context:
    """Who asks, how to reach the database, the request's loaders and the settings in force."""

    viewer: Viewer
    sessionmaker: Sessionmaker
    settings: Settings
    request_id: str
    # Autocommit sessions for reads (loaders, lists); defaults to `sessionmaker`.
    reader: Sessionmaker | None = None
    request: "Request | WebSocket | None" = None
    response: "Response | None" = None
    # The request's instant, read once (tests may pass one); use `now` and `today`.
    started: datetime = field(default_factory=clock.now)
    loaders: Loaders = field(init=False)
    extra: dict[str, Any] = field(default_factory=dict)
    # Set for a signed-in request: reads the account once the document has passed every limit
    # (schema.limits.ResolveViewer), so refused documents cost no SQL.
    pending_viewer: Callable[[], Awaitable[Viewer]] | None = None
    # The process's LISTEN fan-out (subscriptions); the WebSocket's `connection_init` payload.
    events: EventHub | None = None
    connection_params: dict[str, Any] | None = None
    # Reads the signed-in account again: a long subscription re-checks its access with it when
    # the account's role or delegate link changes.
    reload_viewer: Callable[[], Awaitable[Viewer]] | None = None

    def __post_init__(self) -> None:
        if self.reader is None:
            self.reader = self.sessionmaker
        self.loaders = Loaders(self.reader, self.today)

    @property
    def now(self) -> datetime:
        """The request's clock (tz-aware UTC) that every rule of this request uses: taken once
        per HTTP request, and per operation and per subscription event on a WebSocket."""
        return _operation_now.get() or self.started

    @property
    def today(self) -> date:
        """The local date (Asia/Ho_Chi_Minh) of `now`: who is serving, for instance."""
        return clock.local_date(self.now)

    @property
    def read(self) -> Sessionmaker:
        """Sessions for reading: one short session per resolver, never shared."""
        return self.reader or self.sessionmaker


Info = StrawberryInfo[Context, None]


class OperationClock(SchemaExtension):
    """Over a WebSocket, each operation takes the clock afresh (with loaders for its day): the
    socket's Context was made at connection time. An HTTP request took it with its Context."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context) or not isinstance(context.request, WebSocket):
            yield
            return
        with operation_clock():
            context.loaders = Loaders(context.read, context.today)
            yield
