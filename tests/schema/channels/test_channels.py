"""Delegate group channels through GraphQL over HTTP: guests, posts, who may do what."""

import unicodedata
from typing import Any

from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker
from tests.channels_helpers import Cast, make_cast
from tests.conftest import StatementCounter, bearer, gql

INVITE = """
mutation($g: ID!, $input: InviteGuestInput!) {
  inviteGuest(groupId: $g, input: $input) {
    guest { id fullName title unit { code name } invitedAt group { name } }
    userErrors { field code message }
  }
}"""
REMOVE = """
mutation($g: ID!, $guest: ID!) {
  removeGuest(groupId: $g, guestId: $guest) { guest { id } userErrors { field code message } }
}"""
POST = """
mutation($g: ID!, $body: String!) {
  postToGroup(groupId: $g, body: $body) {
    post { id authorName body createdAt group { name } }
    userErrors { field code message }
  }
}"""
POSTS = """
query($g: ID!, $first: Int, $after: String) {
  node(id: $g) { ... on DelegateGroup {
    posts(first: $first, after: $after) {
      totalCount edges { cursor node { body authorName } } pageInfo { hasNextPage endCursor }
    }
    guests { fullName title unit { code } }
  } }
}"""


async def invite(
    client: AsyncClient, settings: Settings, cast: Cast, as_sub: str, guest_sub: str, **extra: Any
) -> dict[str, Any]:
    payload = {
        "accountSub": guest_sub,
        "fullName": "Lê Văn Khách",
        "title": "Chủ tịch HĐND xã Hỏa Lựu",
        "unitCode": "31318",
        **extra,
    }
    body = await gql(
        client, INVITE, {"g": cast.group_gid, "input": payload}, bearer(settings, as_sub)
    )
    result: dict[str, Any] = body["data"]["inviteGuest"]
    return result


async def post(
    client: AsyncClient, settings: Settings, cast: Cast, as_sub: str, text: str
) -> dict[str, Any]:
    body = await gql(client, POST, {"g": cast.group_gid, "body": text}, bearer(settings, as_sub))
    result: dict[str, Any] = body["data"]["postToGroup"]
    return result


async def read_posts(
    client: AsyncClient, settings: Settings, cast: Cast, as_sub: str | None, **variables: Any
) -> dict[str, Any]:
    headers = bearer(settings, as_sub) if as_sub else {}
    return await gql(client, POSTS, {"g": cast.group_gid, **variables}, headers)


