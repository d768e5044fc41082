"""Agencies: the directory of agencies, forwarding by agency id, the agency's answer and send-back
(refusals change nothing), overdue flags, and the per-agency table against numbers worked out
by hand."""

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from time_machine import TimeMachineFixture

from api.settings import Settings
from db import clock
from db import petitions as db_petitions
from db.accounts import grant_role, viewer_for_sub
from db.agencies import writes as agency_writes
from db.agencies.reads import agency_by_code
from db.clock import local_date
from db.engine import Sessionmaker, transaction
from db.viewer import Role, Viewer
from schema.relay import to_global_id
from tests.api.helpers import app_with
from tests.conftest import bearer, gql
from tests.petition_helpers import act, make_world, submitted

T0 = datetime.fromisoformat("2026-03-02T09:00:00+07:00")
CONTENT = (
    "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm."
)
ANSWER = """mutation($id: ID!, $input: AgencyAnswerInput!) {
  answerForwardedPetition(id: $id, input: $input) {
    petition { status } userErrors { code field message } } }"""
RETURN = """mutation($id: ID!, $reason: String!) {
  returnForwardedPetition(id: $id, reason: $reason) {
    petition { status forwardedTo agency { code } timeline { status note } }
    userErrors { code field message } } }"""
TABLE = """query($from: Date, $to: Date) { agencyStatistics(from: $from, to: $to) {
  agency { code } received answered returned pending overdue medianDaysToAnswer } }"""


async def test_agencies_directory_is_loaded_and_searchable(client: AsyncClient) -> None:
    body = await gql(client, "{ agencies { code level } }")
    agencies = body["data"]["agencies"]
    assert len(agencies) == 1 + 14 + 8 + 75
    assert agencies[0] == {"code": "UBND-93", "level": "PROVINCE"}
    found = await gql(
        client,
        '{ agencies(search: "phuong i", level: COMMUNE) { code name parent { code } '
        "units { code name } answerDays } }",
    )
    first = found["data"]["agencies"][0]
    assert first == {
        "code": "UBND-31318",
        "name": "Ủy ban nhân dân phường I, thành phố Vị Thanh",
        "parent": {"code": "UBND-930"},
        "units": [{"code": "31318", "name": "Phường I"}],
        "answerDays": 30,
    }
    covering = await gql(client, '{ agencies(unitCode: "93") { code } }')
    assert len(covering["data"]["agencies"]) == 15
    too_long = await gql(
        client, "query($s: String) { agencies(search: $s) { code } }", {"s": "x" * 101}
    )
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def _forwarded(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> tuple[Any, str, dict[str, str]]:
    """A petition of citizen A forwarded by STAFF to Sở Xây dựng, and an account of that agency
    and one of another agency."""
    w = await make_world(settings, sessionmaker)
    async with transaction(sessionmaker) as session:
        sxd = await agency_by_code(session, "SO-XAYDUNG")
        yte = await agency_by_code(session, "SO-YTE")
        assert sxd is not None and yte is not None
        await grant_role(session, "agency-sxd", Role.AGENCY, agency_id=sxd.id)
        await grant_role(session, "agency-yte", Role.AGENCY, agency_id=yte.id)
        assert sxd.id is not None
    pid = (await submitted(client, w.citizen_a, visibility="PRIVATE"))["id"]
    await act(client, w.staff, "acknowledgePetition(id: $id)", "$id: ID!", {"id": pid})
    body = await gql(
        client,
        "mutation($id: ID!, $a: ID!) { forwardPetition(id: $id, agencyId: $a) "
        "{ userErrors { code } } }",
        {"id": pid, "a": to_global_id("Agency", sxd.id)},
        w.staff,
    )
    assert body["data"]["forwardPetition"]["userErrors"] == []
    return w, pid, {"sxd": bearer(settings, "agency-sxd"), "yte": bearer(settings, "agency-yte")}


async def _snapshot(sessionmaker: Sessionmaker) -> tuple[Any, ...]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT (SELECT jsonb_agg(to_jsonb(p) ORDER BY id) FROM petition p),"
                    " (SELECT count(*) FROM petition_event), (SELECT jsonb_agg(to_jsonb(f)) FROM"
                    " petition_forward f), (SELECT count(*) FROM outbox),"
                    " (SELECT count(*) FROM audit_event)"
                )
            )
        ).one()
    return tuple(row)


def TODAY() -> str:
    """The request's local day, as the run's clock has it (never the machine's date)."""
    return local_date(clock.now()).isoformat()


GOOD = {"body": "Sở sẽ sửa chữa trong quý tới.", "letterNumber": "12/SXD", "letterDate": None}


