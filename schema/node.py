"""`node(id:)`: each domain registers how to fetch its Node types by database id, and how the
viewer's permissions apply (a hidden object answers null, as if it did not exist)."""

from collections.abc import Awaitable, Callable
from typing import Any

from schema.context import Info

NodeFetcher = Callable[[Info, int], Awaitable[Any]]
_FETCHERS: dict[str, NodeFetcher] = {}


def register_node(type_name: str, fetch: NodeFetcher) -> None:
    """Let `node(id:)` answer ids of `type_name`."""
    _FETCHERS[type_name] = fetch


def node_fetcher(type_name: str) -> NodeFetcher | None:
    return _FETCHERS.get(type_name)
