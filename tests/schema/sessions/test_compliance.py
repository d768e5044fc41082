"""Who met the quota at a session (the Legal Affairs Committee's view), its CSV export and its
statement count, checked against the scene written by hand (scene.py)."""

from datetime import date

import pytest
from httpx import AsyncClient

from db.engine import Sessionmaker, transaction
from db.tables import Delegate
from tests.conftest import StatementCounter, gql
from tests.schema.sessions.scene import (
    AT_SCENE_TIME,
    COMPLIANCE,
    NAMES,
    NGA_BAY,
    VI_THANH,
    Scene,
    gid,
    group_id,
)

pytestmark = AT_SCENE_TIME


@pytest.mark.usefixtures("built_scene")
async def test_session_compliance_by_hand(client: AsyncClient, scene: Scene) -> None:
    body = await gql(client, COMPLIANCE, {"id": scene.s1}, scene.monitor)
    assert "errors" not in body, body
    c = body["data"]["sessionCompliance"]
    # 50 serving during S1 (E still served), C excused: 49 owe the quota, only A met it.
    assert c["session"] == {"number": 101}
    assert (c["delegateCount"], c["compliantCount"], c["notYetCount"], c["excusedCount"]) == (
        49,
        1,
        48,
        1,
    )
    assert len(c["delegates"]) == 50
    rows = {d["delegate"]["fullName"]: d for d in c["delegates"]}
    assert rows[NAMES["A"]] == {
        "delegate": {"fullName": NAMES["A"]},
        "discussions": 1,
        "questions": 1,
        "meetsQuota": True,
        "status": "MET",
        "excuseReason": None,
    }
    assert rows[NAMES["B"]] | {"delegate": None} == {
        "delegate": None,
        "discussions": 0,
        "questions": 1,
        "meetsQuota": False,
        "status": "NOT_YET",
        "excuseReason": None,
    }
    assert rows[NAMES["C"]] | {"delegate": None} == {
        "delegate": None,
        "discussions": 0,
        "questions": 0,
        "meetsQuota": False,
        "status": "EXCUSED",
        "excuseReason": "Đi công tác nước ngoài",
    }
    assert (rows[NAMES["D"]]["discussions"], rows[NAMES["D"]]["questions"]) == (2, 0)
    assert rows[NAMES["D"]]["status"] == "NOT_YET"
    # E's only contribution was withdrawn: not counted.
    assert (rows[NAMES["E"]]["discussions"], rows[NAMES["E"]]["status"]) == (0, "NOT_YET")
    others = [
        d for n, d in rows.items() if n not in (NAMES["A"], NAMES["B"], NAMES["C"], NAMES["D"])
    ]
    assert all(d["discussions"] == d["questions"] == 0 and d["status"] == "NOT_YET" for d in others)
    # Directory order (group, then name), not a ranking: the Vị Thanh group comes first.
    assert [d["delegate"]["fullName"] for d in c["delegates"][:5]] == [
        NAMES["E"],
        NAMES["A"],
        NAMES["B"],
        NAMES["C"],
        NAMES["D"],
    ]
    groups = {g["group"]["name"]: g for g in c["groups"]}
    assert len(groups) == 8
    assert groups[VI_THANH] == {
        "group": {"name": VI_THANH},
        "delegateCount": 4,
        "compliantCount": 1,
        "notYetCount": 3,
        "excusedCount": 1,
    }
    assert groups[NGA_BAY] | {"group": None} == {
        "group": None,
        "delegateCount": 5,
        "compliantCount": 0,
        "notYetCount": 5,
        "excusedCount": 0,
    }
    assert sum(g["delegateCount"] for g in c["groups"]) == 49

    # S2: E left on 10 Dec and is not counted; nobody excused; A met it again.
    body = await gql(client, COMPLIANCE, {"id": scene.s2}, scene.staff)
    c2 = body["data"]["sessionCompliance"]
    assert (c2["delegateCount"], c2["compliantCount"], c2["notYetCount"], c2["excusedCount"]) == (
        49,
        1,
        48,
        0,
    )
    assert NAMES["E"] not in {d["delegate"]["fullName"] for d in c2["delegates"]}
    assert {g["group"]["name"]: g["delegateCount"] for g in c2["groups"]}[VI_THANH] == 4

    # The same through Session.compliance; a delegate sees it but not another's excuse reason.
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Session { compliance { compliantCount "
        "delegates { delegate { fullName } excuseReason } } } } }",
        {"id": scene.s1},
        scene.b,
    )
    seen = body["data"]["node"]["compliance"]
    assert seen["compliantCount"] == 1
    assert {d["delegate"]["fullName"]: d["excuseReason"] for d in seen["delegates"]}[
        NAMES["C"]
    ] is None


async def test_compliance_is_hidden_from_the_public(client: AsyncClient, scene: Scene) -> None:
    for headers, code in (({}, "UNAUTHENTICATED"), (scene.citizen, "FORBIDDEN")):
        body = await gql(client, COMPLIANCE, {"id": scene.s1}, headers)
        # The refusal stays local to the (nullable) field.
        assert body["data"] == {"sessionCompliance": None}
        assert body["errors"][0]["extensions"]["code"] == code


@pytest.mark.usefixtures("built_scene")
async def test_compliance_csv_by_hand(client: AsyncClient, scene: Scene) -> None:
    url = f"/reports/sessions/{scene.s1}/compliance.csv"
    response = await client.get(url, headers=scene.monitor)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Tổ đại biểu,Họ và tên,Thảo luận,Chất vấn,Đạt chỉ tiêu,Trạng thái,Lý do vắng"
    assert lines[1:6] == [
        f"{VI_THANH},{NAMES['E']},0,0,Không,Chưa đạt,",
        f"{VI_THANH},{NAMES['A']},1,1,Có,Đạt,",
        f"{VI_THANH},{NAMES['B']},0,1,Không,Chưa đạt,",
        f"{VI_THANH},{NAMES['C']},0,0,Không,Vắng có lý do,Đi công tác nước ngoài",
        f"{VI_THANH},{NAMES['D']},2,0,Không,Chưa đạt,",
    ]
    assert len([line for line in lines[1:] if line.startswith("Tổ đại biểu")]) == 50
    assert lines[-5:] == [
        "Tổng số đại biểu phải thực hiện,49",
        "Đạt chỉ tiêu,1",
        "Chưa đạt,48",
        "Vắng có lý do,1",
        "",
    ]
    assert (await client.get(url, headers=scene.staff)).status_code == 200
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers={"Authorization": "Bearer nope"})).status_code == 401
    for headers in (scene.a, scene.citizen):
        assert (await client.get(url, headers=headers)).status_code == 403
    missing = f"/reports/sessions/{gid(999999, 'Session')}/compliance.csv"
    assert (await client.get(missing, headers=scene.monitor)).status_code == 404


