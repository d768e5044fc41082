"""Reading petitions: visibility, the audited submitter, filters, search, pages, inbox, hot issues."""

from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.engine import Sessionmaker, transaction
from tests.conftest import StatementCounter, gql
from tests.petition_helpers import (
    CITIZEN_A_NAME,
    NGA_BAY_COMMUNE,
    make_world,
    pk_of,
    submitted,
)

LIST = """
query($filter: PetitionFilter, $first: Int, $after: String) {
  petitions(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id title } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


async def ids(client: AsyncClient, headers: dict[str, str], **filter: Any) -> list[str]:
    body = await gql(client, LIST, {"filter": filter, "first": 100}, headers)
    assert "errors" not in body, body
    return [e["node"]["id"] for e in body["data"]["petitions"]["edges"]]


async def test_private_petitions_per_viewer(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    public = (await submitted(client, w.citizen_a))["id"]
    private = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    sees_private = {
        "anonymous": False,
        "citizen_a": True,  # the submitter
        "citizen_b": False,
        "delegate": True,  # a member of the addressed group
        "outsider": False,  # another group's delegate
        "staff": True,
        "monitor": True,
        "admin": True,
    }
    node = "query($id: ID!) { node(id: $id) { id ... on Petition { title } } }"
    for who, headers in w.viewers().items():
        listed = await ids(client, headers)
        assert public in listed, who
        assert (private in listed) is sees_private[who], who
        body = await gql(client, node, {"id": private}, headers)
        assert (body["data"]["node"] is not None) is sees_private[who], who
    # The tracking code is a capability: whoever holds it follows the status, never the content.
    code = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["trackingCode"]
    body = await gql(
        client,
        "query($c: String!) { petitionByTrackingCode(code: $c) { trackingCode status timeline { status } } }",
        {"c": code.lower().replace("-", " ")},
    )
    assert body["data"]["petitionByTrackingCode"] == {
        "trackingCode": code,
        "status": "SUBMITTED",
        "timeline": [{"status": "SUBMITTED"}],
    }
    body = await gql(client, '{ petitionByTrackingCode(code: "AAA-AAA-AAA") { status } }')
    assert body["data"]["petitionByTrackingCode"] is None


async def test_submitter_is_shown_only_to_those_listed_and_each_read_is_audited(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Petition { submitter { fullName phone } } } }"
    allowed = {"citizen_a", "delegate", "staff", "monitor", "admin"}
    async with transaction(sessionmaker) as session:
        await session.execute(sa.text("SELECT 1"))
    for who, headers in w.viewers().items():
        body = await gql(client, query, {"id": pid}, headers)
        submitter = body["data"]["node"]["submitter"]
        if who in allowed:
            assert submitter == {"fullName": CITIZEN_A_NAME, "phone": "+84901234567"}, who
        else:
            assert submitter is None, who
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                sa.text(
                    "SELECT a.actor_role, a.entity_id, a.request_id, a.details::text "
                    "FROM audit_event a WHERE action = 'petition.submitter.read' ORDER BY a.id"
                )
            )
        ).all()
    # submitPetition's payload read it once (the submitter), then one row per allowed viewer.
    assert [r[0] for r in rows] == ["CITIZEN", "CITIZEN", "DELEGATE", "STAFF", "MONITOR", "ADMIN"]
    assert {r[1] for r in rows} == {pk_of(pid)}
    assert all(r[2] for r in rows)  # the request id
    assert all(CITIZEN_A_NAME not in r[3] and "0901234567" not in r[3] for r in rows)


async def test_submitter_reads_of_a_page_are_one_batched_insert(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    count_statements: StatementCounter,
) -> None:
    w = await make_world(settings, sessionmaker)
    for i in range(12):
        who = w.citizen_a if i % 2 else w.citizen_b  # 10 an hour each
        await submitted(client, who, title=f"Kiến nghị thứ {i + 1}")
    query = """{ petitions(first: 50) { edges { node {
        id commune { name } group { name } delegate { fullName } supportCount viewerHasSupported
        isOverdue timeline { status } submitter { fullName } } } } }"""
    with count_statements:
        small = await gql(client, query.replace("50", "3"), headers=w.staff)
    few = count_statements.count
    count_statements.statements.clear()
    with count_statements:
        big = await gql(client, query, headers=w.staff)
    assert len(small["data"]["petitions"]["edges"]) == 3
    assert len(big["data"]["petitions"]["edges"]) == 12
    assert count_statements.count == few  # a fixed handful, whatever the page size
    audits = [s for s in count_statements.statements if s.startswith("INSERT INTO audit_event")]
    assert len(audits) == 1
    assert audits[0].count("), (") == 11  # twelve rows, one statement


async def test_search_ignores_case_and_diacritics(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    a = (await submitted(client, w.citizen_a, title="Ngập nước ở Vị Thanh"))["id"]
    b = (
        await submitted(
            client,
            w.citizen_a,
            title="Chợ tạm lấn chiếm lòng đường",
            content="Chợ tạm ở khu vực 4 thành phố VỊ THANH lấn chiếm lòng đường gây kẹt xe.",
        )
    )["id"]
    await submitted(client, w.citizen_a, title="Thiếu giáo viên tiếng Anh")
    found = [
        set(await ids(client, {}, search=s))
        for s in ("vi thanh", "VỊ THANH", "Vị Thanh", "  vị   thanh ")
    ]
    assert found == [{a, b}] * 4
    assert await ids(client, {}, search="100%_") == []


async def test_filters_unit_tree_status_category_delegate_overdue(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    from tests.petition_helpers import acknowledge, delegate_gid

    w = await make_world(settings, sessionmaker)
    vt = (await submitted(client, w.citizen_a))["id"]
    nb = (await submitted(client, w.citizen_a, communeCode=NGA_BAY_COMMUNE, category="HEALTH"))[
        "id"
    ]
    chosen = delegate_gid(w.vi_thanh_delegate_ids[1])
    addressed = (await submitted(client, w.citizen_a, delegateId=chosen))["id"]
    assert set(await ids(client, {}, unitCode="93")) == {vt, nb, addressed}
    assert set(await ids(client, {}, unitCode="930")) == {vt, addressed}
    assert set(await ids(client, {}, unitCode="931")) == {nb}
    assert set(await ids(client, {}, unitCode=NGA_BAY_COMMUNE)) == {nb}
    assert set(await ids(client, {}, category="HEALTH")) == {nb}
    assert set(await ids(client, {}, delegateId=chosen)) == {addressed}
    await acknowledge(client, w.staff, vt)
    assert set(await ids(client, {}, status="ACKNOWLEDGED")) == {vt}
    # Overdue: SUBMITTED for more than 7 days, or not answered for more than 30.
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.text(
                "UPDATE petition SET submitted_at = submitted_at - interval '8 days' WHERE id IN (:a, :b)"
            ),
            {"a": pk_of(vt), "b": pk_of(nb)},
        )
    assert set(await ids(client, {}, overdue=True)) == {nb}  # vt is acknowledged, 8 < 30 days
    assert set(await ids(client, {}, overdue=False)) == {vt, addressed}
    body = await gql(
        client, "query($id: ID!) { node(id: $id) { ... on Petition { isOverdue } } }", {"id": nb}
    )
    assert body["data"]["node"]["isOverdue"] is True
    bad = await gql(client, LIST, {"filter": {"unitCode": "00000"}})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_keyset_pages_walk_the_list_newest_first(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    made = [
        (await submitted(client, w.citizen_a, title=f"Kiến nghị số {i}"))["id"] for i in range(7)
    ]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        body = await gql(client, LIST, {"first": 3, "after": after})
        conn = body["data"]["petitions"]
        assert conn["totalCount"] == 7
        seen += [e["node"]["id"] for e in conn["edges"]]
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == list(reversed(made))
    bad = await gql(client, LIST, {"first": 3, "after": "nonsense"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = await gql(client, LIST, {"first": 101})
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


INBOX = "query($s: PetitionStatus) { inbox(status: $s, first: 100) { totalCount edges { node { id } } } }"


async def test_inbox_per_role(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    from tests.petition_helpers import acknowledge

    w = await make_world(settings, sessionmaker)
    vt = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    nb = (await submitted(client, w.citizen_a, communeCode=NGA_BAY_COMMUNE))["id"]
    await acknowledge(client, w.delegate, vt)

    async def inbox(headers: dict[str, str], status: str | None = None) -> list[str] | str:
        body = await gql(client, INBOX, {"s": status}, headers)
        if body.get("errors"):
            return str(body["errors"][0]["extensions"]["code"])
        return [e["node"]["id"] for e in body["data"]["inbox"]["edges"]]

    assert await inbox(w.delegate) == [vt]
    assert await inbox(w.delegate, "SUBMITTED") == []
    assert await inbox(w.outsider) == [nb]
    assert await inbox(w.staff) == [nb, vt]
    assert await inbox(w.staff, "ACKNOWLEDGED") == [vt]
    for who in ("anonymous", "citizen_a", "monitor"):
        assert await inbox(w.viewers()[who]) in ("FORBIDDEN", "UNAUTHENTICATED"), who


async def test_my_petitions(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    mine = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    await submitted(client, w.citizen_b)
    query = "{ myPetitions { totalCount edges { node { id } } } }"
    body = await gql(client, query, headers=w.citizen_a)
    assert body["data"]["myPetitions"] == {"totalCount": 1, "edges": [{"node": {"id": mine}}]}
    anonymous = await gql(client, query)
    assert anonymous["data"] == {"myPetitions": None}  # the refusal stays local to the field
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_hot_issues_rank_support_and_recency(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    from tests.conftest import bearer
    from tests.petition_helpers import act

    w = await make_world(settings, sessionmaker)
    quiet = (await submitted(client, w.citizen_a, title="Ít người quan tâm"))["id"]
    loud = (await submitted(client, w.citizen_a, title="Nhiều người ủng hộ"))["id"]
    private = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    old = (await submitted(client, w.citizen_a, communeCode=NGA_BAY_COMMUNE, title="Đã cũ"))["id"]
    for i in range(3):
        payload = await act(
            client,
            bearer(settings, f"fan-{i}"),
            "supportPetition(id: $id)",
            "$id: ID!",
            {"id": loud},
        )
        assert payload["userErrors"] == []
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.text(
                "UPDATE petition SET submitted_at = submitted_at - interval '60 days', support_count = 10 WHERE id = :id"
            ),
            {"id": pk_of(old)},
        )
    body = await gql(client, "{ hotIssues { id } }")
    ranked = [p["id"] for p in body["data"]["hotIssues"]]
    assert ranked == [loud, quiet, old]
    assert private not in ranked
    body = await gql(client, '{ hotIssues(unitCode: "931") { id } }')
    assert [p["id"] for p in body["data"]["hotIssues"]] == [old]
    body = await gql(client, "{ hotIssues(first: 1) { id } }")
    assert [p["id"] for p in body["data"]["hotIssues"]] == [loud]
