"""While the database cannot be reached: HTTP 503, Retry-After and code UNAVAILABLE.

Not "Unexpected error" in a 200: the request was fine, the client should try again later.
"""

import logging
import socket
from typing import Any

import asyncpg
import pytest
import sqlalchemy.exc
from httpx import Response
from sqlalchemy.engine import make_url

from api.identity import issue_token
from db.availability import RETRY_AFTER_SECONDS, database_unavailable
from tests.api.helpers import app_with
from tests.conftest import TEST_SECRET, _admin
from tests.petition_helpers import SUBMIT, petition_input

UNITS = {"query": "{ units(level: PROVINCE) { name } }"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed_in(sub: str) -> dict[str, str]:
    from api.settings import Settings

    settings = Settings(_env_file=None, jwt_secret=TEST_SECRET)  # type: ignore[call-arg]
    return {"Authorization": f"Bearer {issue_token(settings, sub)}"}


def assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    body: dict[str, Any] = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "UNAVAILABLE",
        "requestId": response.headers["x-request-id"],
    }
    assert "thử lại" in error["message"]


async def test_database_on_a_closed_port(caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/hdnd"
    async with app_with(url) as (_, http):
        caplog.set_level(logging.INFO)
        requests = {
            "anonymous query": http.post("/graphql", json=UNITS),
            "strict media type": http.post(
                "/graphql", json=UNITS, headers={"Accept": "application/graphql-response+json"}
            ),
            "over GET": http.get("/graphql", params=UNITS),
            "signed in (account read first)": http.post(
                "/graphql", json={"query": "{ me { sub } }"}, headers=signed_in("offline")
            ),
            "mutation": http.post(
                "/graphql",
                json={"query": SUBMIT, "variables": {"input": petition_input()}},
                headers=signed_in("offline"),
            ),
            "API key (checked before GraphQL)": http.post(
                "/graphql", json=UNITS, headers={"X-API-Key": "hdnd_" + "A" * 43}
            ),
        }
        for kind, request in requests.items():
            response = await request
            assert response.status_code == 503, kind
            assert_unavailable(response)

        report = await http.get(
            "/reports/sessions/U2Vzc2lvbjox/compliance.csv", headers=signed_in("offline")
        )
        assert report.status_code == 503
        assert report.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert report.headers["content-type"].startswith("text/plain")
        assert "thử lại" in report.text

        # The process itself is fine: what needs no database still answers.
        alive = await http.post("/graphql", json={"query": "{ __typename }"})
        assert alive.json()["data"] == {"__typename": "Query"}
        assert (await http.get("/readyz")).status_code == 503
    assert not [r for r in caplog.records if r.getMessage() == "unexpected error"]
    assert any(r.getMessage() == "database unavailable" for r in caplog.records)


async def test_database_lost_while_serving(db_url: str, server_url: str) -> None:
    name = make_url(db_url).database
    admin = await _admin(server_url)
    try:
        async with app_with(db_url) as (_, http):
            assert (await http.post("/graphql", json=UNITS)).status_code == 200
            # Connections cut: the pool notices (pre-ping) and connects again, nothing is lost.
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            healed = await http.post("/graphql", json=UNITS)
            assert healed.json()["data"] == {"units": [{"name": "Tỉnh Hậu Giang"}]}
            # The database gone: every connection refused from now on.
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            assert_unavailable(await http.post("/graphql", json=UNITS))
            assert_unavailable(
                await http.post(
                    "/graphql", json={"query": "{ me { role } }"}, headers=signed_in("lost")
                )
            )
    finally:
        await admin.close()


def _wrapped(error: BaseException) -> BaseException:
    """`error` as SQLAlchemy raises it from a driver, behind a cause."""
    try:
        try:
            raise error
        except BaseException as exc:
            raise sqlalchemy.exc.DBAPIError("SELECT 1", None, exc) from exc  # type: ignore[arg-type]
    except sqlalchemy.exc.DBAPIError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (OSError("Multiple exceptions: [Errno 111] ..."), True),
        (TimeoutError(), True),
        (asyncpg.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (asyncpg.exceptions.InvalidCatalogNameError('database "x" does not exist'), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        (sqlalchemy.exc.TimeoutError("QueuePool limit reached"), True),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), False),
        (asyncpg.exceptions.QueryCanceledError("statement timeout"), False),
        (asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence"), False),
        (ValueError("a bug"), False),
        (RuntimeError("a bug"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_what_counts_as_unavailable(error: BaseException, unavailable: bool) -> None:
    assert database_unavailable(error) is unavailable
    assert database_unavailable(_wrapped(error)) is unavailable
    assert database_unavailable(ExceptionGroup("tasks", [ValueError(), _wrapped(error)])) is (
        unavailable
    )
