"""Health, readiness and metrics endpoints."""

import asyncpg
from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import TEST_SECRET, _admin, database_url


async def test_healthz_and_readyz(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_readyz_refuses_an_unmigrated_database(server_url: str) -> None:
    name = "hdnd_unmigrated_probe"
    admin: asyncpg.Connection = await _admin(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = Settings(database_url=database_url(server_url, name), jwt_secret=TEST_SECRET)
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
        ):
            response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "not migrated"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_readyz_refuses_an_unreachable_database() -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", jwt_secret=TEST_SECRET)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        assert (await http.get("/healthz")).status_code == 200
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_metrics_are_prometheus_text(client: AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE" in response.text
