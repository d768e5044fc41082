"""The council directory through GraphQL: groups, delegates, units, search, pages, node."""

from typing import Any

from httpx import AsyncClient

from db.text import fold
from tests.conftest import StatementCounter, gql

DIRECTORY_PAGE = """
query Directory($first: Int, $after: String, $filter: DelegateFilter) {
  delegates(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id fullName group { name } constituency { number }
                          committees { kind } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def _names(client: AsyncClient, flt: dict[str, Any]) -> list[str]:
    body = await gql(client, DIRECTORY_PAGE, {"first": 100, "filter": flt})
    assert "errors" not in body, body
    return [e["node"]["fullName"] for e in body["data"]["delegates"]["edges"]]


async def test_delegate_groups_with_areas_and_members(client: AsyncClient) -> None:
    body = await gql(
        client, "{ delegateGroups { name areas { name } memberCount leader { fullName } } }"
    )
    groups = body["data"]["delegateGroups"]
    assert len(groups) == 8
    assert {g["areas"][0]["name"] for g in groups} == {
        "Thành phố Vị Thanh",
        "Thành phố Ngã Bảy",
        "Huyện Châu Thành A",
        "Huyện Châu Thành",
        "Huyện Phụng Hiệp",
        "Huyện Vị Thuỷ",
        "Huyện Long Mỹ",
        "Thị xã Long Mỹ",
    }
    # 51 delegates in the data, one of whom left mid-term: 50 serve today.
    assert sum(g["memberCount"] for g in groups) == 50
    assert all(g["leader"] for g in groups)


async def test_directory_pages_cover_everyone_once(client: AsyncClient) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await gql(client, DIRECTORY_PAGE, {"first": 7, "after": after})
        connection = body["data"]["delegates"]
        seen += [e["node"]["id"] for e in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 51
    assert pages == 8


async def test_total_count_follows_the_filter(client: AsyncClient) -> None:
    body = await gql(
        client,
        "{ all: delegates { totalCount } serving: delegates(filter: {serving: true}) { totalCount }"
        " left: delegates(filter: {serving: false}) { totalCount edges { node { servedUntil endReason } } } }",
    )
    assert body["data"]["all"] == {"totalCount": 51}
    assert body["data"]["serving"] == {"totalCount": 50}
    left = body["data"]["left"]
    assert left["totalCount"] == 1
    assert left["edges"][0]["node"] == {
        "servedUntil": "2024-03-31",
        "endReason": "Nghỉ hưu theo chế độ",
    }


async def test_search_ignores_case_and_diacritics(client: AsyncClient) -> None:
    everyone = await _names(client, {})
    target = next(n for n in everyone if n != fold(n))  # a name with diacritics
    given = " ".join(target.split()[-2:])
    expected = sorted(n for n in everyone if fold(given) in fold(n))
    for spelling in (given, given.upper(), given.lower(), fold(given), fold(given).upper()):
        assert sorted(await _names(client, {"search": spelling})) == expected, spelling
    assert target in expected


async def test_search_with_vietnamese_letters_and_wildcards(client: AsyncClient) -> None:
    names_d = await _names(client, {"search": "dang"})
    assert any(n.startswith("Đặng") for n in names_d)
    assert await _names(client, {"search": "%"}) == []
    assert await _names(client, {"search": "_"}) == []


async def test_filters_by_group_committee_and_constituency(client: AsyncClient) -> None:
    groups = (await gql(client, "{ delegateGroups { id name memberCount } }"))["data"][
        "delegateGroups"
    ]
    phung_hiep = next(g for g in groups if g["name"].endswith("Phụng Hiệp"))
    body = await gql(
        client,
        DIRECTORY_PAGE,
        {"first": 100, "filter": {"groupId": phung_hiep["id"], "serving": True}},
    )
    edges = body["data"]["delegates"]["edges"]
    assert len(edges) == phung_hiep["memberCount"] == 9
    assert {e["node"]["group"]["name"] for e in edges} == {phung_hiep["name"]}

    committees = (await gql(client, "{ committees { id kind members { fullName } } }"))["data"][
        "committees"
    ]
    legal = next(c for c in committees if c["kind"] == "LEGAL")
    legal_names = await _names(client, {"committeeId": legal["id"], "serving": True})
    assert sorted(legal_names) == sorted(m["fullName"] for m in legal["members"]) and legal_names

    cons = await gql(
        client,
        "{ delegates(first: 1) { edges { node { constituency { id number seats delegates { fullName } units { code } } } } } }",
    )
    constituency = cons["data"]["delegates"]["edges"][0]["node"]["constituency"]
    in_cons = await _names(client, {"constituencyId": constituency["id"]})
    assert sorted(in_cons) == sorted(d["fullName"] for d in constituency["delegates"])
    assert constituency["units"]


async def test_bad_filter_ids_and_cursors_are_clear_errors(client: AsyncClient) -> None:
    for variables in (
        {"filter": {"groupId": "not-an-id"}},
        {"after": "garbage"},
        {"first": 101},
        {"first": -1},
    ):
        body = await gql(client, DIRECTORY_PAGE, variables)
        # refused before execution (no "data") or by the resolver ("data": null)
        assert body.get("data") is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_units_tree(client: AsyncClient) -> None:
    body = await gql(
        client,
        "{ province: units(level: PROVINCE) { code children { code } }"
        ' phungHiep: units(parentCode: "934") { code level parent { name } } }',
    )
    province = body["data"]["province"]
    assert province == [{"code": "93", "children": province[0]["children"]}]
    assert len(province[0]["children"]) == 8
    assert len(body["data"]["phungHiep"]) == 15
    assert {u["parent"]["name"] for u in body["data"]["phungHiep"]} == {"Huyện Phụng Hiệp"}
    communes = await gql(client, "{ units(level: COMMUNE) { code } }")
    assert len(communes["data"]["units"]) == 75


async def test_delegates_for_unit(client: AsyncClient) -> None:
    body = await gql(
        client,
        '{ commune: delegatesForUnit(code: "31318") { fullName servedUntil group { name } constituency { units { code } } }'
        ' district: delegatesForUnit(code: "934") { fullName group { name } } }',
    )
    commune = body["data"]["commune"]
    assert commune and all(d["servedUntil"] is None for d in commune)
    assert all("31318" in [u["code"] for u in d["constituency"]["units"]] for d in commune)
    district = body["data"]["district"]
    assert len(district) == 9 and {d["group"]["name"] for d in district} == {
        "Tổ đại biểu huyện Phụng Hiệp"
    }
    unknown = await gql(client, '{ delegatesForUnit(code: "99999") { fullName } }')
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_round_trip(client: AsyncClient) -> None:
    body = await gql(
        client,
        "{ delegates(first: 1) { edges { node { id fullName group { id name } } } } sessions(first: 1) { edges { node { id title } } } }",
    )
    delegate = body["data"]["delegates"]["edges"][0]["node"]
    session = body["data"]["sessions"]["edges"][0]["node"]
    query = """query($a: ID!, $b: ID!, $c: ID!) {
      a: node(id: $a) { id ... on Delegate { fullName } }
      b: node(id: $b) { id ... on DelegateGroup { name } }
      c: node(id: $c) { id ... on Session { title } } }"""
    found = await gql(
        client, query, {"a": delegate["id"], "b": delegate["group"]["id"], "c": session["id"]}
    )
    assert found["data"]["a"] == {"id": delegate["id"], "fullName": delegate["fullName"]}
    assert found["data"]["b"] == delegate["group"]
    assert found["data"]["c"] == session
    missing = await gql(
        client, '{ a: node(id: "nonsense") { id } b: node(id: "RGVsZWdhdGU6OTk5OTk") { id } }'
    )
    assert missing["data"] == {"a": None, "b": None}


async def test_sessions_newest_first_with_status_filter(client: AsyncClient) -> None:
    body = await gql(
        client,
        "{ sessions { totalCount edges { node { number term status kind startsOn requiredDiscussions requiredQuestions } } } }",
    )
    nodes = [e["node"] for e in body["data"]["sessions"]["edges"]]
    assert body["data"]["sessions"]["totalCount"] == 4
    assert [n["number"] for n in nodes] == [27, 26, 25, 24]
    assert {n["term"] for n in nodes} == {10}
    assert {n["status"] for n in nodes} == {"UPCOMING", "IN_PROGRESS", "CLOSED"}
    closed = await gql(client, "{ sessions(status: CLOSED) { edges { node { number } } } }")
    assert [e["node"]["number"] for e in closed["data"]["sessions"]["edges"]] == [25, 24]


async def test_page_of_fifty_costs_the_same_statements_as_five(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    async def statements(first: int) -> int:
        with StatementCounter(count_statements.engine_async) as counter:
            body = await gql(client, DIRECTORY_PAGE, {"first": first})
        assert len(body["data"]["delegates"]["edges"]) == first
        return counter.count

    small = await statements(5)
    large = await statements(50)
    assert small == large
    # one page query, then one batch each for groups, constituencies and committees
    assert large <= 4
