"""Delegates' scorecards over a period, checked against the scene written by hand (scene.py)."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.conftest import gql
from tests.schema.sessions.scene import AT_SCENE_TIME, SCORECARD, Scene, gid

pytestmark = AT_SCENE_TIME


@pytest.mark.usefixtures("built_scene", "petitions")
async def test_scorecards_by_hand(client: AsyncClient, scene: Scene) -> None:
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
