"""WebSocket (graphql-transport-ws) details Strawberry leaves to us: keep-alive pings.

Strawberry's `keep_alive` only drives the legacy graphql-ws protocol; with graphql-transport-ws
the server must send `ping` itself, or proxies and mobile networks close idle subscriptions.
"""

import asyncio
import contextlib
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    """Sends a protocol `ping` every `keep_alive_interval` seconds once the connection is
    acknowledged; the client answers `pong` (graphql-ws clients do so on their own)."""

    keep_alive_task: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        interval = getattr(self.view, "keep_alive_interval", None)
        if self.connection_acknowledged and interval and self.keep_alive_task is None:
            self.keep_alive_task = asyncio.create_task(self._keep_alive(float(interval)))

    async def _keep_alive(self, interval: float) -> None:
        # A failed send means the socket is gone; the handler's own loop notices and shuts down.
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        if self.keep_alive_task is not None:
            self.keep_alive_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.keep_alive_task
        await super().shutdown()
