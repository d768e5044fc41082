"""CORS: only the origins in HDND_CORS_ORIGINS may call the API from a browser."""

from collections.abc import AsyncIterator

import pytest_asyncio
from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import TEST_SECRET

PORTAL = "https://cong.haugiang.gov.vn"


@pytest_asyncio.fixture
async def cors_client(db_url: str) -> AsyncIterator[AsyncClient]:
    settings = Settings(
        database_url=db_url,
        jwt_secret=TEST_SECRET,
        cors_origins=f"{PORTAL}, https://other.example/",  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


def _preflight(origin: str, headers: str = "authorization, content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


async def test_preflight_from_an_allowed_origin(cors_client: AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=_preflight(PORTAL))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    device = await cors_client.options("/graphql", headers=_preflight(PORTAL, "x-device-id"))
    assert device.status_code == 200
    assert response.headers["access-control-max-age"] == "600"
    # The trailing slash in the setting is forgiven.
    other = await cors_client.options("/graphql", headers=_preflight("https://other.example"))
    assert other.headers["access-control-allow-origin"] == "https://other.example"


async def test_preflight_from_another_origin_is_refused(cors_client: AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=_preflight("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_unlisted_request_header_is_refused(cors_client: AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=_preflight(PORTAL, "x-forwarded-for"))
    assert response.status_code == 400


async def test_actual_request_carries_the_origin(cors_client: AsyncClient) -> None:
    response = await cors_client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    exposed = response.headers["access-control-expose-headers"].lower()
    # A web page may read the request id and where its budget stands.
    for name in ("x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining"):
        assert name in exposed
    assert "ratelimit-reset" in exposed
    foreign = await cors_client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in foreign.headers


async def test_no_origins_by_default(client: AsyncClient) -> None:
    response = await client.options("/graphql", headers=_preflight(PORTAL))
    assert "access-control-allow-origin" not in response.headers
    answer = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
    )
    assert "access-control-allow-origin" not in answer.headers
