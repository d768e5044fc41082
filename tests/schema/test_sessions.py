"""Sessions, contributions, compliance, the CSV export and scorecards, checked against numbers
written by hand.

The scene (demo directory, 50 delegates serving in late 2026; the Vị Thanh group has five):
session S1 (1–3 Dec 2026) and S2 (20–21 Dec 2026), both opened by the council office.
  A Châu Tấn Quang     S1: 1 discussion + 1 question (MET)     S2: 1 + 1 (MET)
  B Huỳnh Minh Tài     S1: a question only (NOT_YET)           S2: nothing
  C Trần Ngọc Vân      S1: excused                             S2: nothing
  D Trần Thị Kim Ngân  S1: 2 discussions (NOT_YET)             S2: nothing
  E Châu Minh Khải     S1: one discussion, withdrawn (NOT_YET)  left on 10 Dec: not counted at S2
Every other delegate: nothing.

The scene is dated (the demo term ends on 31 December 2026), so the module runs as of the day it
was written for, 30 November 2026, whatever the real date or HDND_TEST_NOW.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.settings import Settings
from db.accounts import grant_role
from db.clock import LOCAL_ZONE
from db.engine import Sessionmaker, transaction
from db.tables import (
    AuditEvent,
    Contribution,
    ContributionPetition,
    Delegate,
    DelegateGroup,
    Petition,
    PetitionEvent,
)
from db.viewer import Role
from schema.relay import to_global_id
from tests.conftest import StatementCounter, bearer, gql

SCENE_TIME = datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_ZONE)
pytestmark = pytest.mark.time_machine(SCENE_TIME, tick=True)

VI_THANH = "Tổ đại biểu thành phố Vị Thanh"
NGA_BAY = "Tổ đại biểu thành phố Ngã Bảy"

CREATE_SESSION = """
mutation($input: CreateSessionInput!) {
  createSession(input: $input) {
    session { id number status agenda { id position title } }
    userErrors { field code message }
  }
}"""
OPEN = "mutation($id: ID!) { openSession(id: $id) { session { status } userErrors { code } } }"
CLOSE = "mutation($id: ID!) { closeSession(id: $id) { session { status } userErrors { code } } }"
RECORD = """
mutation($input: RecordContributionInput!) {
  recordContribution(input: $input) {
    contribution { id kind venue topic addressee delegate { fullName } session { number } }
    userErrors { field code message }
  }
}"""
EXCUSE = """
mutation($s: ID!, $d: ID!, $r: String!) {
  excuseDelegate(sessionId: $s, delegateId: $d, reason: $r) { userErrors { code field } }
}"""
COMPLIANCE = """
query($id: ID!) {
  sessionCompliance(sessionId: $id) {
    session { number }
    delegateCount compliantCount notYetCount excusedCount
    delegates { delegate { fullName } discussions questions meetsQuota status excuseReason }
    groups { group { name } delegateCount compliantCount notYetCount excusedCount }
  }
}"""
SCORECARD = """
query($id: ID!, $from: Date, $to: Date) {
  node(id: $id) { ... on Delegate { scorecard(from: $from, to: $to) {
    petitionsReceived petitionsAnswered petitionsOverdue medianHoursToAcknowledge
    sessionsTotal sessionsMeetingQuota sessionsExcused discussions questions } } }
}"""


@dataclass
class Scene:
    staff: dict[str, str]
    monitor: dict[str, str]
    citizen: dict[str, str]
    a: dict[str, str]  # headers of delegate A's account
    b: dict[str, str]
    ids: dict[str, int]  # delegate ids by letter
    s1: str
    s2: str
    upcoming: str


async def _delegates(session: AsyncSession) -> dict[str, Delegate]:
    rows = (await session.execute(sa.select(Delegate))).scalars()
    return {d.full_name: d for d in rows}


async def _group_id(session: AsyncSession, name: str) -> int:
    return int(
        (
            await session.execute(
                sa.select(col(DelegateGroup.id)).where(col(DelegateGroup.name) == name)
            )
        ).scalar_one()
    )


NAMES = {
    "A": "Châu Tấn Quang",
    "B": "Huỳnh Minh Tài",
    "C": "Trần Ngọc Vân",
    "D": "Trần Thị Kim Ngân",
    "E": "Châu Minh Khải",
    "N": "Phan Hồng Lan",  # of the Ngã Bảy group
}


def gid(pk: int, kind: str = "Delegate") -> str:
    return str(to_global_id(kind, pk))


async def make_session(
    client: AsyncClient, staff: dict[str, str], number: int, starts: str, ends: str, **extra: Any
) -> str:
    body = await gql(
        client,
        CREATE_SESSION,
        {
            "input": {
                "title": f"Kỳ họp thứ {number} (thử nghiệm)",
                "startsOn": starts,
                "endsOn": ends,
                "number": number,
                **extra,
            }
        },
        staff,
    )
    payload = body["data"]["createSession"]
    assert payload["userErrors"] == [], payload
    assert payload["session"]["status"] == "UPCOMING"
    return str(payload["session"]["id"])


async def record(client: AsyncClient, headers: dict[str, str], **input: Any) -> dict[str, Any]:
    body = await gql(client, RECORD, {"input": input}, headers)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["recordContribution"]
    return payload


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload
    return payload


@pytest.fixture
async def scene(client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker) -> Scene:
    async with transaction(sessionmaker) as session:
        by_name = await _delegates(session)
        ids = {k: int(by_name[v].id or 0) for k, v in NAMES.items()}
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "deleg-a", Role.DELEGATE, ids["A"])
        await grant_role(session, "deleg-b", Role.DELEGATE, ids["B"])
    staff = bearer(settings, "staff")
    s1 = await make_session(
        client, staff, 101, "2026-12-01", "2026-12-03", agenda=["Dự toán ngân sách 2027"]
    )
    s2 = await make_session(client, staff, 102, "2026-12-20", "2026-12-21")
    upcoming = await make_session(client, staff, 103, "2026-12-28", "2026-12-28")
    for s in (s1, s2):
        body = await gql(client, OPEN, {"id": s}, staff)
        assert body["data"]["openSession"] == {
            "session": {"status": "IN_PROGRESS"},
            "userErrors": [],
        }
    return Scene(
        staff=staff,
        monitor=bearer(settings, "monitor"),
        citizen=bearer(settings, "citizen"),
        a=bearer(settings, "deleg-a"),
        b=bearer(settings, "deleg-b"),
        ids=ids,
        s1=s1,
        s2=s2,
        upcoming=upcoming,
    )


def contribution(session_id: str, kind: str = "DISCUSSION", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sessionId": session_id,
        "kind": kind,
        "venue": "GROUP",
        "topic": "Giải ngân vốn đầu tư công",
        "summary": "Đề nghị làm rõ nguyên nhân chậm giải ngân tại các dự án giao thông.",
    }
    if kind == "QUESTION":
        base["addressee"] = "Giám đốc Sở Kế hoạch và Đầu tư"
    return {**base, **extra}


async def build_scene(client: AsyncClient, sc: Scene) -> None:
    """The contributions of the module docstring."""
    ids = sc.ids
    # A records their own (no delegateId), B too; the office records for the others.
    ok(await record(client, sc.a, **contribution(sc.s1)))
    ok(await record(client, sc.a, **contribution(sc.s1, "QUESTION", venue="PLENARY")))
    ok(await record(client, sc.b, **contribution(sc.s1, "QUESTION")))
    for _ in range(2):
        ok(await record(client, sc.staff, **contribution(sc.s1, delegateId=gid(ids["D"]))))
    made = ok(await record(client, sc.staff, **contribution(sc.s1, delegateId=gid(ids["E"]))))
    withdrawn = await gql(
        client,
        'mutation($id: ID!) { withdrawContribution(id: $id, reason: "Ghi nhầm đại biểu") '
        "{ contribution { withdrawnAt } userErrors { code } } }",
        {"id": made["contribution"]["id"]},
        sc.staff,
    )
    assert withdrawn["data"]["withdrawContribution"]["userErrors"] == []
    assert withdrawn["data"]["withdrawContribution"]["contribution"]["withdrawnAt"]
    body = await gql(
        client, EXCUSE, {"s": sc.s1, "d": gid(ids["C"]), "r": "Đi công tác nước ngoài"}, sc.staff
    )
    assert body["data"]["excuseDelegate"]["userErrors"] == []
    ended = await gql(
        client,
        'mutation($id: ID!) { endDelegateService(id: $id, on: "2026-12-10", reason: "Chuyển công tác ra ngoài tỉnh") '
        "{ delegate { servedUntil } userErrors { code } } }",
        {"id": gid(ids["E"])},
        sc.staff,
    )
    assert ended["data"]["endDelegateService"] == {
        "delegate": {"servedUntil": "2026-12-10"},
        "userErrors": [],
    }
    ok(await record(client, sc.a, **contribution(sc.s2)))
    ok(await record(client, sc.a, **contribution(sc.s2, "QUESTION")))
    body = await gql(client, CLOSE, {"id": sc.s1}, sc.staff)
    assert body["data"]["closeSession"] == {"session": {"status": "CLOSED"}, "userErrors": []}


async def test_session_compliance_by_hand(client: AsyncClient, scene: Scene) -> None:
    await build_scene(client, scene)
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


async def test_compliance_csv_by_hand(client: AsyncClient, scene: Scene) -> None:
    await build_scene(client, scene)
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


async def _add_petitions(sessionmaker: Sessionmaker, ids: dict[str, int]) -> dict[str, int]:
    """Petitions with known times: to A (four), to A's group only (one), to Ngã Bảy (one)."""
    now = datetime.now(UTC)
    async with transaction(sessionmaker) as session:
        vi_thanh = await _group_id(session, VI_THANH)
        nga_bay = await _group_id(session, NGA_BAY)

        def petition(
            code: str, delegate: str | None, group: int, age_days: float, **kw: Any
        ) -> Petition:
            submitted = now - timedelta(days=age_days)
            return Petition(
                tracking_code=code,
                title="Đường giao thông nông thôn xuống cấp",
                content="Đoạn đường liên ấp bị sạt lở, đề nghị sửa chữa sớm trước mùa mưa.",
                category="INFRASTRUCTURE_TRANSPORT",
                commune_code="31318" if group == vi_thanh else "31340",
                unit_path="93/930/31318" if group == vi_thanh else "93/931/31340",
                delegate_id=ids[delegate] if delegate else None,
                group_id=group,
                submitted_at=submitted,
                updated_at=submitted,
                **{k: (submitted + v if isinstance(v, timedelta) else v) for k, v in kw.items()},
            )

        rows = {
            # acknowledged after 10 h, answered: answered, not overdue
            "P1": petition(
                "T-P1",
                "A",
                vi_thanh,
                40,
                status="ANSWERED",
                acknowledged_at=timedelta(hours=10),
                answered_at=timedelta(days=5),
            ),
            # acknowledged after 30 h, never answered, 40 days old: overdue (answer)
            "P2": petition(
                "T-P2",
                "A",
                vi_thanh,
                40,
                status="ACKNOWLEDGED",
                acknowledged_at=timedelta(hours=30),
            ),
            # not acknowledged after 10 days: overdue (acknowledgement)
            "P3": petition("T-P3", "A", vi_thanh, 10),
            # one day old: in time
            "P4": petition("T-P4", "A", vi_thanh, 1),
            # to the group, not to A: not on A's scorecard, but A may raise it
            "P5": petition("T-P5", None, vi_thanh, 3),
            # to another group
            "P6": petition("T-P6", "N", nga_bay, 3),
        }
        for p in rows.values():
            session.add(p)
        await session.flush()
        return {k: int(p.id or 0) for k, p in rows.items()}


