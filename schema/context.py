"""The per-request context every resolver receives as `info.context`."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from strawberry.types import Info as StrawberryInfo

from api.settings import Settings
from db.engine import Sessionmaker
from db.listener import EventHub
from db.viewer import Viewer
from schema.loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today's date in Việt Nam, which decides who is serving."""
    return datetime.now(LOCAL_ZONE).date()


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
    today: date = field(default_factory=local_today)
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
    def read(self) -> Sessionmaker:
        """Sessions for reading: one short session per resolver, never shared."""
        return self.reader or self.sessionmaker


Info = StrawberryInfo[Context, None]
