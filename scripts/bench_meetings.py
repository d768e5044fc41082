"""Benchmark: recording a long meeting's concerns at once, and the session's report.

Seeds a fresh database on a PostgreSQL server (HDND_BENCH_DATABASE_URL, a server URL whose user
may create databases; default: the local server) with the demo data (`hdnd seed --demo`'s code,
its voter meetings included), runs the app in-process, and times: `recordMeetingConcerns` with
`--concerns` items (each with its similar-petition suggestions), `sessionPetitionReport` of the
demo session, and its .docx and .xlsx downloads. Prints the median and the worst of `--rounds`
rounds and the SQL statements of one request. Figures only, never a fixed threshold.

    uv run python scripts/bench_meetings.py [--concerns 500] [--rounds 5]
"""

import argparse
import asyncio
import statistics
import time
from typing import Any

import sqlalchemy as sa
from benchkit import bench_server, scratch_database
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event

from api.app import create_app
from api.identity import issue_token
from api.settings import Settings
from db.accounts import grant_role
from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import make_engine, make_sessionmaker, transaction
from db.migrate import upgrade
from db.seed import seed_demo_extras
from db.tables import CouncilSession, VoterMeeting, VoterMeetingCommune
from db.viewer import Role
from schema.relay import to_global_id

SECRET = "bench-secret-0123456789-0123456789-abcdef"
STAFF = "bench-staff"
RECORD = """mutation($id: ID!, $c: [MeetingConcernInput!]!) { recordMeetingConcerns(meetingId: $id,
  concerns: $c) { concerns { petition { trackingCode } similar { similarity } }
  userErrors { field } } }"""
REPORT = """query($s: ID!) { sessionPetitionReport(sessionId: $s) { petitionCount voterCount
  fields { label petitionCount agencies { label numbers } }
  items { number voterCount status petition { trackingCode title } meetings { place } } } }"""


async def _timed(rounds: int, call: Any) -> list[float]:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def _show(label: str, spent: list[float], statements: int) -> None:
    print(
        f"{label:<44} median {statistics.median(spent):8.1f} ms   worst {max(spent):8.1f} ms"
        f"   {statements} statements"
    )


async def main(concerns: int, rounds: int) -> None:
    async with scratch_database(bench_server(), "hdnd_bench_meetings") as url:
        await _run(url, concerns, rounds)


async def _run(url: str, concerns: int, rounds: int) -> None:
    engine = make_engine(url, pool_size=2)
    await upgrade(engine)
    async with transaction(make_sessionmaker(engine)) as session:
        await load_directory(session, DEMO_DIRECTORY)
        await seed_demo_extras(session)
        await grant_role(session, STAFF, Role.STAFF)
        current = (
            await session.execute(
                sa.select(CouncilSession).where(CouncilSession.status == "IN_PROGRESS")
            )
        ).scalar_one()
        held = (
            (
                await session.execute(
                    sa.select(VoterMeeting)
                    .where(VoterMeeting.status == "HELD")
                    .order_by(VoterMeeting.id)
                )
            )
            .scalars()
            .first()
        )
        assert held is not None and held.id is not None and current.id is not None
        commune = (
            (
                await session.execute(
                    sa.select(VoterMeetingCommune.unit_code).where(
                        VoterMeetingCommune.meeting_id == held.id
                    )
                )
            )
            .scalars()
            .first()
        )
    await engine.dispose()
    settings = Settings(database_url=url, jwt_secret=SECRET, rate_limit=100_000, _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {issue_token(settings, STAFF)}"}
    counted = {"n": 0}
    async with app.router.lifespan_context(app):
        event.listen(app.state.engine.sync_engine, "before_cursor_execute",
                     lambda *a: counted.__setitem__("n", counted["n"] + 1))  # fmt: skip
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http:
            meeting = str(to_global_id("VoterMeeting", held.id))
            batch = [
                {"content": f"Ý kiến số {i}: đề nghị sửa chữa tuyến đường liên ấp số {i} "
                            "bị xuống cấp, mùa mưa ngập sâu, đi lại khó khăn.",
                 "category": "INFRASTRUCTURE_TRANSPORT", "communeCode": commune}
                for i in range(concerns)
            ]  # fmt: skip

            async def record() -> None:
                counted["n"] = 0
                answer = await http.post(
                    "/graphql", json={"query": RECORD, "variables": {"id": meeting, "c": batch}},
                    headers=headers,
                )  # fmt: skip
                assert answer.json()["data"]["recordMeetingConcerns"]["userErrors"] == []

            spent = await _timed(rounds, record)
            _show(f"recordMeetingConcerns ({concerns} concerns)", spent, counted["n"])
            session_id = str(to_global_id("Session", current.id))

            async def report() -> None:
                counted["n"] = 0
                answer = await http.post(
                    "/graphql", json={"query": REPORT, "variables": {"s": session_id}},
                    headers=headers,
                )  # fmt: skip
                assert "errors" not in answer.json()

            spent = await _timed(rounds, report)
            _show("sessionPetitionReport", spent, counted["n"])
            for suffix in ("docx", "xlsx"):

                async def download(suffix: str = suffix) -> None:
                    counted["n"] = 0
                    answer = await http.get(
                        f"/reports/sessions/{session_id}/petitions.{suffix}", headers=headers
                    )
                    assert answer.status_code == 200

                spent = await _timed(rounds, download)
                _show(f"GET …/petitions.{suffix}", spent, counted["n"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.concerns, args.rounds))
