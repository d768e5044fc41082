"""Per-client rate limit with the `limits` package: in memory, or Redis when configured.

With `HDND_REDIS_URL` every process spends from one shared budget per client; without it each
process counts on its own (fine for one process, and for tests).

Every answer tells the client where its budget stands (`Quota`: the `RateLimit-*` headers and
the `rateLimit` query field). An anonymous request spends from two budgets: its client's (the
app's device id, else its address's shared one) and its address's, larger, shared by every
anonymous client there; so many phones behind one carrier address are not one client, and a
client that invents device ids gains no more than the address's budget.
"""

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

NAMESPACE = "hdnd"
log = logging.getLogger("hdnd.ratelimit")


@dataclass(frozen=True, slots=True)
class Quota:
    """A budget as it stands after a request: what the `RateLimit-*` headers say."""

    limit: int  # requests a minute
    remaining: int  # requests left in the window now
    reset_after: int  # whole seconds until the oldest request counted leaves the window


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until the next request would be allowed (0 when allowed)
    # The budget that binds (the one with the fewest requests left); None when unknown (the
    # limiter's store could not be reached, and the request was let through).
    quota: Quota | None = None


def make_storage(redis_url: str | None) -> Storage:
    """Redis (through redis-py's asyncio client) when a URL is given, else process memory."""
    if redis_url is None:
        return MemoryStorage()
    scheme, sep, rest = redis_url.partition("://")
    if not sep or scheme not in ("redis", "rediss"):
        raise ValueError("HDND_REDIS_URL phải có dạng redis://máy:cổng/số hoặc rediss://…")
    return RedisStorage(f"async+{scheme}://{rest}", implementation="redispy")


RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


def rate_limit_headers(quota: Quota) -> list[tuple[bytes, bytes]]:
    """The `RateLimit-Limit`, `-Remaining` and `-Reset` headers of an answer (IETF draft
    "RateLimit header fields for HTTP": reset in seconds from now)."""
    values = (quota.limit, quota.remaining, quota.reset_after)
    return [
        (n.lower().encode(), str(v).encode())
        for n, v in zip(RATE_LIMIT_HEADERS, values, strict=True)
    ]


class RateLimiter:
    """`per_minute` requests a minute for each client key, `per_address` for an address's
    anonymous clients together (moving windows)."""

    def __init__(self, per_minute: int, storage: Storage, per_address: int | None = None) -> None:
        self.item = RateLimitItemPerMinute(per_minute, namespace=NAMESPACE)
        self.address_item = RateLimitItemPerMinute(
            max(per_address or per_minute, per_minute), namespace=NAMESPACE
        )
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    async def _quota(self, item: RateLimitItem, key: str) -> Quota:
        stats = await self.strategy.get_window_stats(item, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Quota(item.amount, max(0, stats.remaining), reset)

    async def _spend(self, item: RateLimitItem, key: str) -> Verdict:
        allowed = await self.strategy.hit(item, key)
        quota = await self._quota(item, key)
        if allowed:
            return Verdict(True, 0, quota)
        wait = max(1, quota.reset_after)
        return Verdict(False, wait, Quota(quota.limit, 0, wait))

    async def hit(self, client: str, address: str | None = None) -> Verdict:
        """Spend one request of `client`'s budget (and of `address`'s shared one, when given),
        or say how long to wait."""
        try:
            verdict = await self._spend(self.item, client)
            if not verdict.allowed or address is None:
                return verdict
            shared = await self._spend(self.address_item, address)
        except Exception as exc:  # Redis unreachable: serve (fail open) rather than go down
            log.warning("rate limiter unavailable", extra={"error_type": type(exc).__name__})
            return Verdict(True, 0)
        assert verdict.quota is not None and shared.quota is not None
        if not shared.allowed or shared.quota.remaining < verdict.quota.remaining:
            return shared
        return verdict

    async def peek(self, client: str) -> Verdict:
        """Whether `client` has budget left, spending none."""
        try:
            if await self.strategy.test(self.item, client):
                return Verdict(True, 0)
            quota = await self._quota(self.item, client)
        except Exception as exc:  # as in `hit`: fail open
            log.warning("rate limiter unavailable", extra={"error_type": type(exc).__name__})
            return Verdict(True, 0)
        wait = max(1, quota.reset_after)
        return Verdict(False, wait, Quota(quota.limit, 0, wait))
