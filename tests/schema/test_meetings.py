"""A round of voter meetings for a session, concerns recorded in bulk, duplicates merged, and the
session's consolidated report checked against numbers written by hand, in the GraphQL answer,
the .docx (python-docx) and the .xlsx (openpyxl).

The scene, as of Saturday 5 December 2026, 10:00 in Việt Nam (the demo directory; demo session
27 opens on 16 December, session 26 closed on 27 November, so the report of session 27 counts
petitions submitted from 28 November to 15 December, and every concern of its meetings before):

  M1  1 Dec 08:00, Phường I hall, communes Phường I + Phường III, delegates A and B; scheduled
      by delegate A, held with 120 voters. Concerns (recorded by A, after a first batch with two
      faulty items was refused whole): c0 flooding (Phường I), c1 health (Phường III),
      c2 flooding again (Phường III), c3 school rooms (Phường I).
  M4  2 Dec 08:00, after session 26, Phường I: reports back session 26's petitions.
  M2  3 Dec 14:00, Xã Hoả Lựu, communes Hoả Lựu + Tân Tiến; scheduled by STAFF, held with 80
      voters. Concerns (by STAFF): d0 fertiliser loans (Hoả Lựu), d1 flooding (Tân Tiến).
  M3  10 Dec 08:00, Xã Vị Tân: scheduled, upcoming.
  From the app (5 Dec): a1 flooding (Phường I, citizen 1; supported by citizens 2 and 3),
      a2 litter in the canal (Phường I, citizen 2; forwarded to «Sở Nông nghiệp và Môi trường»
      and answered). Older: p_old (Phường I, 20 Nov, answered): session 26's, not 27's.
  STAFF merges c2, d1 and a1 into c0: c0 counts 4 voters, 2 supporters, raised at M1 and M2.

The report of session 27, by hand: 5 petitions (c0, c1, c3, d0, a2), 8 voters (4+1+1+1+1),
4 raised at meetings, 1 from the app, 1 answered; 3 meetings in the round, 2 held, 200 voters
present. Fields in order: INFRASTRUCTURE_TRANSPORT #1 c0 (4 voters, not yet forwarded),
ENVIRONMENT #2 a2 (the Sở), HEALTH #3 c1, EDUCATION #4 c3, AGRICULTURE #5 d0.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from httpx import AsyncClient
from openpyxl import load_workbook

from api.settings import Settings
from db.accounts import grant_role
from db.clock import LOCAL_ZONE
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from schema.relay import pk_of, to_global_id
from tests.conftest import bearer, gql

SCENE_TIME = datetime(2026, 12, 5, 10, 0, tzinfo=LOCAL_ZONE)
pytestmark = pytest.mark.time_machine(SCENE_TIME, tick=True)

VI_THANH = "Tổ đại biểu thành phố Vị Thanh"
NGA_BAY = "Tổ đại biểu thành phố Ngã Bảy"
PHUONG_I, PHUONG_III, HOA_LUU, TAN_TIEN, VI_TAN = "31318", "31321", "31336", "31338", "31333"
AGENCY = "Sở Nông nghiệp và Môi trường"

FLOOD_C0 = (
    "Đường Trần Hưng Đạo đoạn qua khu vực 3 Phường I ngập nước mỗi khi mưa lớn, đề nghị nạo vét "
    "cống thoát nước."
)
FLOOD_C2 = (
    "Đường Trần Hưng Đạo đoạn qua khu vực 3 ngập nước mỗi khi mưa lớn, đề nghị sớm nạo vét cống "
    "thoát nước."
)
FLOOD_D1 = (
    "Đường Trần Hưng Đạo đoạn qua khu vực 3 ngập nước mỗi khi mưa lớn, đề nghị nạo vét cống "
    "thoát nước."
)
FLOOD_A1 = (
    "Đường Trần Hưng Đạo đoạn qua khu vực 3 Phường I ngập nước mỗi khi mưa lớn, đề nghị nạo vét "
    "cống."
)
HEALTH_C1 = (
    "Trạm y tế Phường III thiếu thuốc điều trị bệnh mạn tính cho người cao tuổi có bảo hiểm y tế."
)
SCHOOL_C3 = (
    "Trường tiểu học Phường I thiếu phòng học, học sinh phải học hai ca, đề nghị đầu tư xây thêm "
    "phòng."
)
FERTILISER_D0 = (
    "Giá phân bón tăng cao, đề nghị tỉnh có chính sách hỗ trợ nông dân Xã Hoả Lựu vay vốn ưu đãi."
)
PRIVATE_OLD = "Gia đình tôi thuộc hộ cận nghèo nhưng chưa được cấp thẻ bảo hiểm y tế năm nay."
DOCTOR_OLD = "Trạm y tế Phường I chỉ có y sĩ, người dân phải lên tuyến huyện để khám bệnh."
LITTER_A2 = "Rác sinh hoạt bị đổ xuống kênh Xáng Xà No gây ô nhiễm, đề nghị tăng cường thu gom rác."

SCHEDULE = """
mutation($input: ScheduleVoterMeetingInput!) {
  scheduleVoterMeeting(input: $input) {
    meeting { id status timing place coHost communes { code } delegates { fullName }
              group { name } session { number } }
    userErrors { field code message }
  }
}"""
COMPLETE = """
mutation($id: ID!, $input: CompleteVoterMeetingInput!) {
  completeVoterMeeting(id: $id, input: $input) {
    meeting { id status votersPresent delegates { fullName } }
    userErrors { field code message }
  }
}"""
RECORD = """
mutation($id: ID!, $concerns: [MeetingConcernInput!]!) {
  recordMeetingConcerns(meetingId: $id, concerns: $concerns) {
    meeting { id }
    concerns { petition { id trackingCode title source status visibility voterCount }
               similar { petition { id } similarity } }
    userErrors { field code message }
  }
}"""
MERGE = """
mutation($id: ID!, $dups: [ID!]!) {
  mergePetitions(petitionId: $id, duplicateIds: $dups) {
    petition { id voterCount supportCount raisedAt { id } }
    merged { id mergedInto { id } }
    userErrors { field code message }
  }
}"""
SUBMIT = """
mutation($input: SubmitPetitionInput!) {
  submitPetition(input: $input) { petition { id source } userErrors { code field message } }
}"""
REPORT = """
query($id: ID!) {
  sessionPetitionReport(sessionId: $id) {
    session { number } firstDay lastDay petitionCount voterCount fromMeetings fromApp
    answeredCount meetingCount meetingsHeld votersPresent docxUrl xlsxUrl
    fields { category label petitionCount voterCount
      agencies { agency label petitionCount voterCount numbers } }
    items { number category agency voterCount supportCount status communeName
            petition { id source } meetings { id } }
  }
}"""


@dataclass
class Scene:
    staff: dict[str, str]
    monitor: dict[str, str]
    a: dict[str, str]  # delegate A of the Vị Thanh group
    n: dict[str, str]  # a delegate of the Ngã Bảy group
    citizens: list[dict[str, str]]
    group: str
    a_id: str
    b_id: str
    s26: str
    s27: str


def ok(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][name]
    assert payload["userErrors"] == [], payload
    return payload


async def _pk(sessionmaker: Sessionmaker, sql: str, **params: Any) -> int:
    async with sessionmaker() as session:
        return int((await session.execute(sa.text(sql), params)).scalar_one())


async def _counts(sessionmaker: Sessionmaker) -> tuple[int, ...]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM petition), (SELECT count(*) FROM petition_event),"
                    " (SELECT count(*) FROM meeting_concern), (SELECT count(*) FROM audit_event),"
                    " (SELECT count(*) FROM voter_meeting)"
                )
            )
        ).one()
    return tuple(row)


@pytest.fixture
async def scene(client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker) -> Scene:
    group = await _pk(sessionmaker, "SELECT id FROM delegate_group WHERE name = :n", n=VI_THANH)
    a = await _pk(sessionmaker, "SELECT id FROM delegate WHERE full_name = 'Châu Tấn Quang'")
    b = await _pk(sessionmaker, "SELECT id FROM delegate WHERE full_name = 'Huỳnh Minh Tài'")
    n = await _pk(
        sessionmaker,
        "SELECT d.id FROM delegate d JOIN delegate_group g ON g.id = d.group_id "
        "WHERE g.name = :n ORDER BY d.id LIMIT 1",
        n=NGA_BAY,
    )
    s26 = await _pk(sessionmaker, "SELECT id FROM council_session WHERE number = 26")
    s27 = await _pk(sessionmaker, "SELECT id FROM council_session WHERE number = 27")
    async with transaction(sessionmaker) as session:
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "deleg-a", Role.DELEGATE, a)
        await grant_role(session, "deleg-n", Role.DELEGATE, n)
    return Scene(
        staff=bearer(settings, "staff"),
        monitor=bearer(settings, "monitor"),
        a=bearer(settings, "deleg-a"),
        n=bearer(settings, "deleg-n"),
        citizens=[
            bearer(settings, f"citizen-{i}", name=f"Công dân {i}", phone=f"090123456{i}")
            for i in (1, 2, 3)
        ],
        group=str(to_global_id("DelegateGroup", group)),
        a_id=str(to_global_id("Delegate", a)),
        b_id=str(to_global_id("Delegate", b)),
        s26=str(to_global_id("Session", s26)),
        s27=str(to_global_id("Session", s27)),
    )


def meeting_input(sc: Scene, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "groupId": sc.group,
        "sessionId": sc.s27,
        "timing": "BEFORE_SESSION",
        "startsAt": "2026-12-01T08:00:00+07:00",
        "place": "Hội trường UBND Phường I",
        "coHost": "Ủy ban MTTQ Việt Nam thành phố Vị Thanh",
        "communeCodes": [PHUONG_I, PHUONG_III],
        "delegateIds": [sc.a_id, sc.b_id],
    }
    return {**base, **extra}


def concern(content: str, category: str, commune: str, **extra: Any) -> dict[str, Any]:
    return {"content": content, "category": category, "communeCode": commune, **extra}


async def schedule(client: AsyncClient, headers: dict[str, str], **input: Any) -> dict[str, Any]:
    return await gql(client, SCHEDULE, {"input": input}, headers)


async def test_scheduling_refuses_what_is_not_the_groups_and_changes_nothing(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    before = await _counts(sessionmaker)
    # A delegate of another group, a citizen: refused.
    body = await schedule(client, scene.n, **meeting_input(scene))
    assert body["data"]["scheduleVoterMeeting"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await schedule(client, scene.citizens[0], **meeting_input(scene))
    assert body["data"]["scheduleVoterMeeting"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await schedule(client, {}, **meeting_input(scene))
    assert body["data"]["scheduleVoterMeeting"]["userErrors"][0]["code"] == "UNAUTHENTICATED"
    # Every faulty field at once: a date on the opening day, a commune of another group, a
    # delegate of another group, a blank place.
    body = await schedule(
        client,
        scene.a,
        **meeting_input(
            scene,
            startsAt="2026-12-16T08:00:00+07:00",
            communeCodes=[PHUONG_I, "31340"],
            delegateIds=[scene.a_id, str(to_global_id("Delegate", 999_999))],
            place="  ",
        ),
    )
    payload = body["data"]["scheduleVoterMeeting"]
    assert payload["meeting"] is None
    assert sorted(tuple(e["field"]) for e in payload["userErrors"]) == [
        ("input", "communeCodes", "1"),
        ("input", "delegateIds", "1"),
        ("input", "place"),
        ("input", "startsAt"),
    ]
    assert {e["code"] for e in payload["userErrors"]} == {"INVALID_INPUT"}
    assert await _counts(sessionmaker) == before


async def _round(client: AsyncClient, sc: Scene, sessionmaker: Sessionmaker) -> dict[str, Any]:
    """The whole scene of the module's docstring; returns the ids."""
    ids: dict[str, Any] = {}
    m1 = ok(await schedule(client, sc.a, **meeting_input(sc)), "scheduleVoterMeeting")["meeting"]
    assert m1["status"] == "SCHEDULED" and m1["timing"] == "BEFORE_SESSION"
    assert [c["code"] for c in m1["communes"]] == [PHUONG_I, PHUONG_III]
    assert [d["fullName"] for d in m1["delegates"]] == ["Châu Tấn Quang", "Huỳnh Minh Tài"]
    assert m1["group"]["name"] == VI_THANH and m1["session"]["number"] == 27
    m2 = ok(
        await schedule(
            client,
            sc.staff,
            **meeting_input(
                sc,
                startsAt="2026-12-03T14:00:00+07:00",
                place="Nhà văn hoá Xã Hoả Lựu",
                communeCodes=[HOA_LUU, TAN_TIEN],
                delegateIds=[sc.a_id],
            ),
        ),
        "scheduleVoterMeeting",
    )["meeting"]
    m3 = ok(
        await schedule(
            client,
            sc.a,
            **meeting_input(
                sc, startsAt="2026-12-10T08:00:00+07:00", communeCodes=[VI_TAN], delegateIds=[]
            ),
        ),
        "scheduleVoterMeeting",
    )["meeting"]
    m4 = ok(
        await schedule(
            client,
            sc.staff,
            **meeting_input(
                sc,
                sessionId=sc.s26,
                timing="AFTER_SESSION",
                startsAt="2026-12-02T08:00:00+07:00",
                communeCodes=[PHUONG_I],
            ),
        ),
        "scheduleVoterMeeting",
    )["meeting"]
    ids.update(m1=m1["id"], m2=m2["id"], m3=m3["id"], m4=m4["id"])

    # Held: M1 with 120 voters (only A attended), M2 with 80; M3 has not begun.
    done = ok(
        await gql(
            client,
            COMPLETE,
            {"id": m1["id"], "input": {"votersPresent": 120, "delegateIds": [sc.a_id]}},
            sc.a,
        ),
        "completeVoterMeeting",
    )["meeting"]
    assert done["status"] == "HELD" and done["votersPresent"] == 120
    assert [d["fullName"] for d in done["delegates"]] == ["Châu Tấn Quang"]
    ok(
        await gql(client, COMPLETE, {"id": m2["id"], "input": {"votersPresent": 80}}, sc.staff),
        "completeVoterMeeting",
    )
    early = await gql(client, COMPLETE, {"id": m3["id"], "input": {"votersPresent": 5}}, sc.a)
    assert early["data"]["completeVoterMeeting"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    again = await gql(client, COMPLETE, {"id": m1["id"], "input": {"votersPresent": 5}}, sc.a)
    assert again["data"]["completeVoterMeeting"]["userErrors"][0]["code"] == "INVALID_TRANSITION"

    # The app's petitions: a1 (flooding, supported by citizens 2 and 3), a2 (answered).
    def app_petition(title: str, content: str, category: str) -> dict[str, Any]:
        return {"title": title, "content": content, "category": category, "communeCode": PHUONG_I}

    a1 = ok(
        await gql(
            client,
            SUBMIT,
            {
                "input": app_petition(
                    "Ngập đường Trần Hưng Đạo", FLOOD_A1, "INFRASTRUCTURE_TRANSPORT"
                )
            },
            sc.citizens[0],
        ),
        "submitPetition",
    )["petition"]
    assert a1["source"] == "APP"
    a2 = ok(
        await gql(
            client,
            SUBMIT,
            {"input": app_petition("Rác thải ven kênh Xáng Xà No", LITTER_A2, "ENVIRONMENT")},
            sc.citizens[1],
        ),
        "submitPetition",
    )["petition"]
    old = ok(
        await gql(
            client,
            SUBMIT,
            {"input": app_petition("Thiếu bác sĩ ở trạm y tế", DOCTOR_OLD, "HEALTH")},
            sc.citizens[2],
        ),
        "submitPetition",
    )["petition"]
    for who in (1, 2):
        body = await gql(
            client,
            "mutation($id: ID!) { supportPetition(id: $id) { userErrors { code } } }",
            {"id": a1["id"]},
            sc.citizens[who],
        )
        assert body["data"]["supportPetition"]["userErrors"] == []
    answer = "Đã bố trí thêm xe thu gom hai lần mỗi tuần."
    for pid in (a2["id"], old["id"]):
        for name, args, declared in (
            ("acknowledgePetition", "id: $id", ""),
            ("forwardPetition", "id: $id, agency: $agency", ", $agency: String!"),
            ("answerPetition", "id: $id, body: $body, respondent: $agency",
             ", $agency: String!, $body: String!"),
        ):  # fmt: skip
            body = await gql(
                client,
                f"mutation($id: ID!{declared}) {{ {name}({args}) {{ userErrors {{ code }} }} }}",
                {"id": pid, **({"agency": AGENCY} if declared else {}),
                 **({"body": answer} if "body" in args else {})},
                sc.staff,
            )  # fmt: skip
            assert body["data"][name]["userErrors"] == [], body
    hidden = ok(
        await gql(
            client,
            SUBMIT,
            {
                "input": {
                    **app_petition("Kiến nghị riêng về hộ nghèo", PRIVATE_OLD, "SOCIAL_WELFARE"),
                    "visibility": "PRIVATE",
                }
            },
            sc.citizens[2],
        ),
        "submitPetition",
    )["petition"]
    # p_old (and a PRIVATE one) belong to session 26's round: submitted on 20 November.
    async with transaction(sessionmaker) as session:
        await session.execute(
            sa.text("UPDATE petition SET submitted_at = :t WHERE id = :id"),
            {
                "t": datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL_ZONE),
                "id": _pk_of(old["id"]),
            },
        )
        await session.execute(
            sa.text("UPDATE petition SET submitted_at = :t WHERE id = :id"),
            {"t": datetime(2026, 11, 21, 9, 0, tzinfo=LOCAL_ZONE), "id": _pk_of(hidden["id"])},
        )
    ids.update(a1=a1["id"], a2=a2["id"], old=old["id"], hidden=hidden["id"])
    return ids


