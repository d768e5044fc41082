"""`hdnd load-directory`: a whole directory from data files, idempotent, updating what an
edited folder names, refusing a bad file with its name and row and changing nothing."""

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from db.council.load import DEMO_DIRECTORY, load_directory
from db.engine import Sessionmaker, transaction
from db.refused import Refused
from db.tables import AuditEvent, CouncilSession, Delegate

ROOT = Path(__file__).resolve().parents[2]


async def _counts(sessionmaker: Sessionmaker) -> tuple[int, int, int]:
    async with sessionmaker() as session:

        async def n(table: type) -> int:
            return int(
                (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            )

        return (await n(Delegate), await n(CouncilSession), await n(AuditEvent))


async def test_loading_twice_changes_nothing_but_the_audit(sessionmaker: Sessionmaker) -> None:
    delegates, sessions, audits = await _counts(sessionmaker)
    assert (delegates, sessions) == (51, 4)
    async with transaction(sessionmaker) as session:
        summary = await load_directory(session, DEMO_DIRECTORY)
    assert (summary.units, summary.delegates, summary.sessions) == (84, 51, 4)
    assert await _counts(sessionmaker) == (51, 4, audits + 1)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DEMO_DIRECTORY, folder)
    return folder


async def test_an_edited_folder_updates_what_it_names(
    sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    folder = _copy(tmp_path)
    path = folder / "delegates.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Huỳnh Minh Tài,Giám đốc,", "Huỳnh Minh Tài,Phó Chủ tịch,")
    text += "Lê Văn Bầu,Giám đốc,Sở Nội vụ,false,Tổ đại biểu thành phố Vị Thanh,1,,2025-01-10,,,\n"
    path.write_text(text, encoding="utf-8")
    async with transaction(sessionmaker) as session:
        await load_directory(session, folder)
    async with sessionmaker() as session:
        rows = {
            d.full_name: d
            for d in (
                await session.execute(
                    sa.select(Delegate).where(
                        col(Delegate.full_name).in_(["Huỳnh Minh Tài", "Lê Văn Bầu"])
                    )
                )
            ).scalars()
        }
    assert rows["Huỳnh Minh Tài"].title == "Phó Chủ tịch"
    assert rows["Lê Văn Bầu"].full_name_folded == "le van bau"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("sessions.csv", ",THEMATIC,", ",WORKSHOP,", "sessions.csv dòng 3"),
        ("sessions.csv", "2026-09-16,2026-09-16", "2026-09-16,2026-09-15", "sessions.csv dòng 3"),
        (
            "delegates.csv",
            "Thành ủy Vị Thanh,false,Tổ đại biểu thành phố Vị Thanh,1",
            "Thành ủy Vị Thanh,false,Tổ đại biểu thành phố Vị Thanh,99",
            "đơn vị bầu cử số 99",
        ),
        (
            "delegates.csv",
            "Thành ủy Vị Thanh,false,Tổ đại biểu thành phố Vị Thanh",
            "Thành ủy Vị Thanh,false,Tổ không có",
            "Tổ không có",
        ),
        ("committees.csv", "LEGAL,", "LAW,", "committees.csv"),
    ],
)
async def test_a_bad_file_is_refused_and_changes_nothing(
    sessionmaker: Sessionmaker, tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = await _counts(sessionmaker)
    with pytest.raises(Refused, match=message):
        async with transaction(sessionmaker) as session:
            await load_directory(session, folder)
    assert await _counts(sessionmaker) == before


async def test_the_command(db_url: str, tmp_path: Path, sessionmaker: Sessionmaker) -> None:
    env = {**os.environ, "HDND_DATABASE_URL": db_url}

    async def run(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from api.cli import main; main()",
            "load-directory",
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        return process.returncode or 0, out.decode(), err.decode()

    code, out, _ = await run(str(DEMO_DIRECTORY))
    assert code == 0
    assert "delegates=51" in out
    folder = _copy(tmp_path)
    (folder / "sessions.csv").write_text(
        (folder / "sessions.csv").read_text(encoding="utf-8").replace(",CLOSED,", ",DONE,", 1),
        encoding="utf-8",
    )
    code, _, err = await run(str(folder))
    assert code == 1
    assert "sessions.csv dòng 2" in err
    code, _, err = await run(str(tmp_path / "missing"))
    assert code == 1
