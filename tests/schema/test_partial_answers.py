"""A screen that mixes public and restricted fields keeps its public part when one is refused."""

from httpx import AsyncClient

from api.settings import Settings
from tests.conftest import bearer, gql


async def test_citizen_mixed_screen_keeps_its_public_data(
    client: AsyncClient, settings: Settings
) -> None:
    body = await gql(
        client,
        "{ committees { name } inbox(first: 2) { totalCount } myPetitions(first: 1) { totalCount } }",
        headers=bearer(settings, "partial-citizen"),
    )
    assert len(body["data"]["committees"]) > 0
    assert body["data"]["inbox"] is None
    assert body["data"]["myPetitions"] == {"totalCount": 0}
    [error] = body["errors"]
    assert error["path"] == ["inbox"]
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_anonymous_mixed_screen_keeps_its_public_data(client: AsyncClient) -> None:
    body = await gql(
        client,
        "{ delegateGroups { name members { fullName scorecard { questions } } } apiKeys { name } }",
    )
    groups = body["data"]["delegateGroups"]
    assert len(groups) == 8
    member = groups[0]["members"][0]
    assert member["fullName"] and member["scorecard"] is None
    assert body["data"]["apiKeys"] is None
    paths = {tuple(e["path"]) for e in body["errors"]}
    assert ("apiKeys",) in paths
    assert any(p[0] == "delegateGroups" and p[-1] == "scorecard" for p in paths)