@pytest.mark.usefixtures("built_scene")
async def test_compliance_statements_do_not_grow_with_delegates(
    client: AsyncClient,
    scene: Scene,
    sessionmaker: Sessionmaker,
    count_statements: StatementCounter,
) -> None:
    query = """query($id: ID!) { sessionCompliance(sessionId: $id) { delegateCount
      delegates { delegate { fullName group { name } committees { name } } status }
      groups { group { name } compliantCount } session { number agenda { title } } } }"""
    with count_statements:
        body = await gql(client, query, {"id": scene.s1}, scene.monitor)
    first = count_statements.count
    assert body["data"]["sessionCompliance"]["delegateCount"] == 49
    async with transaction(sessionmaker) as session:
        group = await group_id(session, NGA_BAY)
        for i in range(40):
            session.add(
                Delegate(
                    full_name=f"Đại biểu bổ sung {i:02d}",
                    group_id=group,
                    served_from=date(2026, 1, 1),
                )
            )
    count_statements.statements.clear()
    with count_statements:
        body = await gql(client, query, {"id": scene.s1}, scene.monitor)
    assert body["data"]["sessionCompliance"]["delegateCount"] == 89
    assert count_statements.count == first
    # viewer + compliance (2) + groups + committees + session + agenda: a fixed handful
    print(f"compliance of 50 and of 90 delegates: {first} statements each")
    assert first <= 8, count_statements.statements


async def test_demo_seed_shows_every_status(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    from db.sessions.demo import seed_contributions

    async with transaction(sessionmaker) as session:
        assert await seed_contributions(session) > 0
    async with transaction(sessionmaker) as session:
        assert await seed_contributions(session) == 0  # a second run adds nothing
    body = await gql(
        client,
        "{ sessions(first: 10) { nodes { number status compliance { compliantCount "
        "excusedCount delegates { status } } } } }",
        None,
        scene.monitor,
    )
    by_number = {s["number"]: s for s in body["data"]["sessions"]["nodes"]}
    for number in (24, 25, 26):
        statuses = {d["status"] for d in by_number[number]["compliance"]["delegates"]}
        assert statuses == {"MET", "NOT_YET", "EXCUSED"}, number
        assert by_number[number]["compliance"]["excusedCount"] == 1
    assert by_number[27]["compliance"]["compliantCount"] == 0  # upcoming: nothing seeded