def _pk_of(global_id: str) -> int:
    pk = pk_of(global_id, "Petition")
    assert pk is not None
    return pk


async def test_a_round_of_meetings_concerns_merging_and_the_report(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    ids = await _round(client, scene, sessionmaker)

    # ---- a batch with two faulty items is refused whole: nothing written ----------------------
    before = await _counts(sessionmaker)
    batch = [
        concern(FLOOD_C0, "INFRASTRUCTURE_TRANSPORT", PHUONG_I, speakerName="Nguyễn Văn Hai"),
        concern(HEALTH_C1, "HEALTH", PHUONG_III),
        concern("Ngập nước", "INFRASTRUCTURE_TRANSPORT", PHUONG_III),  # too short
        concern(SCHOOL_C3, "EDUCATION", HOA_LUU),  # not a commune of M1
    ]
    body = await gql(client, RECORD, {"id": ids["m1"], "concerns": batch}, scene.a)
    assert "errors" not in body, body
    payload = body["data"]["recordMeetingConcerns"]
    assert payload["concerns"] is None and payload["meeting"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["concerns", "2", "content"], "INVALID_INPUT"),
        (["concerns", "3", "communeCode"], "INVALID_INPUT"),
    ]
    assert all(e["message"] for e in payload["userErrors"])
    assert await _counts(sessionmaker) == before
    # Not the group's delegate; a meeting not begun: refused, nothing written.
    body = await gql(client, RECORD, {"id": ids["m1"], "concerns": batch[:2]}, scene.n)
    assert body["data"]["recordMeetingConcerns"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await gql(
        client,
        RECORD,
        {"id": ids["m3"], "concerns": [concern(SCHOOL_C3, "EDUCATION", VI_TAN)]},
        scene.a,
    )
    assert body["data"]["recordMeetingConcerns"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    assert await _counts(sessionmaker) == before

    # ---- recorded at M1 by delegate A, then at M2 by STAFF -------------------------------------
    batch[2] = concern(FLOOD_C2, "INFRASTRUCTURE_TRANSPORT", PHUONG_III)
    batch[3] = concern(SCHOOL_C3, "EDUCATION", PHUONG_I, title="Thiếu phòng học")
    m1 = ok(
        await gql(client, RECORD, {"id": ids["m1"], "concerns": batch}, scene.a),
        "recordMeetingConcerns",
    )
    c0, c1, c2, c3 = (c["petition"] for c in m1["concerns"])
    assert c0["source"] == "VOTER_MEETING" and c0["status"] == "SUBMITTED"
    assert c0["visibility"] == "PUBLIC" and c0["voterCount"] == 1
    assert c0["title"] == FLOOD_C0  # no title given: the content's first line
    assert c3["title"] == "Thiếu phòng học"
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Petition { group { name } commune { code }"
        " timeline { status note } submitter { fullName } } } }",
        {"id": c0["id"]},
        scene.staff,
    )
    seen = body["data"]["node"]
    assert seen["group"]["name"] == VI_THANH and seen["commune"]["code"] == PHUONG_I
    assert seen["submitter"] == {"fullName": "Nguyễn Văn Hai"}
    assert seen["timeline"] == [
        {
            "status": "SUBMITTED",
            "note": "Cử tri nêu tại buổi tiếp xúc cử tri ngày 01/12/2026, Hội trường UBND Phường I.",
        }
    ]
    # At entry: c0 and c2 resemble the app's a1 (same district); the others nothing.
    assert [s["petition"]["id"] for s in m1["concerns"][0]["similar"]] == [ids["a1"]]
    assert [s["petition"]["id"] for s in m1["concerns"][2]["similar"]] == [ids["a1"]]
    assert m1["concerns"][1]["similar"] == [] and m1["concerns"][3]["similar"] == []
    m2 = ok(
        await gql(
            client,
            RECORD,
            {
                "id": ids["m2"],
                "concerns": [
                    concern(FERTILISER_D0, "AGRICULTURE", HOA_LUU),
                    concern(FLOOD_D1, "INFRASTRUCTURE_TRANSPORT", TAN_TIEN),
                ],
            },
            scene.staff,
        ),
        "recordMeetingConcerns",
    )
    d0, d1 = (c["petition"] for c in m2["concerns"])
    # d1 resembles c0, c2 and a1; the most similar first.
    assert {s["petition"]["id"] for s in m2["concerns"][1]["similar"]} == {
        c0["id"],
        c2["id"],
        ids["a1"],
    }
    scores = [s["similarity"] for s in m2["concerns"][1]["similar"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5

    # STAFF sees the same suggestions on a petition.
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Petition { similarPetitions { petition { id } } } } }",
        {"id": c0["id"]},
        scene.staff,
    )
    assert {s["petition"]["id"] for s in body["data"]["node"]["similarPetitions"]} == {
        c2["id"],
        d1["id"],
        ids["a1"],
    }

    # ---- merging: refused cases change nothing, then c2, d1 and a1 into c0 --------------------
    before = await _counts(sessionmaker)
    body = await gql(client, MERGE, {"id": c0["id"], "dups": [c2["id"]]}, scene.a)
    assert body["data"]["mergePetitions"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await gql(client, MERGE, {"id": c0["id"], "dups": [c2["id"], ids["old"]]}, scene.staff)
    assert [(e["field"], e["code"]) for e in body["data"]["mergePetitions"]["userErrors"]] == [
        (["duplicateIds", "1"], "INVALID_TRANSITION")  # answered already
    ]
    body = await gql(client, MERGE, {"id": c0["id"], "dups": [c0["id"]]}, scene.staff)
    assert body["data"]["mergePetitions"]["userErrors"][0]["field"] == ["duplicateIds", "0"]
    assert await _counts(sessionmaker) == before
    merged = ok(
        await gql(
            client, MERGE, {"id": c0["id"], "dups": [c2["id"], d1["id"], ids["a1"]]}, scene.staff
        ),
        "mergePetitions",
    )
    assert merged["petition"] == {
        "id": c0["id"],
        "voterCount": 4,
        "supportCount": 2,
        "raisedAt": [{"id": ids["m1"]}, {"id": ids["m2"]}],
    }
    assert [m["mergedInto"]["id"] for m in merged["merged"]] == [c0["id"]] * 3
    again = await gql(client, MERGE, {"id": c0["id"], "dups": [c2["id"]]}, scene.staff)
    assert again["data"]["mergePetitions"]["userErrors"][0]["code"] == "INVALID_TRANSITION"

    # The app's submitter still sees their own petition, and where it now counts.
    body = await gql(
        client,
        "{ myPetitions { nodes { id source voterCount mergedInto { id voterCount raisedAt { place } }"
        " timeline { note } } } }",
        headers=scene.citizens[0],
    )
    (mine,) = body["data"]["myPetitions"]["nodes"]
    assert mine["id"] == ids["a1"] and mine["source"] == "APP" and mine["voterCount"] == 1
    assert mine["mergedInto"]["id"] == c0["id"] and mine["mergedInto"]["voterCount"] == 4
    assert [m["place"] for m in mine["mergedInto"]["raisedAt"]] == [
        "Hội trường UBND Phường I",
        "Nhà văn hoá Xã Hoả Lựu",
    ]
    assert mine["timeline"][-1]["note"].startswith("Gộp vào kiến nghị ")

    # ---- the public lists -----------------------------------------------------------------------
    body = await gql(
        client,
        'query($s: ID) { here: voterMeetings(unitCode: "31318", sessionId: $s) { totalCount'
        " nodes { id concerns(first: 10) { totalCount nodes { id } } } }"
        ' all: voterMeetings(unitCode: "930") { nodes { id } }'
        " next: voterMeetings(upcoming: true) { nodes { id } } }",
        {"s": scene.s27},
    )
    assert "errors" not in body, body
    data = body["data"]
    assert data["here"]["totalCount"] == 1 and data["here"]["nodes"][0]["id"] == ids["m1"]
    # Raised at M1: c0..c3 (c2, merged, still was; a1 came from the app).
    assert data["here"]["nodes"][0]["concerns"]["totalCount"] == 4
    assert [c["id"] for c in data["here"]["nodes"][0]["concerns"]["nodes"]] == [
        c0["id"], c1["id"], c2["id"], c3["id"]
    ]  # fmt: skip
    assert [n["id"] for n in data["all"]["nodes"]] == [ids[k] for k in ("m1", "m4", "m2", "m3")]
    assert [n["id"] for n in data["next"]["nodes"]] == [ids["m3"]]
    body = await gql(
        client,
        '{ delegatesForUnit(code: "31318") { fullName upcomingVoterMeetings { id startsAt } } }',
    )
    assert "errors" not in body, body
    quang = next(d for d in body["data"]["delegatesForUnit"] if d["fullName"] == "Châu Tấn Quang")
    assert quang["upcomingVoterMeetings"] == [
        {"id": ids["m3"], "startsAt": "2026-12-10T08:00:00+07:00"}
    ]
    # After session 26, Phường I hears back the answer to session 26's petition.
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on VoterMeeting { reportBack { id answer { body } } } } }",
        {"id": ids["m4"]},
    )
    assert body["data"]["node"]["reportBack"] == [
        {"id": ids["old"], "answer": {"body": "Đã bố trí thêm xe thu gom hai lần mỗi tuần."}}
    ]
    # A PRIVATE petition of that round is read back only to those who may see it.
    body = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on VoterMeeting { reportBack { id } } } }",
        {"id": ids["m4"]},
        scene.staff,
    )
    assert [p["id"] for p in body["data"]["node"]["reportBack"]] == [ids["old"], ids["hidden"]]

    # ---- the report, by hand ---------------------------------------------------------------------
    refused = await gql(client, REPORT, {"id": scene.s27}, scene.a)
    assert (refused.get("data") or {}).get("sessionPetitionReport") is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(client, REPORT, {"id": scene.s27}, scene.monitor)
    assert "errors" not in body, body
    report = body["data"]["sessionPetitionReport"]
    assert {k: v for k, v in report.items() if k not in ("fields", "items")} == {
        "session": {"number": 27},
        "firstDay": "2026-11-28",
        "lastDay": "2026-12-15",
        "petitionCount": 5,
        "voterCount": 8,
        "fromMeetings": 4,
        "fromApp": 1,
        "answeredCount": 1,
        "meetingCount": 3,
        "meetingsHeld": 2,
        "votersPresent": 200,
        "docxUrl": f"/reports/sessions/{scene.s27}/petitions.docx",
        "xlsxUrl": f"/reports/sessions/{scene.s27}/petitions.xlsx",
    }
    sections = [
        (f["category"], f["petitionCount"], f["voterCount"],
         [(a["agency"], a["petitionCount"], a["voterCount"], a["numbers"]) for a in f["agencies"]])
        for f in report["fields"]
    ]  # fmt: skip
    assert sections == [
        ("INFRASTRUCTURE_TRANSPORT", 1, 4, [(None, 1, 4, [1])]),
        ("ENVIRONMENT", 1, 1, [(AGENCY, 1, 1, [2])]),
        ("HEALTH", 1, 1, [(None, 1, 1, [3])]),
        ("EDUCATION", 1, 1, [(None, 1, 1, [4])]),
        ("AGRICULTURE", 1, 1, [(None, 1, 1, [5])]),
    ]
    items = [
        (i["number"], i["category"], i["agency"], i["petition"]["id"], i["voterCount"],
         i["supportCount"], i["status"], i["communeName"])
        for i in report["items"]
    ]  # fmt: skip
    assert items == [
        (1, "INFRASTRUCTURE_TRANSPORT", None, c0["id"], 4, 2, "SUBMITTED", "Phường I"),
        (2, "ENVIRONMENT", AGENCY, ids["a2"], 1, 0, "ANSWERED", "Phường I"),
        (3, "HEALTH", None, c1["id"], 1, 0, "SUBMITTED", "Phường III"),
        (4, "EDUCATION", None, c3["id"], 1, 0, "SUBMITTED", "Phường I"),
        (5, "AGRICULTURE", None, d0["id"], 1, 0, "SUBMITTED", "Xã Hoả Lựu"),
    ]
    assert [m["id"] for m in report["items"][0]["meetings"]] == [ids["m1"], ids["m2"]]
    assert report["fields"][0]["label"] == "Hạ tầng, giao thông"

    # ---- the same numbers in the Word document ---------------------------------------------------
    response = await client.get(report["docxUrl"], headers=scene.staff)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="tong-hop-kien-nghi-ky-hop-27.docx"'
    )
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    heading = [c.text for c in doc.tables[0].rows[0].cells]
    assert "THƯỜNG TRỰC HĐND" in heading[0] and "Số: ……/BC-HĐND" in heading[0]
    assert "Độc lập - Tự do - Hạnh phúc" in heading[1]
    assert "Hậu Giang, ngày 05 tháng 12 năm 2026" in heading[1]
    assert "BÁO CÁO" in texts
    summary = next(t for t in texts if t.startswith("Từ ngày 28/11/2026 đến ngày 15/12/2026"))
    for words in (
        "tổ chức 2/3 buổi tiếp xúc cử tri",
        "200 lượt cử tri tham dự",
        "Tổng hợp 5 ý kiến, kiến nghị của 8 lượt cử tri",
        "4 ý kiến nêu tại các buổi tiếp xúc cử tri và 1 kiến nghị gửi qua ứng dụng",
        "đã có 1 ý kiến được trả lời",
    ):
        assert words in summary, (words, summary)
    sections = [t for t in texts if t.split(".")[0] in ("I", "II", "III", "IV", "V", "VI")]
    assert sections == [
        "I. LĨNH VỰC HẠ TẦNG, GIAO THÔNG (1 ý kiến, 4 lượt cử tri)",
        "II. LĨNH VỰC TÀI NGUYÊN, MÔI TRƯỜNG (1 ý kiến, 1 lượt cử tri)",
        "III. LĨNH VỰC Y TẾ (1 ý kiến, 1 lượt cử tri)",
        "IV. LĨNH VỰC GIÁO DỤC (1 ý kiến, 1 lượt cử tri)",
        "V. LĨNH VỰC NÔNG NGHIỆP (1 ý kiến, 1 lượt cử tri)",
    ]
    numbered = [t for t in texts if t[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [t.split(".")[0] for t in numbered] == ["1", "2", "3", "4", "5"]
    assert numbered[0].startswith(f"1. {FLOOD_C0} (Cử tri Phường I; 4 lượt cử tri; nêu tại buổi")
    assert "ngày 01/12/2026 tại Hội trường UBND Phường I" in numbered[0]
    assert "ngày 03/12/2026 tại Nhà văn hoá Xã Hoả Lựu" in numbered[0]
    assert numbered[1].startswith(
        f"2. {LITTER_A2} (Cử tri Phường I; 1 lượt cử tri; gửi qua ứng dụng"
    )
    assert numbered[1].endswith("Tình trạng: Đã trả lời.")
    assert f"Cơ quan giải quyết: {AGENCY}" in texts

    # ---- and in the spreadsheet ------------------------------------------------------------------
    response = await client.get(report["xlsxUrl"], headers=scene.monitor)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Tổng hợp"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[2], r[6], r[7], r[8], r[10]) for r in rows] == [
        (1, "Hạ tầng, giao thông", "Chưa chuyển cơ quan giải quyết", 4, 2, "Tiếp xúc cử tri", "Chưa tiếp nhận"),
        (2, "Tài nguyên, môi trường", AGENCY, 1, 0, "Ứng dụng", "Đã trả lời"),
        (3, "Y tế", "Chưa chuyển cơ quan giải quyết", 1, 0, "Tiếp xúc cử tri", "Chưa tiếp nhận"),
        (4, "Giáo dục", "Chưa chuyển cơ quan giải quyết", 1, 0, "Tiếp xúc cử tri", "Chưa tiếp nhận"),
        (5, "Nông nghiệp", "Chưa chuyển cơ quan giải quyết", 1, 0, "Tiếp xúc cử tri", "Chưa tiếp nhận"),
    ]  # fmt: skip
    assert rows[0][4] == FLOOD_C0
    totals = dict(book["Số liệu"].iter_rows(values_only=True))
    assert totals["Số ý kiến, kiến nghị"] == 5
    assert totals["Số lượt cử tri kiến nghị"] == 8
    assert totals["Nêu tại tiếp xúc cử tri"] == 4
    assert totals["Gửi qua ứng dụng"] == 1
    assert totals["Đã trả lời"] == 1
    assert totals["Số buổi tiếp xúc cử tri trước kỳ họp"] == 3
    assert totals["Số lượt cử tri tham dự"] == 200


async def test_the_documents_are_admitted_like_the_csv(client: AsyncClient, scene: Scene) -> None:
    path = f"/reports/sessions/{scene.s27}/petitions.docx"
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=scene.a)).status_code == 403
    assert (await client.get(path, headers=scene.citizens[0])).status_code == 403
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await client.get(path, headers=bad)).status_code == 401
    missing = f"/reports/sessions/{to_global_id('Session', 999_999)}/petitions.xlsx"
    assert (await client.get(missing, headers=scene.staff)).status_code == 404
    empty = await client.get(path.replace(".docx", ".xlsx"), headers=scene.staff)
    assert empty.status_code == 200
    assert "ratelimit-limit" in {k.lower() for k in empty.headers}


