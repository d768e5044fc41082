"""Contributions: linking petitions, the lists, and refusals that change nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from sqlmodel import col

from db.engine import Sessionmaker, transaction
from db.tables import ContributionPetition, Petition, PetitionEvent
from tests.conftest import gql
from tests.schema.sessions.scene import (
    AT_SCENE_TIME,
    CLOSE,
    NAMES,
    Scene,
    contribution,
    first_agenda_item,
    gid,
    left_before_term,
    ok,
    record,
    table_counts,
)

pytestmark = AT_SCENE_TIME


async def test_linked_petitions_get_a_timeline_event(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker, petitions: dict[str, int]
) -> None:
    made = ok(
        await record(
            client,
            scene.a,
            **contribution(
                scene.s1,
                petitionIds=[gid(petitions["P1"], "Petition"), gid(petitions["P5"], "Petition")],
            ),
        )
    )
    async with sessionmaker() as session:
        events = (
            (
                await session.execute(
                    sa.select(PetitionEvent).order_by(col(PetitionEvent.petition_id))
                )
            )
            .scalars()
            .all()
        )
        links = (await session.execute(sa.select(ContributionPetition))).scalars().all()
    assert [(e.petition_id, e.status, e.actor_role) for e in events] == [
        (petitions["P1"], "ANSWERED", "DELEGATE"),  # the status stays the petition's own
        (petitions["P5"], "SUBMITTED", "DELEGATE"),
    ]
    assert all(e.note == "Được nêu tại kỳ họp thứ 101 (ý kiến thảo luận)." for e in events)
    assert len(links) == 2
    # Editing adds P2 (a new event) and drops P5 (the link only; its timeline keeps the event).
    body = await gql(
        client,
        "mutation($id: ID!, $input: EditContributionInput!) { editContribution(id: $id, input: $input) "
        "{ contribution { topic } userErrors { code field } } }",
        {
            "id": made["contribution"]["id"],
            "input": {
                "topic": "Sạt lở đường liên ấp",
                "petitionIds": [gid(petitions["P1"], "Petition"), gid(petitions["P2"], "Petition")],
            },
        },
        scene.a,
    )
    assert body["data"]["editContribution"] == {
        "contribution": {"topic": "Sạt lở đường liên ấp"},
        "userErrors": [],
    }
    async with sessionmaker() as session:
        count = (
            await session.execute(sa.select(sa.func.count()).select_from(PetitionEvent))
        ).scalar_one()
        linked = sorted(
            (await session.execute(sa.select(col(ContributionPetition.petition_id)))).scalars()
        )
    assert count == 3
    assert linked == sorted([petitions["P1"], petitions["P2"]])
    # The contribution lists its petitions, each only to those who may see it.
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petitions["P2"])
            .values(visibility="PRIVATE")
        )
    query = "query($id: ID!) { node(id: $id) { ... on Contribution { petitions { id trackingCode } } } }"
    cid = {"id": made["contribution"]["id"]}
    own = await gql(client, query, cid, scene.a)
    assert sorted(p["trackingCode"] for p in own["data"]["node"]["petitions"]) == ["T-P1", "T-P2"]
    public = await gql(client, query, cid)
    assert [p["trackingCode"] for p in public["data"]["node"]["petitions"]] == ["T-P1"]


@pytest.mark.usefixtures("built_scene")
async def test_lists_of_contributions(client: AsyncClient, scene: Scene) -> None:
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Session { contributions(first: 3) { totalCount "
        "edges { node { kind delegate { fullName } } } pageInfo { hasNextPage endCursor } } } } }",
        {"id": scene.s1},
    )
    page = body["data"]["node"]["contributions"]
    assert page["totalCount"] == 5  # six recorded, one withdrawn
    assert [e["node"]["delegate"]["fullName"] for e in page["edges"]] == [
        NAMES["A"],
        NAMES["A"],
        NAMES["B"],
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    body = await gql(
        client,
        "query($id: ID!, $after: String) { node(id: $id) { ... on Session { contributions(first: 3, after: $after) { "
        "edges { node { delegate { fullName } } } pageInfo { hasNextPage } } } } }",
        {"id": scene.s1, "after": page["pageInfo"]["endCursor"]},
    )
    rest = body["data"]["node"]["contributions"]
    assert [e["node"]["delegate"]["fullName"] for e in rest["edges"]] == [NAMES["D"], NAMES["D"]]
    assert rest["pageInfo"]["hasNextPage"] is False
    # A delegate's: newest first, narrowed by session.
    body = await gql(
        client,
        "query($id: ID!, $s: ID) { node(id: $id) { ... on Delegate { all: contributions { totalCount } "
        "s1: contributions(sessionId: $s) { totalCount nodes { session { number } } } } } }",
        {"id": gid(scene.ids["A"]), "s": scene.s1},
    )
    node = body["data"]["node"]
    assert node["all"]["totalCount"] == 4
    assert node["s1"]["totalCount"] == 2
    assert [n["session"]["number"] for n in node["s1"]["nodes"]] == [101, 101]


@dataclass(frozen=True)
class Given:
    """What a refused contribution's input may name: the scene, its petitions' global ids, the
    first agenda item of S1 and a delegate who left before the term."""

    scene: Scene
    petition: dict[str, str]
    s1_agenda_item: str
    left: str

    def delegate(self, letter: str) -> str:
        return gid(self.scene.ids[letter])


Input = Callable[[Given], dict[str, Any]]
S1: Input = lambda g: contribution(g.scene.s1)  # noqa: E731


@pytest.mark.parametrize(
    ("who", "input", "code", "field"),
    [
        pytest.param(
            "b",
            lambda g: contribution(g.scene.s1, delegateId=g.delegate("A")),
            "FORBIDDEN",
            ["input", "delegateId"],
            id="a delegate recording for someone else",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, "QUESTION", addressee="  "),
            "INVALID_INPUT",
            ["input", "addressee"],
            id="a question without addressee",
        ),
        pytest.param(
            "staff",
            lambda g: contribution(
                g.scene.s1, "QUESTION", addressee=None, delegateId=g.delegate("B")
            ),
            "INVALID_INPUT",
            ["input", "addressee"],
            id="a question with a null addressee",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, petitionIds=[g.petition["P1"], g.petition["P6"]]),
            "INVALID_INPUT",
            ["input", "petitionIds", "1"],
            id="a petition not addressed to them, next to one that is",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, petitionIds=[gid(999999, "Petition")]),
            "INVALID_INPUT",
            ["input", "petitionIds", "0"],
            id="a petition that does not exist: the same answer, nothing leaks",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, petitionIds=["not-an-id"]),
            "INVALID_INPUT",
            ["input", "petitionIds", "0"],
            id="a petition id that is no id",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.upcoming),
            "INVALID_TRANSITION",
            ["input", "sessionId"],
            id="a delegate at an upcoming session",
        ),
        pytest.param(
            "staff",
            lambda g: contribution(g.scene.upcoming, delegateId=g.delegate("A")),
            "INVALID_TRANSITION",
            ["input", "sessionId"],
            id="the office at an upcoming session",
        ),
        pytest.param(
            "staff",
            S1,
            "INVALID_INPUT",
            ["input", "delegateId"],
            id="the office must say who spoke",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, topic="x"),
            "INVALID_INPUT",
            ["input", "topic"],
            id="a topic too short",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, summary="ngắn"),
            "INVALID_INPUT",
            ["input", "summary"],
            id="a summary too short",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s1, addressee="Giám đốc Sở Y tế"),
            "INVALID_INPUT",
            ["input", "addressee"],
            id="an addressee for a discussion",
        ),
        pytest.param(
            "a",
            lambda g: contribution(g.scene.s2, agendaItemId=g.s1_agenda_item),
            "INVALID_INPUT",
            ["input", "agendaItemId"],
            id="an agenda item of another session",
        ),
        pytest.param(
            "staff",
            lambda g: contribution(g.scene.s1, delegateId=g.left),
            "INVALID_INPUT",
            ["input", "delegateId"],
            id="a delegate who left before the session",
        ),
        pytest.param(
            "monitor",
            lambda g: contribution(g.scene.s1, delegateId=g.delegate("A")),
            "FORBIDDEN",
            None,
            id="the Legal Affairs Committee writes nothing",
        ),
        pytest.param("citizen", S1, "FORBIDDEN", None, id="a citizen"),
        pytest.param("anonymous", S1, "UNAUTHENTICATED", None, id="anonymous"),
    ],
)
async def test_a_refused_contribution_changes_nothing(
    client: AsyncClient,
    scene: Scene,
    sessionmaker: Sessionmaker,
    petitions: dict[str, int],
    who: str,
    input: Input,
    code: str,
    field: list[str] | None,
) -> None:
    ok(await record(client, scene.a, **contribution(scene.s1)))
    given = Given(
        scene,
        {k: gid(v, "Petition") for k, v in petitions.items()},
        await first_agenda_item(client, scene.s1),
        gid(await left_before_term(sessionmaker)),
    )
    before = await table_counts(sessionmaker)
    headers = {} if who == "anonymous" else getattr(scene, who)
    payload = await record(client, headers, **input(given))
    assert payload["contribution"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["userErrors"][0]["message"]
    assert await table_counts(sessionmaker) == before


@pytest.mark.usefixtures("petitions")
async def test_others_contributions_and_closed_sessions_are_refused(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    mine = ok(await record(client, scene.a, **contribution(scene.s1)))["contribution"]["id"]
    before = await table_counts(sessionmaker)
    # editing or withdrawing someone else's
    for mutation in (
        'editContribution(id: $id, input: {topic: "Chủ đề khác"})',
        "withdrawContribution(id: $id)",
    ):
        body = await gql(
            client,
            f"mutation($id: ID!) {{ {mutation} {{ contribution {{ id }} userErrors {{ code }} }} }}",
            {"id": mine},
            scene.b,
        )
        assert next(iter(body["data"].values())) == {
            "contribution": None,
            "userErrors": [{"code": "FORBIDDEN"}],
        }
    assert await table_counts(sessionmaker) == before
    # a delegate may not record once the session closed; the office still may
    await gql(client, CLOSE, {"id": scene.s1}, scene.staff)
    before = await table_counts(sessionmaker)
    payload = await record(client, scene.a, **contribution(scene.s1))
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_TRANSITION"]
    assert await table_counts(sessionmaker) == before
    ok(await record(client, scene.staff, **contribution(scene.s1, delegateId=gid(scene.ids["A"]))))
