"""Helpers of the api tests: an app with other settings, raw tokens, statement counts."""

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from tests.conftest import TEST_SECRET, StatementCounter


@asynccontextmanager
async def app_with(db_url: str, **overrides: Any) -> AsyncIterator[tuple[Starlette, AsyncClient]]:
    """An app (lifespan running) on the test's database with some settings changed."""
    values: dict[str, Any] = {"database_url": db_url, "jwt_secret": TEST_SECRET, **overrides}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    application = create_app(settings)
    async with (
        application.router.lifespan_context(application),
        AsyncClient(transport=ASGITransport(app=application), base_url="http://test") as http,
    ):
        yield application, http


def counter(application: Starlette) -> StatementCounter:
    return StatementCounter(application.state.engine)


def claims(sub: str = "hostile-sub", **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": sub, "iat": now, "exp": now + timedelta(minutes=5), **extra}


def signed(payload: dict[str, Any], secret: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def unsigned(payload: dict[str, Any]) -> str:
    """A token declaring algorithm "none", with no signature."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value, default=str)).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