async def test_a_batch_of_four_hundred_concerns_is_recorded_at_once(
    client: AsyncClient, scene: Scene, sessionmaker: Sessionmaker
) -> None:
    meeting = ok(await schedule(client, scene.a, **meeting_input(scene)), "scheduleVoterMeeting")
    many = [
        concern(f"Ý kiến số {i}: đề nghị sửa chữa tuyến đường ở khu vực {i} của Phường I.",
                "INFRASTRUCTURE_TRANSPORT", PHUONG_I)
        for i in range(400)
    ]  # fmt: skip
    many[399]["category"] = "OTHER"
    body = await gql(
        client,
        "mutation($id: ID!, $c: [MeetingConcernInput!]!) { recordMeetingConcerns(meetingId: $id,"
        " concerns: $c) { concerns { petition { trackingCode } } userErrors { field } } }",
        {"id": meeting["meeting"]["id"], "c": many},
        scene.a,
    )
    payload = ok(body, "recordMeetingConcerns")
    codes = [c["petition"]["trackingCode"] for c in payload["concerns"]]
    assert len(codes) == len(set(codes)) == 400
    async with sessionmaker() as session:
        positions = (
            await session.execute(
                sa.text("SELECT array_agg(position ORDER BY position) FROM meeting_concern")
            )
        ).scalar_one()
    assert positions == list(range(1, 401))
