"""Per-client rate limit with the `limits` package: in memory, or Redis when configured.

With `HDND_REDIS_URL` every process spends from one shared budget per client; without it each
process counts on its own (fine for one process, and for tests).
"""

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

NAMESPACE = "hdnd"
log = logging.getLogger("hdnd.ratelimit")


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until the next request would be allowed (0 when allowed)


def make_storage(redis_url: str | None) -> Storage:
    """Redis (through redis-py's asyncio client) when a URL is given, else process memory."""
    if redis_url is None:
        return MemoryStorage()
    scheme, sep, rest = redis_url.partition("://")
    if not sep or scheme not in ("redis", "rediss"):
        raise ValueError("HDND_REDIS_URL phải có dạng redis://máy:cổng/số hoặc rediss://…")
    return RedisStorage(f"async+{scheme}://{rest}", implementation="redispy")


class RateLimiter:
    """`per_minute` requests a minute for each client key (moving window)."""

    def __init__(self, per_minute: int, storage: Storage) -> None:
        self.item = RateLimitItemPerMinute(per_minute, namespace=NAMESPACE)
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    async def hit(self, client: str) -> Verdict:
        """Spend one request of `client`'s budget, or say how long to wait."""
        try:
            if await self.strategy.hit(self.item, client):
                return Verdict(True, 0)
            stats = await self.strategy.get_window_stats(self.item, client)
        except Exception as exc:  # Redis unreachable: serve (fail open) rather than go down
            log.warning("rate limiter unavailable", extra={"error_type": type(exc).__name__})
            return Verdict(True, 0)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(False, wait)

    async def peek(self, client: str) -> Verdict:
        """Whether `client` has budget left, spending none."""
        try:
            if await self.strategy.test(self.item, client):
                return Verdict(True, 0)
            stats = await self.strategy.get_window_stats(self.item, client)
        except Exception as exc:  # as in `hit`: fail open
            log.warning("rate limiter unavailable", extra={"error_type": type(exc).__name__})
            return Verdict(True, 0)
        return Verdict(False, max(1, math.ceil(stats.reset_time - time.time())))