async def test_leader_invites_guest_and_members_and_guests_post(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    invited = await invite(client, settings, cast, "leader", "guest-1")
    assert invited["userErrors"] == []
    assert invited["guest"]["unit"] == {"code": "31318", "name": "Phường I"}
    assert invited["guest"]["invitedAt"].endswith("+07:00")

    by_member = await post(client, settings, cast, "member", "  Xin chào cả Tổ  ")
    assert by_member["userErrors"] == []
    assert by_member["post"]["body"] == "Xin chào cả Tổ"
    # Text arrives decomposed (NFD) from some keyboards; it is stored composed (NFC).
    decomposed = unicodedata.normalize("NFD", "Ý kiến cử tri xã Hỏa Lựu")
    by_guest = await post(client, settings, cast, "guest-1", decomposed)
    assert by_guest["userErrors"] == []
    assert by_guest["post"]["authorName"] == "Lê Văn Khách"
    assert by_guest["post"]["body"] == unicodedata.normalize("NFC", decomposed)

    for reader in ("leader", "member", "guest-1", "staff", "monitor"):
        body = await read_posts(client, settings, cast, reader)
        assert "errors" not in body, (reader, body)
        group = body["data"]["node"]
        assert [e["node"]["body"] for e in group["posts"]["edges"]] == [
            unicodedata.normalize("NFC", decomposed),
            "Xin chào cả Tổ",
        ]
        assert group["guests"] == [
            {
                "fullName": "Lê Văn Khách",
                "title": "Chủ tịch HĐND xã Hỏa Lựu",
                "unit": {"code": "31318"},
            }
        ]


async def test_posts_are_newest_first_in_keyset_pages(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    for n in range(5):
        assert (await post(client, settings, cast, "member", f"Bài {n}"))["userErrors"] == []
    seen: list[str] = []
    after = None
    while True:
        body = await read_posts(client, settings, cast, "staff", first=2, after=after)
        posts = body["data"]["node"]["posts"]
        assert posts["totalCount"] == 5
        seen += [e["node"]["body"] for e in posts["edges"]]
        if not posts["pageInfo"]["hasNextPage"]:
            break
        after = posts["pageInfo"]["endCursor"]
    assert seen == ["Bài 4", "Bài 3", "Bài 2", "Bài 1", "Bài 0"]


async def test_outsiders_cannot_read_or_post_and_nothing_changes(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    assert (await post(client, settings, cast, "member", "Nội bộ"))["userErrors"] == []

    anonymous = await read_posts(client, settings, cast, None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for outsider in ("citizen", "outsider"):
        body = await read_posts(client, settings, cast, outsider)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "Nội bộ" not in str(body)

    for author in ("citizen", "outsider", "staff", "monitor"):
        refused = await post(client, settings, cast, author, "Không được phép")
        assert refused["post"] is None
        assert refused["userErrors"][0]["code"] == "FORBIDDEN"
        assert refused["userErrors"][0]["message"]
    anonymous_post = await gql(client, POST, {"g": cast.group_gid, "body": "x"})
    # Sign in first: the same code as a query's refusal of an anonymous caller.
    assert anonymous_post["data"]["postToGroup"]["userErrors"][0]["code"] == "UNAUTHENTICATED"

    body = await read_posts(client, settings, cast, "staff")
    assert [e["node"]["body"] for e in body["data"]["node"]["posts"]["edges"]] == ["Nội bộ"]


async def test_only_the_leader_or_staff_manage_guests(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    for who in ("member", "citizen", "monitor", "outsider"):
        refused = await invite(client, settings, cast, who, "guest-x")
        assert refused["guest"] is None
        assert refused["userErrors"][0]["code"] == "FORBIDDEN", who
    by_staff = await invite(client, settings, cast, "staff", "guest-2")
    assert by_staff["userErrors"] == []

    again = await invite(client, settings, cast, "leader", "guest-2")
    assert again["userErrors"][0]["code"] == "DUPLICATE"
    member = await invite(client, settings, cast, "leader", "member")
    assert member["userErrors"][0]["code"] == "DUPLICATE"
    province = await invite(client, settings, cast, "leader", "guest-3", unitCode="93")
    assert province["userErrors"][0] == {
        "field": ["input", "unitCode"],
        "code": "INVALID_INPUT",
        "message": province["userErrors"][0]["message"],
    }
    blank = await invite(client, settings, cast, "leader", "guest-3", fullName="   ")
    assert blank["userErrors"][0]["field"] == ["input", "fullName"]

    guest_id = by_staff["guest"]["id"]
    refused = await gql(
        client, REMOVE, {"g": cast.group_gid, "guest": guest_id}, bearer(settings, "member")
    )
    assert refused["data"]["removeGuest"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert (await post(client, settings, cast, "guest-2", "Vẫn còn quyền"))["userErrors"] == []

    removed = await gql(
        client, REMOVE, {"g": cast.group_gid, "guest": guest_id}, bearer(settings, "leader")
    )
    assert removed["data"]["removeGuest"] == {"guest": {"id": guest_id}, "userErrors": []}
    after = await post(client, settings, cast, "guest-2", "Hết quyền")
    assert after["userErrors"][0]["code"] == "FORBIDDEN"
    gone = await read_posts(client, settings, cast, "guest-2")
    assert gone["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    twice = await gql(
        client, REMOVE, {"g": cast.group_gid, "guest": guest_id}, bearer(settings, "leader")
    )
    assert twice["data"]["removeGuest"]["userErrors"][0]["code"] == "NOT_FOUND"
    # Invited again after removal: a new guest record.
    assert (await invite(client, settings, cast, "leader", "guest-2"))["userErrors"] == []


async def test_post_length_limits(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    for text in ("   ", "x" * 4001):
        refused = await post(client, settings, cast, "member", text)
        assert refused["userErrors"][0]["code"] == "INVALID_INPUT"
        assert refused["userErrors"][0]["field"] == ["body"]
    assert (await post(client, settings, cast, "member", "x" * 4000))["userErrors"] == []
    bad_group = await gql(client, POST, {"g": "bm9wZQ", "body": "x"}, bearer(settings, "member"))
    assert bad_group["data"]["postToGroup"]["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_posts_and_guests_of_every_group_cost_a_fixed_number_of_statements(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    count_statements: StatementCounter,
) -> None:
    cast = await make_cast(sessionmaker)
    await invite(client, settings, cast, "leader", "guest-1")
    for n in range(3):
        await post(client, settings, cast, "member", f"Bài {n}")
    query = """{ delegateGroups { name guests { fullName unit { name } }
        posts(first: 2) { edges { node { body group { name } } } } } }"""
    with count_statements:
        body = await gql(client, query, headers=bearer(settings, "staff"))
    assert "errors" not in body
    groups = body["data"]["delegateGroups"]
    assert len(groups) == 8
    assert sum(len(g["posts"]["edges"]) for g in groups) == 2
    # viewer, groups, delegate (none: staff), guest groups, guests, units, posts, groups again.
    assert count_statements.count <= 8, count_statements.statements


async def test_hidden_posts_and_guests_answer_null_through_node(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    cast = await make_cast(sessionmaker)
    post_id = (await post(client, settings, cast, "member", "Bí mật"))["post"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on GroupPost { body } } }"
    assert (await gql(client, query, {"id": post_id}, bearer(settings, "citizen")))["data"] == {
        "node": None
    }
    seen = await gql(client, query, {"id": post_id}, bearer(settings, "member"))
    assert seen["data"] == {"node": {"body": "Bí mật"}}
