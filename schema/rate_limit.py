"""`rateLimit`: where the client's request budget stands, and what this request cost.

The budget is spent before GraphQL runs (api.identity.admit, or each operation of a WebSocket);
admission leaves where it stands in the request's state, beside the `RateLimit-*` headers.
"""

from datetime import datetime, timedelta
from typing import Protocol

import strawberry

from schema.context import LOCAL_ZONE, Info
from schema.query_cost import COST_KEY


class Budget(Protocol):
    """What admission leaves in the request's state (api.ratelimit.Quota)."""

    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def reset_after(self) -> int: ...


@strawberry.type(
    description="Your request budget (giới hạn yêu cầu) after this request, as the `RateLimit-*` "
    "headers say it: API key, else account, else the app's device id (`X-Device-Id`), else "
    "address. An anonymous client's budget lies within its address's shared one; the smaller "
    "of the two is shown."
)
class RateLimit:
    limit: int = strawberry.field(description="Requests allowed a minute (`RateLimit-Limit`).")
    remaining: int = strawberry.field(
        description="Requests left in the current minute, this one spent (`RateLimit-Remaining`)."
    )
    reset_at: datetime = strawberry.field(
        description="When the oldest request counted leaves the one-minute window, so one more "
        "is allowed (`RateLimit-Reset` is the same, in seconds from now)."
    )
    cost: int = strawberry.field(
        description="This request's query cost: how many objects its answer can hold "
        "(`extensions.cost.requested`); a request costing over `HDND_MAX_QUERY_COST` is refused "
        "with QUERY_TOO_COMPLEX."
    )


@strawberry.type
class RateLimitQuery:
    @strawberry.field(
        description="Your request budget and this request's cost. Null when no budget applies "
        "(the rate limiter's store could not be reached, and the request was let through)."
    )
    def rate_limit(self, info: Info) -> RateLimit | None:
        context = info.context
        state = context.request.scope.get("state", {}) if context.request is not None else {}
        budget: Budget | None = state.get("rate_limit")
        if budget is None:
            return None
        return RateLimit(
            limit=budget.limit,
            remaining=budget.remaining,
            reset_at=(context.now + timedelta(seconds=budget.reset_after)).astimezone(LOCAL_ZONE),
            cost=int(context.extra.get(COST_KEY, 0)),
        )
