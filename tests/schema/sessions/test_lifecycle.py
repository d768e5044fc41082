"""A session's life: opening, closing, its agenda and excuses, and what each refuses."""

from typing import Any

from httpx import AsyncClient

from tests.conftest import gql
from tests.schema.sessions.scene import AT_SCENE_TIME, CLOSE, CREATE_SESSION, OPEN, Scene

pytestmark = AT_SCENE_TIME


async def test_session_lifecycle_and_refusals(client: AsyncClient, scene: Scene) -> None:
    s = scene.upcoming
    # only forward, one step at a time
    body = await gql(client, CLOSE, {"id": s}, scene.staff)
    assert body["data"]["closeSession"] == {
        "session": None,
        "userErrors": [{"code": "INVALID_TRANSITION"}],
    }
    for headers in (scene.monitor, scene.a, scene.citizen, {}):
        body = await gql(client, OPEN, {"id": s}, headers)
        code = "FORBIDDEN" if headers else "UNAUTHENTICATED"  # sign in first
        assert body["data"]["openSession"]["userErrors"] == [{"code": code}]
    body = await gql(client, OPEN, {"id": s}, scene.staff)
    assert body["data"]["openSession"]["session"] == {"status": "IN_PROGRESS"}
    body = await gql(client, OPEN, {"id": s}, scene.staff)
    assert body["data"]["openSession"]["userErrors"] == [{"code": "INVALID_TRANSITION"}]
    body = await gql(client, "{ sessions(status: IN_PROGRESS, first: 10) { totalCount } }")
    assert body["data"]["sessions"]["totalCount"] == 4  # demo 26, S1, S2 and this one

    async def create(**input: Any) -> list[tuple[str, list[str] | None]]:
        base = {"title": "Kỳ họp chuyên đề", "startsOn": "2026-12-29", "endsOn": "2026-12-29"}
        body = await gql(client, CREATE_SESSION, {"input": base | input}, scene.staff)
        return [(e["code"], e["field"]) for e in body["data"]["createSession"]["userErrors"]]

    assert await create(endsOn="2026-12-28") == [("INVALID_INPUT", ["input", "endsOn"])]
    assert await create(number=101) == [("DUPLICATE", ["input", "number"])]
    assert await create(title="abc") == [("INVALID_INPUT", ["input", "title"])]
    assert await create(requiredQuestions=-1) == [("INVALID_INPUT", ["input", "requiredQuestions"])]
    assert await create(startsOn="2027-03-01", endsOn="2027-03-01") == [
        ("INVALID_INPUT", ["input", "startsOn"])
    ]
    assert await create(term=99) == [("NOT_FOUND", ["input", "term"])]
    assert await create(agenda=["x"]) == [("INVALID_INPUT", ["input", "agenda", "0"])]
    body = await gql(
        client,
        CREATE_SESSION,
        {"input": {"title": "Kỳ họp chuyên đề", "startsOn": "2026-12-29", "endsOn": "2026-12-29"}},
        scene.monitor,
    )
    assert body["data"]["createSession"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await gql(client, "{ sessions(first: 100) { totalCount } }")
    assert body["data"]["sessions"]["totalCount"] == 7  # 4 demo + 3 made: nothing was added
    # The next number when none is given; the agenda in order.
    body = await gql(
        client,
        CREATE_SESSION,
        {
            "input": {
                "title": "Kỳ họp chuyên đề",
                "startsOn": "2026-12-30",
                "endsOn": "2026-12-30",
                "kind": "THEMATIC",
                "agenda": ["Một", "Hai"],
            }
        },
        scene.staff,
    )
    made = body["data"]["createSession"]["session"]
    assert made["number"] == 104
    assert [(a["position"], a["title"]) for a in made["agenda"]] == [(1, "Một"), (2, "Hai")]
    body = await gql(
        client,
        'mutation($s: ID!) { addAgendaItem(sessionId: $s, title: "Ba nội dung") { agendaItem { position } userErrors { code } } }',
        {"s": made["id"]},
        scene.staff,
    )
    assert body["data"]["addAgendaItem"] == {"agendaItem": {"position": 3}, "userErrors": []}
    body = await gql(
        client,
        "mutation($id: ID!) { removeAgendaItem(id: $id) { session { agenda { title } } userErrors { code } } }",
        {"id": made["agenda"][0]["id"]},
        scene.staff,
    )
    assert body["data"]["removeAgendaItem"]["session"]["agenda"] == [
        {"title": "Hai"},
        {"title": "Ba nội dung"},
    ]
