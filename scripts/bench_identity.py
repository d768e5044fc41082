"""What the identity layer and the limits cost: requests a second, in process, one at a time.

    HDND_DATABASE_URL=postgresql://… uv run python scripts/bench_identity.py [N]

The database must be migrated and hold the demo directory (`hdnd seed --demo`). Prints one
line per kind of request; figures, not assertions.
"""

import asyncio
import secrets
import sys
import time
from typing import Any

from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.identity import issue_token
from api.settings import Settings
from db.engine import transaction
from db.integrators import create_api_key


async def main(n: int) -> None:
    settings = Settings(jwt_secret=secrets.token_urlsafe(48), rate_limit=10**9)  # type: ignore[call-arg]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with transaction(app.state.sessionmaker) as session:
            key = (await create_api_key(session, f"bench-{secrets.token_hex(4)}")).secret
        token = issue_token(settings, "bench-citizen")
        small = {"query": "{ __typename }"}
        aliases = {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"}
        cases: list[tuple[str, dict[str, Any] | bytes, dict[str, str]]] = [
            ("anonymous { __typename }", small, {}),
            (
                "signed-in { __typename } (1 SQL: the account)",
                small,
                {"Authorization": f"Bearer {token}"},
            ),
            ("integrator { __typename } (1 SQL: the key)", small, {"X-API-Key": key}),
            ("forged token -> 401", small, {"Authorization": f"Bearer {token[:-4]}AAAA"}),
            ("1,000 aliases -> refused", aliases, {}),
            ("2 MiB body -> 413", b" " * (2 << 20), {"Content-Type": "application/json"}),
        ]
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            for label, body, headers in cases:
                send = (
                    (lambda b=body, h=headers: http.post("/graphql", content=b, headers=h))
                    if isinstance(body, bytes)
                    else (lambda b=body, h=headers: http.post("/graphql", json=b, headers=h))
                )
                await send()  # warm caches
                started = time.perf_counter()
                for _ in range(n):
                    await send()
                elapsed = time.perf_counter() - started
                print(f"{label:50s} {n / elapsed:8.0f} req/s  {elapsed / n * 1e3:6.2f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
