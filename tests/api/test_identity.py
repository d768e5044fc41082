"""Who is asking: accounts and roles from the database, integrator keys, the CLI."""

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import Result
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from api.cli import app as cli
from api.settings import Settings, get_settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from schema.relay import to_global_id
from tests.api.helpers import auth, claims, signed
from tests.conftest import TEST_SECRET, StatementCounter, bearer, gql

runner = CliRunner()


async def hdnd(*args: str) -> Result:
    """Run an `hdnd` command from an async test (it runs its own event loop, so in a thread)."""
    return await asyncio.to_thread(runner.invoke, cli, list(args))


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`hdnd` commands run against this test's database."""
    monkeypatch.setenv("HDND_DATABASE_URL", db_url)
    monkeypatch.setenv("HDND_JWT_SECRET", TEST_SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def scalar(engine: AsyncEngine, sql: str, **params: object) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(sa.text(sql), params)).scalar_one_or_none()


async def test_first_sight_makes_a_citizen_once(
    client: AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    headers = bearer(settings, "zalo:84901234567", name="Trần Văn Nam", phone="0912345678")
    for _ in range(3):
        body = await gql(client, "{ me { sub role delegate { id } } }", headers=headers)
        assert "errors" not in body
        assert body["data"] == {
            "me": {"sub": "zalo:84901234567", "role": "CITIZEN", "delegate": None}
        }
    assert (
        await scalar(engine, "SELECT count(*) FROM account WHERE sub = :s", s="zalo:84901234567")
        == 1
    )


async def test_a_known_account_costs_one_statement(
    client: AsyncClient, settings: Settings, count_statements: StatementCounter
) -> None:
    headers = bearer(settings, "counted")
    await gql(client, "{ me { sub } }", headers=headers)  # first sight: made
    with count_statements:
        await gql(client, "{ me { sub role } }", headers=headers)
    assert count_statements.count == 1


async def test_roles_come_from_the_database_never_the_token(
    client: AsyncClient, settings: Settings
) -> None:
    headers = auth(signed(claims(sub="wants-power", role="ADMIN", roles=["ADMIN"])))
    body = await client.post(
        "/graphql", json={"query": "{ me { role } apiKeys { name } }"}, headers=headers
    )
    data = body.json()
    assert data["data"] is None or data["data"].get("apiKeys") is None
    assert [e["extensions"]["code"] for e in data["errors"]] == ["FORBIDDEN"]
    me = await gql(client, "{ me { role } }", headers=headers)
    assert me["data"]["me"]["role"] == "CITIZEN"


async def test_anonymous_and_integrators_have_no_me(client: AsyncClient) -> None:
    body = await gql(client, "{ me { sub } }")
    assert "errors" not in body and body["data"] == {"me": None}


def test_token_and_grant_commands(cli_env: None) -> None:
    made = runner.invoke(cli, ["token", "cli-user", "--name", "Lê Thị Hoa", "--ttl", "60"])
    assert made.exit_code == 0, made.output
    assert made.output.strip().count(".") == 2
    refused = runner.invoke(cli, ["grant", "cli-user", "KING"])
    assert refused.exit_code == 1 and "không hợp lệ" in refused.output
    refused = runner.invoke(cli, ["grant", "cli-user", "DELEGATE"])
    assert refused.exit_code == 1 and "--delegate" in refused.output


async def test_grant_delegate_links_the_delegate(
    cli_env: None, client: AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    delegate_id = await scalar(engine, "SELECT min(id) FROM delegate")
    assert isinstance(delegate_id, int)
    gid = to_global_id("Delegate", delegate_id)
    result = await hdnd("grant", "delegate-sub", "delegate", "--delegate", gid)
    assert result.exit_code == 0, result.output
    body = await gql(
        client, "{ me { role delegate { id } } }", headers=bearer(settings, "delegate-sub")
    )
    assert body["data"]["me"] == {"role": "DELEGATE", "delegate": {"id": gid}}
    # The grant is in the append-only audit log, by ids only.
    assert (
        await scalar(engine, "SELECT count(*) FROM audit_event WHERE action = 'account.grant'") == 1
    )
    for role in ("STAFF", "MONITOR", "ADMIN", "CITIZEN"):
        assert (await hdnd("grant", "delegate-sub", role)).exit_code == 0
        me = await gql(
            client, "{ me { role delegate { id } } }", headers=bearer(settings, "delegate-sub")
        )
        assert me["data"]["me"] == {"role": role, "delegate": None}


async def test_apikey_lifecycle(cli_env: None, client: AsyncClient, engine: AsyncEngine) -> None:
    made = await hdnd("apikey", "create", "Cổng dữ liệu mở")
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("hdnd_") and " " not in key and len(key) > 40
    # Stored hashed: the key itself is nowhere in the table.
    stored = await scalar(engine, "SELECT key_hash || prefix || name FROM api_key")
    assert isinstance(stored, str) and key not in stored and key[:12] in stored

    again = await hdnd("apikey", "create", "Cổng dữ liệu mở")
    assert again.exit_code == 1 and "Đã có khóa" in again.output

    integrator = {"X-API-Key": key}
    body = await gql(client, "{ me { sub } units(level: PROVINCE) { name } }", headers=integrator)
    assert "errors" not in body
    assert body["data"] == {"me": None, "units": [{"name": "Tỉnh Hậu Giang"}]}
    refused = (
        await client.post("/graphql", json={"query": "{ apiKeys { name } }"}, headers=integrator)
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    revoked = await hdnd("apikey", "revoke", "Cổng dữ liệu mở")
    assert revoked.exit_code == 0, revoked.output
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=integrator)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await hdnd("apikey", "revoke", "Cổng dữ liệu mở")).exit_code == 1
    # The name is free again once its key is revoked.
    assert (await hdnd("apikey", "create", "Cổng dữ liệu mở")).exit_code == 0


async def test_unknown_keys_and_mixed_credentials_are_refused(
    client: AsyncClient, settings: Settings, count_statements: StatementCounter
) -> None:
    for headers in (
        {"X-API-Key": "hdnd_" + "A" * 43},  # looks right, does not exist
        {"X-API-Key": "guess"},  # not even shaped like a key: refused without SQL
        {"X-API-Key": ""},
        {"X-API-Key": "hdnd_x", **bearer(settings, "both")},
    ):
        response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    with count_statements:
        await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-API-Key": "guess"}
        )
    assert count_statements.count == 0


