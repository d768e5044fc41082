"""The council directory through GraphQL."""

from httpx import AsyncClient

from tests.conftest import gql


async def test_delegate_groups_with_areas_and_members(client: AsyncClient) -> None:
    body = await gql(client, "{ delegateGroups { name areas { name } memberCount } }")
    groups = body["data"]["delegateGroups"]
    assert len(groups) == 8
    assert {g["areas"][0]["name"] for g in groups} >= {"Thành phố Vị Thanh", "Huyện Phụng Hiệp"}
    assert sum(g["memberCount"] for g in groups) == 50
