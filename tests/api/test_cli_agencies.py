"""`hdnd grant … AGENCY --agency CODE` and `hdnd worker`, as an operator runs them."""

import os
import signal
import subprocess

import sqlalchemy as sa

from db.engine import Sessionmaker
from tests.api.test_cli import HDND, ROOT, assert_one_sentence, run


async def test_grant_links_an_account_to_its_agency(
    db_url: str, sessionmaker: Sessionmaker
) -> None:
    env = {"HDND_DATABASE_URL": db_url}
    done = run(["grant", "so-xd-01", "AGENCY", "--agency", "so-xaydung"], env)
    assert done.returncode == 0, done.stderr
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text(
                    "SELECT a.role, g.code FROM account a JOIN agency g ON g.id = a.agency_id "
                    "WHERE a.sub = 'so-xd-01'"
                )
            )
        ).one()
    assert tuple(row) == ("AGENCY", "SO-XAYDUNG")
    assert_one_sentence(run(["grant", "so-xd-02", "AGENCY"], env), "--agency")
    assert_one_sentence(run(["grant", "so-xd-02", "AGENCY", "--agency", "NOPE"], env), "NOPE")
    assert_one_sentence(run(["grant", "so-xd-02", "STAFF", "--agency", "SO-YTE"], env), "AGENCY")


def test_worker_starts_and_stops_on_sigterm(db_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")}
    process = subprocess.Popen(
        [*HDND, "worker"],
        env=env | {"HDND_DATABASE_URL": db_url},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "chưa cấu hình kênh nào" in first
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_outbox_status_and_retry(db_url: str) -> None:
    env = {"HDND_DATABASE_URL": db_url}
    status = run(["outbox", "status"], env)
    assert status.returncode == 0, status.stderr
    assert [line.split() for line in status.stdout.splitlines()] == [
        ["PENDING", "0"],
        ["DELIVERED", "0"],
        ["DEAD", "0"],
        ["SKIPPED", "0"],
    ]
    retried = run(["outbox", "retry"], env)
    assert retried.returncode == 0, retried.stderr
    assert "Đã đưa 0 thông báo" in retried.stdout
