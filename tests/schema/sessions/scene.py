"""The scene the sessions tests share, and its helpers (the fixtures are in conftest.py):
sessions, contributions, compliance, the CSV export and scorecards, checked against numbers
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
from schema.relay import to_global_id
from tests.conftest import gql

SCENE_TIME = datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_ZONE)
# The scene is dated: every module of this package runs as of SCENE_TIME.
AT_SCENE_TIME = pytest.mark.time_machine(SCENE_TIME, tick=True)

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


async def delegates_by_name(session: AsyncSession) -> dict[str, Delegate]:
    rows = (await session.execute(sa.select(Delegate))).scalars()
    return {d.full_name: d for d in rows}


async def group_id(session: AsyncSession, name: str) -> int:
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


async def add_petitions(sessionmaker: Sessionmaker, ids: dict[str, int]) -> dict[str, int]:
    """Petitions with known times: to A (four), to A's group only (one), to Ngã Bảy (one)."""
    now = datetime.now(UTC)
    async with transaction(sessionmaker) as session:
        vi_thanh = await group_id(session, VI_THANH)
        nga_bay = await group_id(session, NGA_BAY)

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


async def table_counts(sessionmaker: Sessionmaker) -> tuple[int, ...]:
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


async def first_agenda_item(client: AsyncClient, session_id: str) -> str:
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Session { agenda { id } } } }",
        {"id": session_id},
    )
    return str(body["data"]["node"]["agenda"][0]["id"])


async def left_before_term(sessionmaker: Sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(
            (
                await session.execute(
                    sa.select(col(Delegate.id)).where(col(Delegate.served_until) < date(2026, 1, 1))
                )
            ).scalar_one()
        )