@pytest.mark.parametrize(
    ("who", "changes", "code", "field"),
    [
        ("yte", {}, "NOT_FOUND", ["id"]),  # another agency's account: a PRIVATE one is hidden
        ("staff", {}, "FORBIDDEN", None),
        ("sxd", {"body": "   "}, "INVALID_INPUT", ["input", "body"]),
        ("sxd", {"letterNumber": ""}, "INVALID_INPUT", ["input", "letterNumber"]),
        ("sxd", {"letterNumber": "12/\nSXD"}, "INVALID_INPUT", ["input", "letterNumber"]),
        ("sxd", {"letterDate": "2099-01-01"}, "INVALID_INPUT", ["input", "letterDate"]),
        ("sxd", {"letterDate": "2001-01-01"}, "INVALID_INPUT", ["input", "letterDate"]),
        ("sxd", {"id": "bm90LWEtcGV0aXRpb24"}, "INVALID_INPUT", ["id"]),
    ],
)
async def test_refused_answers_change_nothing(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    who: str,
    changes: dict[str, Any],
    code: str,
    field: list[str] | None,
) -> None:
    w, pid, agencies = await _forwarded(client, settings, sessionmaker)
    headers = w.staff if who == "staff" else agencies[who]
    answer = {**GOOD, "letterDate": TODAY(), **changes}
    petition_id = answer.pop("id", pid)
    before = await _snapshot(sessionmaker)
    body = await gql(client, ANSWER, {"id": petition_id, "input": answer}, headers)
    payload = body["data"]["answerForwardedPetition"]
    assert payload["petition"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert all(e["message"] for e in payload["userErrors"])
    assert await _snapshot(sessionmaker) == before


async def test_the_agency_reads_private_petitions_forwarded_to_it_and_no_others(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    _, pid, agencies = await _forwarded(client, settings, sessionmaker)
    query = "query($id: ID!) { node(id: $id) { ... on Petition { title submitter { fullName } } } }"
    mine = await gql(client, query, {"id": pid}, agencies["sxd"])
    assert mine["data"]["node"] == {"title": "Đường liên ấp bị sạt lở", "submitter": None}
    other = await gql(client, query, {"id": pid}, agencies["yte"])
    assert other["data"]["node"] is None
    empty = await gql(client, "{ agencyInbox { totalCount } }", headers=agencies["yte"])
    assert empty["data"]["agencyInbox"]["totalCount"] == 0
    # Answering a petition it cannot see says NOT_FOUND, like any hidden petition.
    body = await gql(
        client,
        ANSWER,
        {"id": pid, "input": {**GOOD, "letterDate": TODAY()}},
        agencies["yte"],
    )
    assert body["data"]["answerForwardedPetition"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_sending_back_returns_it_to_the_council_which_forwards_it_elsewhere(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w, pid, agencies = await _forwarded(client, settings, sessionmaker)
    short = await gql(client, RETURN, {"id": pid, "reason": "Sai"}, agencies["sxd"])
    assert short["data"]["returnForwardedPetition"]["userErrors"][0]["field"] == ["reason"]
    body = await gql(
        client, RETURN, {"id": pid, "reason": "Không thuộc thẩm quyền của Sở."}, agencies["sxd"]
    )
    payload = body["data"]["returnForwardedPetition"]
    assert payload["userErrors"] == []
    petition = payload["petition"]
    assert (petition["status"], petition["forwardedTo"], petition["agency"]) == (
        "ACKNOWLEDGED",
        None,
        None,
    )
    assert petition["timeline"][-1] == {
        "status": "ACKNOWLEDGED",
        "note": "Sở Xây dựng tỉnh Hậu Giang trả lại: Không thuộc thẩm quyền của Sở.",
    }
    again = await gql(
        client, RETURN, {"id": pid, "reason": "Trả lại lần nữa cho chắc."}, agencies["sxd"]
    )
    # A PRIVATE petition sent back is no longer the agency's to see.
    assert again["data"]["returnForwardedPetition"]["userErrors"][0]["code"] == "NOT_FOUND"
    async with sessionmaker() as session:
        yte = await agency_by_code(session, "SO-YTE")
        assert yte is not None and yte.id is not None
    body = await gql(
        client,
        "mutation($id: ID!, $a: ID!) { forwardPetition(id: $id, agencyId: $a) "
        "{ petition { forwardings { agency { code } outcome returnReason } } userErrors { code } } }",
        {"id": pid, "a": to_global_id("Agency", yte.id)},
        w.staff,
    )
    assert body["data"]["forwardPetition"]["petition"]["forwardings"] == [
        {
            "agency": {"code": "SO-XAYDUNG"},
            "outcome": "RETURNED",
            "returnReason": "Không thuộc thẩm quyền của Sở.",
        },
        {"agency": {"code": "SO-YTE"}, "outcome": "PENDING", "returnReason": None},
    ]


async def test_forwarding_refusals(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker
) -> None:
    w = await make_world(settings, sessionmaker)
    pid = (await submitted(client, w.citizen_a))["id"]
    await act(client, w.staff, "acknowledgePetition(id: $id)", "$id: ID!", {"id": pid})
    before = await _snapshot(sessionmaker)
    doc = (
        "mutation($id: ID!, $a: ID) { forwardPetition(id: $id, agencyId: $a) "
        "{ petition { id } userErrors { code field } } }"
    )
    for value, code in (
        (to_global_id("Agency", 999_999), "NOT_FOUND"),
        (to_global_id("Delegate", 1), "INVALID_INPUT"),
        (None, "INVALID_INPUT"),
    ):
        body = await gql(client, doc, {"id": pid, "a": value}, w.staff)
        assert body["data"]["forwardPetition"] == {
            "petition": None,
            "userErrors": [{"code": code, "field": ["agencyId"]}],
        }
    # A citizen may not forward.
    async with sessionmaker() as session:
        sxd = await agency_by_code(session, "SO-XAYDUNG")
        assert sxd is not None and sxd.id is not None
    body = await gql(client, doc, {"id": pid, "a": to_global_id("Agency", sxd.id)}, w.citizen_b)
    assert body["data"]["forwardPetition"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await _snapshot(sessionmaker) == before
    # The older form: a name of the directory becomes its agency.
    body = await gql(
        client,
        'mutation($id: ID!) { forwardPetition(id: $id, agency: "sở xây dựng tỉnh hậu giang") '
        "{ petition { forwardedTo agency { code } } userErrors { code } } }",
        {"id": pid},
        w.staff,
    )
    assert body["data"]["forwardPetition"]["petition"] == {
        "forwardedTo": "Sở Xây dựng tỉnh Hậu Giang",
        "agency": {"code": "SO-XAYDUNG"},
    }


# ---- the per-agency table, against numbers worked out by hand ---------------------------------


async def _petition(session: Any, citizen: Viewer, staff: Viewer, at: datetime, n: int) -> int:
    done = await db_petitions.submit_petition(
        session,
        citizen,
        db_petitions.SubmitInput(
            title=f"Kiến nghị số {n}",
            content=CONTENT,
            category="INFRASTRUCTURE_TRANSPORT",
            commune_code="31318",
        ),
        per_hour=100,
        now=at,
    )
    assert done.petition.id is not None
    await db_petitions.transition(
        session,
        staff,
        done.petition.id,
        db_petitions.Action.ACKNOWLEDGE,
        db_petitions.StepInput(),
        now=at,
    )
    return done.petition.id


async def test_per_agency_table_matches_numbers_worked_out_by_hand(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    """Sở Xây dựng (A, 30 days) and UBND phường I (B, 30 days), day d = T0 + d days:
    P1 → A d0, answered d4 (4 days, on time)
    P2 → A d0, answered d40 (40 days, late)
    P3 → A d1, pending; due d31, late at d50
    P4 → A d45, pending; due d75
    P5 → A d2, sent back d3; → B d5, answered d15 (10 days)
    As of d50: A received 5, answered 2, returned 1, pending 2, overdue 2 (P2, P3), median
    (4, 40) = 22 days; B received 1, answered 1, overdue 0, median 10.
    Forwarded from d1 (2026-03-03) to 2026-04-30: A P3, P4, P5 (3 received, 1 returned,
    2 pending, 1 overdue, no median); B P5."""

    def day(d: float) -> datetime:
        return T0 + timedelta(days=d)

    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff-t", Role.STAFF)
        a = await agency_by_code(session, "SO-XAYDUNG")
        b = await agency_by_code(session, "UBND-31318")
        assert a is not None and b is not None and a.id is not None and b.id is not None
        await grant_role(session, "agency-a", Role.AGENCY, agency_id=a.id)
        await grant_role(session, "agency-b", Role.AGENCY, agency_id=b.id)
        staff = await viewer_for_sub(session, "staff-t", None, None)
        citizen = await viewer_for_sub(session, "citizen-t", "Lê Thị Hoa", None)
        agency_a = await viewer_for_sub(session, "agency-a", None, None)
        agency_b = await viewer_for_sub(session, "agency-b", None, None)

        async def forward(pid: int, agency_id: int, d: float) -> None:
            await agency_writes.forward_petition(
                session,
                staff,
                pid,
                agency_id=agency_id,
                agency_text=None,
                note=None,
                now=day(d),
                answer_days=30,
            )

        async def answer(pid: int, who: Viewer, d: float) -> None:
            letter = agency_writes.AgencyAnswer("Đã xử lý xong.", f"{pid}/CV", day(d).date())
            await agency_writes.answer_forwarded(session, who, pid, letter, now=day(d))

        p = [await _petition(session, citizen, staff, day(0), n) for n in range(1, 6)]
        await forward(p[0], a.id, 0)
        await forward(p[1], a.id, 0)
        await forward(p[2], a.id, 1)
        await forward(p[4], a.id, 2)
        await agency_writes.return_forwarded(
            session, agency_a, p[4], "Không thuộc thẩm quyền.", now=day(3)
        )
        await answer(p[0], agency_a, 4)
        await forward(p[4], b.id, 5)
        await answer(p[4], agency_b, 15)
        await answer(p[1], agency_a, 40)
        await forward(p[3], a.id, 45)

    time_machine.move_to(day(50), tick=False)
    monitor_sub = "monitor-t"
    async with transaction(sessionmaker) as session:
        await grant_role(session, monitor_sub, Role.MONITOR)
    body = await gql(client, TABLE, {}, bearer(settings, monitor_sub))
    assert body["data"]["agencyStatistics"] == [
        {
            "agency": {"code": "SO-XAYDUNG"},
            "received": 5,
            "answered": 2,
            "returned": 1,
            "pending": 2,
            "overdue": 2,
            "medianDaysToAnswer": 22.0,
        },
        {
            "agency": {"code": "UBND-31318"},
            "received": 1,
            "answered": 1,
            "returned": 0,
            "pending": 0,
            "overdue": 0,
            "medianDaysToAnswer": 10.0,
        },
    ]
    period = await gql(
        client, TABLE, {"from": "2026-03-03", "to": "2026-04-30"}, bearer(settings, monitor_sub)
    )
    assert [
        (
            r["agency"]["code"],
            r["received"],
            r["returned"],
            r["pending"],
            r["overdue"],
            r["medianDaysToAnswer"],
        )
        for r in period["data"]["agencyStatistics"]
    ] == [("SO-XAYDUNG", 3, 1, 2, 1, None), ("UBND-31318", 1, 0, 0, 0, 10.0)]

    # The agency's own inbox: what is late, and the flag on each forwarding.
    inbox = await gql(
        client,
        "{ agencyInbox(overdue: true) { totalCount nodes { title forwardings { isOverdue } } } }",
        headers=bearer(settings, "agency-a"),
    )
    late = inbox["data"]["agencyInbox"]
    assert late["totalCount"] == 2
    assert sorted(n["title"] for n in late["nodes"]) == ["Kiến nghị số 2", "Kiến nghị số 3"]
    waiting = await gql(
        client,
        "{ agencyInbox(status: FORWARDED, overdue: false) { nodes { title } } }",
        headers=bearer(settings, "agency-a"),
    )
    assert waiting["data"]["agencyInbox"]["nodes"] == [{"title": "Kiến nghị số 4"}]
    bad = await gql(
        client, TABLE, {"from": "2026-04-30", "to": "2026-03-03"}, bearer(settings, monitor_sub)
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_new_petition_fields_read_the_same_through_the_compiled_path(
    client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker, db_url: str
) -> None:
    """`petitions` is a compiled root: a selection with the agencies' fields answers as the
    resolvers do (falling back to them where the compiler does not cover a field)."""
    w, pid, agencies = await _forwarded(client, settings, sessionmaker)
    answered = await gql(
        client,
        ANSWER,
        {"id": pid, "input": {**GOOD, "letterDate": TODAY()}},
        agencies["sxd"],
    )
    assert answered["data"]["answerForwardedPetition"]["userErrors"] == []
    query = (
        "{ petitions(first: 5) { nodes { trackingCode forwardedTo agency { code name } "
        "forwardings { outcome letterNumber agency { code } } "
        "answer { respondent letterNumber letterDate } } } }"
    )
    answers = []
    for compiled in (True, False):
        async with app_with(db_url, compiled_reads=compiled) as (_, http):
            body = await gql(http, query, headers=w.staff)
        assert "errors" not in body, body
        answers.append(body["data"])
    assert answers[0] == answers[1]
    mine = [n for n in answers[0]["petitions"]["nodes"] if n["agency"]]
    assert mine[0]["answer"]["letterNumber"] == "12/SXD"
    assert mine[0]["forwardings"] == [
        {"outcome": "ANSWERED", "letterNumber": "12/SXD", "agency": {"code": "SO-XAYDUNG"}}
    ]