async def test_scorecards_by_hand(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    await build_scene(client, scene)
    await _add_petitions(sessionmaker, scene.ids)
    december = {"from": "2026-12-01", "to": "2026-12-31"}

    async def card(letter: str, headers: dict[str, str], **period: str) -> dict[str, Any]:
        body = await gql(client, SCORECARD, {"id": gid(scene.ids[letter]), **period}, headers)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["node"]["scorecard"]
        return result

    no_petitions = {
        "petitionsReceived": 0,
        "petitionsAnswered": 0,
        "petitionsOverdue": 0,
        "medianHoursToAcknowledge": None,
    }
    assert await card("A", scene.monitor, **december) == no_petitions | {
        "sessionsTotal": 2,
        "sessionsMeetingQuota": 2,
        "sessionsExcused": 0,
        "discussions": 2,
        "questions": 2,
    }
    assert await card("B", scene.staff, **december) == no_petitions | {
        "sessionsTotal": 2,
        "sessionsMeetingQuota": 0,
        "sessionsExcused": 0,
        "discussions": 0,
        "questions": 1,
    }
    assert await card("C", scene.staff, **december) == no_petitions | {
        "sessionsTotal": 1,
        "sessionsMeetingQuota": 0,
        "sessionsExcused": 1,
        "discussions": 0,
        "questions": 0,
    }
    assert await card("D", scene.staff, **december) == no_petitions | {
        "sessionsTotal": 2,
        "sessionsMeetingQuota": 0,
        "sessionsExcused": 0,
        "discussions": 2,
        "questions": 0,
    }
    # E served at S1 only; the withdrawn contribution does not count.
    assert await card("E", scene.staff, **december) == no_petitions | {
        "sessionsTotal": 1,
        "sessionsMeetingQuota": 0,
        "sessionsExcused": 0,
        "discussions": 0,
        "questions": 0,
    }
    # Open period, A asking for their own: four petitions (P5 went to the group only); sessions
    # also count the demo's 24, 25 (closed) and 26 (in progress), not 27 (upcoming).
    assert await card("A", scene.a) == {
        "petitionsReceived": 4,
        "petitionsAnswered": 1,
        "petitionsOverdue": 2,
        "medianHoursToAcknowledge": 20.0,
        "sessionsTotal": 5,
        "sessionsMeetingQuota": 2,
        "sessionsExcused": 0,
        "discussions": 2,
        "questions": 2,
    }
    # A period before the petitions: none of them.
    assert (await card("A", scene.staff, **{"from": "2020-01-01", "to": "2021-01-01"}))[
        "petitionsReceived"
    ] == 0
    # Another delegate and the public may not read A's scorecard.
    for headers in (scene.b, scene.citizen, {}):
        body = await gql(client, SCORECARD, {"id": gid(scene.ids["A"])}, headers)
        code = "FORBIDDEN" if headers else "UNAUTHENTICATED"  # sign in first
        assert body["errors"][0]["extensions"]["code"] == code


async def test_linked_petitions_get_a_timeline_event(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    petitions = await _add_petitions(sessionmaker, scene.ids)
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


async def _snapshot(sessionmaker: Sessionmaker) -> tuple[int, ...]:
    """Rows every refused change must leave as they were."""
    async with sessionmaker() as session:
        counts = []
        for table in (Contribution, ContributionPetition, PetitionEvent, AuditEvent):
            counts.append(
                int(
                    (
                        await session.execute(sa.select(sa.func.count()).select_from(table))
                    ).scalar_one()
                )
            )
        return tuple(counts)


async def test_contribution_refusals_change_nothing(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    petitions = await _add_petitions(sessionmaker, scene.ids)
    mine = ok(await record(client, scene.a, **contribution(scene.s1)))["contribution"]["id"]
    before = await _snapshot(sessionmaker)
    p = {k: gid(v, "Petition") for k, v in petitions.items()}
    cases: list[tuple[dict[str, str], dict[str, Any], str, list[str] | None]] = [
        # a delegate recording for someone else
        (
            scene.b,
            contribution(scene.s1, delegateId=gid(scene.ids["A"])),
            "FORBIDDEN",
            ["input", "delegateId"],
        ),
        # a question without addressee
        (
            scene.a,
            contribution(scene.s1, "QUESTION", addressee="  "),
            "INVALID_INPUT",
            ["input", "addressee"],
        ),
        (
            scene.staff,
            contribution(scene.s1, "QUESTION", addressee=None, delegateId=gid(scene.ids["B"])),
            "INVALID_INPUT",
            ["input", "addressee"],
        ),
        # a petition not addressed to them (another group's), even next to one that is
        (
            scene.a,
            contribution(scene.s1, petitionIds=[p["P1"], p["P6"]]),
            "INVALID_INPUT",
            ["input", "petitionIds", "1"],
        ),
        # a petition that does not exist: the same answer, nothing leaks
        (
            scene.a,
            contribution(scene.s1, petitionIds=[gid(999999, "Petition")]),
            "INVALID_INPUT",
            ["input", "petitionIds", "0"],
        ),
        (
            scene.a,
            contribution(scene.s1, petitionIds=["not-an-id"]),
            "INVALID_INPUT",
            ["input", "petitionIds", "0"],
        ),
        # an upcoming session
        (scene.a, contribution(scene.upcoming), "INVALID_TRANSITION", ["input", "sessionId"]),
        (
            scene.staff,
            contribution(scene.upcoming, delegateId=gid(scene.ids["A"])),
            "INVALID_TRANSITION",
            ["input", "sessionId"],
        ),
        # the office must say who spoke
        (scene.staff, contribution(scene.s1), "INVALID_INPUT", ["input", "delegateId"]),
        # invalid texts
        (scene.a, contribution(scene.s1, topic="x"), "INVALID_INPUT", ["input", "topic"]),
        (scene.a, contribution(scene.s1, summary="ngắn"), "INVALID_INPUT", ["input", "summary"]),
        (
            scene.a,
            contribution(scene.s1, addressee="Giám đốc Sở Y tế"),
            "INVALID_INPUT",
            ["input", "addressee"],
        ),
        # an agenda item of another session
        (
            scene.a,
            contribution(scene.s2, agendaItemId=await _agenda_id(client, scene.s1)),
            "INVALID_INPUT",
            ["input", "agendaItemId"],
        ),
        # a delegate who left before the session
        (
            scene.staff,
            contribution(scene.s1, delegateId=gid(await _left_id(sessionmaker))),
            "INVALID_INPUT",
            ["input", "delegateId"],
        ),
        # who may not write at all
        (scene.monitor, contribution(scene.s1, delegateId=gid(scene.ids["A"])), "FORBIDDEN", None),
        (scene.citizen, contribution(scene.s1), "FORBIDDEN", None),
        ({}, contribution(scene.s1), "UNAUTHENTICATED", None),
    ]
    for headers, input, code, field in cases:
        payload = await record(client, headers, **input)
        assert payload["contribution"] is None, input
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)], input
        assert payload["userErrors"][0]["message"]
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
    assert await _snapshot(sessionmaker) == before
    # a delegate may not record once the session closed; the office still may
    await gql(client, CLOSE, {"id": scene.s1}, scene.staff)
    before = await _snapshot(sessionmaker)
    payload = await record(client, scene.a, **contribution(scene.s1))
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_TRANSITION"]
    assert await _snapshot(sessionmaker) == before
    ok(await record(client, scene.staff, **contribution(scene.s1, delegateId=gid(scene.ids["A"]))))


async def _agenda_id(client: AsyncClient, session_id: str) -> str:
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Session { agenda { id } } } }",
        {"id": session_id},
    )
    return str(body["data"]["node"]["agenda"][0]["id"])


async def _left_id(sessionmaker: Sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(
            (
                await session.execute(
                    sa.select(col(Delegate.id)).where(col(Delegate.served_until) < date(2026, 1, 1))
                )
            ).scalar_one()
        )


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


async def test_lists_of_contributions(client: AsyncClient, scene: Scene) -> None:
    await build_scene(client, scene)
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


async def test_compliance_statements_do_not_grow_with_delegates(
    client: AsyncClient,
    scene: Scene,
    sessionmaker: Sessionmaker,
    count_statements: StatementCounter,
) -> None:
    await build_scene(client, scene)
    query = """query($id: ID!) { sessionCompliance(sessionId: $id) { delegateCount
      delegates { delegate { fullName group { name } committees { name } } status }
      groups { group { name } compliantCount } session { number agenda { title } } } }"""
    with count_statements:
        body = await gql(client, query, {"id": scene.s1}, scene.monitor)
    first = count_statements.count
    assert body["data"]["sessionCompliance"]["delegateCount"] == 49
    async with transaction(sessionmaker) as session:
        group = await _group_id(session, NGA_BAY)
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
    from db.sessions_demo import seed_contributions

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
