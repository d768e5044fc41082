"""Issue 15's "done when": a petition goes from a citizen to a delegate, is forwarded to an
agency, answered by an agency account with its letter number, and the citizen's receiver gets
each step once, in order, signed, through receiver outages; the agency and the delegate hear of
what reached their inbox."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from httpx import AsyncClient
from time_machine import TimeMachineFixture

from api.settings import Settings
from api.worker import OutboxWorker
from db.accounts import grant_role
from db.agencies.reads import agency_by_code
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from tests.conftest import bearer, gql
from tests.notifications.receivers import (
    Receiver,
    Shifted,
    deliver_everything,
    serving,
    worker_settings,
)
from tests.petition_helpers import make_world, submitted

T = datetime.fromisoformat("2026-03-02T09:00:00+07:00")  # a Monday morning

STEP = """mutation($id: ID!) {
  ack: acknowledgePetition(id: $id) { petition { status } userErrors { code message } }
}"""
FORWARD = """mutation($id: ID!, $agencyId: ID!) {
  forwardPetition(id: $id, agencyId: $agencyId, note: "Đề nghị Sở xem xét") {
    petition { status forwardedTo agency { code name } forwardings { outcome dueAt isOverdue } }
    userErrors { code field message } } }"""
ANSWER = """mutation($id: ID!, $input: AgencyAnswerInput!) {
  answerForwardedPetition(id: $id, input: $input) {
    petition { status answer { body respondent letterNumber letterDate }
               forwardings { outcome letterNumber } timeline { status note } }
    userErrors { code field message } } }"""
QUIET_OFF = (
    "mutation { setNotificationPreferences(input: {quietHours: false}) { userErrors { code } } }"
)


async def test_citizen_hears_each_step_once_in_order_signed(
    client: AsyncClient,
    settings: Settings,
    sessionmaker: Sessionmaker,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(T, tick=False)
    w = await make_world(settings, sessionmaker)
    async with transaction(sessionmaker) as session:
        agency = await agency_by_code(session, "SO-XAYDUNG")
        assert agency is not None and agency.id is not None
        await grant_role(session, "agency-sxd", Role.AGENCY, agency_id=agency.id)

    def signed_in(sub: str) -> dict[str, str]:
        # Tokens live an hour: each step signs in afresh at the moved clock.
        return bearer(settings, sub)

    for headers in (w.citizen_a, w.addressed, signed_in("agency-sxd")):
        assert (await gql(client, QUIET_OFF, headers=headers))["data"] is not None

    found = await gql(client, '{ agencies(search: "so xay dung") { id code } }')
    agency_gid = found["data"]["agencies"][0]["id"]
    delegate_gid = (await gql(client, "{ me { delegate { id } } }", headers=w.addressed))["data"][
        "me"
    ]["delegate"]["id"]
    petition = await submitted(client, w.citizen_a, delegateId=delegate_gid)
    pid = petition["id"]

    time_machine.move_to(T + timedelta(hours=2), tick=False)
    ack = await gql(client, STEP, {"id": pid}, signed_in("delegate-vt-2"))
    assert ack["data"]["ack"]["userErrors"] == []
    time_machine.move_to(T + timedelta(days=1), tick=False)
    forwarded = await gql(
        client, FORWARD, {"id": pid, "agencyId": agency_gid}, signed_in("delegate-vt-2")
    )
    payload = forwarded["data"]["forwardPetition"]
    assert payload["userErrors"] == []
    assert payload["petition"]["agency"]["code"] == "SO-XAYDUNG"
    assert payload["petition"]["forwardedTo"] == "Sở Xây dựng tỉnh Hậu Giang"
    assert payload["petition"]["forwardings"][0]["outcome"] == "PENDING"
    assert payload["petition"]["forwardings"][0]["dueAt"].startswith("2026-04-02T09:00:00")

    inbox = await gql(
        client,
        "{ agencyInbox(status: FORWARDED) { totalCount nodes { id submitter { fullName } } } }",
        headers=signed_in("agency-sxd"),
    )
    assert inbox["data"]["agencyInbox"]["totalCount"] == 1
    # The agency reads the petition, never who sent it.
    assert inbox["data"]["agencyInbox"]["nodes"] == [{"id": pid, "submitter": None}]

    time_machine.move_to(T + timedelta(days=12), tick=False)
    answer = {
        "body": "Sở đã đưa tuyến đường vào kế hoạch sửa chữa năm 2026.",
        "letterNumber": "125/SXD-QLHT",
        "letterDate": "2026-03-13",
        "signer": "Phó Giám đốc Lê Văn An",
    }
    answered = await gql(client, ANSWER, {"id": pid, "input": answer}, signed_in("agency-sxd"))
    done = answered["data"]["answerForwardedPetition"]
    assert done["userErrors"] == []
    assert done["petition"]["status"] == "ANSWERED"
    assert done["petition"]["answer"] == {
        "body": answer["body"],
        "respondent": "Sở Xây dựng tỉnh Hậu Giang (Phó Giám đốc Lê Văn An)",
        "letterNumber": "125/SXD-QLHT",
        "letterDate": "2026-03-13",
    }
    assert done["petition"]["forwardings"] == [
        {"outcome": "ANSWERED", "letterNumber": "125/SXD-QLHT"}
    ]
    assert done["petition"]["timeline"][-1]["note"] == (
        "Sở Xây dựng tỉnh Hậu Giang trả lời tại văn bản số 125/SXD-QLHT ngày 13/03/2026"
    )

    # The receiver is down at first (three attempts refused), then fails one more.
    receiver = Receiver(fail_next=3)
    async with serving(receiver) as url:
        moved = Shifted()
        worker = OutboxWorker(sessionmaker, worker_settings(url), now=moved)
        try:
            expected = 5  # the citizen's three steps, the delegate's and the agency's new item
            await deliver_everything(
                worker, moved, lambda: len(receiver.accepted) >= expected, timedelta(minutes=10)
            )
            await worker.drain()
        finally:
            await worker.aclose()

    assert receiver.bad_signatures == 0
    assert receiver.duplicates == 0
    assert len(receiver.attempts) == 5 + 3
    assert receiver.order_for("citizen-a") == [
        "PETITION_ACKNOWLEDGED",
        "PETITION_FORWARDED",
        "PETITION_ANSWERED",
    ]
    assert receiver.order_for("delegate-vt-2") == ["PETITION_RECEIVED"]
    assert receiver.order_for("agency-sxd") == ["PETITION_RECEIVED"]
    bodies = [b for b in receiver.accepted.values() if b["recipient"] == "citizen-a"]
    assert [b["data"]["petitionId"] for b in bodies] == [pid] * 3
    assert bodies[1]["body"] == (
        "Kiến nghị «Đường liên ấp bị sạt lở» của bạn đã được chuyển đến Sở Xây dựng tỉnh Hậu Giang."
    )
    # No personal data: neither the citizen's name nor phone travels in any notification.
    for body in receiver.accepted.values():
        text = str(body)
        assert "Nguyễn Thị Mai" not in text and "0901234567" not in text and "901234567" not in text
    async with sessionmaker() as session:
        states = (
            await session.execute(sa.text("SELECT state, count(*) FROM outbox GROUP BY state"))
        ).all()
    assert dict(states) == {"DELIVERED": 5}