async def test_admin_manages_keys_over_graphql(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, engine: AsyncEngine
) -> None:
    async with transaction(sessionmaker) as session:
        await grant_role(session, "the-admin", Role.ADMIN)
    admin = bearer(settings, "the-admin")
    made = await gql(
        client,
        'mutation { createApiKey(name: "Báo Hậu Giang") { key apiKey { name prefix revokedAt } userErrors { code } } }',
        headers=admin,
    )
    payload = made["data"]["createApiKey"]
    assert payload["userErrors"] == [] and payload["apiKey"]["revokedAt"] is None
    key = payload["key"]
    assert payload["apiKey"]["prefix"] == key[:12]
    duplicate = await gql(
        client,
        'mutation { createApiKey(name: "Báo Hậu Giang") { key userErrors { code field } } }',
        headers=admin,
    )
    assert duplicate["data"]["createApiKey"] == {
        "key": None,
        "userErrors": [{"code": "DUPLICATE", "field": ["name"]}],
    }
    listed = await gql(client, "{ apiKeys { name prefix } }", headers=admin)
    assert listed["data"]["apiKeys"] == [{"name": "Báo Hậu Giang", "prefix": key[:12]}]
    assert key not in str(listed)
    ok = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-API-Key": key})
    assert ok.status_code == 200
    revoked = await gql(
        client,
        'mutation { revokeApiKey(name: "Báo Hậu Giang") { apiKey { revokedAt } userErrors { code } } }',
        headers=admin,
    )
    assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    gone = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-API-Key": key}
    )
    assert gone.status_code == 401
    missing = await gql(
        client,
        'mutation { revokeApiKey(name: "Báo Hậu Giang") { userErrors { code } } }',
        headers=admin,
    )
    assert missing["data"]["revokeApiKey"]["userErrors"] == [{"code": "NOT_FOUND"}]
    actions = await scalar(
        engine,
        "SELECT string_agg(action, ',' ORDER BY id) FROM audit_event WHERE entity_type = 'ApiKey'",
    )
    assert actions == "api_key.create,api_key.revoke"
